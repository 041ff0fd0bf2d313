"""The attrition funnel against hand-counted chains, one case's chain, and recovery on the synthetic city."""

from __future__ import annotations

import json
from datetime import date

import pytest

from traceability.analysis.chains import Attrition, case_chain, funnel, materialize


def add_event(wh, event_id, kind, occurred, crime=None, key=None, reported=None, alcaldia="09015", attrs=None):
    source, skey = event_id.split(":", 1)
    wh.execute(
        "INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, reported_at, "
        "crime, alcaldia, case_key_norm, attrs, row_hash) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, 'h')",
        [event_id, kind, source, skey, occurred, reported, crime, alcaldia, key, json.dumps(attrs or {})])


def link(wh, a, b, kind, method="key", conf=1.0):
    wh.execute("INSERT INTO case_link VALUES (?, ?, ?, ?, ?, 'test')", [a, b, kind, method, conf])


@pytest.fixture
def four(wh):
    """Four carpetas, counted by hand:

    A (robbery, Cuauhtémoc, Jan): call, detention, accused, court case with vinculación and conviction,
      prison admission and release — the whole chain.
    B (robbery, Cuauhtémoc, Feb): accused (not detained), court case with vinculación, no sentence yet.
    C (homicide, Iztapalapa, Apr): accused only.  D (homicide, Iztapalapa, Apr): nothing.
    A second crime row of A (same key) is not a second carpeta.
    """
    add_event(wh, "fgj_carpetas:A", "carpeta_crime", "2024-01-01 10:00", "ROBO_NEGOCIO_CV", "KA",
              reported="2024-01-01 12:00")
    add_event(wh, "fgj_carpetas:A2", "carpeta_crime", "2024-01-01 10:00", "LESIONES_DOLOSAS", "KA")
    add_event(wh, "c5_911:1", "call_911", "2024-01-01 10:05")
    add_event(wh, "ssc_detenciones:1", "detention", "2024-01-01 11:00")
    add_event(wh, "fgj_imputados:1", "accused_record", "2024-01-01 11:00", attrs={"detenido": True})
    add_event(wh, "tsj_causas:1", "court_case", "2024-01-05 12:00",
              attrs={"vinculacion_proceso": True, "sentido": "CONDENATORIA", "fecha_resolucion": "2024-03-05"})
    add_event(wh, "penitenciario:1", "prison_admission", "2024-03-10",
              attrs={"fecha_egreso": "2024-09-06", "motivo_egreso": "LIBERTAD"})
    link(wh, "c5_911:1", "fgj_carpetas:A", "call_carpeta", "probabilistic", 0.8)
    link(wh, "ssc_detenciones:1", "fgj_carpetas:A", "detention_carpeta")
    link(wh, "fgj_imputados:1", "fgj_carpetas:A", "accused_carpeta")
    link(wh, "fgj_carpetas:A", "tsj_causas:1", "carpeta_causa")
    link(wh, "tsj_causas:1", "penitenciario:1", "causa_admission")

    add_event(wh, "fgj_carpetas:B", "carpeta_crime", "2024-02-01 09:00", "ROBO_NEGOCIO_SV", "KB",
              reported="2024-02-01 10:00")
    add_event(wh, "fgj_imputados:2", "accused_record", None, attrs={"detenido": False})
    add_event(wh, "tsj_causas:2", "court_case", "2024-02-11 10:00", attrs={"vinculacion_proceso": True})
    link(wh, "fgj_imputados:2", "fgj_carpetas:B", "accused_carpeta")
    link(wh, "fgj_carpetas:B", "tsj_causas:2", "carpeta_causa")

    add_event(wh, "fgj_carpetas:C", "carpeta_crime", "2024-04-03", "HOMICIDIO_DOLOSO", "KC", alcaldia="09007")
    add_event(wh, "fgj_imputados:3", "accused_record", None)
    link(wh, "fgj_imputados:3", "fgj_carpetas:C", "accused_carpeta")
    add_event(wh, "fgj_carpetas:D", "carpeta_crime", "2024-04-20", "HOMICIDIO_DOLOSO", "KD", alcaldia="09007")
    return wh


def test_funnel_figures_against_hand_count(four):
    a = Attrition.from_warehouse(four)
    assert a.n_carpetas == 4
    assert a.counts == {"call": 1, "detention": 1, "accused": 3, "court_case": 2, "vinculacion": 2,
                        "sentence": 1, "conviction": 1, "prison": 1}
    assert a.shares["accused"] == pytest.approx(0.75)
    assert a.shares["court_case"] == pytest.approx(0.5)
    assert a.shares["conviction"] == pytest.approx(0.25)
    assert a.reached == {"carpeta": 4, "accused": 3, "court_case": 2, "vinculacion": 2, "sentence": 1,
                         "conviction": 1, "prison": 1}
    assert a.exits == {"carpeta": 1, "accused": 1, "court_case": 0, "vinculacion": 1, "sentence": 0,
                       "conviction": 0}
    assert a.sentido == {"CONDENATORIA": 1}
    md = a.median_days
    assert md["report_to_hearing"] == pytest.approx(7.0)  # 4 days (A) and 10 days (B)
    assert md["hearing_to_resolution"] == pytest.approx(59.5)  # 5 Jan 12:00 → 5 Mar
    assert md["hearing_to_admission"] == pytest.approx(64.5)
    assert md["admission_to_release"] == pytest.approx(180.0)
    assert md["crime_to_detention"] == pytest.approx(1 / 24)


def test_breakdowns_and_filters(four):
    a = Attrition.from_warehouse(four, by="crime_group")
    rows = {r["crime_group"]: r for r in a.rows()}
    assert rows["ROBO_NEGOCIO"]["carpetas"] == 2 and rows["ROBO_NEGOCIO"]["share_court_case"] == 1.0
    assert rows["HOMICIDIO_DOLOSO"]["carpetas"] == 2 and rows["HOMICIDIO_DOLOSO"]["share_accused"] == 0.5
    assert [r["month"] for r in a.by["month"]] == ["2024-01", "2024-02", "2024-04"]
    assert [r["quarter"] for r in a.by["quarter"]] == ["2024-Q1", "2024-Q2"]
    assert Attrition.from_warehouse(four, alcaldia="09007").n_carpetas == 2
    assert Attrition.from_warehouse(four, crime="ROBO_NEGOCIO").n_carpetas == 2  # a group
    assert Attrition.from_warehouse(four, crime="ROBO_NEGOCIO_SV").n_carpetas == 1  # a code
    f = Attrition.from_warehouse(four, date_from=date(2024, 2, 1), date_to=date(2024, 4, 3))
    assert f.n_carpetas == 2 and f.data_window["from"] == "2024-02-01"
    stages = Attrition.from_warehouse(four).rows()
    assert [r["stage"] for r in stages][0] == "carpeta" and stages[1]["carpetas"] == 3


def test_to_dict_sankey_and_materialize(four):
    a = Attrition.from_warehouse(four)
    d = json.loads(json.dumps(a.to_dict()))
    assert d["params"]["alcaldia"] is None and d["data_window"]["to"] == "2024-04-20"
    flows = {(lk["source"], lk["target"]): lk["value"] for lk in d["sankey"]["links"]}
    assert flows[("carpeta", "accused")] == 3 and flows[("carpeta", "exit_carpeta")] == 1
    assert flows[("vinculacion", "exit_vinculacion")] == 1 and flows[("conviction", "prison")] == 1
    # every stage's inflow equals its outflow
    for st in ("accused", "court_case", "vinculacion", "sentence", "conviction"):
        inflow = sum(v for (s, t), v in flows.items() if t == st)
        outflow = sum(v for (s, t), v in flows.items() if s == st)
        assert inflow == outflow
    assert d["link_methods"]["call_carpeta.probabilistic"] == 1
    materialize(four)
    stored = funnel(four)
    assert stored["n_carpetas"] == 4 and "_materialized_at" in stored
    assert funnel(four, alcaldia="09007")["n_carpetas"] == 2


def test_empty_warehouse(wh):
    a = Attrition.from_warehouse(wh)
    assert a.n_carpetas == 0 and a.shares["accused"] is None
    assert a.to_dict()["sankey"]["links"] == []


def test_case_chain_from_any_event(four):
    c = case_chain(four, "penitenciario:1")
    ids = [n["event_id"] for n in c["nodes"]]
    assert ids[0] == "c5_911:1"  # ordered call → detention → carpeta → ... → prison
    assert set(ids) == {"c5_911:1", "ssc_detenciones:1", "fgj_carpetas:A", "fgj_carpetas:A2", "fgj_imputados:1",
                        "tsj_causas:1", "penitenciario:1"}
    assert len(c["links"]) == 5
    assert c["releases"][0]["fecha_egreso"] == "2024-09-06"
    # from the carpeta's second crime row too
    assert {n["event_id"] for n in case_chain(four, "fgj_carpetas:A2")["nodes"]} == set(ids)
    assert case_chain(four, "nope:1") is None


@pytest.mark.slow
def test_funnel_on_synthetic_city(city_db):
    """On the scale-0.02 city the funnel narrows stage by stage and every carpeta is counted once."""
    from traceability.warehouse import Warehouse

    with Warehouse(city_db, read_only=True) as w:
        a = Attrition.from_warehouse(w)
        n_keys = w.scalar("SELECT count(DISTINCT coalesce(case_key_norm, event_id)) FROM event "
                          "WHERE kind = 'carpeta_crime'")
    assert a.n_carpetas == n_keys > 0
    r = a.reached
    assert r["carpeta"] >= r["accused"] >= r["court_case"] >= r["vinculacion"] >= r["sentence"]
    assert 0 < a.shares["accused"] < 1


def test_cli_analyze_chains(four, tmp_path):
    from typer.testing import CliRunner

    from traceability.cli.main import app

    db = four.path
    four.close()
    runner = CliRunner()
    r = runner.invoke(app, ["analyze", "chains", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_carpetas"] == 4 and d["counts"]["prison"] == 1
    out = tmp_path / "by.csv"
    r = runner.invoke(app, ["analyze", "chains", "--db", str(db), "--format", "csv", "--by", "alcaldia",
                            "--crime", "HOMICIDIO_DOLOSO", "--out", str(out)])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("alcaldia,carpetas,") and lines[1].startswith("09007,2,")
    r = runner.invoke(app, ["analyze", "chains", "--db", str(db), "--by", "week"])
    assert r.exit_code != 0 and "unknown --by" in str(r.exception)
    r = runner.invoke(app, ["analyze", "chains", "--db", str(db), "--from", "2024-13-01"])
    assert r.exit_code != 0 and "not a date" in str(r.exception)
    r = runner.invoke(app, ["analyze", "chains", "--db", str(db)])
    assert r.exit_code == 0 and "carpeta" in r.output
