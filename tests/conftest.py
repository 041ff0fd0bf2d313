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
    from fastapi.testclient import TestClient

    from traceability.web.app import create_app

    with TestClient(create_app(db_file)) as c:
        yield c
