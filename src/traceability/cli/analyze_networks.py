"""`traceability analyze networks`: association graph, groups, key players, brokers; exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    DbOption,
    FormatOption,
    OutOption,
    check_format,
    console,
    emit,
    open_warehouse,
    parse_date,
)


def register(app, analyze_app) -> None:
    @analyze_app.command("networks")
    def networks(
        db: DbOption = None,
        date_from: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
        kinds: Annotated[str | None, typer.Option(help="Edge kinds, comma-separated (default all): co_accused, "
                                                       "co_detained, shared_address, shared_phone, family, "
                                                       "financial, communication, commission, prison.")] = None,
        resolution: Annotated[float, typer.Option(help="Leiden modularity resolution (higher: smaller "
                                                       "groups).")] = 1.0,
        seed: Annotated[int, typer.Option(help="Leiden seed.")] = 7,
        min_group_size: Annotated[int, typer.Option("--min-group-size", help="Smallest group reported.")] = 3,
        top: Annotated[int, typer.Option(help="Key players and brokers listed.")] = 50,
        table: Annotated[str, typer.Option(help="Rows for table/csv output: groups, key-players, brokers or "
                                                "call-in.")] = "groups",
        export: Annotated[str | None, typer.Option(help="Also export the graph: graphml, gexf or i2csv.")] = None,
        export_out: Annotated[Path | None, typer.Option("--export-out", help="File (graphml, gexf) or folder / "
                                                                              ".csv name (i2csv).")] = None,
        fmt: FormatOption = "table",
        out: OutOption = None,
    ) -> None:
        """Criminal groups (Leiden), key players (degree, betweenness, eigenvector, fragmentation), brokers."""
        from ..analysis.networks import Networks, parse_kinds
        from ..analysis.networks.export import FORMATS, write

        check_format(fmt)
        tables = ("groups", "key-players", "brokers", "call-in")
        if table not in tables:
            raise UsageError(f"unknown --table {table!r}: use one of {', '.join(tables)}")
        if export and export not in FORMATS:
            raise UsageError(f"unknown --export {export!r}: use one of {', '.join(FORMATS)}")
        if export and not export_out:
            raise UsageError("--export needs --export-out PATH (where to write the graph)")
        if resolution <= 0:
            raise UsageError("--resolution must be above 0, e.g. 1.0")
        if min_group_size < 2 or top < 1:
            raise UsageError("--min-group-size must be at least 2 and --top at least 1")
        try:
            kind_list = parse_kinds(kinds)
        except ValueError as e:
            raise UsageError(str(e)) from None
        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            if not wh.scalar("SELECT count(*) FROM association"):
                raise UsageError("the association table is empty: run `traceability link` first")
            res = Networks.from_warehouse(wh, date_from=parse_date("--from", date_from), date_to=parse_date("--to", date_to),
                                          kinds=kind_list, resolution=resolution, seed=seed,
                                          min_group_size=min_group_size, top=top)
        if export:
            for p in write(res, export, export_out):
                console.print(f"exported {p}")
        d = res.to_dict()
        d["call_in"] = res.call_in()
        rows = {"groups": res.rows(), "key-players": d["key_players"], "brokers": d["brokers"],
                "call-in": d["call_in"]}[table]
        s = d["summary"]
        title = (f"{s['groups']:,} groups ({s['growing_groups']:,} growing) in {s['nodes']:,} nodes / "
                 f"{s['edges']:,} ties; modularity {s['modularity'] or 0:.3f}")
        emit(d, rows, fmt, out, title=title)
