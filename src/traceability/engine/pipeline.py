"""`traceability pipeline run`: the heavy stages on the chosen engine, over the Parquet exchange.

    export (DuckDB warehouse → DIR/input/<table>/*.parquet)
    → stages on DuckDB or Spark (DIR/results/<table>/*.parquet)
    → load (DuckDB reads the results into warehouse tables ``engine_<table>`` for the web app)

The person step (``persons``) needs the warehouse itself (features, clustering, stable ids, history): it
runs `linkage.persons.resolve` with the pair scoring and training on the engine (Splink's Spark backend
through `engine.persons.SparkPredictor`).
"""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import UsageError
from . import STAGES, get_engine
from .exchange import export_warehouse, load_results

ALL_STAGES = ("persons", *STAGES)


def run_persons(wh, engine_name: str, master: str | None = None, threshold: float | None = None,
                spark=None) -> dict:
    """A full person-linkage run with scoring on `engine_name`."""
    from ..linkage import persons

    if engine_name == "duckdb":
        return persons.resolve(wh, threshold=threshold, full=True)
    from .persons import SparkPredictor

    predictor = SparkPredictor(spark=spark, master=master)
    summary = persons.resolve(wh, threshold=threshold, full=True, predict=predictor)
    summary["engine_seconds"] = {k: round(v, 2) for k, v in predictor.seconds.items()}
    return summary


def run_pipeline(engine: str = "duckdb", out: Path | str = "engine-out", db: Path | str | None = None,
                 input_dir: Path | str | None = None, stages=None, master: str | None = None,
                 load: bool = True, params: dict | None = None, log=print) -> dict:
    """Run `stages` (default: all) on `engine`; returns a report per step."""
    stages = list(stages or ALL_STAGES)
    unknown = [s for s in stages if s not in ALL_STAGES]
    if unknown:
        raise UsageError(f"unknown stage(s) {', '.join(unknown)}: choose among {', '.join(ALL_STAGES)}")
    if db is None and input_dir is None:
        raise UsageError("give --db (a warehouse to export) or --input (an exported Parquet directory)")
    if "persons" in stages and db is None:
        raise UsageError("the persons stage writes the warehouse: give --db")
    out = Path(out)
    results = out / "results"
    report: dict = {"engine": engine, "steps": []}
    from ..warehouse import Warehouse

    wh = Warehouse(db) if db is not None else None
    try:
        eng = get_engine(engine, master=master)
        try:
            if wh is not None and "persons" in stages:
                t0 = time.perf_counter()
                s = run_persons(wh, engine, master=master, spark=getattr(eng, "spark", None))
                report["steps"].append({"stage": "persons", "seconds": round(time.perf_counter() - t0, 2),
                                        "persons": s.get("persons"), "pairs": s.get("pairs_scored_above_0_5")})
                log(f"persons on {engine}: {s.get('persons')} persons")
            if input_dir is None:
                input_dir = out / "input"
                t0 = time.perf_counter()
                rows = export_warehouse(wh, input_dir)
                report["steps"].append({"stage": "export", "seconds": round(time.perf_counter() - t0, 2),
                                        "rows": rows})
                log(f"exported {sum(rows.values()):,} rows to {input_dir}")
            for st in (s for s in stages if s != "persons"):
                r = eng.run_stage(st, input_dir, results, (params or {}).get(st))
                report["steps"].append(r)
                log(f"{st} on {engine}: {r['seconds']:.1f} s, {r['rows']}")
        finally:
            eng.close()
        if wh is not None and load:
            names = [o for st in stages if st != "persons" for o in STAGES[st].outputs]
            report["loaded"] = load_results(wh, results, names)
    finally:
        if wh is not None:
            wh.close()
    return report
