"""`traceability analyze vaw`: violence against women — contacts, hidden cases, escalation, risk flags, femicides."""

from __future__ import annotations

from pathlib import Path
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
    @analyze_app.command("vaw")
    def vaw(
        db: DbOption = None,
        fmt: FormatOption = "table",
        out: OutOption = None,
        date_from: Annotated[str | None, typer.Option("--from", help="First day of the contacts (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Last day of the contacts (YYYY-MM-DD).")] = None,
        alcaldia: AlcaldiaOption = None,
        sesnsp: Annotated[Path | None, typer.Option("--sesnsp", help="SESNSP victims zip (IDVFC_NM_*.zip, latin-1 "
                                                                     "CSV inside) for the national femicide figures "
                                                                     "of Mexico City.")] = None,
        k_contacts: Annotated[int, typer.Option(help="Flag: at least this many contact days.")] = 3,
        min_flags: Annotated[int, typer.Option(help="Flags needed for the follow-up list.")] = 2,
    ) -> None:
        """Women's contacts across CJM, ER, 911 and carpetas; hidden cases; escalation; risk flags; femicides.

        The JSON holds person ids of women (sensitivity label vaw): keep the output where the label allows.
        """
        from ..analysis.vaw import DEFAULT_PARAMS, ViolenceAgainstWomen

        check_format(fmt)
        alcaldia = parse_alcaldia(alcaldia)
        d0, d1 = parse_window(date_from, date_to)
        if sesnsp is not None and not Path(sesnsp).exists():
            raise UsageError(f"--sesnsp {sesnsp} not found: give the SESNSP victims zip (IDVFC_NM_*.zip)")
        if k_contacts < 1 or min_flags < 1:
            raise UsageError("--k-contacts and --min-flags must be at least 1")
        params = {**DEFAULT_PARAMS, "k_contacts": k_contacts, "min_flags": min_flags}
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            res = ViolenceAgainstWomen.from_warehouse(wh, date_from=d0, date_to=d1, alcaldia=alcaldia,
                                                      sesnsp=str(sesnsp) if sesnsp else None, **params)
        title = (f"violence against women: {res.women:,} women "
                 f"({res.data_window['from'] or '—'} to {res.data_window['to'] or '—'})")
        emit(res.to_dict(), res.rows(), fmt, out, title=title)
