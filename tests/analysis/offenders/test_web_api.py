"""The /offenders page and its APIs through the real app (TestClient), on the hand-made warehouse."""

from __future__ import annotations

import pytest

from traceability.governance.pseudonyms import pseudonym
from traceability.warehouse import Warehouse

from .handmade import fill


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "o.duckdb"
    with Warehouse(path) as wh:
        fill(wh)
    return path


@pytest.fixture
def analyst(db):
    from tests.webutil import authed_client

    c = authed_client(db, role="analyst", username="analista")
    yield c
    c.__exit__(None, None, None)


def test_page_shows_pseudonyms_and_links(analyst):
    r = analyst.get("/offenders?basis=all&to=2024-12-31")
    assert r.status_code == 200, r.text[:500]
    secret = analyst.app.state.settings.secret
    assert pseudonym("A", secret) in r.text
    assert 'href="/persons/A"' in r.text
    assert ">A</a>" not in r.text  # never the raw id as the label for an analyst
    assert "Reincidentes" in r.text
    assert "todos los registros" in r.text  # the basis is stated
    en = analyst.get("/offenders?basis=all&lang=en")
    assert "Sex, age and place of residence are never inputs" in en.text


def test_apis(analyst):
    s = analyst.get("/api/offenders/summary?basis=all&to=2024-12-31").json()
    assert s["offenders"] == 4 and s["offences"] == 6
    assert s["concentration"]["gini"] == pytest.approx(1 / 6)
    assert s["hidden_offenders"]["chao"]["estimate"] == pytest.approx(5.0)  # f1 = 2, f2 = 2, n = 4
    # harm weights come from the taxonomy here: the order is checked by hand in test_histories_ranking.py
    assert {r["person_id"] for r in s["ranking"]} == {"A", "B", "C", "D"}
    scores = [r["score"] for r in s["ranking"]]
    assert scores == sorted(scores, reverse=True)
    assert all(r["label"].startswith("P-") for r in s["ranking"])
    assert s["params"]["basis"] == "all" and s["data_window"]["to"] == "2024-12-31"
    rk = analyst.get("/api/offenders/ranking").json()
    assert rk["params"]["basis"] == "accusations"
    assert {r["person_id"] for r in rk["ranking"]} == {"C", "A"}
    assert analyst.get("/api/offenders/ranking?basis=nonsense").status_code == 422
    csv_text = analyst.get("/api/offenders/ranking?format=csv&basis=all").text
    assert csv_text.splitlines()[0].startswith("rank,label,score")
    assert "person_id" not in csv_text.splitlines()[0]
    for path in ("fairness", "hidden", "survival", "concentration", "deterrence"):
        assert analyst.get(f"/api/offenders/{path}?basis=all").status_code == 200
    surv = analyst.get("/api/offenders/survival?basis=all").json()
    assert surv["reoffending"]["first_detention"]["spells"] == 4


def test_empty_warehouse_page(client):
    r = client.get("/offenders")
    assert r.status_code == 200
    assert 'id="offenders-empty"' in r.text


def test_materialized_result_is_used(db):
    from traceability.analysis.offenders.report import compute, materialize

    with Warehouse(db) as wh:
        materialize(wh)
        d = compute(wh, {})
    assert "_materialized_at" in d and d["basis"] == "accusations"
