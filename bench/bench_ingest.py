"""Ingest throughput: the real 1.3M-row FGJ carpetas file (target: under 90 s), and a generated city.

Run alone with `python -m bench bench_ingest`. The city figure needs `synth.generate_city`; scale from
$TRACEABILITY_BENCH_SCALE (default 1.0), skipped when the generator is not available.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.measure import measured

ROOT = Path(__file__).resolve().parents[1]
CARPETAS = ROOT.parent / "shared" / "data" / "fgj" / "carpetas_puntos_2019_2024.csv.gz"


def _ingest(path: Path, results: list, stage: str, scale=None) -> None:
    from traceability.sources import ingest_paths
    from traceability.warehouse import Warehouse

    with tempfile.TemporaryDirectory() as d:
        with Warehouse(Path(d) / "w.duckdb") as wh, measured(results, stage, scale=scale) as rec:
            reports = ingest_paths(wh, [path], log=lambda *a: None)
            rec["rows"] = sum(r.rows_read for r in reports)
            rec["note"] = (f"{len(reports)} file(s), loaded {sum(r.rows_loaded for r in reports):,}, "
                           f"quarantined {sum(r.rows_quarantined for r in reports):,}, "
                           f"errors {sum(1 for r in reports if r.error)}")
            t0 = time.perf_counter()
            again = ingest_paths(wh, [path], log=lambda *a: None)
            rec["reingest_s"] = round(time.perf_counter() - t0, 2)
            rec["reingest_new"] = sum(r.rows_new for r in again)


def run(results: list) -> None:
    if CARPETAS.exists():
        _ingest(CARPETAS, results, "ingest.fgj_carpetas_real")
    scale = float(os.environ.get("TRACEABILITY_BENCH_SCALE", "1.0"))
    try:
        from traceability.synth import generate_city
    except ImportError:
        results.append({"stage": "ingest.city", "scale": scale, "note": "synth.generate_city not available"})
        return
    with tempfile.TemporaryDirectory() as d:
        city = Path(d) / "city"
        generate_city(city, scale=scale)
        _ingest(city, results, "ingest.city", scale=scale)
