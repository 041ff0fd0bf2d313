"""The Splink model for person mentions: features, comparisons, blocking, training.

Features are computed in Python from `person_mention` (names through `names.py`, CURP/RFC through `curp.py`)
and handed to Splink's DuckDB backend on the warehouse connection. Comparisons (each level written as SQL
with a label an analyst can read):

- given names: exact (TF) · same distinctive canonical name (nickname, MARÍA/JOSÉ prefix; TF) · a shared
  canonical name (compound names) · same phonetic key or Jaro-Winkler ≥ 0.92 · else;
- surnames: exact pair (TF on the pair) · pair reversed · same phonetic pair in either order · one second
  surname missing and the other surname agrees (TF on the first) · both Jaro-Winkler ≥ 0.88 · first surname
  only · else;
- full name (only where given names or first surname disagree field by field; weight 0 otherwise, so
  agreement is not counted twice): same set of name tokens · sorted tokens Jaro-Winkler ≥ 0.92 · every
  token of the shorter name in the other · three tokens in common · else — a whole name split into fields
  at the wrong place (911 callers) or given names and surname swapped;
- birth: exact birth date · one-character typo · birth year within 1 (one side only has an age at the
  event) · within 3 · else;
- CURP (exact · Damerau-Levenshtein ≤ 2 · else), RFC (first 10 characters), phone (TF), address (TF, fuzzy),
  alias (TF), sex.

Parameters: u by random sampling; m by EM blocked on exactly the columns compared (surname pair; given
names and birth date; CURP), on a repeatable sample of at most `TRAIN_MAX_RECORDS` records when the
extract is larger (EM's pairs grow with the square of the records) — DEPENDENCIES.md warns that EM
blocked on a derived key while comparing the full value converges to nonsense on low-entropy Mexican names. The m values below are only starting
points (and the fallback when the data are too small for EM).

References: Fellegi & Sunter (1969), "A theory for record linkage", JASA 64(328); Splink (Linacre et al.
2022, "Splink: Free software for probabilistic record linkage at scale", IJPDS 7(3)).
"""

from __future__ import annotations

import json
import logging
import os
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pandas as pd

from . import names
from .curp import parse_curp, rfc_key

log = logging.getLogger(__name__)

FEATURE_COLUMNS = [
    "unique_id", "given_names", "given_key", "given_tokens", "given_phon", "surname_1", "surname_2",
    "sur1_phon", "sur2_phon", "sursort_phon", "surnames", "birth_date", "yob", "birth_lo", "birth_hi", "sex", "curp", "curp_valid",
    "rfc10", "phone", "address_norm", "addr_num", "alias", "given_x", "sur1_x", "name_tokens", "name_sorted",
    "case_key", "causa", "event_date",
]

STRING_COLUMNS = [
    "unique_id", "given_names", "given_key", "given_phon", "surname_1", "surname_2", "sur1_phon", "sur2_phon",
    "sursort_phon", "surnames", "birth_date", "sex", "curp", "rfc10", "phone", "address_norm", "addr_num", "alias",
    "given_x", "sur1_x", "name_sorted", "case_key", "causa",
]

MENTION_SQL = (
    "SELECT m.mention_id, m.source, m.role, m.given_names, m.surname_1, m.surname_2, m.alias, m.sex, "
    "m.birth_date, m.age, m.curp, m.rfc, m.phone, m.address_norm, m.alcaldia, m.is_legal_person, "
    "m.business_name, m.event_date, e.case_key_norm AS case_key, "
    "json_extract_string(e.attrs, '$.causa_norm') AS causa "
    "FROM person_mention m LEFT JOIN event e ON e.event_id = m.event_id")


def _s(v) -> str | None:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    s = str(v).strip()
    return s or None


def features(mentions: pd.DataFrame) -> pd.DataFrame:
    """Model features of natural-person mentions (columns of `MENTION_SQL`)."""
    out = pd.DataFrame({"unique_id": mentions["mention_id"].astype(str)})
    # names: map over distinct values (few) rather than rows (many)
    g = mentions["given_names"].map(_s).map(names.name_upper, na_action="ignore")
    uniq_g = pd.Series(g.dropna().unique())
    gk = dict(zip(uniq_g, uniq_g.map(names.given_key), strict=True))
    gt = dict(zip(uniq_g, uniq_g.map(lambda x: list(names.given_tokens(x))), strict=True))
    gp = dict(zip(uniq_g, uniq_g.map(names.phonetic), strict=True))
    out["given_names"] = g.values
    out["given_key"] = g.map(gk).values
    out["given_tokens"] = g.map(lambda x: gt.get(x) if isinstance(x, str) else None).values
    out["given_phon"] = g.map(gp).values
    s1 = mentions["surname_1"].map(_s).map(names.name_upper, na_action="ignore")
    s2 = mentions["surname_2"].map(_s).map(names.name_upper, na_action="ignore")
    lone2 = s1.isna() & s2.notna()
    s1 = s1.where(~lone2, s2)
    s2 = s2.where(~lone2, None)
    uniq_s = pd.Series(pd.concat([s1, s2]).dropna().unique())
    sp = dict(zip(uniq_s, uniq_s.map(names.phonetic), strict=True))
    out["surname_1"] = s1.values
    out["surname_2"] = s2.values
    out["sur1_phon"] = s1.map(sp).values
    out["sur2_phon"] = s2.map(sp).values
    out["sursort_phon"] = [" ".join(sorted(x for x in (a, b) if isinstance(x, str))) or None
                           for a, b in zip(out["sur1_phon"], out["sur2_phon"], strict=True)]
    out["surnames"] = [(a + " " + b) if isinstance(a, str) and isinstance(b, str) else a
                       for a, b in zip(out["surname_1"], out["surname_2"], strict=True)]
    # identifiers and dates
    curps = [parse_curp(c) for c in mentions["curp"].map(_s)]
    out["curp"] = mentions["curp"].map(_s).map(lambda c: c.upper().replace(" ", ""), na_action="ignore").values
    out["curp_valid"] = [c is not None for c in curps]
    bd = []
    yob = []
    lo: list = []
    hi: list = []
    sex = []
    for c, b, age, ev, sx in zip(curps, mentions["birth_date"], mentions["age"], mentions["event_date"],
                                 mentions["sex"], strict=True):
        b = _date(b)
        if b is None and c is not None:
            b = c.birth_date  # the CURP states the birth date
        bd.append(b.isoformat() if b else None)
        if b is not None:
            yob.append(b.year)
            lo.append(b)
            hi.append(b)
        else:
            e = _date(ev)
            a = _int(age)
            if e is not None and a is not None and 0 <= a < 110:
                # aged a at the event: born in (event - (a+1) years, event - a years]
                yob.append(e.year - a)
                lo.append(_years_before(e, a + 1) + timedelta(days=1))
                hi.append(_years_before(e, a))
            else:
                yob.append(None)
                lo.append(None)
                hi.append(None)
        s = _s(sx)
        s = s.upper()[:1] if s else None
        if s not in ("H", "M"):
            s = c.sex if c is not None and c.sex in ("H", "M") else None
        sex.append(s)
    out["birth_date"] = bd
    out["yob"] = pd.array(yob, dtype="Int64")
    out["birth_lo"] = pd.to_datetime(pd.Series(lo, dtype="object")).dt.date.values
    out["birth_hi"] = pd.to_datetime(pd.Series(hi, dtype="object")).dt.date.values
    out["sex"] = sex
    out["rfc10"] = mentions["rfc"].map(_s).map(rfc_key, na_action="ignore").values
    ph = mentions["phone"].map(_s).map(lambda p: "".join(ch for ch in p if ch.isdigit())[-10:] or None,
                                      na_action="ignore")
    out["phone"] = ph.values
    out["address_norm"] = mentions["address_norm"].map(_s).map(names.name_upper, na_action="ignore").values
    # the first number of the address (house number): with the birth date, a blocking key for records
    # whose names are too corrupted for the name keys
    out["addr_num"] = out["address_norm"].map(
        lambda a: next((t for t in a.split(" ") if t.isdigit()), None) if isinstance(a, str) else None).values
    # every name token whatever field it was written in (a whole name split at the wrong place, given
    # names and surnames swapped): the "full name" comparison and a blocking key
    toks = [names.name_tokens(a, b, c) for a, b, c in zip(out["given_names"], out["surname_1"],
                                                             out["surname_2"], strict=True)]
    out["name_tokens"] = [list(t) if t else None for t in toks]
    out["name_sorted"] = [" ".join(sorted(t)) if t else None for t in toks]
    out["alias"] = mentions["alias"].map(_s).map(names.name_upper, na_action="ignore").values
    # copies for the "fields mixed up" levels: a comparison that reads another comparison's column is
    # held fixed by Splink in the EM session blocked on that column, so neither name comparison would
    # ever be trained (the two EM sessions on names each froze both)
    out["given_x"] = out["given_names"]
    out["sur1_x"] = out["surname_1"]
    # the case file the record belongs to (carpeta; court case for the courts and the prisons): two
    # records of one case with agreeing names are the same person far more often than chance
    for col in ("case_key", "causa"):
        out[col] = (mentions[col].map(_s).values if col in mentions.columns else None)
    out["event_date"] = pd.to_datetime(mentions["event_date"], errors="coerce").dt.date.values
    for col in STRING_COLUMNS:  # typed, so an all-NULL column is still VARCHAR in DuckDB
        out[col] = out[col].astype("string")
    return out[FEATURE_COLUMNS]


def _date(v) -> date | None:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _int(v) -> int | None:
    try:
        if v is None or pd.isna(v):
            return None
        return int(v)
    except (TypeError, ValueError):
        return None


# -- comparisons -----------------------------------------------------------------------------------
_SIDE = re.compile(r"\b([lr])\.([a-z_0-9]+)")


def _lvl(sql: str, label: str, m: float | None = None, tf: str | None = None, null: bool = False,
         u: float | None = None, fixed: bool = False) -> dict:
    """A comparison level; `sql` is written with l./r. (as blocking rules are) and becomes col_l/col_r."""
    d: dict = {"sql_condition": _SIDE.sub(r"\2_\1", sql), "label_for_charts": label}
    if null:
        d["is_null_level"] = True
        return d
    if m is not None:
        d["m_probability"] = m
    if u is not None:  # a starting value, replaced by random sampling when the data have such pairs
        d["u_probability"] = u
    if fixed:  # neither EM nor random sampling moves this level
        d["fix_m_probability"] = True
        d["fix_u_probability"] = True
    if tf:
        d["tf_adjustment_column"] = tf
        d["tf_adjustment_weight"] = 1.0
        # the level's own u is the baseline of the adjustment (levels on derived keys have no
        # single-column exact level for Splink to find)
        d["disable_tf_exact_match_detection"] = True
    return d


def _cmp(name: str, description: str, levels: list[dict]) -> dict:
    return {"output_column_name": name, "comparison_description": description, "comparison_levels": levels}


def comparisons() -> list[dict]:
    """The comparisons of the person model (dialect: DuckDB)."""
    return [
        _cmp("given_names", "Given names (nicknames, compound names, phonetic)", [
            _lvl("l.given_key IS NULL OR r.given_key IS NULL", "null", null=True),
            _lvl("l.given_names = r.given_names", "exact given names", 0.75, tf="given_names"),
            _lvl("l.given_key = r.given_key", "same distinctive given name or nickname", 0.15, tf="given_key"),
            _lvl("len(list_intersect(l.given_tokens, r.given_tokens)) >= 1", "a given name in common", 0.04),
            _lvl("l.given_phon = r.given_phon OR jaro_winkler_similarity(l.given_names, r.given_names) >= 0.92",
                 "phonetic or typo", 0.04),
            _lvl("l.given_names = r.sur1_x OR r.given_names = l.sur1_x",
                 "given name written as the other's surname (fields mixed up)", 0.01),
            _lvl("ELSE", "different given names", 0.02),
        ]),
        _cmp("surnames", "Surname pair (swapped, one missing, phonetic)", [
            _lvl("l.surname_1 IS NULL OR r.surname_1 IS NULL", "null", null=True),
            _lvl("l.surname_1 = r.surname_1 AND l.surname_2 = r.surname_2", "both surnames exact", 0.70,
                 tf="surnames"),
            _lvl("l.surname_1 = r.surname_2 AND l.surname_2 = r.surname_1", "surnames swapped", 0.04),
            _lvl("(l.sur1_phon = r.sur1_phon AND l.sur2_phon = r.sur2_phon) OR "
                 "(l.sur1_phon = r.sur2_phon AND l.sur2_phon = r.sur1_phon)", "both surnames phonetic", 0.06),
            _lvl("(l.surname_2 IS NULL OR r.surname_2 IS NULL) AND (l.sur1_phon = r.sur1_phon OR "
                 "(l.surname_2 IS NULL AND l.sur1_phon = r.sur2_phon) OR "
                 "(r.surname_2 IS NULL AND r.sur1_phon = l.sur2_phon))", "one surname missing, other agrees",
                 0.12, tf="surname_1"),
            _lvl("jaro_winkler_similarity(l.surname_1, r.surname_1) >= 0.88 AND "
                 "jaro_winkler_similarity(l.surname_2, r.surname_2) >= 0.88", "both surnames similar", 0.04),
            _lvl("(l.surname_2 IS NULL OR r.surname_2 IS NULL) AND "
                 "jaro_winkler_similarity(l.surname_1, r.surname_1) >= 0.88", "one surname missing, other similar",
                 0.03),
            _lvl("l.surname_1 = r.given_x OR r.surname_1 = l.given_x",
                 "surname written as the other's given name (fields mixed up)", 0.01),
            _lvl("l.sur1_phon = r.sur1_phon", "first surname only", 0.02, tf="surname_1"),
            _lvl("ELSE", "different surnames", 0.02),
        ]),
        _cmp("full_name", "All name tokens, whatever field each was written in (only where the fields disagree)", [
            # where given names and first surname agree field by field, the two comparisons above judge
            # the name: weight 0 here, so that agreement is not counted twice
            _lvl("l.name_sorted IS NULL OR r.name_sorted IS NULL OR (l.given_key = r.given_key AND "
                 "(l.sur1_phon = r.sur1_phon OR l.sursort_phon = r.sursort_phon))",
                 "null, or fields agree (judged by the given-name and surname comparisons)", null=True),
            # fixed, modest weights (+6, +4, +3, +2, 0): trained by EM they reached +10 to +12 on the city,
            # counting the names' agreement a second time, and callers with common names were merged
            _lvl("l.name_sorted = r.name_sorted", "same name tokens, split into fields differently", 0.064,
                 u=0.001, fixed=True),
            _lvl("jaro_winkler_similarity(l.name_sorted, r.name_sorted) >= 0.92",
                 "name tokens nearly the same, split differently", 0.032, u=0.002, fixed=True),
            _lvl("len(list_intersect(l.name_tokens, r.name_tokens)) >= 2 AND len(list_intersect(l.name_tokens, "
                 "r.name_tokens)) = least(array_length(l.name_tokens), array_length(r.name_tokens))",
                 "every token of the shorter name in the other (at least two)", 0.024, u=0.003, fixed=True),
            _lvl("len(list_intersect(l.name_tokens, r.name_tokens)) >= 3", "three name tokens in common", 0.016,
                 u=0.004, fixed=True),
            _lvl("ELSE", "name tokens differ", 0.864, u=0.99, fixed=True),
        ]),
        _cmp("birth", "Birth date, or birth year from age at the event", [
            _lvl("l.yob IS NULL OR r.yob IS NULL", "null", null=True),
            _lvl("l.birth_date = r.birth_date", "same birth date", 0.6),
            _lvl("damerau_levenshtein(l.birth_date, r.birth_date) <= 1", "birth date one typo", 0.08),
            _lvl("(substr(l.birth_date, 1, 4) = substr(r.birth_date, 1, 4))::INT + (substr(l.birth_date, 6, 2) = "
                 "substr(r.birth_date, 6, 2))::INT + (substr(l.birth_date, 9, 2) = substr(r.birth_date, 9, 2))::INT "
                 ">= 2 OR (substr(l.birth_date, 1, 4) = substr(r.birth_date, 1, 4) AND substr(l.birth_date, 6, 2) = "
                 "substr(r.birth_date, 9, 2) AND substr(l.birth_date, 9, 2) = substr(r.birth_date, 6, 2))",
                 "two of year, month, day agree (or day and month swapped)", 0.04),
            _lvl("(l.birth_date IS NULL OR r.birth_date IS NULL) AND l.birth_lo <= r.birth_hi "
                 "AND r.birth_lo <= l.birth_hi", "ages at the events agree", 0.25),
            _lvl("(l.birth_date IS NULL OR r.birth_date IS NULL) AND abs(l.yob - r.yob) <= 1",
                 "birth year within 1 (from age)", 0.03),
            _lvl("(l.birth_date IS NULL OR r.birth_date IS NULL) AND abs(l.yob - r.yob) <= 3",
                 "birth year within 3 (from age)", 0.04),
            _lvl("ELSE", "incompatible birth", 0.03),
        ]),
        _cmp("curp", "CURP (validated: check digit, birth date, sex)", [
            _lvl("l.curp IS NULL OR r.curp IS NULL", "null", null=True),
            _lvl("l.curp = r.curp", "same CURP", 0.95, u=1e-6),
            _lvl("damerau_levenshtein(l.curp, r.curp) <= 2 AND NOT (l.curp_valid AND r.curp_valid)",
                 "CURP one or two typos (one of them invalid)", 0.04, u=1e-5),
            _lvl("ELSE", "different CURP", 0.01, u=1.0 - 1.1e-5),
        ]),
        _cmp("rfc", "RFC (first 10 characters)", [
            _lvl("l.rfc10 IS NULL OR r.rfc10 IS NULL", "null", null=True),
            _lvl("l.rfc10 = r.rfc10", "same RFC", 0.95, u=1e-5),
            _lvl("ELSE", "different RFC", 0.05, u=1.0 - 1e-5),
        ]),
        _cmp("phone", "Phone (10 digits)", [
            _lvl("l.phone IS NULL OR r.phone IS NULL", "null", null=True),
            _lvl("l.phone = r.phone", "same phone", 0.7, tf="phone"),
            _lvl("damerau_levenshtein(l.phone, r.phone) <= 1", "phone one typo", 0.05),
            _lvl("ELSE", "different phone", 0.3),
        ]),
        _cmp("address", "Home address", [
            _lvl("l.address_norm IS NULL OR r.address_norm IS NULL", "null", null=True),
            _lvl("l.address_norm = r.address_norm", "same address", 0.6, tf="address_norm"),
            _lvl("jaro_winkler_similarity(l.address_norm, r.address_norm) >= 0.9", "similar address", 0.1),
            _lvl("jaro_winkler_similarity(l.address_norm, r.address_norm) >= 0.8", "roughly similar address", 0.05),
            _lvl("ELSE", "different address", 0.3),
        ]),
        _cmp("alias", "Alias", [
            _lvl("l.alias IS NULL OR r.alias IS NULL", "null", null=True),
            _lvl("l.alias = r.alias", "same alias", 0.7, tf="alias", u=0.01),
            _lvl("ELSE", "different alias", 0.3, u=0.99),
        ]),
        _cmp("case", "Same case file (carpeta, or court case for courts and prisons)", [
            _lvl("(l.case_key IS NULL OR r.case_key IS NULL) AND (l.causa IS NULL OR r.causa IS NULL)", "null",
                 null=True),
            _lvl("l.case_key = r.case_key OR l.causa = r.causa", "same case file", 0.5, u=1e-4),
            _lvl("ELSE", "different case files", 0.5, u=1.0 - 1e-4),
        ]),
        _cmp("event", "Dates of the two records' events (a call and the carpeta it led to)", [
            _lvl("l.event_date IS NULL OR r.event_date IS NULL", "null", null=True),
            _lvl("l.event_date = r.event_date", "same day", 0.2, u=0.003),
            _lvl("abs(datediff('day', CAST(l.event_date AS DATE), CAST(r.event_date AS DATE))) <= 7", "within a week", 0.1, u=0.02),
            _lvl("ELSE", "further apart", 0.7, u=0.977),
        ]),
        _cmp("sex", "Sex", [
            _lvl("l.sex IS NULL OR r.sex IS NULL", "null", null=True),
            _lvl("l.sex = r.sex", "same sex", 0.98),
            _lvl("ELSE", "different sex", 0.02),
        ]),
    ]


# Candidate pairs: each rule is an equi-join on keys that a true pair shares even when the names are
# written differently; together they cover swapped and missing surnames, nicknames and typos.
BLOCKING_RULES = [
    "l.curp = r.curp",
    # Surname + given name alone makes blocks of thousands for HERNANDEZ + JOSE at city scale (146 M pairs
    # at scale 1.0): each name rule also needs the second surname or the year of birth (exact or from age).
    "l.sur1_phon = r.sur1_phon AND l.given_key = r.given_key AND l.sur2_phon = r.sur2_phon",
    "l.sur1_phon = r.sur1_phon AND l.given_key = r.given_key AND l.yob = r.yob",
    "l.sursort_phon = r.sursort_phon AND l.given_key = r.given_key",
    "l.sur1_phon = r.sur2_phon AND l.given_key = r.given_key AND l.yob = r.yob",
    "l.sur2_phon = r.sur1_phon AND l.given_key = r.given_key AND l.yob = r.yob",
    "l.given_key = r.given_key AND l.birth_date = r.birth_date",
    "l.sur1_phon = r.sur1_phon AND l.birth_date = r.birth_date",
    "l.phone = r.phone",
    "l.rfc10 = r.rfc10",
    "l.given_phon = r.sur1_phon AND l.sur1_phon = r.given_phon",
    "l.case_key = r.case_key",
    "l.causa = r.causa",
    # the name split into fields differently (a whole name cut at the wrong place, fields swapped)
    "l.name_sorted = r.name_sorted",
    # names too corrupted for the name keys: the birth date with one more key
    "l.given_phon = r.given_phon AND l.birth_date = r.birth_date",
    "l.birth_date = r.birth_date AND l.addr_num = r.addr_num",
]

# EM sessions: each blocks on exactly the columns one comparison compares (never on a derived key).
EM_RULES = [
    "l.surname_1 = r.surname_1 AND coalesce(l.surname_2, '') = coalesce(r.surname_2, '')",
    "l.given_names = r.given_names AND l.birth_date = r.birth_date",
    "l.curp = r.curp",
]

DETERMINISTIC_RULES = [
    "l.curp = r.curp",
    "l.given_names = r.given_names AND l.surname_1 = r.surname_1 "
    "AND coalesce(l.surname_2, '') = coalesce(r.surname_2, '') AND l.birth_date = r.birth_date",
]


def settings_dict(blocking_rules: list[str] | None = None, prior: float = 1e-5) -> dict:
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules or BLOCKING_RULES,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return creator.get_settings("duckdb").as_dict()


M_FLOOR = 1e-3
ELSE_M_FLOOR = 0.02


def estimate_prior(wh, table: str, n_records: int, recall: float = 0.7) -> float:
    """λ = pairs found by the deterministic rules / recall / all pairs, clamped to [1e-9, 0.5].

    Computed here rather than by Splink so that a rule on a column that is NULL everywhere (no CURP in
    FEBRL) simply finds nothing, and so that the value is always a usable probability.
    """
    from ..warehouse import ident

    t = ident(table)
    n = int(wh.scalar(
        f"SELECT count(*) FROM {t} l JOIN {t} r ON l.curp = r.curp AND l.unique_id < r.unique_id") or 0)
    n += int(wh.scalar(
        f"SELECT count(*) FROM {t} l JOIN {t} r ON l.given_names = r.given_names AND l.surname_1 = r.surname_1 "
        f"AND coalesce(l.surname_2, '') = coalesce(r.surname_2, '') AND l.birth_date = r.birth_date "
        f"AND l.unique_id < r.unique_id AND coalesce(l.curp, '') <> coalesce(r.curp, '-')") or 0)
    total = max(1, n_records * (n_records - 1) // 2)
    lam = (n / recall) / total if n else 1.0 / max(2, n_records)
    return float(min(0.5, max(1e-9, lam)))


# EM's sessions grow with the square of the records: at scale 1.0 the session blocked on the surname pair
# alone holds 257 M pairs (7,537 mentions are HERNÁNDEZ with no second surname) and took most of the run.
# m probabilities are proportions among matching pairs, which a random sample of records keeps (a pair
# is in it with probability f², match or not), so training reads at most this many records.
TRAIN_MAX_RECORDS = 200_000
TRAIN_TABLE = "person_link_train"


def training_table(wh, table: str, n_records: int, max_records: int | None = None) -> tuple[str, int, str | None]:
    """(table to train on, its records, a note). The whole table when small enough, else a repeatable
    sample (a hash of `unique_id`, so the same data give the same sample) in `TRAIN_TABLE`."""
    from ..warehouse import ident

    cap = max_records or int(os.environ.get("TRACEABILITY_TRAIN_RECORDS", TRAIN_MAX_RECORDS))
    if n_records <= cap:
        return table, n_records, None
    per_million = int(1_000_000 * cap / n_records)
    wh.execute(f"CREATE OR REPLACE TABLE {TRAIN_TABLE} AS SELECT * FROM {ident(table)} "
               f"WHERE hash(unique_id) % 1000000 < {per_million}")
    n = int(wh.scalar(f"SELECT count(*) FROM {TRAIN_TABLE}"))
    return TRAIN_TABLE, n, f"trained on a sample of {n:,} of {n_records:,} records ({n / n_records:.0%})"


@contextmanager
def _em_underflow_clamped():
    """While EM runs, an m that underflows to exactly 0.0 (a level seen only among non-matches of a
    session, e.g. given names "phonetic or typo" among pairs with the same surnames) is set to 1e-12
    instead of failing the whole session (Splink 5 raises ValueError below 1e-300). `train` floors such
    m values at `M_FLOOR` afterwards. The patch is undone on exit."""
    from splink.internals import comparison_level as cl

    prop = cl.ComparisonLevel.m_probability
    setter = prop.fset

    def clamped(self, value):
        if isinstance(value, float) and value < 1e-300:
            value = 1e-12
        setter(self, value)

    cl.ComparisonLevel.m_probability = prop.setter(clamped)
    try:
        yield
    finally:
        cl.ComparisonLevel.m_probability = prop


def train(linker, n_records: int, prior: float, seed: int = 42) -> list[str]:
    """Set λ, estimate u (random sampling) and m (EM per session); returns notes on what was estimated."""
    notes: list[str] = [f"prior {prior:.3g} from deterministic rules (recall 0.7)"]
    linker._settings_obj._probability_two_random_records_match = prior
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, max(1e4, n_records * 20.0)), seed=seed)
    notes.append("u by random sampling")
    for rule in EM_RULES:
        try:
            with _em_underflow_clamped():
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True)
            notes.append(f"EM blocked on {rule}")
        except Exception as e:
            notes.append(f"EM skipped on {rule} ({type(e).__name__})")
            log.debug("EM skipped on %s", rule, exc_info=True)
    # a level EM never saw among matches (no birth-date typos in this extract) must not become
    # near-impossible evidence: floor m at 1e-3 for every level short of the ELSE level
    for comp in linker._settings_obj.comparisons:
        for lvl in comp.comparison_levels:
            if lvl.is_null_level or lvl._is_else_level:
                continue
            if lvl.m_probability is not None and lvl.m_probability < M_FLOOR:
                lvl.m_probability = M_FLOOR
    # nor may a disagreement become a veto: EM among blocked pairs that always agree (the same address
    # in every record of a person, no sex errors) drives the ELSE level's m towards 0 and its weight to
    # -100 or below, so a moved person or one mistyped field would outweigh everything else
    for comp in linker._settings_obj.comparisons:
        for lvl in comp.comparison_levels:
            if lvl._is_else_level and lvl.m_probability is not None and lvl.m_probability < ELSE_M_FLOOR:
                lvl.m_probability = ELSE_M_FLOOR
    # EM sessions move λ towards their blocked subsets' match rate: keep the direct estimate
    linker._settings_obj._probability_two_random_records_match = prior
    return notes


def fit(wh, table: str, n_records: int, settings: dict, linker_for) -> tuple[object, list[str]]:
    """Train the model for `table` and return (a linker over all of `table` holding the trained model, notes).

    `linker_for(table_name, settings)` builds a linker on the engine at hand; training runs on
    `training_table`'s sample when the table is large, and the trained parameters are then carried over to
    a linker on the whole table (the term-frequency tables of prediction are always the whole table's).
    """
    prior = estimate_prior(wh, table, n_records)
    ttable, n_train, note = training_table(wh, table, n_records)
    if ttable == table:
        linker = linker_for(table, settings)
        return linker, train(linker, n_records, prior)
    try:
        sample = linker_for(ttable, settings)
        notes = [note] + train(sample, n_train, prior)
        trained = json.loads(model_json(sample))
    finally:
        wh.execute(f"DROP TABLE IF EXISTS {TRAIN_TABLE}")
    trained.pop("linker_uid", None)
    return linker_for(table, trained), notes


def model_json(linker) -> str:
    return json.dumps(linker.misc.save_model_to_json(overwrite=True), default=str)
