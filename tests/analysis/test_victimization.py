"""Repeat victimization: the definitions of DESIGN.md §6 on hand-built event lists."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from traceability.analysis.victimization import RepeatVictimization, mark_repeats, prepare


def ev(rows):
    cols = ["target_id", "kind", "crime_group", "date", "alcaldia", "cuadrante", "match"]
    return pd.DataFrame([dict(zip(cols, r + (("same",) if len(r) == 6 else ()), strict=True)) for r in rows])


HOUSE = "household"
BURG = "ROBO_CASA_HABITACION"


def test_window_edge_is_inclusive():
    # 365 days after the previous one is a repeat; 366 is not (default window 365)
    e = ev([("h1", HOUSE, BURG, "2023-01-01", "09007", "A-1.1.1"),
            ("h1", HOUSE, BURG, "2024-01-01", "09007", "A-1.1.1"),   # +365 → repeat
            ("h2", HOUSE, BURG, "2023-01-01", "09007", "A-1.1.1"),
            ("h2", HOUSE, BURG, "2024-01-02", "09007", "A-1.1.1")])  # +366 → not
    m = mark_repeats(prepare(e), 365)
    assert m.loc[m.target_id == "h1", "is_repeat"].tolist() == [False, True]
    assert m.loc[m.target_id == "h2", "is_repeat"].tolist() == [False, False]
    r = RepeatVictimization(e)
    f = r.figures(HOUSE, BURG)
    assert (f["victims"], f["repeat_victims"], f["crimes"], f["repeat_crimes"]) == (2, 1, 4, 1)
    # a shorter window settable: 30 days makes neither a repeat
    assert RepeatVictimization(e, window_days=30).figures(HOUSE, BURG)["repeat_crimes"] == 0
    assert RepeatVictimization(e, window_days=366).figures(HOUSE, BURG)["repeat_crimes"] == 2


def test_window_is_from_the_previous_crime_not_the_first():
    # a chain of crimes 200 days apart: each is within the window of the previous one
    e = ev([("h1", HOUSE, BURG, d, "09007", "A") for d in ("2022-01-01", "2022-07-20", "2023-02-05")])
    m = mark_repeats(prepare(e), 365)
    assert m["gap_prev"].tolist()[1:] == [200, 200]
    assert m["is_repeat"].tolist() == [False, True, True]


def test_same_day_second_crime_is_a_repeat_but_same_case_counts_once():
    e = ev([("h1", HOUSE, BURG, "2023-03-01", "09007", "A"), ("h1", HOUSE, BURG, "2023-03-01", "09007", "A")])
    assert RepeatVictimization(e).figures(HOUSE, BURG)["repeat_crimes"] == 1
    e["case_key"] = ["CI-1", "CI-1"]  # the carpeta and its victim entry: one crime
    f = RepeatVictimization(e).figures(HOUSE, BURG)
    assert (f["crimes"], f["repeat_crimes"]) == (1, 0)


def test_crime_type_must_match_by_group():
    # violent and non-violent burglary share a group (the caller gives groups): a repeat;
    # a burglary then a robbery of a passer-by against the same person: no repeat of either type
    e = ev([("p1", "person", "ROBO_TRANSEUNTE", "2023-01-10", "09015", "C"),
            ("p1", "person", "LESIONES_DOLOSAS", "2023-01-20", "09015", "C"),
            ("p1", "person", "ROBO_TRANSEUNTE", "2023-03-01", "09015", "C")])
    r = RepeatVictimization(e)
    assert r.figures("person", "ROBO_TRANSEUNTE")["repeat_crimes"] == 1
    assert r.figures("person", "LESIONES_DOLOSAS")["repeat_crimes"] == 0
    allp = r.figures("person", "ALL")
    assert (allp["victims"], allp["crimes"], allp["repeat_crimes"], allp["repeat_victims"]) == (1, 3, 1, 1)


def test_households_and_persons_are_kept_apart():
    # the same address burgled twice, and a resident robbed once: the household is a repeat victim,
    # the person is not, even though the person lives there
    e = ev([("h1", HOUSE, BURG, "2023-05-01", "09003", "B"),
            ("h1", HOUSE, BURG, "2023-05-09", "09003", "B"),
            ("p9", "person", "ROBO_TRANSEUNTE", "2023-05-09", "09003", "B")])
    r = RepeatVictimization(e)
    assert r.figures(HOUSE, BURG)["repeat_victims"] == 1
    assert r.figures("person", "ROBO_TRANSEUNTE")["repeat_victims"] == 0
    assert r.figures("business", BURG) is None


def test_rates_shares_and_time_course():
    rows = [("h1", HOUSE, BURG, "2023-01-01", "09007", "A"), ("h1", HOUSE, BURG, "2023-01-05", "09007", "A"),  # 4 d
            ("h1", HOUSE, BURG, "2023-03-01", "09007", "A"),                                                   # 55 d
            ("h2", HOUSE, BURG, "2023-01-01", "09007", "B"), ("h2", HOUSE, BURG, "2024-06-01", "09007", "B"),  # 517 d
            ("h3", HOUSE, BURG, "2023-02-01", "09014", "C")]
    r = RepeatVictimization(ev(rows), population={"A": 1000, "B": 1000, "C": 2000})
    f = r.figures(HOUSE, BURG)
    assert (f["victims"], f["repeat_victims"], f["crimes"], f["repeat_crimes"]) == (3, 1, 6, 2)
    assert f["share_victims_repeat"] == pytest.approx(1 / 3)
    assert f["share_crimes_repeat"] == pytest.approx(2 / 6)
    assert f["concentration"] == pytest.approx(2.0)
    assert f["prevalence_per_1000"] == pytest.approx(3 / 4000 * 1000)
    assert f["incidence_per_1000"] == pytest.approx(6 / 4000 * 1000)
    tc = f["time_course"]  # gaps to the next victimization: 4, 55, 517
    assert tc["next_victimizations"] == 3
    assert (tc["within_7"], tc["within_30"], tc["within_90"], tc["within_365"]) == pytest.approx(
        (1 / 3, 1 / 3, 2 / 3, 2 / 3))
    assert tc["median_days"] == 55
    alc = {a["alcaldia"]: a for a in r.by_alcaldia if a["crime_group"] == BURG}
    assert alc["09007"]["crimes"] == 5 and alc["09014"]["crimes"] == 1
    months = [m["month"] for m in r.by_month if m["crime_group"] == BURG]
    assert months == ["2023-01", "2023-02", "2023-03", "2024-06"]


def test_period_counts_only_its_crimes_but_looks_back_for_repeats():
    e = ev([("h1", HOUSE, BURG, "2022-12-20", "09007", "A"), ("h1", HOUSE, BURG, "2023-01-10", "09007", "A")])
    f = RepeatVictimization(e, date_from="2023-01-01", date_to="2023-12-31").figures(HOUSE, BURG)
    assert (f["crimes"], f["repeat_crimes"], f["victims"], f["repeat_victims"]) == (1, 1, 1, 1)


def test_almost_the_same_victim_is_reported_separately():
    e = ev([("h1", HOUSE, BURG, "2023-01-01", "09007", "A"),
            ("h1", HOUSE, BURG, "2023-02-01", "09007", "A", "near"),   # next door, matched as 'near'
            ("h1", HOUSE, BURG, "2023-06-01", "09007", "A")])
    r = RepeatVictimization(e)
    f = r.figures(HOUSE, BURG)
    assert (f["crimes"], f["repeat_crimes"]) == (2, 1)
    near = next(a for a in r.almost_same if a["kind"] == HOUSE and a["crime_group"] == BURG)
    assert (near["near_events"], near["crimes"], near["repeat_crimes"], near["extra_repeat_crimes"]) == (1, 3, 2, 1)
    assert RepeatVictimization(e, near=True).figures(HOUSE, BURG)["crimes"] == 3


def test_targets_at_risk():
    e = ev([("h1", HOUSE, BURG, "2023-05-01", "09007", "A"), ("h1", HOUSE, BURG, "2023-06-20", "09007", "A"),
            ("h2", HOUSE, BURG, "2023-06-25", "09007", "B"),
            ("h3", HOUSE, BURG, "2023-04-01", "09007", "C"),            # too long ago
            ("b1", "business", "ROBO_NEGOCIO", "2023-06-30", "09015", "D")])
    r = RepeatVictimization(e, at_risk_days=30)
    risk = r.at_risk
    assert risk["as_of"] == "2023-06-30"
    assert [t["target_id"] for t in risk["targets"]] == ["h1", "b1", "h2"]
    assert risk["targets"][0]["crimes_in_window"] == 2 and risk["targets"][0]["repeat"] is True
    assert risk["targets"][0]["days_since"] == 10
    later = RepeatVictimization(e, as_of="2023-07-22", at_risk_days=30).at_risk
    assert [t["target_id"] for t in later["targets"]] == ["b1", "h2"]


def test_json_has_the_promised_keys():
    e = ev([("h1", HOUSE, BURG, "2023-01-01", "09007", "A"), ("h1", HOUSE, BURG, "2023-01-05", "09007", "A")])
    d = json.loads(json.dumps(RepeatVictimization(e, window_days=180).to_dict(), allow_nan=False))
    row = d["by_kind_crime"][0]
    for k in ("victims", "repeat_victims", "crimes", "repeat_crimes", "time_course", "trend"):
        assert k in row
    assert set(row["time_course"]) >= {"within_7", "within_30", "within_90", "within_365"}
    assert d["params"]["window_days"] == 180 and d["data_window"]["date_to"] == "2023-01-05"


def test_trend_detects_rising_repeat_share():
    rows = []
    for m in range(1, 13):
        for i in range(10):
            rows.append((f"t{m}-{i}", HOUSE, BURG, f"2023-{m:02d}-01", "09007", "A"))
        for i in range(m):  # more repeats each month
            rows.append((f"t{m}-{i}", HOUSE, BURG, f"2023-{m:02d}-15", "09007", "A"))
    r = RepeatVictimization(ev(rows))
    tr = r.figures(HOUSE, BURG)["trend"]
    assert tr["direction"] == "up" and tr["slope_per_year"] > 0


def test_planted_repeat_victims_in_generated_city(city_db, city_dir):
    """Recovery of planted repeat victims: the same analysis over the same events (those of
    truth/target_events.csv), grouped once by the planted targets and once by the linked ones.

    Measured at scale 0.02, seed 7 (persons, all crime types): 236 planted repeat victims, 7.6 % of crimes
    repeats; linked 195 and 6.2 % with the person model of that day, 146 with a later one (linkage leaves some
    of a victim's records apart). Households and businesses
    depend on the address matching of linkage (planted 8 / 46 repeat households / businesses; linked 23 / 34:
    households over-merged), so they are only required to be found."""
    from traceability.analysis._places import crime_group
    from traceability.analysis.victimization import load_events
    from traceability.warehouse import Warehouse

    te = pd.read_csv(city_dir / "truth" / "target_events.csv", dtype=str)
    tt = pd.read_csv(city_dir / "truth" / "targets.csv", dtype=str)[["target_id", "kind"]]
    te["event_id"] = te["source"] + ":" + te["source_key"]
    with Warehouse(city_db, read_only=True) as w:
        le = load_events(w)
        ev = w.df("SELECT event_id, crime, occurred_at AS date, alcaldia, cuadrante, case_key_norm AS case_key "
                  "FROM event WHERE crime IS NOT NULL")
    linked = RepeatVictimization(le[le["event_id"].isin(set(te["event_id"]))])
    truth_ev = te.merge(tt, on="target_id").merge(ev, on="event_id")
    truth_ev["crime_group"] = truth_ev["crime"].map(crime_group)
    truth = RepeatVictimization(truth_ev)
    t_all, l_all = truth.figures("person", "ALL"), linked.figures("person", "ALL")
    assert t_all["repeat_victims"] >= 50
    # the analysis can find only what linkage joins: at least half the planted repeat victims, and no
    # repeats invented beyond a quarter more (linkage recall has moved between 62 % and 83 % here)
    assert 0.5 * t_all["repeat_victims"] <= l_all["repeat_victims"] <= 1.25 * t_all["repeat_victims"]
    assert l_all["share_crimes_repeat"] <= t_all["share_crimes_repeat"] + 0.03
    for r in truth.by_kind_crime:
        got = linked.figures(r["kind"], r["crime_group"])
        if r["kind"] == "person" and r["repeat_victims"] >= 20:
            assert 0.4 * r["repeat_victims"] <= got["repeat_victims"] <= 1.35 * r["repeat_victims"], r["crime_group"]
        if r["kind"] in ("household", "business") and r["crime_group"] != "ALL" and r["repeat_victims"] >= 5:
            assert got is not None and got["repeat_victims"] > 0


def test_one_record_per_case_prefers_the_same_match_deterministically():
    """A case recorded twice on one day against one target (an exact and a near match) counts once, and
    the exact match is the one kept whatever the input order."""
    rows = [("b1", "business", "ROBO_NEGOCIO", "2023-03-01", "09007", "A-1.1.1", "near"),
            ("b1", "business", "ROBO_NEGOCIO", "2023-03-01", "09007", "A-1.1.1", "same")]
    for order in (rows, rows[::-1]):
        e = ev(order).assign(case_key=["CI-1", "CI-1"], event_id=["e2", "e1"][:len(order)])
        kept = prepare(e)
        assert len(kept) == 1
        assert kept["match"].tolist() == ["same"]
