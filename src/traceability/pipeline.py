"""The whole flow in one call, for the demo: generate → ingest → link → analyses."""

from __future__ import annotations

from pathlib import Path

from .errors import TraceabilityError
from .warehouse import Warehouse


def build_demo(folder: Path, scale: float = 0.05, seed: int = 7, log=print) -> Path:
    """Build (or reuse) the demo city and warehouse in `folder`; returns the database path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    city = folder / "city"
    db = folder / "traceability.duckdb"
    steps = []
    try:
        from .synth import generate_city

        if not (city / "truth").exists():
            log(f"generating a city at scale {scale} in {city}")
            generate_city(city, scale=scale, seed=seed)
        steps.append("generate")
    except TraceabilityError as e:
        log(f"skipped generation: {e}")
    with Warehouse(db) as wh:
        if city.exists():
            try:
                from .sources import ingest_paths

                ingest_paths(wh, [city], log=log)
                steps.append("ingest")
            except TraceabilityError as e:
                log(f"skipped ingest: {e}")
        try:
            from .linkage import link_warehouse

            if wh.scalar("SELECT count(*) FROM person_mention"):
                link_warehouse(wh)
                steps.append("link")
        except TraceabilityError as e:
            log(f"skipped linkage: {e}")
        try:
            from .analysis.materialize import materialize_all

            materialize_all(wh, log=log)
            steps.append("analyze")
        except (ImportError, TraceabilityError) as e:
            log(f"skipped analyses: {e}")
    _demo_users(db, log)
    log(f"demo database ready: {db} ({', '.join(steps) or 'empty'})")
    return db


DEMO_PASSWORD = "demo-traceability"
DEMO_USERS = [("analista", "analyst", ()), ("investigador", "investigator", ("vaw", "minor")),
              ("supervisor", "supervisor", ("vaw", "minor", "financial", "communications")),
              ("auditor", "auditor", ()), ("admin", "admin", ())]


def _demo_users(db: Path, log) -> None:
    """Demo accounts (synthetic data only), one per role; the password is printed, never used in production."""
    from .governance.accounts import create_user, list_users
    from .governance.state import engine_for

    eng = engine_for(db)
    existing = {u["username"] for u in list_users(eng)}
    for username, role, labels in DEMO_USERS:
        if username not in existing:
            create_user(eng, username, DEMO_PASSWORD, role, set(labels), by="demo")
    log(f"demo users {', '.join(u for u, _, _ in DEMO_USERS)} — password: {DEMO_PASSWORD}")
