"""National runs (issue 11 item 3): other states on the city template, weighted by SESNSP municipalities."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from traceability.synth import states as st

from .test_city import _files, _read


def test_allocation_follows_sesnsp_weights():
    assert st.allocate(0.5) == {"09": 0.5}
    assert st.allocate(1.0) == {"09": 1.0}
    a = st.allocate(3.0)
    assert a["09"] == 1.0 and len(a) == 32 and abs(sum(a.values()) - 3.0) < 1e-3
    w = st.state_weights()
    assert a["15"] / a["14"] == pytest.approx(w["15"] / w["14"], rel=1e-3)
    assert set(st.allocate(2.0, states=[15, 21])) == {"09", "15", "21"}
    assert 8 < st.national_scale() < 11  # the country is about 9-10 city-years


def test_region_cuts_the_city_into_municipalities_by_weight():
    from traceability.synth.model import city

    C = city()
    r = st.region("15", C)
    m = st.municipios()
    m = m[m["state"] == "15"].set_index("municipio")["weight"]
    ci = C["pts"]["ci"].to_numpy()
    vol_pt = st.crime_volume(C)[ci] / C["pt_count"][ci].clip(1)
    share = pd.Series(vol_pt).groupby(r.pt_mun).sum() / vol_pt.sum()
    big = (m / m.sum())[lambda s: s > 0.03]
    assert len(big) >= 5
    assert np.abs(share.reindex(big.index, fill_value=0) - big).max() < 0.02
    assert set(r.pt_mun) <= set(m.index)


@pytest.fixture(scope="module")
def puebla(tmp_path_factory):
    from traceability.synth import _generate_one
    from traceability.synth.model import city

    out = tmp_path_factory.mktemp("states") / "21"
    s = _generate_one(out, 0.01, 1, date(2023, 1, 1), [7, 21], region=st.region("21", city()))
    return out, s


def test_state_extract_keeps_formats_and_truth(puebla):
    from traceability.synth.emit import C5_OLD, COLUMNS

    out, s = puebla
    names = set(st.municipios().query("state == '21'")["municipio_name"])
    for source, cols in COLUMNS.items():
        for f in _files(out, source):
            header = list(_read(f).columns)
            assert header == cols or (source == "c5_911" and header == C5_OLD), f.name
    car = pd.concat([_read(f) for f in _files(out, "fgj_carpetas")])
    assert car["id_carpeta"].str.startswith("CI-FGE21/").all()
    assert set(car["alcaldia_hecho"]) <= names and (car["latitud"] == "").all()
    # volumes per municipality follow SESNSP: Puebla (the capital) holds the largest share
    w = st.municipios().query("state == '21'").set_index("municipio_name")["weight"]
    got = car["alcaldia_hecho"].value_counts(normalize=True)
    assert got.index[0] == w.idxmax() and abs(got.iloc[0] - w.max() / w.sum()) < 0.05
    men = pd.read_csv(out / "truth/person_mentions.csv", dtype=str, keep_default_na=False)
    assert men["source_key"].str.startswith(("E21-", "CI-FGE21/")).all()
    pids = men["true_person_id"].astype(np.int64)
    assert (pids // st.PID_OFFSET == 21).all()
    persons = pd.read_csv(out / "truth/persons.csv", dtype=str, keep_default_na=False)
    assert set(men["true_person_id"]) <= set(persons["true_person_id"])
    v = _read(out / "fgj_victimas.csv")
    assert set(v["id_victima"]) <= set(men["source_key"])
    assert s["truth"]["carpetas"] == len(car)


def test_national_run_layout(tmp_path, monkeypatch):
    """generate_city above scale 1 (allocation shrunk so the test stays small): Mexico City in DIR, the other
    states in DIR/states/<code>/, and the manifest with the state column."""
    from traceability.synth import generate_city

    monkeypatch.setattr(st, "allocate", lambda scale, states=None: {"09": 0.01, "21": 0.004, "29": 0.003})
    s = generate_city(tmp_path / "mx", scale=1.5, seed=3)
    man = pd.read_csv(tmp_path / "mx/states/states.csv", dtype={"state": str})
    assert list(man["state"]) == ["21", "29"] and list(man.columns[:2]) == ["state", "state_name"]
    assert set(s["states"]) == {"21", "29"} and s["scale"] == 1.5
    assert (tmp_path / "mx/fgj_victimas.csv").exists() and (tmp_path / "mx/states/29/truth/persons.csv").exists()
    v = _read(tmp_path / "mx/states/29/fgj_victimas.csv")
    assert v["id_victima"].str.startswith("E29-").all()
    assert man.loc[man["state"] == "29", "carpetas"].item() == s["states"]["29"]["truth"]["carpetas"]


def test_a_state_too_small_for_some_records_still_generates(tmp_path, monkeypatch):
    """At --scale 5 the smallest states get a few hundredths of a city-year: some extracts have no rows (no
    accused at all), and some months none, which turned id columns into floats or objects (Guerrero, seed 7,
    failed so). Their files are written with headers only instead of failing the whole national run."""
    from traceability.synth import generate_city

    guerrero = st.allocate(5.0)["12"]
    monkeypatch.setattr(st, "allocate", lambda scale, states=None: {"09": 0.005, "03": 0.0002, "12": guerrero})
    s = generate_city(tmp_path / "mx", scale=1.2, seed=7)
    assert s["states"]["12"]["files"]["fgj_imputados.csv"] > 0
    files = s["states"]["03"]["files"]
    assert min(files.values()) == 0 < max(files.values())
    assert (tmp_path / "mx/states/03/fgj_imputados.csv").read_text(encoding="utf-8-sig").strip()
