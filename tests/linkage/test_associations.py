"""Association edges from hand-made records: one case (or more) per kind, the exclusions, dates, evidence
and sensitivity labels (tests/analysis/networks_handmade.py describes the records)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.analysis.networks_handmade import EXPECTED, build


@pytest.fixture
def edges(wh):
    summary = build(wh)
    rows = wh.query_dicts("SELECT * FROM association ORDER BY kind, node_a, node_b")
    return summary, {(r["node_a"], r["node_b"], r["kind"]): r for r in rows}


def test_every_kind_and_nothing_else(edges):
    summary, e = edges
    assert set(e) == EXPECTED
    assert summary["unresolved_aliases"] == 1  # EL NADIE
    assert summary["edges"] == len(EXPECTED)


def test_dates_counts_and_evidence(edges):
    _, e = edges
    ca = e[("A", "B", "co_accused")]
    assert ca["first_date"] == date(2024, 1, 10)  # the undated accused record takes its carpeta's date
    assert ca["last_date"] == date(2024, 1, 12)
    assert json.loads(ca["evidence"]) == ["fgj_imputados:I1", "fgj_imputados:I2"]
    comm = e[("E", "phone:5599999999", "communication")]
    assert comm["n"] == 2 and json.loads(comm["evidence"]) == ["comunicaciones:K1", "comunicaciones:K2"]
    assert (comm["first_date"], comm["last_date"]) == (date(2024, 5, 1), date(2024, 5, 3))
    pr = e[("A", "B", "prison")]
    assert (pr["first_date"], pr["last_date"]) == (date(2024, 5, 1), date(2024, 6, 1))  # the overlap
    assert json.loads(e[("A", "G", "commission")]["evidence"]) == ["comisiones_seguridad:S2"]


def test_sensitivity_from_records(edges):
    _, e = edges
    assert e[("E", "phone:5599999999", "communication")]["sensitivity"] == "communications"
    assert e[("B", "E", "financial")]["sensitivity"] == "financial"
    assert e[("A", "W", "family")]["sensitivity"] == "vaw"
    assert e[("A", "B", "co_accused")]["sensitivity"] is None


def test_rebuild_replaces(wh):
    from traceability.linkage.associations import build_associations

    build(wh)
    build_associations(wh)
    assert wh.scalar("SELECT count(*) FROM association") == len(EXPECTED)


def test_phone_owner_is_the_person_with_most_records(wh):
    from traceability.linkage.associations import _mentions, phone_owners

    build(wh)
    owners = phone_owners(_mentions(wh))
    assert owners["5512345678"] == "D"  # D has 2 records with it, C one
    assert owners["5511111111"] == "E"
    assert "5599999999" not in owners


def test_orchestrator_runs_the_step(wh):
    import traceability.linkage as linkage

    assert ("associations", "build_associations") in linkage.STEPS
