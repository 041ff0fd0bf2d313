"""Fixtures shared by all tests: paths to the shared real data, a fresh warehouse, the web app."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not present: {p}")
    return p


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL database (Debian's server, started for the session). Fails in CI if missing."""
    import os

    from tests import pg

    if not pg.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server not installed: `make test` installs it (apt-get install postgresql)")
        pytest.skip("PostgreSQL server not available here")
    url, started = pg.start()
    yield url
    if started:
        pg.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def state_backend(request, monkeypatch):
    """Run a governance test on both operational-state backends (SQLite file; real PostgreSQL)."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        import sqlalchemy as sa

        from traceability.governance.state import engine_for

        eng = engine_for(url=url)
        with eng.begin() as conn:  # each test starts from empty state
            conn.execute(sa.text("TRUNCATE users, sessions, audit"))
        monkeypatch.setenv("TRACEABILITY_STATE_URL", url)
    else:
        monkeypatch.delenv("TRACEABILITY_STATE_URL", raising=False)
    return request.param


@pytest.fixture
def wh(tmp_path):
    from traceability.warehouse import Warehouse

    w = Warehouse(tmp_path / "t.duckdb")
    yield w
    w.close()


@pytest.fixture
def db_file(tmp_path) -> Path:
    """An empty, migrated warehouse file (closed, ready for read-only use)."""
    from traceability.warehouse import Warehouse

    path = tmp_path / "t.duckdb"
    Warehouse(path).close()
    return path


@pytest.fixture
def client(db_file):
    """The real app over an empty warehouse, signed in as an analyst."""
    from tests.webutil import authed_client

    c = authed_client(db_file, role="analyst", username="analista")
    yield c
    c.__exit__(None, None, None)


# -- a small generated, ingested and linked city, shared by the tests that measure against truth --------
@pytest.fixture(scope="session")
def city_dir(tmp_path_factory) -> Path:
    """A synthetic city at scale 0.02 (seed 7): extracts plus DIR/truth/."""
    from traceability.errors import TraceabilityError

    out = tmp_path_factory.mktemp("city") / "city"
    try:
        from traceability.synth import generate_city

        generate_city(out, scale=0.02, years=1, seed=7)
    except TraceabilityError as e:
        pytest.skip(f"synthetic city not available: {e}")
    return out


@pytest.fixture(scope="session")
def city_db(city_dir, tmp_path_factory) -> Path:
    """The city ingested and linked into a warehouse file (closed; open it read-only or read-write)."""
    from traceability.errors import TraceabilityError
    from traceability.warehouse import Warehouse

    db = tmp_path_factory.mktemp("citydb") / "city.duckdb"
    with Warehouse(db) as w:
        try:
            from traceability.sources import ingest_paths

            ingest_paths(w, [city_dir], log=lambda *a, **k: None)
        except TraceabilityError as e:
            pytest.skip(f"ingestion not available: {e}")
        try:
            from traceability.linkage import link_warehouse

            link_warehouse(w)
        except TraceabilityError as e:
            pytest.skip(f"linkage not available: {e}")
        from traceability.analysis.materialize import materialize_all

        materialize_all(w, log=lambda *a, **k: None)  # as the demo does: pages read stored results
    return db
