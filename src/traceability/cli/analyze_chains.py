"""`traceability analyze chains`: the attrition funnel of carpetas, from the 911 call to prison."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    AlcaldiaOption,
    DbOption,
    FormatOption,
    OutOption,
    check_format,
    emit,
    open_warehouse,
    parse_alcaldia,
    parse_window,
)


def register(app, analyze_app) -> None:
    @analyze_app.command("chains")
    def chains(
        db: DbOption = None,
        fmt: FormatOption = "table",
        out: OutOption = None,
        date_from: Annotated[str | None, typer.Option("--from", help="First day of the crimes (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Last day of the crimes (YYYY-MM-DD).")] = None,
        alcaldia: AlcaldiaOption = None,
        crime: Annotated[str | None, typer.Option(help="Crime code or crime group.")] = None,
        by: Annotated[str | None, typer.Option(help="Breakdown for the table: crime_group, alcaldia, month "
                                                    "or quarter (default: one row per funnel stage).")] = None,
    ) -> None:
        """Share of carpetas with an accused, a detention, a court case, a conviction, a prison admission."""
        from ..analysis.chains import BY, Attrition

        check_format(fmt)
        alcaldia = parse_alcaldia(alcaldia)
        if by and by not in BY:
            raise UsageError(f"unknown --by {by!r}: use one of {', '.join(BY)}")
        d0, d1 = parse_window(date_from, date_to)
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            res = Attrition.from_warehouse(wh, date_from=d0, date_to=d1, alcaldia=alcaldia, crime=crime, by=by)
        title = (f"attrition of {res.n_carpetas:,} carpetas "
                 f"({res.data_window['from'] or '—'} to {res.data_window['to'] or '—'})")
        emit(res.to_dict(), res.rows(), fmt, out, title=title)
