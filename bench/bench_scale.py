"""Scale: each heavy stage on DuckDB and on Spark (local[2]) side by side, at growing city scales.

For each scale (``BENCH_SCALES``, default ``0.05,0.2``; add ``1.0`` on a bigger machine) a city is generated
(one year, seed 7), ingested and linked on DuckDB once (cached in ``BENCH_SCALE_DIR``, default
/tmp/traceability-bench-scale), exported to the Parquet exchange, then every stage of `engine.stages` runs
on both engines, and person scoring (Splink with the run's trained model) on both.

Rows are the input rows the stage reads; ``rows_per_s`` is rows / seconds. ``peak_mb`` is the Python
process's RSS high-water mark: Spark's JVM (driver + executors) is not in it, its heap is ``spark.driver.memory``
(2 GB here). Spark's session start-up (5–30 s on this machine) is measured once, apart.

Before the engine stages, the whole DuckDB pipeline of each scale is measured stage by stage, each stage
in a child process of its own (`bench.child`: seconds, rows and that child's peak memory): ``generate``,
``ingest``, ``link`` (with seconds per linkage step) and ``analyses`` (seconds per analysis). Scales of
5 and above (``BENCH_SCALES=…,5.0``) run on DuckDB only: the Spark side is for the sizes where it can
finish on this machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.measure import measured

SCALES = [float(s) for s in os.environ.get("BENCH_SCALES", "0.05,0.2").split(",") if s]
WORK = Path(os.environ.get("BENCH_SCALE_DIR", "/tmp/traceability-bench-scale"))


SPARK_MAX_SCALE = 1.0


def _record(results: list, stage: str, scale: float, rec: dict, note: str = "") -> None:
    out = {"stage": stage, "engine": "duckdb", "scale": scale, "rows": rec.get("rows"),
           "seconds": rec.get("seconds", rec.get("wall_s")), "peak_mb": rec.get("peak_mb"),
           "note": note or rec.get("note") or rec.get("error", "")}
    if out["rows"] and out["seconds"]:
        out["rows_per_s"] = int(out["rows"] / max(out["seconds"], 1e-9))
        out["us_per_row"] = round(1e6 * out["seconds"] / out["rows"], 1)
    results.append(out)
    for part, sec in (rec.get("parts") or {}).items():
        p = {"stage": f"{stage}.{part}", "engine": "duckdb", "scale": scale, "rows": rec.get("rows"),
             "seconds": sec, "note": f"part of {stage} (peak is the whole {stage}'s)"}
        if rec.get("rows") and sec:
            p["rows_per_s"] = int(rec["rows"] / max(sec, 1e-9))
            p["us_per_row"] = round(1e6 * sec / rec["rows"], 1)
        results.append(p)


def _city(results: list, scale: float) -> Path:
    """A linked warehouse of a generated city at `scale`, each stage measured in its own child process
    (built once and reused: the measurements are then those of the first build, kept in stages.json)."""
    import json

    from bench.child import measure_child

    folder = WORK / f"scale-{scale}"
    db = folder / "city.duckdb"
    done = folder / "stages.json"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        stages = {}
        for stage, args in (("generate", (str(folder / "city"), str(scale))),
                            ("ingest", (str(folder / "city"), str(db))),
                            ("link", (str(db),)), ("analyses", (str(db),))):
            stages[stage] = measure_child(stage, *args)
            (folder / "stages.partial.json").write_text(json.dumps(stages))  # what is measured so far
            if "error" in stages[stage]:
                break
        done.write_text(json.dumps(stages))
    for stage, rec in json.loads(done.read_text()).items():
        _record(results, f"pipeline.{stage}", scale, rec)
    return db


def _input_rows(exported: dict, stage) -> int:
    return int(sum(exported.get(t, 0) for t in stage.inputs))


def run(results: list) -> None:
    from traceability.engine import STAGES, DuckDBEngine, SparkEngine
    from traceability.engine.exchange import export_warehouse
    from traceability.engine.persons import SparkPredictor, predict_edges
    from traceability.engine.spark import pyspark_available, spark_session
    from traceability.linkage import persons
    from traceability.warehouse import Warehouse

    spark = None
    want_spark = any(s <= SPARK_MAX_SCALE for s in SCALES)  # scales above it run on DuckDB only
    if want_spark and pyspark_available() and shutil.which("java"):
        with measured(results, "spark.session_start", engine="spark", scale="-") as rec:
            spark = spark_session()
            rec["rows"] = 0
            rec["note"] = "local[2], 127.0.0.1, UI off; paid once per job"
    elif want_spark:
        results.append({"stage": "spark.*", "engine": "spark", "note": "skipped: pyspark or Java missing"})
    for scale in SCALES:
        db = _city(results, scale)
        if not db.exists():
            continue
        ex = WORK / f"scale-{scale}" / "exchange"
        with Warehouse(db, read_only=True) as wh, measured(results, "exchange.export", "duckdb", scale) as rec:
            exported = export_warehouse(wh, ex)
            rec["rows"] = sum(exported.values())
        on_spark = spark is not None and scale <= SPARK_MAX_SCALE
        engines = [("duckdb", DuckDBEngine())] + ([("spark", SparkEngine(spark=spark))] if on_spark else [])
        for name, eng in engines:
            out = WORK / f"scale-{scale}" / f"results-{name}"
            for st in STAGES.values():
                with measured(results, f"stage.{st.name}", name, scale) as rec:
                    r = eng.run_stage(st, ex, out)
                    rec["rows"] = _input_rows(exported, st)
                    rec["note"] = ", ".join(f"{k} {v:,}" for k, v in r["rows"].items())
            eng.close()
        # person scoring with the run's trained model (training apart: Spark's sampler differs)
        work = WORK / f"scale-{scale}" / "persons"
        shutil.copy(db, work.with_suffix(".duckdb"))  # scoring writes Splink's tables: work on a copy
        with Warehouse(work.with_suffix(".duckdb")) as wh:
            mj = wh.scalar("SELECT model_json FROM link_run WHERE model_json IS NOT NULL ORDER BY run_id DESC LIMIT 1")
            n = int(wh.scalar(f"SELECT count(*) FROM {persons.FEATURE_TABLE}"))
            with measured(results, "persons.score (Splink)", "duckdb", scale) as rec:
                e, _, _ = persons._predict(wh, persons.FEATURE_TABLE, mj, False, 0.9, n, only_new=False)
                rec["rows"] = n
                rec["note"] = f"{len(e):,} pairs >= 0.5"
            if on_spark:
                with measured(results, "persons.score (Splink)", "spark", scale) as rec:
                    e = predict_edges(wh, SparkPredictor(spark=spark, work_dir=work), persons.FEATURE_TABLE, mj, 0.9)
                    rec["rows"] = n
                    rec["note"] = f"{len(e):,} pairs >= 0.5"
    if spark is not None:
        spark.stop()
