"""What every command shares: the database option, output of results, progress bars."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..config import default_db_path
from ..errors import TraceabilityError, UsageError

console = Console(stderr=True)
out_console = Console()

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB warehouse file (default ./traceability.duckdb or $TRACEABILITY_DB).",
                 show_default=False),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, inclusive (YYYY-MM-DD).")]
AlcaldiaOption = Annotated[str | None, typer.Option("--alcaldia", help="INEGI code 09002…09017 or the alcaldía's name.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write the output to this file.")]


def db_path(db: Path | None) -> Path:
    return Path(db) if db else default_db_path()


def open_warehouse(db: Path | None, read_only: bool = False, must_exist: bool = False):
    from ..warehouse import Warehouse

    path = db_path(db)
    if must_exist and not path.exists():
        raise TraceabilityError(f"database {path} does not exist: build it with `traceability ingest` first")
    return Warehouse(path, read_only=read_only)


def check_format(fmt: str, allowed=("table", "json", "csv")) -> str:
    if fmt not in allowed:
        raise UsageError(f"unknown --format {fmt!r}: use one of {', '.join(allowed)}")
    return fmt


def parse_date(option: str, value: str | None):
    """A --from/--to style option as a date, or a one-line usage error."""
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD") from None


def parse_window(date_from: str | None, date_to: str | None):
    d0, d1 = parse_date("--from", date_from), parse_date("--to", date_to)
    if d0 and d1 and d0 > d1:
        raise UsageError("--from is after --to: swap them")
    return d0, d1


def parse_alcaldia(value: str | None) -> str | None:
    """An alcaldía given by INEGI code or by name (any spelling the adapters accept) → its INEGI code."""
    if not value:
        return None
    from ..geo import ALCALDIAS, alcaldia_code

    code = value if value in ALCALDIAS else alcaldia_code(value)
    if not code:
        raise UsageError(f"unknown --alcaldia {value!r}: give an INEGI code 09002..09017 or the alcaldía's name")
    return code


def _json_default(o: Any):
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default, allow_nan=False)


def emit(data: Any, rows: list[dict] | None, fmt: str, out: Path | None, title: str | None = None) -> None:
    """Print or write a result: `data` as JSON, `rows` as a table or CSV."""
    check_format(fmt)
    if fmt == "json":
        text = dumps(data)
    elif fmt == "csv":
        buf = io.StringIO()
        rows = rows or []
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        text = buf.getvalue()
    else:
        table = Table(title=title)
        rows = rows or []
        if rows:
            for k in rows[0]:
                table.add_column(str(k), justify="right" if isinstance(rows[0][k], int | float) else "left")
            for r in rows:
                table.add_row(*[_fmt_cell(v) for v in r.values()])
        if out:
            c = Console(file=io.StringIO(), width=200)
            c.print(table)
            text = c.file.getvalue()
        else:
            out_console.print(table)
            return
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as e:
            raise TraceabilityError(f"cannot write {out}: {e.strerror}") from None
        console.print(f"wrote {out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _fmt_cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator:
    """A Rich progress bar; yields a callback `advance(n=1, total=None, description=None)`."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False,
                  disable=not console.is_terminal and False) as p:
        task = p.add_task(description, total=total)

        def advance(n: float = 1, total: float | None = None, description: str | None = None) -> None:
            kw = {}
            if total is not None:
                kw["total"] = total
            if description is not None:
                kw["description"] = description
            p.update(task, advance=n, **kw)

        yield advance
