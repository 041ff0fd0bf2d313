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
    log(f"demo database ready: {db} ({', '.join(steps) or 'empty'})")
    return db
