"""Open-data publication: aggregates only, small cells suppressed, coordinates generalized.

Tables (all counts of crimes in the event table, by canonical crime group):

- ``city_month_crime.csv``          month, crime_group, count
- ``alcaldia_month_crime.csv``      alcaldia, month, crime_group, count
- ``colonia_month_crime.csv``       alcaldia, colonia, month, crime_group, count
- ``hex_year_crime.csv``            h3 cell (resolution 8, ~0.7 km²) and its centre, year, crime_group, count

Disclosure control (the usual rules of statistical offices, e.g. Hundepool et al. 2012, *Statistical
Disclosure Control*, §5): a cell with 1–4 crimes is suppressed (primary suppression). Because each level
sums to the level above (colonias → alcaldía → city), a lone suppressed cell could be recomputed from the
published total; so within every group that sums to a published cell, if exactly one cell is suppressed,
the smallest other non-zero cell is suppressed too (complementary suppression), repeated until no group
has a single suppressed cell. Coordinates never leave: points are generalized to H3 cells, and the hex
table is suppressed the same way within each alcaldía-year-crime group (a cell is assigned to the
alcaldía where most of its crimes happened).

Only these columns are written; nothing with an identity (names, keys, exact places) can leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

THRESHOLD = 5
SUPPRESSED = ""  # written as an empty cell; the README says what it means


def primary_suppress(counts: pd.Series, threshold: int = THRESHOLD) -> pd.Series:
    return (counts > 0) & (counts < threshold)


def complementary_suppress(df: pd.DataFrame, groups: list[list[str]], suppressed: pd.Series) -> pd.Series:
    """Extend `suppressed` so that no group (rows sharing the values of a key list) has exactly one
    suppressed cell. `groups` lists the key sets whose sums are published."""
    sup = suppressed.copy()
    counts = df["count"]
    changed = True
    while changed:
        changed = False
        for keys in groups:
            n_sup = sup.groupby([df[k] for k in keys]).transform("sum")
            lone_group = n_sup == 1
            cand = df[lone_group & ~sup & (counts > 0)]
            if cand.empty:
                continue
            # the smallest other non-zero cell of each group that has a lone suppressed cell
            pick = cand.sort_values("count", kind="stable").groupby(keys, sort=False).head(1).index
            sup.loc[pick] = True
            changed = True
    return sup


@dataclass
class Publication:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)

    def write(self, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, df in self.tables.items():
            p = out / f"{name}.csv"
            df.to_csv(p, index=False)
            paths.append(p)
        (out / "LEEME.txt").write_text(
            "Datos agregados de Traceability. Una celda vacía en 'count' está suprimida: corresponde a 1–4 "
            "delitos, o se suprimió para que otra celda pequeña no pueda recalcularse a partir de los totales.\n"
            "Aggregated data from Traceability. An empty 'count' is suppressed: 1–4 crimes, or suppressed so "
            "that another small cell cannot be recomputed from the totals.\n", encoding="utf-8")
        return paths


def _suppress_table(df: pd.DataFrame, groups: list[list[str]]) -> tuple[pd.DataFrame, int]:
    sup = complementary_suppress(df, groups, primary_suppress(df["count"]))
    out = df.copy()
    out["count"] = out["count"].astype("Int64").astype(object)
    out.loc[sup, "count"] = SUPPRESSED
    return out, int(sup.sum())


def build_publication(wh, date_from=None, date_to=None) -> Publication:
    """Aggregate crimes (carpeta crimes; victim records when no carpeta file was loaded) and suppress."""
    kinds = [k for (k,) in wh.query("SELECT DISTINCT kind FROM event WHERE kind IN ('carpeta_crime')")] or \
        ["victim_record"]
    where = ["e.kind IN (SELECT unnest(?))", "e.occurred_at IS NOT NULL", "e.crime IS NOT NULL"]
    params: list = [kinds]
    if date_from:
        where.append("e.occurred_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("e.occurred_at < ?")
        params.append(date_to)
    has_codes = wh.table_exists("crime_code")
    group_expr = "coalesce(c.crime_group, e.crime)" if has_codes else "e.crime"
    join = "LEFT JOIN crime_code c ON c.code = e.crime" if has_codes else ""
    base = wh.df(
        f"SELECT coalesce(e.alcaldia, 'NA') AS alcaldia, coalesce(e.colonia, 'NA') AS colonia, "
        f"strftime(e.occurred_at, '%Y-%m') AS month, year(e.occurred_at) AS year, {group_expr} AS crime_group, "
        f"e.lat, e.lon FROM event e {join} WHERE {' AND '.join(where)}", params)
    pub = Publication()
    if base.empty:
        return pub
    base = base[base["crime_group"] != "NO_DELITO"]
    colonia = base.groupby(["alcaldia", "colonia", "month", "crime_group"], as_index=False).size().rename(
        columns={"size": "count"})
    alcaldia = base.groupby(["alcaldia", "month", "crime_group"], as_index=False).size().rename(columns={"size": "count"})
    city = base.groupby(["month", "crime_group"], as_index=False).size().rename(columns={"size": "count"})
    for name, df, groups in [
        ("city_month_crime", city, []),
        ("alcaldia_month_crime", alcaldia, [["month", "crime_group"]]),
        ("colonia_month_crime", colonia, [["alcaldia", "month", "crime_group"]]),
    ]:
        pub.tables[name], pub.suppressed[name] = _suppress_table(df, groups)
    pts = base.dropna(subset=["lat", "lon"])
    if not pts.empty:
        import h3

        cells = [h3.latlng_to_cell(a, b, 8) for a, b in zip(pts["lat"].to_numpy(), pts["lon"].to_numpy(), strict=True)]
        pts = pts.assign(h3=cells)
        hexes = pts.groupby(["h3", "year", "crime_group"], as_index=False).agg(
            count=("h3", "size"), alcaldia=("alcaldia", lambda s: s.mode().iat[0]))
        centres = {c: h3.cell_to_latlng(c) for c in hexes["h3"].unique()}
        hexes["lat"] = [round(centres[c][0], 4) for c in hexes["h3"]]
        hexes["lon"] = [round(centres[c][1], 4) for c in hexes["h3"]]
        tbl, n = _suppress_table(hexes, [["alcaldia", "year", "crime_group"]])
        pub.tables["hex_year_crime"] = tbl[["h3", "lat", "lon", "year", "crime_group", "count"]]
        pub.suppressed["hex_year_crime"] = n
    return pub


def recomputable_cells(detail: pd.DataFrame, total: pd.DataFrame, keys: list[str]) -> int:
    """A differencing attack: cells of `detail` recoverable as the published total minus the other
    published cells of their group. Returns how many suppressed cells such an attack recovers."""
    d = detail.copy()
    d["_sup"] = d["count"].astype(str) == SUPPRESSED
    d["_val"] = pd.to_numeric(d["count"], errors="coerce").fillna(0)
    g = d.groupby(keys).agg(n_sup=("_sup", "sum"), known=("_val", "sum")).reset_index()
    t = total.copy()
    t = t[t["count"].astype(str) != SUPPRESSED]
    g = g.merge(t.rename(columns={"count": "total"}), on=keys, how="inner")
    return int(np.sum(g["n_sup"] == 1))
