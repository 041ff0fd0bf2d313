"""`traceability taxonomy ...`: the crime taxonomy seen from the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DbOption, OutOption, check_format, emit, open_warehouse


def register(app, analyze_app) -> None:  # noqa: ARG001 — the plugin signature of cli/main.py
    taxonomy_app = typer.Typer(help="Crime codes and the agencies' raw labels.", no_args_is_help=True)
    app.add_typer(taxonomy_app, name="taxonomy")

    @taxonomy_app.command("unmapped")
    def unmapped_cmd(
        db: DbOption = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
        out: OutOption = None,
    ) -> None:
        """Raw crime labels in the warehouse with no canonical code (source, label, count)."""
        from .. import taxonomy

        check_format(fmt)
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            rows = taxonomy.unmapped(wh)
        emit(rows, rows, fmt, out, title=f"unmapped crime labels ({len(rows)})")

    @taxonomy_app.command("codes")
    def codes_cmd(
        fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
        out: OutOption = None,
    ) -> None:
        """The canonical crime codes with their group and harm weight."""
        from .. import taxonomy

        check_format(fmt)
        df = taxonomy.codes()[["code", "crime_group", "name_es", "high_impact", "harm_days", "article", "version"]]
        rows = df.to_dict("records")
        emit(rows, rows, fmt, out, title=f"crime codes (weights version {taxonomy.VERSION})")
