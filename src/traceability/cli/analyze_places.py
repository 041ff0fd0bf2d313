"""`traceability analyze repeat-victims | near-repeat | hotspots`: the place and victim analyses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    AlcaldiaOption,
    DbOption,
    FormatOption,
    FromOption,
    OutOption,
    ToOption,
    check_format,
    emit,
    open_warehouse,
    parse_alcaldia,
    parse_date,
)


def register(app: typer.Typer, analyze_app: typer.Typer) -> None:
    @analyze_app.command("repeat-victims")
    def repeat_victims(
        db: DbOption = None,
        window: Annotated[int, typer.Option("--window", help="Days within which a crime of the same type "
                                            "against the same target is a repeat.")] = 365,
        kinds: Annotated[str, typer.Option("--kinds", help="Target kinds, comma separated.")] =
        "person,household,business",
        date_from: FromOption = None,
        date_to: ToOption = None,
        alcaldia: AlcaldiaOption = None,
        crime: Annotated[str | None, typer.Option("--crime", help="Canonical crime group, e.g. ROBO_CASA_HABITACION.")]
        = None,
        near: Annotated[bool, typer.Option("--near", help="Count 'almost the same victim' matches as the same "
                                           "victim (they are always reported separately too).")] = False,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Day of the at-risk list (default: last day "
                                                  "in the data).")] = None,
        at_risk_days: Annotated[int, typer.Option("--at-risk-days", help="Targets victimized within this many "
                                                  "days before --as-of are listed as at risk.")] = 30,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Repeat victimization of persons, households and businesses (DESIGN §6)."""
        from ..analysis.victimization import KINDS, RepeatVictimization

        check_format(fmt)
        kind_list = [k.strip() for k in kinds.split(",") if k.strip()]
        bad = [k for k in kind_list if k not in KINDS]
        if bad or not kind_list:
            raise UsageError(f"--kinds {kinds!r}: use some of {', '.join(KINDS)}")
        if window < 1:
            raise UsageError("--window must be at least 1 day")
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            r = RepeatVictimization.from_warehouse(
                wh, window_days=window, kinds=tuple(kind_list), date_from=parse_date("--from", date_from),
                date_to=parse_date("--to", date_to), alcaldia=parse_alcaldia(alcaldia), crime_group=crime, near=near,
                as_of=parse_date("--as-of", as_of), at_risk_days=at_risk_days)
        emit(r.to_dict(), r.rows(), fmt, out, title=f"repeat victimization (window {window} days)")

    @analyze_app.command("near-repeat")
    def near_repeat(
        db: DbOption = None,
        crime: Annotated[str, typer.Option("--crime", help="Canonical crime group.")] = "ROBO_CASA_HABITACION",
        date_from: FromOption = None,
        date_to: ToOption = None,
        alcaldia: AlcaldiaOption = None,
        distance_bands: Annotated[str, typer.Option("--distance-bands", help="Edges in metres; bands are "
                                                    "[a, b).")] = "0,100,200,300,400",
        time_bands: Annotated[str, typer.Option("--time-bands", help="Edges in days; bands are [a, b); the last "
                                                "may be inf.")] = "0,7,14,21,28",
        permutations: Annotated[int, typer.Option("--permutations", help="Monte-Carlo permutations of dates.")] = 99,
        seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
        metric: Annotated[str, typer.Option("--metric", help="euclidean or manhattan.")] = "euclidean",
        same_location: Annotated[bool, typer.Option("--same-location", help="Add a first band for repeats at "
                                                    "the same place ([0, 0.001) m).")] = False,
        input_csv: Annotated[Path | None, typer.Option("--input", help="Analyse this CSV instead of the "
                                                        "warehouse.")] = None,
        x_col: Annotated[str, typer.Option("--x-col", help="Column of x (longitude by default).")] = "x",
        y_col: Annotated[str, typer.Option("--y-col", help="Column of y (latitude by default).")] = "y",
        date_col: Annotated[str, typer.Option("--date-col", help="Column of the date.")] = "date",
        date_format: Annotated[str | None, typer.Option("--date-format", help="strptime format, e.g. "
                                                        "%d/%m/%Y.")] = None,
        crs: Annotated[str, typer.Option("--crs", help="CRS of x/y: EPSG:4326 (lon/lat, projected to UTM 14N) "
                                         "or a projected CRS in metres.")] = "EPSG:4326",
        no_header: Annotated[bool, typer.Option("--no-header", help="The CSV has no header: columns are "
                                                "0, 1, 2…")] = False,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Near repeat (Knox test) over distance × time bands, on the warehouse or on any CSV."""
        from ..analysis.near_repeat import KnoxTest, parse_bands

        check_format(fmt)
        kw = dict(distance_bands=parse_bands(distance_bands, "--distance-bands"),
                  time_bands=parse_bands(time_bands, "--time-bands"), permutations=permutations, seed=seed,
                  metric=metric, same_location=same_location)
        d_from, d_to = parse_date("--from", date_from), parse_date("--to", date_to)
        if input_csv is not None:
            if alcaldia:
                raise UsageError("--alcaldia applies to the warehouse; filter the CSV yourself or drop --input")
            k = KnoxTest.from_csv(input_csv, x_col=x_col, y_col=y_col, date_col=date_col, date_format=date_format,
                                  crs=crs, date_from=d_from, date_to=d_to, header=not no_header, **kw)
        else:
            with open_warehouse(db, read_only=True, must_exist=True) as wh:
                k = KnoxTest.from_warehouse(wh, crime_group=crime, date_from=d_from, date_to=d_to,
                                            alcaldia=parse_alcaldia(alcaldia), **kw)
        emit(k.to_dict(), k.rows(), fmt, out,
             title=f"Knox test: {k.n:,} events, {k.permutations} permutations, {k.seconds:.2f} s")

    @analyze_app.command("hotspots")
    def hotspots(
        db: DbOption = None,
        crime: Annotated[str | None, typer.Option("--crime", help="Canonical crime group (default: all).")] = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        alcaldia: AlcaldiaOption = None,
        resolution: Annotated[int, typer.Option("--resolution", help="H3 resolution (8 ≈ 0.74 km² cells).")] = 8,
        permutations: Annotated[int, typer.Option("--permutations", help="Permutations for Gi*.")] = 999,
        seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
        bandwidth: Annotated[float, typer.Option("--bandwidth", help="Kernel sd, metres.")] = 500.0,
        geometry: Annotated[bool, typer.Option("--geojson", help="Include the grid and density as GeoJSON in "
                                               "the JSON output.")] = False,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Hot spots: counts per unit and H3 cell, Gi*, kernel density, emerging hot spots by month."""
        from ..analysis.hotspots import HotSpots

        check_format(fmt)
        if not 5 <= resolution <= 10:
            raise UsageError("--resolution must be between 5 and 10 (8 is about 0.74 km² per cell)")
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            h = HotSpots.from_warehouse(wh, crime_group=crime, date_from=parse_date("--from", date_from),
                                        date_to=parse_date("--to", date_to), alcaldia=parse_alcaldia(alcaldia),
                                        resolution=resolution, permutations=permutations, seed=seed,
                                        bandwidth=bandwidth)
        emit(h.to_dict(geometry=geometry), h.rows(), fmt, out, title=f"hot spots: {h.n:,} events")
