"""Person resolution: the Mexican-name cases one by one, among a realistic background population
(so EM, u sampling and term frequencies run as they do on real data), plus stable ids across an
incremental load and the guard against chaining."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from traceability.linkage import persons
from traceability.linkage.curp import with_check_digit
from traceability.linkage.evaluate import pairwise
from traceability.warehouse import Warehouse

from .persons_population import population

pytestmark = pytest.mark.slow

_K = [0]


def _m(name: str, given, s1, s2, *, src="ssc_detenciones", role="detainee", birth=None, age=None,
       event=date(2024, 3, 1), curp=None, sex="H", phone=None, alias=None, legal=False, business=None, rfc=None):
    _K[0] += 1
    key = f"{name}-{_K[0]}"
    return dict(mention_id=f"{src}:{key}:{role}:1", event_id=f"{src}:{key}", source=src, source_key=key,
                batch_id=1, source_row=_K[0], role=role, given_names=given, surname_1=s1, surname_2=s2, alias=alias,
                sex=sex, birth_date=birth, age=age, curp=curp, rfc=rfc, phone=phone, address_norm=None,
                colonia=None, alcaldia=None, lat=None, lon=None, is_legal_person=legal, business_name=business,
                event_date=event, sensitivity=None, row_hash="h")


CURP_A = with_check_digit("ZEVJ900501HDFPLN0")
CURP_B = with_check_digit("ZEVJ900501HDFPLN1")
CURP_T = with_check_digit("QUAF850312HDFRRR0")
# one digit of the year wrong: the check digit catches it (a change at index 8, weight 10, it would not)
CURP_T_TYPO = CURP_T[:5] + "6" + CURP_T[6:]

CASES = [
    # swapped surnames, one side with an age only
    _m("swap", "JUAN CARLOS", "ZEPEDA", "VILLALOBOS", birth=date(1990, 5, 1), src="penitenciario", role="inmate"),
    _m("swap", "JUAN CARLOS", "VILLALOBOS", "ZEPEDA", age=33, event=date(2023, 6, 1)),
    # missing second surname
    _m("miss", "ROSA ISELA", "ITURBIDE", "MONTIEL", birth=date(1980, 2, 2), sex="M", src="cjm_casos", role="cjm_user",
       phone="5512345678"),
    _m("miss", "ROSA ISELA", "ITURBIDE", None, age=44, event=date(2024, 5, 1), sex="M", src="ssa_lesiones",
       role="patient", phone="5512345678"),
    # compound given name shortened to its distinctive part
    _m("comp", "MARIA GUADALUPE", "OROZCO", "BAEZA", birth=date(1975, 7, 7), sex="M", src="fgj_victimas",
       role="victim"),
    _m("comp", "GUADALUPE", "OROZCO", "BAEZA", birth=date(1975, 7, 7), sex="M", src="cjm_casos", role="cjm_user"),
    # nickname
    _m("nick", "PANCHO", "ARREDONDO", "QUIROGA", age=39, event=date(2024, 1, 10)),
    _m("nick", "FRANCISCO", "ARREDONDO", "QUIROGA", birth=date(1984, 9, 9), src="fgj_imputados", role="accused"),
    # CURP with a typo (check digit fails) next to the valid one
    _m("typo", "FERNANDO", "QUINTANILLA", "ARRIAGA", birth=date(1985, 3, 12), curp=CURP_T, src="penitenciario",
       role="inmate"),
    _m("typo", "FERNANDO", "QUINTANILLA", "ARRIAGA", age=38, event=date(2023, 11, 1), curp=CURP_T_TYPO),
    # two different people: same name and birth date, different valid CURPs
    _m("twins", "JONATHAN", "ZEPEDA", "VALDIVIA", birth=date(1990, 5, 1), curp=CURP_A, src="penitenciario",
       role="inmate"),
    _m("twins", "JONATHAN", "ZEPEDA", "VALDIVIA", birth=date(1990, 5, 1), curp=CURP_B, src="penitenciario",
       role="inmate"),
    # legal persons: grouped by normalized business name
    _m("biz", None, None, None, legal=True, business="ABARROTES LA ESPERANZA S.A. DE C.V.", src="fgj_victimas",
       role="victim", sex=None),
    _m("biz", None, None, None, legal=True, business="ABARROTES LA ESPERANZA SA DE CV", src="fgj_victimas",
       role="victim", sex=None),
    # alias only: a singleton
    _m("alias", None, None, None, alias="EL CHINO", src="comisiones_seguridad", role="mentioned", sex=None),
    _m("alias", None, None, None, alias="EL CHINO", src="comisiones_seguridad", role="mentioned", sex=None),
]


def _pid(wh, mention_id):
    return wh.scalar("SELECT person_id FROM person_membership WHERE mention_id = ?", [mention_id])


def _case(name):
    return [c["mention_id"] for c in CASES if c["source_key"].startswith(name + "-")]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    path = tmp_path_factory.mktemp("persons") / "p.duckdb"
    background, truth = population(1500, seed=11)
    with Warehouse(path) as wh:
        wh.insert_frame("person_mention", background)
        wh.insert_frame("person_mention", pd.DataFrame(CASES))
        summary = persons.resolve(wh)
    return path, summary, truth


@pytest.mark.parametrize("case", ["swap", "miss", "comp", "nick", "typo", "biz"])
def test_same_person(linked, case):
    path, _, _ = linked
    with Warehouse(path, read_only=True) as wh:
        a, b = _case(case)
        assert _pid(wh, a) == _pid(wh, b), case


@pytest.mark.parametrize("case", ["twins", "alias"])
def test_different_people(linked, case):
    path, _, _ = linked
    with Warehouse(path, read_only=True) as wh:
        a, b = _case(case)
        assert _pid(wh, a) != _pid(wh, b), case


def test_tables_and_model_saved(linked):
    path, summary, truth = linked
    with Warehouse(path, read_only=True) as wh:
        run = wh.query_dicts("SELECT * FROM link_run")[0]
        assert run["mode"] == "full" and run["threshold"] == 0.9 and run["model_json"]
        assert run["n_mentions"] == wh.scalar("SELECT count(*) FROM person_mention")
        assert wh.scalar("SELECT count(*) FROM person_membership") == run["n_mentions"]
        assert wh.scalar("SELECT sum(n_mentions) FROM person") == run["n_mentions"]
        # singletons at 1.0; every probability a probability at or above the threshold
        assert wh.scalar("SELECT min(match_probability) FROM person_membership") >= 0.9
        single = wh.scalar("SELECT min(pm.match_probability) FROM person_membership pm JOIN person p "
                           "USING (person_id) WHERE p.n_mentions = 1")
        assert single == 1.0
        pred = dict(wh.query("SELECT mention_id, person_id FROM person_membership"))
    s = pairwise(pred, truth)
    print("background population", s.to_dict())
    assert s.precision >= 0.99 and s.recall >= 0.93


def test_common_names_weigh_little(linked):
    from traceability.linkage.explain import explain

    path, _, _ = linked
    extra = [
        _m("common", "JOSE", "HERNANDEZ", "GARCIA", birth=date(1980, 1, 1)),
        _m("common", "JOSE", "HERNANDEZ", "GARCIA", birth=date(1980, 1, 1)),
        _m("rare", "JOSE", "ZEPEDA", "YAÑEZ", birth=date(1980, 1, 1)),
        _m("rare", "JOSE", "ZEPEDA", "YAÑEZ", birth=date(1980, 1, 1)),
    ]
    with Warehouse(path) as wh:
        wh.insert_frame("person_mention", pd.DataFrame(extra))
        persons.resolve(wh)  # incremental: adds their features
        common = explain(wh, extra[0]["mention_id"], extra[1]["mention_id"])
        rare = explain(wh, extra[2]["mention_id"], extra[3]["mention_id"])
    assert common["match_weight"] < rare["match_weight"] - 2
    assert common["match_weight"] == pytest.approx(common["splink_match_weight"], abs=1e-6)
    levels = {s["comparison"]: s["level"] for s in rare["steps"]}
    assert levels["surnames"] == "both surnames exact" and levels["birth"] == "same birth date"


def test_typo_curp_is_invalid():
    from traceability.linkage.curp import is_valid_curp

    assert is_valid_curp(CURP_T) and not is_valid_curp(CURP_T_TYPO)


def test_chaining_guard():
    """A (CURP 1) – B (no CURP) – C (CURP 2): B may join one of them, never both."""
    edges = pd.DataFrame({"unique_id_l": ["a", "b"], "unique_id_r": ["b", "c"],
                          "match_probability": [0.99, 0.95], "match_weight": [7.0, 4.0]})
    attrs = {"a": (CURP_A, "H", 1990, "1990-05-01"), "b": (None, "H", 1990, None),
             "c": (CURP_B, "H", 1990, "1990-05-01")}
    comps, span, refused = persons.cluster_edges(["a", "b", "c"], edges, attrs, 0.9)
    groups = sorted(sorted(v) for v in comps.values())
    assert groups == [["a", "b"], ["c"]] and refused == 1 and span == [("a", "b", 0.99, 7.0)]


def test_incremental_keeps_ids(tmp_path):
    people, truth = population(800, seed=3)
    first = people.sample(frac=0.7, random_state=1)
    rest = people.drop(first.index)
    with Warehouse(tmp_path / "i.duckdb") as wh:
        wh.insert_frame("person_mention", first)
        s1 = persons.resolve(wh)
        before = dict(wh.query("SELECT mention_id, person_id FROM person_membership"))
        wh.insert_frame("person_mention", rest)
        s2 = persons.resolve(wh)
        after = dict(wh.query("SELECT mention_id, person_id FROM person_membership"))
        assert s1["mode"] == "full" and s2["mode"] == "incremental" and s2["new_mentions"] == len(rest)
        # every earlier mention keeps its person, unless two persons merged (recorded)
        merged = {r[0] for r in wh.query("SELECT other_person_id FROM person_history WHERE change = 'merge'")}
        moved = [m for m, p in before.items() if after[m] != p]
        assert all(before[m] in merged for m in moved)
        assert len(after) == len(people)
        # new mentions of known people joined them
        s = pairwise(after, truth)
        assert s.recall >= 0.9 and s.precision >= 0.99
        # a full re-link maps its clusters back onto the same ids
        s3 = persons.resolve(wh, full=True)
        again = dict(wh.query("SELECT mention_id, person_id FROM person_membership"))
        same = sum(again[m] == after[m] for m in after) / len(after)
        assert s3["mode"] == "full" and same >= 0.98
        assert wh.scalar("SELECT count(*) FROM person_history WHERE change = 'new'") > 0
        # nothing new: an incremental run changes nothing
        s4 = persons.resolve(wh)
        assert s4["new_mentions"] == 0
        assert dict(wh.query("SELECT mention_id, person_id FROM person_membership")) == again


def test_guard_birth_date_outvoted_by_direct_links():
    """A record with a wrong birth date, linked directly to most of its person's records, joins them; a
    single link across two people born years apart does not."""
    one = [("a", "d", 0.99), ("b", "d", 0.98), ("a", "b", 0.97), ("a", "c", 0.96), ("b", "c", 0.95)]
    edges = pd.DataFrame({"unique_id_l": [e[0] for e in one], "unique_id_r": [e[1] for e in one],
                          "match_probability": [e[2] for e in one], "match_weight": [9.0, 8.0, 7.0, 6.0, 5.0]})
    born = (None, None, 1990, "1990-05-01")
    attrs = {"a": born, "b": born, "c": born, "d": (None, None, 1951, "1951-11-23")}
    comps, _, refused = persons.cluster_edges(["a", "b", "c", "d"], edges, attrs, 0.9)
    assert sorted(sorted(v) for v in comps.values()) == [["a", "b", "c", "d"]] and refused == 0
    # a chain: x1, x2 (1990) and y (1970), one link x1–y only
    edges = pd.DataFrame({"unique_id_l": ["x1", "x1"], "unique_id_r": ["x2", "y"],
                          "match_probability": [0.99, 0.95], "match_weight": [9.0, 5.0]})
    attrs = {"x1": born, "x2": born, "y": (None, None, 1970, "1970-02-03")}
    comps, _, refused = persons.cluster_edges(["x1", "x2", "y"], edges, attrs, 0.9)
    assert sorted(sorted(v) for v in comps.values()) == [["x1", "x2"], ["y"]] and refused == 1
