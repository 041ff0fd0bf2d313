"""`traceability` — the command line.

Analyses register themselves: every module `cli/analyze_*.py` defines `register(analyze_app)`.
"""

from __future__ import annotations

import importlib
import pkgutil
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ..errors import TraceabilityError, UsageError
from .common import DbOption, FormatOption, OutOption, console, db_path, emit, open_warehouse, progress


class _App(typer.Typer):
    """Turns expected failures into one line on stderr and a non-zero exit code."""

    def __call__(self, *args, **kwargs):
        debug = "--debug" in sys.argv
        try:
            return super().__call__(*args, **kwargs)
        except TraceabilityError as e:
            if debug:
                raise
            console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            console.print("interrupted")
            sys.exit(130)
        except Exception as e:  # noqa: BLE001 — last resort: no traceback unless asked
            if debug:
                raise
            first = str(e).splitlines()[0] if str(e) else ""
            console.print(f"[red]internal error:[/red] {type(e).__name__}: {first} "
                          "(run again with --debug for the traceback)", highlight=False, soft_wrap=True)
            sys.exit(1)


app = _App(name="traceability", help="Traceability: crime intelligence from linked agency records.",
           no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
analyze_app = typer.Typer(help="Run an analysis on the warehouse.", no_args_is_help=True)
db_app = typer.Typer(help="Warehouse maintenance.", no_args_is_help=True)
export_app = typer.Typer(help="Export linked data.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    """Traceability: crime intelligence from linked agency records."""


# -- generate ---------------------------------------------------------------------------------
@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the city's extracts and truth into.")],
    scale: Annotated[float, typer.Option(help="1.0 is about one real year of Mexico City.")] = 1.0,
    years: Annotated[int, typer.Option(help="Years to simulate.")] = 1,
    start: Annotated[str, typer.Option(help="First day simulated (YYYY-MM-DD).")] = "2023-01-01",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical files.")] = 7,
) -> None:
    """Generate a synthetic city: every agency's extracts plus the planted truth."""
    try:
        start_date = date.fromisoformat(start)
    except ValueError:
        raise UsageError(f"--start {start!r} is not a date: write it as YYYY-MM-DD") from None
    if scale <= 0:
        raise UsageError("--scale must be greater than 0")
    if years < 1:
        raise UsageError("--years must be at least 1")
    from ..synth import generate_city

    with progress("generating city") as advance:
        summary = generate_city(Path(out), scale=scale, years=years, start=start_date, seed=seed,
                                progress=advance)
    emit(summary, [{"file": k, "rows": v} for k, v in summary.get("files", {}).items()], "table", None,
         title=f"city written to {out}")


# -- ingest -----------------------------------------------------------------------------------
@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of agency extracts.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Force the source id instead of detecting it.")] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    watch: Annotated[Path | None, typer.Option("--watch", help="Keep ingesting new files dropped in DIR.")] = None,
    interval: Annotated[float, typer.Option(help="Seconds between scans of --watch.")] = 5.0,
) -> None:
    """Load agency extracts into the warehouse (nothing lost, nothing loaded twice)."""
    from ..sources import SOURCES, ingest_paths, watch_folder

    if source is not None and source not in SOURCES:
        raise UsageError(f"unknown source {source!r}: known sources are {', '.join(sorted(SOURCES))}")
    if watch is not None:
        if not watch.is_dir():
            raise UsageError(f"--watch {watch}: no such folder")
        with open_warehouse(db) as wh:
            watch_folder(wh, watch, interval=interval, source=source, log=console.print)
        return
    if not paths:
        raise UsageError("give at least one file or folder to ingest (or --watch DIR)")
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
    with open_warehouse(db) as wh, progress("ingesting") as advance:
        reports = ingest_paths(wh, paths, source=source, progress=advance, log=console.print)
    rows = [r.to_dict() for r in reports]
    emit(rows, rows, fmt, None, title="ingest summary")
    if any(r.get("error") for r in rows):
        raise TraceabilityError("some files were refused; see the summary above")


# -- link -------------------------------------------------------------------------------------
@app.command()
def link(
    db: DbOption = None,
    threshold: Annotated[float | None, typer.Option(help="Match probability needed to join two mentions.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Re-link everything instead of only what is new.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """Resolve persons across sources, build targets and case chains."""
    from ..linkage import link_warehouse

    with open_warehouse(db, must_exist=True) as wh, progress("linking") as advance:
        report = link_warehouse(wh, threshold=threshold, full=full, progress=advance)
    d = report if isinstance(report, dict) else report.to_dict()
    emit(d, [{"step": k, "value": v} for k, v in d.items() if not isinstance(v, dict | list)], fmt, None,
         title="linkage")


# -- export -----------------------------------------------------------------------------------
@export_app.command("persons")
def export_persons(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    db: DbOption = None,
) -> None:
    """One row per person mention: source, source_key, role, person_id, match_probability."""
    from ..linkage.export import export_persons as _export

    with open_warehouse(db, read_only=True, must_exist=True) as wh:
        n = _export(wh, out)
    console.print(f"wrote {n:,} mentions to {out}")


# -- db ---------------------------------------------------------------------------------------
@db_app.command("info")
def db_info(db: DbOption = None, fmt: FormatOption = "table") -> None:
    """Row counts per table and per source."""
    with open_warehouse(db, read_only=True, must_exist=True) as wh:
        counts = wh.row_counts()
        by_source = wh.counts_by_source()
        version = wh.schema_version()
    data = {"db": str(db_path(db)), "schema_version": version, "tables": counts,
            "by_source": [{"table": t, "source": s, "rows": n} for t, s, n in by_source]}
    rows = [{"table": t, "source": "", "rows": n} for t, n in counts.items()] + data["by_source"]
    emit(data, rows, fmt, None, title=f"{db_path(db)} (schema v{version})")


@db_app.command("migrate")
def db_migrate(db: DbOption = None) -> None:
    """Create the warehouse or upgrade it to the latest schema."""
    with open_warehouse(db) as wh:
        console.print(f"{db_path(db)} at schema v{wh.schema_version()}")


# -- serve ------------------------------------------------------------------------------------
def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            raise TraceabilityError(
                f"port {port} on {host} is in use: stop what uses it or pass --port with another number") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the analyst's web app."""
    import uvicorn

    from ..web.app import create_app

    path = db_path(db)
    if not path.exists():
        raise TraceabilityError(f"database {path} does not exist: build it with `traceability ingest` "
                                "or run `traceability demo`")
    _check_port(host, port)
    import os

    if not os.environ.get("TRACEABILITY_SECRET"):
        console.print("[yellow]warning:[/yellow] TRACEABILITY_SECRET is not set: pseudonyms use the development "
                      "secret; set it before serving real data")
    console.print(f"Traceability on http://{host}:{port}/  (database {path})")
    # No access log: URLs of searches can hold names, and personal data never goes to logs.
    uvicorn.run(create_app(path), host=host, port=port, log_level="warning", access_log=False)


# -- demo -------------------------------------------------------------------------------------
@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    scale: Annotated[float, typer.Option(help="Size of the demo city.")] = 0.05,
    folder: Annotated[Path, typer.Option("--dir", help="Where the demo city and database go.")] = Path("demo"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build everything, then stop.")] = False,
) -> None:
    """Generate a small city, build the database, run the analyses and serve the app."""
    from ..pipeline import build_demo

    _check_port(host, port)
    db = build_demo(folder, scale=scale, log=console.print)
    if not no_serve:
        serve(host=host, port=port, db=db)


def _register_plugins() -> None:
    from .. import cli as cli_pkg

    for mod in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith(("analyze_", "cmd_")):
            module = importlib.import_module(f"{cli_pkg.__name__}.{mod.name}")
            module.register(app=app, analyze_app=analyze_app)


_register_plugins()
_ = OutOption  # re-exported for plugins
