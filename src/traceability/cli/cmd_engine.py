"""`traceability pipeline ...`: the heavy stages on DuckDB or Spark over a Parquet exchange (docs/scale.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DbOption, check_format, emit


def register(app, analyze_app) -> None:  # noqa: ARG001 — the plugin signature of cli/main.py
    pipeline_app = typer.Typer(help="The heavy stages on an engine (DuckDB or Spark) for large volumes.",
                               no_args_is_help=True)
    app.add_typer(pipeline_app, name="pipeline")

    @pipeline_app.command("run")
    def run_cmd(
        out: Annotated[Path, typer.Option("--out", help="Folder for the exchange and the results (Parquet).")],
        engine: Annotated[str, typer.Option("--engine", help="duckdb (one machine) or spark.")] = "duckdb",
        spark_master: Annotated[str | None, typer.Option(
            "--spark-master", help="Spark master URL (spark://host:7077, yarn, k8s://...); default local[2].")] = None,
        db: DbOption = None,
        input_dir: Annotated[Path | None, typer.Option(
            "--input", help="An exported Parquet directory (instead of --db).")] = None,
        stage: Annotated[list[str] | None, typer.Option(
            "--stage", help="Stage to run (repeatable): persons, repeat_victimization, near_repeat, "
                            "associations, chain_keys. Default: all (persons only with --db).")] = None,
        load: Annotated[bool, typer.Option("--load/--no-load", help="Read the results into the warehouse.")] = True,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    ) -> None:
        """Run the heavy stages on the chosen engine; results as Parquet in OUT/results (and engine_* tables)."""
        from ..engine.pipeline import ALL_STAGES, run_pipeline
        from ..errors import UsageError

        check_format(fmt, ("table", "json"))
        if engine not in ("duckdb", "spark"):
            raise UsageError(f"--engine {engine}: use duckdb or spark")
        if db is None and input_dir is None:
            from ..config import default_db_path

            db = default_db_path()
        if input_dir is not None and not input_dir.is_dir():
            raise UsageError(f"--input {input_dir}: no such folder; export one with `traceability pipeline export`")
        stages = stage or [s for s in ALL_STAGES if input_dir is None or s != "persons"]
        rep = run_pipeline(engine=engine, out=out, db=None if input_dir is not None else db, input_dir=input_dir,
                           stages=stages, master=spark_master, load=load and input_dir is None,
                           log=lambda m: typer.echo(m, err=True))
        rows = [{"stage": s["stage"], "seconds": s.get("seconds"),
                 "rows": s.get("rows") if "rows" in s else s.get("persons")} for s in rep["steps"]]
        emit(rep, rows, fmt, None, title=f"pipeline on {engine}")

    @pipeline_app.command("export")
    def export_cmd(
        out: Annotated[Path, typer.Option("--out", help="Folder to write the Parquet tables to.")],
        db: DbOption = None,
    ) -> None:
        """Export the warehouse tables the heavy stages read as Parquet (one folder per table)."""
        from ..engine.exchange import export_warehouse
        from .common import open_warehouse

        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            rows = export_warehouse(wh, out)
        emit(rows, [{"table": k, "rows": v} for k, v in rows.items()], "table", None, title=f"exported to {out}")
