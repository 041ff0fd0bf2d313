"""Kaplan–Meier against a hand-computed case; spells and incapacitation on the hand-made warehouse."""

from __future__ import annotations

from datetime import date

import pytest

from traceability.analysis.offenders import Incapacitation, OffenderHistories, Reoffending
from traceability.analysis.offenders.reoffending import km_curve

from .handmade import GROUP, HARM, fill


def test_kaplan_meier_by_hand():
    # durations 2e, 3e, 3c, 5e, 8c (e = event, c = censored)
    # t=2: 5 at risk, 1 event -> S = 4/5 = 0.8
    # t=3: 4 at risk, 1 event (the censored 3 still at risk) -> S = 0.8 * 3/4 = 0.6
    # t=5: 2 at risk, 1 event -> S = 0.6 * 1/2 = 0.3 ;  t=8 censored -> S stays 0.3
    k = km_curve([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    s = dict(zip(k["days"], k["survival"], strict=True))
    assert s[0.0] == 1.0
    assert s[2.0] == pytest.approx(0.8) and s[3.0] == pytest.approx(0.6) and s[5.0] == pytest.approx(0.3)
    assert s[8.0] == pytest.approx(0.3)
    assert k["median_days"] == 5.0  # first time S <= 0.5
    assert all(lo <= sv <= hi for lo, sv, hi in zip(k["lower"], k["survival"], k["upper"], strict=True))
    assert k["n"] == 5 and k["events"] == 3


@pytest.fixture
def hist(wh):
    fill(wh)
    return OffenderHistories.from_warehouse(wh, harm=HARM.get, group=GROUP.get)


def test_spells_from_release_and_first_detention(hist):
    rel = Reoffending(hist, start="release")
    sp = rel.spells.set_index("person_id")
    # A released 2024-06-30, detained again 2024-08-01: 32 days, an event
    assert sp.loc["A", "duration"] == 32 and bool(sp.loc["A", "event"])
    first = Reoffending(hist, start="first_detention")
    sp = first.spells.set_index("person_id")
    # end of observation = last offence 2024-09-01
    # A 2024-01-09 -> 2024-08-01 (205 e), B 2024-01-10 -> end (235 c), C 2024-02-01 -> end (213 c),
    # D 2024-05-01 -> 2024-09-01 (123 e)
    assert sp["duration"].to_dict() == {"A": 205, "B": 235, "C": 213, "D": 123}
    assert sp["event"].to_dict() == {"A": True, "B": False, "C": False, "D": True}
    # KM: t=123 S=3/4; t=205 (3 at risk) S=0.75*2/3=0.5
    s = dict(zip(first.overall["days"], first.overall["survival"], strict=True))
    assert s[123.0] == pytest.approx(0.75) and s[205.0] == pytest.approx(0.5)
    assert first.cox is None and "too few" in first.cox_error


def test_incapacitation_by_hand(wh):
    events = [
        ("ssc_detenciones:e1", "detention", "ssc_detenciones", "2022-01-01", "ROBO_OTROS", "09015", None, {}),
        ("ssc_detenciones:e2", "detention", "ssc_detenciones", "2023-01-01", "ROBO_OTROS", "09015", None, {}),
        ("penitenciario:e3", "prison_admission", "penitenciario", "2024-01-01", "ROBO_OTROS", None, None,
         {"causa_norm": "Y9", "fecha_egreso": "2024-07-01"}),
    ]
    mentions = [("ssc_detenciones:e1", "detainee", "E", "H", 30), ("ssc_detenciones:e2", "detainee", "E", "H", 31),
                ("penitenciario:e3", "inmate", "E", "H", 32)]
    fill(wh, events, mentions)
    h = OffenderHistories.from_warehouse(wh, harm=HARM.get, group=GROUP.get)
    inc = Incapacitation(h, end=date(2024, 12, 31))
    t = inc.terms.iloc[0]
    # 2 prior offences over 2022-01-01..2024-01-01 (730 days) -> 2 / (730/365.25) a year; served 182 days
    rate = 2 / (730 / 365.25)
    assert t["prior_offences"] == 2 and t["days_served"] == 182
    assert inc.total_prevented == pytest.approx(rate * 182 / 365.25)
