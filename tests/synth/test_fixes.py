"""Defects found downstream of the generator, each pinned by a test (ER codes, coordinates, addresses)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .test_city import _files, _read

COORD_SOURCES = {"fgj_carpetas": ("latitud", "longitud"), "fgj_victimas": ("latitud", "longitud"),
                 "c5_911": ("latitud", "longitud"), "ssc_detenciones": ("latitud", "longitud"),
                 "comisiones_seguridad": ("latitud", "longitud")}


def test_er_rows_map_to_the_code_the_simulation_meant(synth_city):
    from traceability import taxonomy

    les = _read(synth_city / "ssa_lesiones.csv")
    truth = pd.read_csv(synth_city / "truth/er_codes.csv", dtype=str, keep_default_na=False)
    assert list(truth.columns) == ["source_key", "code"]
    m = les.merge(truth, left_on="id_atencion", right_on="source_key", how="left", validate="1:1")
    assert m["code"].notna().all() and len(m) == len(truth)
    raw = m["intencionalidad"] + "|" + m["tipo_violencia"] + "|" + m["cie10_causa_externa"]
    got = taxonomy.map_series("ssa_lesiones", raw)
    bad = pd.DataFrame({"code": m["code"], "raw": raw, "got": got})[got.to_numpy() != m["code"].to_numpy()]
    assert bad.empty, bad.drop_duplicates().head()
    # every kind of ER record is present, sexual violence by a stranger included
    assert {"VIOLENCIA_FAMILIAR", "ABUSO_SEXUAL", "LESIONES_DOLOSAS", "ACCIDENTE"} <= set(m["code"])
    sexual = m[m["code"] == "ABUSO_SEXUAL"]
    assert (sexual["tipo_violencia"] == "SEXUAL").all()
    assert (sexual["intencionalidad"] == "VIOLENCIA NO FAMILIAR").any()


def test_consistent_er_falls_back_to_a_taxonomy_rule():
    from traceability import taxonomy
    from traceability.synth.emit import _consistent_er

    # the old generator's mistake: a sexual-violence event written as family violence without tipo
    code = np.array(["ABUSO_SEXUAL", "LESIONES_ARMA_FUEGO", "VIOLENCIA_FAMILIAR"], dtype=object)
    i = np.array(["VIOLENCIA FAMILIAR", "VIOLENCIA NO FAMILIAR", "VIOLENCIA FAMILIAR"], dtype=object)
    t = np.array(["", "FISICA", "FISICA"], dtype=object)
    c = np.array(["Y07.0", "Y04", "Y07.0"], dtype=object)
    i, t, c = _consistent_er(code, i, t, c)
    got = [taxonomy.map_label("ssa_lesiones", f"{a}|{b}|{k}") for a, b, k in zip(i, t, c, strict=True)]
    assert got == list(code)
    assert (i[2], t[2], c[2]) == ("VIOLENCIA FAMILIAR", "FISICA", "Y07.0")  # a right triple is kept


@pytest.mark.parametrize("city", ["synth_city", "synth_city_11"])
def test_every_emitted_coordinate_is_in_the_city(city, request):
    from traceability import geo

    d: Path = request.getfixturevalue(city)
    for source, (la, lo) in COORD_SOURCES.items():
        df = pd.concat([_read(f) for f in _files(d, source)])
        lat = pd.to_numeric(df[la], errors="coerce").to_numpy()
        lon = pd.to_numeric(df[lo], errors="coerce").to_numpy()
        has = np.isfinite(lat) & np.isfinite(lon)
        assert has.mean() > 0.9, source
        ok = geo.in_city(lat[has], lon[has])
        assert ok.all(), (source, int((~ok).sum()))
    t = pd.read_csv(d / "truth/targets.csv")
    assert geo.in_city(t["lat"].to_numpy(), t["lon"].to_numpy()).all()


def test_jitter_keeps_points_inside(synth_city):
    from traceability import geo
    from traceability.synth.world import keep_in_city

    # a point 82 m outside the city (the SSC-DET-0000151 case) and one inside: the first falls back
    base_lat, base_lon = np.array([19.4326, 19.4326]), np.array([-99.1332, -99.1332])
    lat, lon = np.array([19.4326, 19.0]), np.array([-99.1332, -99.1332])
    out_lat, out_lon = keep_in_city(base_lat, base_lon, lat, lon,
                                    lambda m: (np.full(len(m), 19.0), np.full(len(m), -99.1332)))
    assert geo.in_city(out_lat, out_lon).all()
    assert out_lat[1] == base_lat[1]


def _addr(d: Path):
    from traceability.linkage.targets import address_key

    p = pd.read_csv(d / "truth/persons.csv", dtype=str, keep_default_na=False)
    alc = p["address"].str.rsplit(", ", n=1).str[-1]
    street = p["address"].str.split(", ").str[0]
    p["akey"] = alc + "|" + street.map(address_key)
    return p.set_index("true_person_id")


@pytest.mark.parametrize("city", ["synth_city", "synth_city_11"])
def test_distinct_households_have_distinct_addresses(city, request):
    d: Path = request.getfixturevalue(city)
    p = _addr(d)
    t = pd.read_csv(d / "truth/targets.csv", dtype=str, keep_default_na=False)
    h = t[t["kind"] == "household"]
    assert len(h) > 50
    keys = p.loc[h["true_person_id"], "akey"]
    # street numbers are assigned per street and alcaldía, so collisions are 0 by construction;
    # the tolerance (0.1 %) only covers normalization merging two street names
    assert keys.duplicated().mean() <= 0.001, keys[keys.duplicated(keep=False)].head()
    # among all natural persons, an address is shared only by people who live together:
    # a co-offending group's house or a woman and her partner (truth/vaw.csv)
    nat = p[p["is_legal_person"] == "0"]
    shared = nat[nat["akey"].duplicated(keep=False)]
    vaw = pd.read_csv(d / "truth/vaw.csv", dtype=str, keep_default_na=False)
    couples = set(vaw["true_person_id"]) | set(vaw["aggressor_person_id"])
    unexplained = shared[(shared["group_id"] == "-1") & ~shared.index.isin(couples)]
    assert len(unexplained) <= 0.001 * len(nat), unexplained.head()


def test_near_repeat_neighbours_are_other_homes_and_repeats_keep_theirs(synth_city):
    p = _addr(synth_city)
    t = pd.read_csv(synth_city / "truth/targets.csv", dtype=str, keep_default_na=False)
    te = pd.read_csv(synth_city / "truth/target_events.csv", dtype=str, keep_default_na=False)
    nr = pd.read_csv(synth_city / "truth/near_repeat.csv", dtype=str, keep_default_na=False)
    victim_of = dict(zip(te["carpeta_id"], te["target_id"].map(dict(zip(t["target_id"], t["true_person_id"],
                                                                        strict=True))), strict=False))
    pairs = nr.assign(a=nr["source_key"].map(victim_of), b=nr["origin_source_key"].map(victim_of)).dropna()
    assert len(pairs) > 10
    assert (pairs["a"] != pairs["b"]).all()
    assert (p.loc[pairs["a"], "akey"].to_numpy() != p.loc[pairs["b"], "akey"].to_numpy()).all()
    # a repeat against one household: every victim record carries the same domicilio
    v = _read(synth_city / "fgj_victimas.csv").set_index("id_victima")
    hh = te[te["target_id"].isin(t.loc[t["kind"] == "household", "target_id"])]
    rep = hh[hh.duplicated("target_id", keep=False)]
    assert rep["target_id"].nunique() >= 3
    dom = rep.assign(dom=v.loc[rep["source_key"], "domicilio"].to_numpy()).groupby("target_id")["dom"].nunique()
    assert (dom == 1).all()
