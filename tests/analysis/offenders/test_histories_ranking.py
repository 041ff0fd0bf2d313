"""Histories, concentration, RFG ranking and fairness on a hand-made warehouse (tests/.../handmade.py).

Every expected figure below is computed by hand from the definitions in the module docstrings.
"""

from __future__ import annotations

from datetime import date

import pytest

from traceability.analysis.offenders import (
    Concentration,
    FairnessCheck,
    OffenderHistories,
    RFGRanking,
    load_weights,
)
from traceability.analysis.offenders.concentration import gini, lorenz, top_share
from traceability.analysis.offenders.ranking import FORBIDDEN_INPUTS

from .handmade import GROUP, HARM, fill


@pytest.fixture
def hist(wh):
    fill(wh)
    return OffenderHistories.from_warehouse(wh, harm=HARM.get, group=GROUP.get)


# -- concentration on plain arrays ---------------------------------------------------------------------------
def test_gini_and_shares_by_hand():
    x = [1, 1, 1, 1, 6]  # sorted ascending; sum 10; sum i*x = 1+2+3+4+30 = 40
    assert gini(x) == pytest.approx(2 * 40 / (5 * 10) - 6 / 5)  # 0.4
    assert gini([3, 3, 3]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 5]) == pytest.approx(3 / 4)  # (n-1)/n: one person holds everything
    assert top_share(x, 0.10) == pytest.approx(0.6)  # ceil(0.5) = 1 person: 6 of 10
    assert top_share(list(range(1, 101)), 0.05) == pytest.approx(sum(range(96, 101)) / 5050)
    assert lorenz(x) == [(0.0, 0.0), (0.2, 0.1), (0.4, 0.2), (0.6, 0.3), (0.8, 0.4), (1.0, 1.0)]


# -- histories ------------------------------------------------------------------------------------------------
def test_one_offence_per_carpeta_across_roles(hist):
    o = hist.offences.set_index(["person_id", "offence_key"])
    a = o.loc[("A", "carpeta:C1")]
    # detention, imputado, court case and prison admission (joined through causa X1) are one offence
    assert (a.detained, a.accused, a.defendant, a.convicted, a.imprisoned, a.detention_only) == (
        True, True, True, True, True, False)
    assert a.n_records == 4
    # the imputado record has no date: the carpeta's date (2024-01-09) is the earliest
    assert a.date.date() == date(2024, 1, 9)
    assert o.loc[("A", "event:ssc_detenciones:2")].detention_only
    assert o.loc[("B", "carpeta:C1")].detention_only
    assert len(hist.offences) == 6  # A 2, B 1, C 1, D 2
    p = hist.persons.set_index("person_id")
    assert p.loc["A", "offences"] == 2 and p.loc["A", "harm"] == 150.0
    assert p.loc["A", "convictions"] == 1 and p.loc["A", "imprisonments"] == 1
    assert p.loc["A", "co_offenders"] == ["B"] and p.loc["C", "co_offenders"] == []
    assert sorted(p.loc["A", "crime_groups"]) == ["ROBO_OTROS", "ROBO_TRANSEUNTE"]
    # co-detained with a carpeta: counted once, through the carpeta
    assert hist.co_offending.to_dict("records") == [{"person_a": "A", "person_b": "B", "n": 1}]
    terms = hist.prison_terms
    assert terms["release"].iloc[0].date() == date(2024, 6, 30)


def test_bases_count_distinctly(hist):
    assert len(hist.select(basis="all")) == 6
    assert set(hist.select(basis="accusations")["offence_key"]) == {"carpeta:C1", "carpeta:C2"}
    assert list(hist.select(basis="convictions")["person_id"]) == ["A"]
    assert len(hist.select(basis="detentions")) == 6
    assert len(hist.select(basis="all", crime="NARCOMENUDEO")) == 2
    assert len(hist.select(basis="all", crime="ROBO_TRANSEUNTE")) == 2  # a crime group works too
    assert len(hist.select(basis="all", alcaldia="09015")) == 3
    assert len(hist.select(basis="all", date_from=date(2024, 5, 1), date_to=date(2024, 8, 1))) == 2


def test_concentration_on_histories(hist):
    off = hist.select(basis="all")
    per = off.groupby("person_id").agg(n=("offence_key", "size"), harm=("harm", "sum"))
    c = Concentration(per["n"].to_numpy(), per["harm"].to_numpy())
    # offences [2, 1, 1, 2]: sorted 1,1,2,2; sum i*x = 17; G = 34/24 - 5/4 = 1/6
    assert c.gini == pytest.approx(1 / 6)
    assert c.top_1pct_share == pytest.approx(2 / 6)
    # harm [150, 100, 200, 60]: sorted 60,100,150,200; sum i*x = 1510; G = 3020/2040 - 5/4
    assert c.harm_gini == pytest.approx(3020 / 2040 - 1.25)
    assert c.harm_top_10pct_share == pytest.approx(200 / 510)


# -- ranking --------------------------------------------------------------------------------------------------
def test_rfg_scores_by_hand(hist):
    r = RFGRanking.from_histories(hist, basis="all", date_to=date(2024, 12, 31))
    w = load_weights()
    assert w["weights"] == {"recency": 0.3, "frequency": 0.4, "gravity": 0.3}
    assert w["recency_half_life_days"] == 180
    # days from the last offence to 2024-12-31 (2024 is a leap year): A 2024-08-01 -> 152, B 2024-01-10 -> 356,
    # C 2024-02-01 -> 334, D 2024-09-01 -> 121.  F = n / 2.  G = harm / 200 (harm A 150, B 100, C 200, D 60).
    expected = {
        "A": (0.5 ** (152 / 180), 1.0, 0.75),
        "B": (0.5 ** (356 / 180), 0.5, 0.5),
        "C": (0.5 ** (334 / 180), 0.5, 1.0),
        "D": (0.5 ** (121 / 180), 1.0, 0.3),
    }
    t = r.table.set_index("person_id")
    for pid, (rr, ff, gg) in expected.items():
        assert t.loc[pid, "recency"] == pytest.approx(rr)
        assert t.loc[pid, "frequency"] == pytest.approx(ff)
        assert t.loc[pid, "gravity"] == pytest.approx(gg)
        assert t.loc[pid, "score"] == pytest.approx(0.3 * rr + 0.4 * ff + 0.3 * gg)
        assert t.loc[pid, "contrib_frequency"] == pytest.approx(0.4 * ff)
    # S_A = 0.792, S_D = 0.678, S_C = 0.583, S_B = 0.426
    assert list(r.table["person_id"]) == ["A", "D", "C", "B"]
    assert r.table.loc[0, "score"] == pytest.approx(0.79208, abs=1e-4)
    d = r.to_dict()
    assert d["params"]["basis"] == "all" and d["params"]["weights_version"] == "rfg-v1"
    assert set(d["ranking"][0]) >= {"person_id", "score", "recency", "frequency", "gravity"}


def test_rfg_on_accusations_differs_and_says_so(hist):
    r = RFGRanking.from_histories(hist, basis="accusations", date_to=date(2024, 12, 31))
    # only A (carpeta C1, harm 100, 2024-01-09: 357 days) and C (C2, harm 200, 2024-02-01: 334 days)
    t = r.table.set_index("person_id")
    assert set(t.index) == {"A", "C"}
    assert t.loc["A", "gravity"] == pytest.approx(0.5) and t.loc["C", "gravity"] == pytest.approx(1.0)
    assert t.loc["A", "recency"] == pytest.approx(0.5 ** (357 / 180))
    assert list(r.table["person_id"]) == ["C", "A"]
    assert r.describe()["basis"] == "accusations"


def test_ranking_never_reads_sex_age_or_residence(hist):
    # change everyone's sex, age and residence: the ranking must not move
    r1 = RFGRanking.from_histories(hist, basis="all", date_to=date(2024, 12, 31)).table
    hist.persons["sex"] = "M"
    hist.persons["age"] = 99
    hist.records["sex"] = "M"
    hist.offences.attrs["note"] = "unchanged"
    r2 = RFGRanking.from_histories(hist, basis="all", date_to=date(2024, 12, 31)).table
    assert r1[["person_id", "score"]].equals(r2[["person_id", "score"]])
    assert not set(FORBIDDEN_INPUTS) & set(r1.columns)


def test_weights_file_is_validated(tmp_path):
    from traceability.errors import UsageError

    p = tmp_path / "w.json"
    p.write_text('{"weights": {"recency": 1, "frequency": 1, "gravity": 2}, "version": "test"}')
    w = load_weights(p)
    assert w["weights"] == {"recency": 0.25, "frequency": 0.25, "gravity": 0.5}
    p.write_text('{"weights": {"recency": 1, "sex": 1}}')
    with pytest.raises(UsageError, match="recency, frequency and gravity"):
        load_weights(p)


# -- fairness -------------------------------------------------------------------------------------------------
def test_fairness_by_hand(hist):
    r = RFGRanking.from_histories(hist, basis="all", date_to=date(2024, 12, 31))
    f = FairnessCheck(r, hist, top_share=0.5)
    assert f.k == 2  # A and D
    sex = {row["group"]: row for row in f.by_sex}
    assert sex["H"]["all_n"] == 3 and sex["H"]["ranked_n"] == 2
    assert sex["H"]["ratio"] == pytest.approx(1.0 / 0.75)
    assert sex["M"]["ranked_n"] == 0 and sex["M"]["ratio"] == 0
    ages = {row["group"]: row["ranked_n"] for row in f.by_age_band}
    assert ages == {"18-24": 1, "25-34": 1, "35-44": 0}  # D 22; A 31 at his last record; B 19 and C 40 not ranked
    # A: 1 of 2 offences detention-only; D: 2 of 2
    t = r.table.set_index("person_id")["score"]
    assert f.detention_only_score_share == pytest.approx((t["A"] * 0.5 + t["D"] * 1.0) / (t["A"] + t["D"]))
    # on accusations the share is 0 by construction
    fa = FairnessCheck(RFGRanking.from_histories(hist, basis="accusations"), hist, top_share=1.0)
    assert fa.detention_only_score_share == 0.0


def test_civic_detentions_are_not_offences(wh):
    from .handmade import EVENTS, MENTIONS

    events = EVENTS + [("ssc_detenciones:9", "detention", "ssc_detenciones", "2024-10-01", "HECHO_NO_DELICTIVO",
                        "09005", None, {"autoridad_disposicion": "JUEZ CIVICO"})]
    fill(wh, events, MENTIONS + [("ssc_detenciones:9", "detainee", "D", "H", 22)])
    h = OffenderHistories.from_warehouse(wh, harm=HARM.get, group=lambda c: {"HECHO_NO_DELICTIVO": "NO_DELITO"}.get(
        c, GROUP.get(c)))
    assert h.civic_excluded == 1
    assert len(h.offences) == 6  # as without the civic detention
    h2 = OffenderHistories.from_warehouse(wh, harm=HARM.get, group=GROUP.get, include_civic=True)
    assert len(h2.offences) == 7


def test_cli_repeat_offenders_json(tmp_path):
    import json

    from typer.testing import CliRunner

    from traceability.cli.main import app
    from traceability.warehouse import Warehouse

    db = tmp_path / "c.duckdb"
    with Warehouse(db) as w:
        fill(w)
    r = CliRunner().invoke(app, ["analyze", "repeat-offenders", "--db", str(db), "--basis", "all", "--to",
                                 "2024-12-31", "--n-boot", "50", "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["offenders"] == 4 and d["offences"] == 6
    assert set(d["concentration"]) >= {"top_1pct_share", "top_5pct_share", "top_10pct_share", "gini"}
    assert d["concentration"]["gini"] == pytest.approx(1 / 6)
    assert set(d["hidden_offenders"]["zelterman"]) >= {"estimate", "ci_low", "ci_high"}
    assert d["hidden_offenders"]["chao"]["estimate"] == pytest.approx(5.0)
    assert set(d["ranking"][0]) >= {"person_id", "score", "recency", "frequency", "gravity"}
    assert d["params"]["basis"] == "all" and d["data_window"]["to"] == "2024-12-31"
    bad = CliRunner().invoke(app, ["analyze", "repeat-offenders", "--db", str(db), "--basis", "arrests"])
    assert bad.exit_code != 0 and "unknown --basis" in str(bad.exception)
