"""Warehouse baseline: creating and migrating a fresh database (a reference for later figures)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.measure import measured


def run(results: list) -> None:
    from traceability.warehouse import Warehouse

    with tempfile.TemporaryDirectory() as d, measured(results, "warehouse.create+migrate") as rec:
        with Warehouse(Path(d) / "w.duckdb") as wh:
            rec["rows"] = len(wh.tables())
            rec["note"] = "tables created"
