"""Victim targets (persons, households, businesses) on hand-built events."""

from __future__ import annotations

import math

import pytest

from traceability.linkage.targets import address_key, build_targets, business_key, leader_groups

LAT0, LON0 = 19.4326, -99.1332
M_PER_DEG_LAT = 110_780.0  # near 19.4° N


def north(metres: float) -> float:
    return LAT0 + metres / M_PER_DEG_LAT


def east(metres: float) -> float:
    return LON0 + metres / (111_320.0 * math.cos(math.radians(LAT0)))


def add_event(wh, event_id, kind="victim_record", crime="ROBO_CASA_HABITACION_SV", lat=None, lon=None,
              address=None, case_key=None, occurred="2024-03-01 10:00:00", alcaldia="09015"):
    source, key = event_id.split(":", 1)
    wh.execute(
        "INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, crime, lat, lon, "
        "alcaldia, address_norm, case_key_norm, row_hash) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, 'h')",
        [event_id, kind, source, key, occurred, crime, lat, lon, alcaldia, address, case_key])


def add_mention(wh, event_id, role="victim", n=1, legal=False, business=None, address=None, given="ANA",
                surname="LOPEZ"):
    source, key = event_id.split(":", 1)
    mid = f"{event_id}:{role}:{n}"
    wh.execute(
        "INSERT INTO person_mention (mention_id, event_id, source, source_key, batch_id, source_row, role, "
        "given_names, surname_1, is_legal_person, business_name, address_norm, row_hash) "
        "VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, 'h')",
        [mid, event_id, source, key, role, given, surname, legal, business, address])
    return mid


def targets_of(wh, event_id, match="same"):
    return {r[0] for r in wh.query(
        "SELECT target_id FROM target_membership WHERE event_id = ? AND match = ?", [event_id, match])}


def kind_of(wh, target_id):
    return wh.scalar("SELECT kind FROM target WHERE target_id = ?", [target_id])


def test_business_key_strips_company_forms_accents_and_punctuation():
    variants = ["Abarrotes La Güera, S.A. de C.V.", "ABARROTES LA GUERA SA DE CV", "abarrotes  la güera",
                "Abarrotes La Guera S. A. de C. V."]
    assert {business_key(v) for v in variants} == {"ABARROTES LA GUERA"}
    assert business_key("Farmacia Sol, S. de R.L. de C.V.") == "FARMACIA SOL"
    assert business_key(None) is None


def test_address_key_needs_a_house_number():
    assert address_key("Calle Hidalgo No. 23, Col. Centro") == address_key("HIDALGO 23 COL CENTRO")
    assert address_key("CALLE HIDALGO") is None


def test_leader_groups_do_not_chain():
    # points every 8 m along a line: single linkage would chain them all; leaders keep groups ≤ 20 m across
    import numpy as np

    xy = np.array([[8.0 * i, 0.0] for i in range(10)])
    lead = leader_groups(xy, 10.0)
    for g in set(lead):
        members = xy[lead == g]
        assert members[:, 0].max() - members[:, 0].min() <= 20.0
    assert len(set(lead)) >= 4


def test_same_address_is_one_household(wh):
    add_event(wh, "fgj_victimas:1", lat=north(0), lon=LON0, address="CALLE HIDALGO 23 COL CENTRO")
    add_event(wh, "fgj_victimas:2", lat=north(300), lon=LON0, address="Calle Hidalgo No. 23, Col. Centro",
              occurred="2024-05-01 10:00:00")
    for e in ("fgj_victimas:1", "fgj_victimas:2"):
        add_mention(wh, e)
    out = build_targets(wh)
    t1, t2 = targets_of(wh, "fgj_victimas:1"), targets_of(wh, "fgj_victimas:2")
    hh1 = {t for t in t1 if kind_of(wh, t) == "household"}
    hh2 = {t for t in t2 if kind_of(wh, t) == "household"}
    assert hh1 == hh2 and len(hh1) == 1
    assert out["households"] == 1


def test_points_5m_apart_same_household_40m_near(wh):
    # real open data: carpetas with coordinates and no identities still give place targets
    add_event(wh, "fgj_carpetas:a", kind="carpeta_crime", lat=north(0), lon=LON0)
    add_event(wh, "fgj_carpetas:b", kind="carpeta_crime", lat=north(5), lon=LON0, occurred="2024-04-01 10:00")
    add_event(wh, "fgj_carpetas:c", kind="carpeta_crime", lat=north(0), lon=east(40), occurred="2024-06-01")
    add_event(wh, "fgj_carpetas:far", kind="carpeta_crime", lat=north(500), lon=LON0)
    add_event(wh, "fgj_carpetas:other", kind="carpeta_crime", crime="ROBO_TRANSEUNTE_CV", lat=north(1), lon=LON0)
    out = build_targets(wh)
    (ta,) = targets_of(wh, "fgj_carpetas:a")
    assert targets_of(wh, "fgj_carpetas:b") == {ta}
    (tc,) = targets_of(wh, "fgj_carpetas:c")
    assert tc != ta
    assert kind_of(wh, ta) == "household"
    near = wh.query("SELECT target_id, distance_m FROM target_membership WHERE event_id = ? AND match = 'near'",
                    ["fgj_carpetas:c"])
    assert [r[0] for r in near] == [ta]
    assert near[0][1] == pytest.approx(40.0, abs=4.0)
    assert ta not in {r[0] for r in wh.query(
        "SELECT target_id FROM target_membership WHERE event_id = 'fgj_carpetas:far'")}
    assert not targets_of(wh, "fgj_carpetas:other")  # a street robbery is not a household crime
    assert out["households"] == 3


def test_victim_entry_and_its_carpeta_are_one_crime(wh):
    add_event(wh, "fgj_carpetas:k1", kind="carpeta_crime", lat=north(0), lon=LON0, case_key="K1")
    add_event(wh, "fgj_victimas:v1", lat=north(0), lon=LON0, case_key="K1")
    add_mention(wh, "fgj_victimas:v1")
    build_targets(wh)
    assert not targets_of(wh, "fgj_carpetas:k1")
    assert len(targets_of(wh, "fgj_victimas:v1")) == 2  # the person and the household


def test_business_name_variants_are_one_business(wh):
    names = ["Abarrotes La Güera, S.A. de C.V.", "ABARROTES LA GUERA SA DE CV", "Abarrotes la Guera"]
    for i, name in enumerate(names):
        e = f"fgj_victimas:b{i}"
        add_event(wh, e, crime="ROBO_NEGOCIO_CV", lat=north(i * 3), lon=LON0, occurred=f"2024-0{i + 1}-10")
        add_mention(wh, e, legal=True, business=name, given=None, surname=None)
    # a business robbery with no legal-person victim at the same premises joins it
    add_event(wh, "fgj_carpetas:p", kind="carpeta_crime", crime="ROBO_NEGOCIO_SV", lat=north(2), lon=LON0)
    out = build_targets(wh)
    ts = set().union(*(targets_of(wh, f"fgj_victimas:b{i}") for i in range(3)))
    assert len(ts) == 1
    (t,) = ts
    assert kind_of(wh, t) == "business"
    assert wh.scalar("SELECT label FROM target WHERE target_id = ?", [t]) == "ABARROTES LA GUERA"
    assert targets_of(wh, "fgj_carpetas:p") == {t}
    assert out["businesses"] == 1 and out["persons"] == 0  # legal persons are not person targets


def test_business_branches_far_apart_are_separate(wh):
    for i, (dn, name) in enumerate([(0, "OXXO SA DE CV"), (5, "Oxxo"), (3000, "OXXO, S.A. de C.V.")]):
        e = f"fgj_victimas:o{i}"
        add_event(wh, e, crime="ROBO_NEGOCIO_CV", lat=north(dn), lon=LON0)
        add_mention(wh, e, legal=True, business=name)
    build_targets(wh)
    t0, t1, t2 = (targets_of(wh, f"fgj_victimas:o{i}") for i in range(3))
    assert t0 == t1 and t0 != t2


def test_person_targets_from_person_membership(wh):
    for i, p in enumerate(["P1", "P1", "P2"]):
        e = f"fgj_victimas:p{i}"
        add_event(wh, e, crime="ROBO_TRANSEUNTE_CV")
        m = add_mention(wh, e)
        wh.execute("INSERT INTO person_membership VALUES (?, ?, ?, 1)", [m, p, 0.99 if i < 2 else 0.7])
    add_event(wh, "ssa_lesiones:x", kind="er_attention", crime="LESIONES_DOLOSAS")
    add_mention(wh, "ssa_lesiones:x", role="patient")
    add_event(wh, "ssc_detenciones:d", kind="detention", crime="ROBO_TRANSEUNTE_CV")
    add_mention(wh, "ssc_detenciones:d", role="detainee")
    out = build_targets(wh)
    assert targets_of(wh, "fgj_victimas:p0") == targets_of(wh, "fgj_victimas:p1") == {"person:P1"}
    assert targets_of(wh, "fgj_victimas:p2", match="near") == {"person:P2"}  # below the same-person p
    assert targets_of(wh, "ssa_lesiones:x") == {"person:m:ssa_lesiones:x:patient:1"}
    assert not targets_of(wh, "ssc_detenciones:d")
    assert out["persons"] == 3


def test_without_person_membership_each_mention_is_its_own_person(wh):
    for i in range(2):
        add_event(wh, f"fgj_victimas:q{i}", crime="AMENAZAS")
        add_mention(wh, f"fgj_victimas:q{i}")
    out = build_targets(wh)
    assert out["persons"] == 2


def test_rebuild_replaces_previous_targets(wh):
    add_event(wh, "fgj_carpetas:a", kind="carpeta_crime", lat=north(0), lon=LON0)
    build_targets(wh)
    first = wh.query("SELECT target_id FROM target")
    build_targets(wh)
    assert wh.query("SELECT target_id FROM target") == first  # stable ids, no duplicates


def test_same_address_in_another_alcaldia_is_another_home(wh):
    add_event(wh, "fgj_victimas:1", address="HIDALGO 23", alcaldia="09015")
    add_event(wh, "fgj_victimas:2", address="HIDALGO 23", alcaldia="09007")
    for e in ("fgj_victimas:1", "fgj_victimas:2"):
        add_mention(wh, e)
    assert build_targets(wh)["households"] == 2
