"""Open-data publication: small cells suppressed, and a differencing attack recovers none of them."""

from __future__ import annotations

import pandas as pd

from traceability.governance.publish import (
    SUPPRESSED,
    build_publication,
    complementary_suppress,
    primary_suppress,
    recomputable_cells,
)


def _events(wh, rows):
    wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES (1,'fgj_carpetas','f','s','done')")
    vals = []
    for i, (alc, col, day, crime, lat, lon) in enumerate(rows):
        vals.append(f"('fgj_carpetas:{i}','carpeta_crime','fgj_carpetas','{i}',1,{i + 2},TIMESTAMP '{day}','{crime}',"
                    f"'{alc}','{col}',{lat},{lon},'h')")
    wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, crime, "
               "alcaldia, colonia, lat, lon, row_hash) VALUES " + ",".join(vals))


def test_hand_built_complementary_suppression():
    # one group (alcaldía A, month, crime) with colonias of 2, 7, 9 crimes; the total 18 is published
    df = pd.DataFrame({"g": ["A", "A", "A", "B", "B"], "count": [2, 7, 9, 6, 8]})
    primary = primary_suppress(df["count"])
    assert primary.tolist() == [True, False, False, False, False]
    sup = complementary_suppress(df, [["g"]], primary)
    # the 7 (smallest other non-zero cell of A) is suppressed too; B untouched
    assert sup.tolist() == [True, True, False, False, False]


def test_publication_survives_differencing(wh, tmp_path):
    rows = []
    # Cuauhtémoc, Jan 2024, burglary: colonia 1 has 2 crimes, colonia 2 has 6, colonia 3 has 9
    for n, col in [(2, "1"), (6, "2"), (9, "3")]:
        rows += [("09015", col, "2024-01-10", "ROBO_CASA_HABITACION_SV", 19.43, -99.13)] * n
    # Coyoacán: 12 crimes, one colonia
    rows += [("09003", "4", "2024-01-11", "ROBO_CASA_HABITACION_SV", 19.35, -99.16)] * 12
    # another month, a lone 3 in Iztapalapa: the city total for that month is just 3 → suppressed too
    rows += [("09007", "5", "2024-02-01", "ROBO_CASA_HABITACION_SV", 19.36, -99.06)] * 3
    _events(wh, rows)
    pub = build_publication(wh)
    col = pub.tables["colonia_month_crime"]
    alc = pub.tables["alcaldia_month_crime"]
    by_col = dict(zip(col["colonia"], col["count"], strict=True))
    assert by_col["1"] == SUPPRESSED                # primary: 2 crimes
    assert by_col["2"] == SUPPRESSED                # complementary: else 17 - 6 - 9 = 2 leaks
    assert by_col["3"] == 9 and by_col["4"] == 12
    assert dict(zip(alc["alcaldia"], alc["count"], strict=True))["09015"] == 17
    # differencing: colonia cells against the published alcaldía totals recovers nothing
    assert recomputable_cells(col, alc, ["alcaldia", "month", "crime_group"]) == 0
    # without complementary suppression the attack would have recovered the 2
    naive = col.copy()
    naive.loc[naive["colonia"] == "2", "count"] = 6
    assert recomputable_cells(naive, alc, ["alcaldia", "month", "crime_group"]) == 1
    city = pub.tables["city_month_crime"]
    assert city.loc[city["month"] == "2024-02", "count"].tolist() == [SUPPRESSED]
    # nothing with an identity: only the whitelisted columns, no exact coordinates
    assert set(col.columns) == {"alcaldia", "colonia", "month", "crime_group", "count"}
    hexes = pub.tables["hex_year_crime"]
    assert set(hexes.columns) == {"h3", "lat", "lon", "year", "crime_group", "count"}
    assert set(hexes["lat"]).isdisjoint({19.43, 19.35, 19.36})  # cell centres, not the points
    paths = pub.write(tmp_path / "pub")
    assert {p.name for p in paths} >= {"colonia_month_crime.csv", "alcaldia_month_crime.csv"}
