"""Ingest throughput (rows/s): the real 1.3M-row FGJ carpetas file (target: under 90 s), and a generated city.

Run alone with `python -m bench bench_ingest`. Figures per stage: wall seconds, CPU seconds of this process
(DuckDB threads included) and the 1-minute load average at the start (the machine is shared: wall time on a
loaded machine is CPU time times the contention), rows/s on wall time.

The city is `synth.generate_city(DIR, scale=$TRACEABILITY_BENCH_SCALE (default 1.0), seed=7)`, cached in
$TRACEABILITY_BENCH_CITY or `<tmp>/traceability_bench_city_s<scale>_seed7` (generated once; ~3M rows in
12 sources at scale 1.0). Besides the whole-city figure, one row per source gives its own rows/s (from the
per-file reports). Set TRACEABILITY_BENCH_SKIP_CITY=1 to measure only the real file.

Also usable as a script: `python bench/bench_ingest.py [real|city]` prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

if __name__ == "__main__":  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import measured  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CARPETAS = ROOT.parent / "shared" / "data" / "fgj" / "carpetas_puntos_2019_2024.csv.gz"
SEED = 7


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _ingest(paths: list[Path], results: list, stage: str, scale=None, per_source: bool = False) -> list:
    from traceability.sources import ingest_paths
    from traceability.warehouse import Warehouse

    with tempfile.TemporaryDirectory() as d:
        with Warehouse(Path(d) / "w.duckdb") as wh:
            with measured(results, stage, scale=scale, load_avg_1m=_load()) as rec:
                c0 = time.process_time()
                reports = ingest_paths(wh, paths, log=lambda *a: None)
                rec["cpu_s"] = round(time.process_time() - c0, 2)
                rec["rows"] = sum(r.rows_read for r in reports)
                rec["note"] = (f"{len(reports)} file(s), loaded {sum(r.rows_loaded for r in reports):,}, "
                               f"quarantined {sum(r.rows_quarantined for r in reports):,}, "
                               f"errors {sum(1 for r in reports if r.error)}, cpu {rec['cpu_s']} s, "
                               f"load {rec['load_avg_1m']}")
            t0 = time.perf_counter()
            again = ingest_paths(wh, paths, log=lambda *a: None)
            rec["reingest_s"] = round(time.perf_counter() - t0, 2)
            rec["reingest_new"] = sum(r.rows_new for r in again)
    if per_source:
        by: dict[str, dict] = defaultdict(lambda: {"rows": 0, "seconds": 0.0, "files": 0, "quarantined": 0})
        for r in reports:
            b = by[r.source or "refused"]
            b["rows"] += r.rows_read
            b["seconds"] += r.seconds
            b["files"] += 1
            b["quarantined"] += r.rows_quarantined
        for src, b in sorted(by.items()):
            results.append({"stage": f"{stage}.{src}", "engine": "duckdb", "scale": scale, "rows": b["rows"],
                            "seconds": round(b["seconds"], 3),
                            "rows_per_s": int(b["rows"] / max(b["seconds"], 1e-9)),
                            "note": f"{b['files']} file(s), quarantined {b['quarantined']:,}"})
    return reports


def city_dir(scale: float) -> Path:
    """The cached generated city (generated now if absent)."""
    env = os.environ.get("TRACEABILITY_BENCH_CITY")
    out = Path(env) if env else Path(tempfile.gettempdir()) / f"traceability_bench_city_s{scale:g}_seed{SEED}"
    if not (out / "truth" / "person_mentions.csv").exists():
        from traceability.synth import generate_city

        generate_city(out, scale=scale, seed=SEED)
    return out


def run_real(results: list) -> None:
    if CARPETAS.exists():
        _ingest([CARPETAS], results, "ingest.fgj_carpetas_real", scale="1.3M rows")
    else:
        results.append({"stage": "ingest.fgj_carpetas_real", "note": f"{CARPETAS} not available"})


def run_city(results: list) -> None:
    scale = float(os.environ.get("TRACEABILITY_BENCH_SCALE", "1.0"))
    try:
        city = city_dir(scale)
    except ImportError:
        results.append({"stage": "ingest.city", "scale": scale, "note": "synth.generate_city not available"})
        return
    _ingest([city], results, "ingest.city", scale=scale, per_source=True)


def run(results: list) -> None:
    run_real(results)
    if os.environ.get("TRACEABILITY_BENCH_SKIP_CITY") != "1":
        run_city(results)


if __name__ == "__main__":
    which = sys.argv[1:] or ["real", "city"]
    res: list = []
    for w in which:
        {"real": run_real, "city": run_city}[w](res)
    print(json.dumps(res, indent=2, default=str))
