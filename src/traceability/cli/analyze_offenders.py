"""`traceability analyze repeat-offenders` and `traceability analyze hidden-population`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import TraceabilityError, UsageError
from .common import (
    AlcaldiaOption,
    DbOption,
    FormatOption,
    OutOption,
    check_format,
    emit,
    open_warehouse,
    parse_date,
)


def register(app, analyze_app) -> None:
    @analyze_app.command("repeat-offenders")
    def repeat_offenders(
        db: DbOption = None,
        basis: Annotated[str, typer.Option(help="What counts as an offence for concentration and ranking: "
                                                "accusations, convictions, detentions or all.")] = "accusations",
        crime: Annotated[str | None, typer.Option(help="Crime code or crime group.")] = None,
        alcaldia: AlcaldiaOption = None,
        date_from: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD); recency is measured "
                                                                 "to it.")] = None,
        top: Annotated[int, typer.Option(help="Persons listed in the ranking.")] = 100,
        weights: Annotated[Path | None, typer.Option(help="RFG weights file (default: the versioned "
                                                          "rfg_weights_v1.json).")] = None,
        n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates for the hidden-offender "
                                                             "intervals.")] = 499,
        seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 20030101,
        no_survival: Annotated[bool, typer.Option("--no-survival", help="Skip reoffending curves.")] = False,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Who accounts for how much crime and harm, an RFG ranking, its fairness, hidden offenders, reoffending."""
        from ..analysis.offenders import BASES, RepeatOffenders, load_weights

        check_format(fmt)
        if basis not in BASES:
            raise UsageError(f"unknown --basis {basis!r}: use one of {', '.join(BASES)}")
        if top < 1:
            raise UsageError("--top must be at least 1")
        if n_boot < 0:
            raise UsageError("--n-boot must be 0 or more")
        spec = load_weights(weights) if weights else None
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            res = RepeatOffenders.from_warehouse(
                wh, basis=basis, crime=crime, alcaldia=alcaldia, date_from=parse_date("--from", date_from),
                date_to=parse_date("--to", date_to), top=top, n_boot=n_boot, seed=seed, weights=spec,
                survival=not no_survival)
            d = res.to_dict()
        c = d["concentration"]
        title = (f"RFG ranking on {basis}: {d['offenders']:,} offenders, {d['offences']:,} offences; "
                 f"top 5 % hold {100 * (c['top_5pct_share'] or 0):.1f} %, Gini {c['gini'] or 0:.3f}")
        emit(d, d["ranking"], fmt, out, title=title)

    @analyze_app.command("hidden-population")
    def hidden_population(
        input: Annotated[Path, typer.Option("--input", help="CSV file, one row per observed unit.")],
        count_col: Annotated[str, typer.Option("--count-col", help="Column with the times each unit was "
                                                                   "captured (>= 1).")],
        n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates.")] = 999,
        level: Annotated[float, typer.Option(help="Confidence level.")] = 0.95,
        seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 20030101,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Zelterman and Chao population-size estimates from a list of capture counts."""
        import pandas as pd

        from ..analysis.offenders import HiddenPopulation

        check_format(fmt)
        if not input.exists():
            raise UsageError(f"--input {input}: no such file")
        if not 0 < level < 1:
            raise UsageError("--level must be between 0 and 1, e.g. 0.95")
        try:
            frame = pd.read_csv(input)
        except Exception as e:  # noqa: BLE001 — one line that names the file
            raise TraceabilityError(f"cannot read {input} as CSV: {str(e).splitlines()[0]}") from None
        if count_col not in frame.columns:
            raise UsageError(f"--count-col {count_col!r} is not a column of {input}: columns are "
                             f"{', '.join(map(str, frame.columns[:20]))}")
        counts = pd.to_numeric(frame[count_col], errors="coerce")
        bad = int(counts.isna().sum())
        if bad:
            raise UsageError(f"column {count_col!r} has {bad} values that are not whole numbers: clean them first")
        if (counts < 1).any():
            raise UsageError(f"column {count_col!r} has counts below 1: list only units captured at least once")
        h = HiddenPopulation(counts.astype(int).to_numpy(), n_boot=n_boot, level=level, seed=seed)
        emit(h.to_dict(), h.rows(), fmt, out, title=f"population size from {h.n_observed:,} observed units")
