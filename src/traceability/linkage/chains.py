"""Case chains: 911 call → detention → carpeta → court case → prison admission (→ release).

`build_chains(wh)` rebuilds the table `case_link`, one row per edge of a chain:

| kind | from → to | how |
|---|---|---|
| `call_detention` | call_911 → detention | the detention's `attrs.folio_c5` is the call's folio (`key`) |
| `detention_carpeta` | detention → carpeta | `case_key_norm` equal (`key`), else same numeric core (`key_fuzzy`) |
| `accused_carpeta` | accused_record → carpeta | as above |
| `carpeta_causa` | carpeta → court_case | as above (one edge per defendant row of the causa) |
| `causa_admission` | court_case → prison_admission | `attrs.causa_norm` equal and the same person (`key`); a causa
  number equal in its core (number and year) and the same person (`key_fuzzy`) |
| `call_carpeta` | call_911 → carpeta | through the detention's folio when it has one (`key`), else by time, place
  and crime type (`probabilistic`) |

The carpeta of a chain is its first `carpeta_crime` event (earliest `occurred_at`, then `event_id`) among
those sharing the `case_key_norm`. The release is not an edge: it is the admission's `attrs.fecha_egreso`.

Fuzzy keys
----------
Agencies copy a carpeta number (``CI-FIAO/AO-4/UI-1 S/D/01234/08-2024``) with spaces, dashes, missing
prefixes or other zero padding. When the normalized keys differ, `carpeta_core` keeps the consecutive
number (as an integer), the month and the year (the last three digit groups), and the agency codes (letter
groups such as ``FIAO``, ``AO``). Two keys match fuzzily when number and year agree, the months agree when
both are written, and the agency codes are compatible (one contains the other) when both are written. A
fuzzy match with k candidate carpetas gets confidence 0.9 / k and is kept only for the candidate nearest in
time (and within 400 days).

Probabilistic 911 → carpeta
---------------------------
Where no key exists, a carpeta (with a point or an alcaldía, and a time) is compared with the calls made
between 2 hours before and 72 hours after its `occurred_at` (and not after its `reported_at` + 1 day),
within about 2 km. Each comparison adds a log-odds weight, in the manner of Fellegi & Sunter (1969)
with hand-set levels (the weights are `CALL_WEIGHTS`, data, not code):

* time from the crime to the call: ≤ 1 h, ≤ 6 h, ≤ 24 h, more, or call before the crime by over an hour;
* distance: ≤ 100 m, ≤ 300 m, ≤ 1 km, ≤ 2 km; no point but same alcaldía; other alcaldía;
* crime type: same `crime_group`; compatible (both robberies; both violence against persons); the call's
  type is not a crime or unknown; incompatible.

The probability is the logistic of the prior log-odds plus the weights. Because a carpeta competes with
the other carpetas near that call (and a call with other calls), the confidence is p × p / Σp over the
pairs sharing the call or the carpeta. Pairs are then taken one-to-one, highest confidence first, when
confidence ≥ ``min_confidence`` (default 0.5). The evidence string lists the time gap, the distance and
the crime groups compared.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np
import pandas as pd

# Fallback when taxonomy/ is not installed: the fine codes whose group is not the code itself.
_GROUP_OF = {
    "FEMINICIDIO_TENTATIVA": "FEMINICIDIO", "LESIONES_ARMA_FUEGO": "LESIONES_DOLOSAS",
    "ACOSO_SEXUAL": "ABUSO_SEXUAL", "OTROS_SEXUALES": "ABUSO_SEXUAL",
    "ROBO_AUTOPARTES": "ROBO_VEHICULO", "ROBO_TRANSPORTE_PUBLICO": "ROBO_TRANSPORTE",
    "ROBO_TRANSPORTISTA": "ROBO_TRANSPORTE", "ROBO_REPARTIDOR": "ROBO_TRANSPORTE", "ABUSO_CONFIANZA": "FRAUDE",
    "PORTACION_ARMA": "ARMAS", "HECHO_NO_DELICTIVO": "NO_DELITO", "ACCIDENTE": "NO_DELITO",
    "EMERGENCIA_MEDICA": "NO_DELITO", "SERVICIO": "NO_DELITO", "FALSA_ALARMA": "NO_DELITO",
}
_VIOLENT = {"HOMICIDIO_DOLOSO", "FEMINICIDIO", "LESIONES_DOLOSAS", "VIOLACION", "ABUSO_SEXUAL",
            "VIOLENCIA_FAMILIAR", "SECUESTRO", "PRIVACION_LIBERTAD", "TRATA", "AMENAZAS", "EXTORSION"}

CALL_WEIGHTS = {
    "prior": -3.0,
    "time": [(-1.0, 1.0, 3.5), (1.0, 6.0, 1.0), (6.0, 24.0, -1.0), (24.0, 1e9, -2.5)],  # hours, [lo, hi)
    "time_before": -3.0,
    "dist": [(0, 100, 4.0), (100, 300, 2.0), (300, 1000, 0.0), (1000, 1e9, -2.0)],  # metres
    "same_alcaldia_no_point": 0.0,
    "other_alcaldia": -4.0,
    "crime_same": 2.5,
    "crime_compatible": 0.5,
    "crime_unknown": -0.5,
    "crime_incompatible": -3.0,
}


def crime_group(code) -> str | None:
    """The canonical crime group of a code (taxonomy when available)."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    try:
        from ..taxonomy import crime_group as tax_group

        g = tax_group(code)
        if g:
            return g
    except (ImportError, AttributeError, KeyError, ValueError):
        pass
    code = str(code)
    if code in _GROUP_OF:
        return _GROUP_OF[code]
    return re.sub(r"_(CV|SV)$", "", code)


def crime_compat(a: str | None, b: str | None) -> str:
    """same | compatible | unknown | incompatible, for two crime groups."""
    if not a or not b or a in ("NO_DELITO", "OTROS_DELITOS") or b in ("NO_DELITO", "OTROS_DELITOS"):
        return "unknown"
    if a == b:
        return "same"
    if (a.startswith("ROBO") and b.startswith("ROBO")) or (a in _VIOLENT and b in _VIOLENT):
        return "compatible"
    return "incompatible"


# -- keys -----------------------------------------------------------------------------------------------
_GENERIC = {"CI", "UI", "S", "D", "SD", "CARPETA", "C", "I", "FI", "CDMX", "NO", "DE"}


def carpeta_core(key) -> tuple | None:
    """(number, month or None, year, agency codes) of a carpeta number, or None when it has none.

    >>> carpeta_core("CI-FIAO/AO-4/UI-1 S/D/01234/08-2024")[:3]
    (1234, 8, 2024)
    """
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return None
    s = str(key).upper()
    groups = re.findall(r"\d+", s)
    if len(groups) < 2:
        return None

    def is_year(t: str) -> bool:
        return len(t) == 4 and 1900 <= int(t) <= 2100

    def is_month(t: str) -> bool:
        return len(t) <= 2 and 1 <= int(t) <= 12

    month = None
    if len(groups) >= 3 and is_year(groups[-2]) and is_month(groups[-1]):  # canonical .../number/yyyy-mm
        seq, year, month = groups[-3], groups[-2], int(groups[-1])
    else:
        year = groups[-1]
        if len(year) == 2:
            year = "20" + year
        if not is_year(year):
            return None
        if len(groups) >= 3 and is_month(groups[-2]):
            month, seq = int(groups[-2]), groups[-3]
        else:
            seq = groups[-2]
    letters = frozenset(t for t in re.findall(r"[A-Z]+", s) if len(t) >= 2 and t not in _GENERIC)
    return int(seq), month, int(year), letters


def causa_core(key) -> tuple | None:
    """(number, year) of a court case number such as ``123/2024`` or ``0123-24``."""
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return None
    groups = re.findall(r"\d+", str(key))
    if len(groups) < 2:
        return None
    year = groups[-1]
    if len(year) == 2:
        year = "20" + year
    if len(year) != 4:
        return None
    return int(groups[-2]), int(year)


def cores_compatible(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[2] != b[2]:
        return False
    if a[1] is not None and b[1] is not None and a[1] != b[1]:
        return False
    la, lb = a[3], b[3]
    if la and lb and not any(x in y or y in x for x in la for y in lb):
        return False
    return True


def _norm_folio(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = re.sub(r"\s+", "", str(v)).upper()
    return s or None


# -- inputs ---------------------------------------------------------------------------------------------
def _events(wh) -> pd.DataFrame:
    return wh.df(
        "SELECT event_id, kind, source, source_key, occurred_at, reported_at, crime, lat, lon, alcaldia, "
        "case_key, case_key_norm, "
        "json_extract_string(attrs, '$.folio_c5') AS folio_c5, "
        "json_extract_string(attrs, '$.folio') AS folio, "
        "json_extract_string(attrs, '$.causa_norm') AS causa_norm, "
        "json_extract_string(attrs, '$.causa_penal') AS causa_penal "
        "FROM event WHERE kind IN ('detention', 'carpeta_crime', 'accused_record', "
        "'court_case', 'prison_admission')")  # calls: `_call_detention_links`, `_call_carpeta_candidates`


def _carpeta_nodes(ev: pd.DataFrame) -> pd.DataFrame:
    c = ev[(ev["kind"] == "carpeta_crime")]
    keyed = c[c["case_key_norm"].notna()].sort_values(["case_key_norm", "occurred_at", "event_id"],
                                                       na_position="last")
    first = keyed.drop_duplicates("case_key_norm")
    keyless = c[c["case_key_norm"].isna()]
    return pd.concat([first, keyless], ignore_index=True)


def _link(rows: list, frm, to, kind, method, conf, evidence) -> None:
    rows.append((frm, to, kind, method, float(round(conf, 4)), evidence))


def _key_links(ev: pd.DataFrame, nodes: pd.DataFrame, kind_from: str, link_kind: str,
               reverse: bool, rows: list) -> dict:
    """Link records of `kind_from` to carpeta nodes by key, else fuzzy key. Returns counts."""
    keyed = nodes[nodes["case_key_norm"].notna()]
    by_key = dict(zip(keyed["case_key_norm"], keyed["event_id"], strict=True))
    occ = dict(zip(keyed["event_id"], keyed["occurred_at"], strict=True))
    core_index: dict[tuple, list] = defaultdict(list)
    for k, eid in by_key.items():
        core = carpeta_core(k)
        if core:
            core_index[(core[0], core[2])].append((core, eid))
    recs = ev[ev["kind"] == kind_from]
    n_key = n_fuzzy = 0
    for r in recs.itertuples(index=False):
        target = by_key.get(r.case_key_norm) if r.case_key_norm is not None else None
        if target:
            a, b = (target, r.event_id) if reverse else (r.event_id, target)
            _link(rows, a, b, link_kind, "key", 1.0, f"case_key_norm {r.case_key_norm}")
            n_key += 1
            continue
        core = None
        for raw in (r.case_key_norm, r.case_key):
            core = carpeta_core(raw)
            if core:
                break
        if not core:
            continue
        cands = [(c, eid) for c, eid in core_index.get((core[0], core[2]), []) if cores_compatible(core, c)]
        if not cands:
            continue
        t = r.occurred_at

        def gap(eid, t=t):
            o = occ.get(eid)
            if o is None or pd.isna(o) or t is None or pd.isna(t):
                return 0.0
            return abs((pd.Timestamp(t) - pd.Timestamp(o)).total_seconds()) / 86400

        best = min(cands, key=lambda c: (gap(c[1]), c[1]))
        if gap(best[1]) > 400:
            continue
        conf = 0.9 / len(cands)
        a, b = (best[1], r.event_id) if reverse else (r.event_id, best[1])
        _link(rows, a, b, link_kind, "key_fuzzy", conf,
              f"numeric core {core[0]}/{core[1] or '-'}/{core[2]} of {r.case_key_norm or r.case_key}; "
              f"{len(cands)} candidate(s)")
        n_fuzzy += 1
    return {"key": n_key, "key_fuzzy": n_fuzzy}


def _person_frame(wh, roles: tuple[str, ...]) -> pd.DataFrame:
    has_pm = bool(wh.scalar("SELECT count(*) FROM person_membership"))
    pm_join = "LEFT JOIN person_membership pm ON pm.mention_id = m.mention_id" if has_pm else ""
    pm_col = "pm.person_id" if has_pm else "NULL AS person_id"
    r = ", ".join(f"'{x}'" for x in roles)
    return wh.df(
        f"SELECT m.event_id, {pm_col}, concat_ws(' ', m.given_names, m.surname_1, m.surname_2) AS name, "
        f"m.birth_date FROM person_mention m {pm_join} WHERE m.role IN ({r}) ORDER BY m.mention_id")


def _same_person(a: dict, b: dict) -> tuple[float, str]:
    """(score in [0, 1], reason) that two mentions are the same person."""
    if a.get("person_id") and b.get("person_id"):
        if a["person_id"] == b["person_id"]:
            return 1.0, "same person"
    na, nb = a.get("name") or "", b.get("name") or ""
    if not na.strip() or not nb.strip():
        return 0.5, "no names"
    from rapidfuzz import fuzz

    s = fuzz.token_set_ratio(na, nb) / 100
    da, db = a.get("birth_date"), b.get("birth_date")
    if da is not None and db is not None and not pd.isna(da) and not pd.isna(db):
        if pd.Timestamp(da) != pd.Timestamp(db):
            s *= 0.5
        else:
            s = min(1.0, s + 0.05)
    return s, f"name similarity {s:.2f}"


def _causa_links(wh, ev: pd.DataFrame, rows: list) -> dict:
    court = ev[ev["kind"] == "court_case"].copy()
    prison = ev[ev["kind"] == "prison_admission"].copy()
    if court.empty or prison.empty:
        return {"key": 0, "key_fuzzy": 0}
    people = _person_frame(wh, ("defendant", "inmate"))
    pinfo = {r["event_id"]: r for r in people.drop_duplicates("event_id").to_dict("records")}
    for df in (court, prison):
        df["causa"] = df["causa_norm"].where(df["causa_norm"].notna(), df["causa_penal"])
        df["core"] = df["causa"].map(causa_core)
    by_causa = defaultdict(list)
    by_core = defaultdict(list)
    for r in court.itertuples(index=False):
        if r.causa:
            by_causa[r.causa].append(r)
        if r.core:
            by_core[r.core].append(r)
    n_key = n_fuzzy = 0
    for r in prison.itertuples(index=False):
        me = pinfo.get(r.event_id, {})
        method, cands = "key", by_causa.get(r.causa, []) if r.causa else []
        if not cands and r.core:
            method, cands = "key_fuzzy", by_core.get(r.core, [])
        if not cands:
            continue
        scored = []
        for c in cands:
            s, why = _same_person(me, pinfo.get(c.event_id, {}))
            scored.append((s, why, c))
        scored.sort(key=lambda x: (-x[0], x[2].event_id))
        s, why, c = scored[0]
        if len(cands) > 1 and s < 0.85:
            continue
        if s < 0.5:
            continue
        conf = s if method == "key" else 0.9 * s
        if len(cands) == 1 and why == "no names":
            conf = 0.8 if method == "key" else 0.6
        _link(rows, c.event_id, r.event_id, "causa_admission", method, conf,
              f"causa {r.causa} ({method}); {why}")
        if method == "key":
            n_key += 1
        else:
            n_fuzzy += 1
    return {"key": n_key, "key_fuzzy": n_fuzzy}


_NORM = "upper(regexp_replace({}, '\\s+', '', 'g'))"  # `_norm_folio` in SQL

# In SQL, because the 911 calls are the largest table (1.5 M at scale 1.0): only the calls whose folio a
# detention cites are read into Python. Several calls with one folio: the smallest event_id.
_CALL_DETENTION_SQL = f"""
WITH det AS (
    SELECT event_id, {_NORM.format("json_extract_string(attrs, '$.folio_c5')")} AS nf
    FROM event WHERE kind = 'detention'),
cited AS (SELECT DISTINCT nf FROM det WHERE nf <> ''),
call_folio AS (
    SELECT event_id, {_NORM.format("source_key")} AS nf FROM event WHERE kind = 'call_911'
    UNION ALL
    SELECT event_id, {_NORM.format("json_extract_string(attrs, '$.folio')")} FROM event WHERE kind = 'call_911'
    UNION ALL
    SELECT event_id, {_NORM.format("case_key")} FROM event WHERE kind = 'call_911'),
first_call AS (
    SELECT nf, min(event_id) AS call_id FROM call_folio WHERE nf IN (SELECT nf FROM cited) GROUP BY nf)
SELECT d.event_id AS detention_id, f.call_id, d.nf FROM det d JOIN first_call f USING (nf)
ORDER BY d.event_id
"""


def _call_detention_links(wh, rows: list) -> dict[str, str]:
    det_call = {}
    for det, call, nf in wh.query(_CALL_DETENTION_SQL):
        _link(rows, call, det, "call_detention", "key", 1.0, f"folio_c5 {nf}")
        det_call[det] = call
    return det_call


# -- probabilistic 911 → carpeta -----------------------------------------------------------------------
def _band(value: float, bands) -> float:
    for lo, hi, w in bands:
        if lo <= value < hi:
            return w
    return bands[-1][2]


def call_pair_weight(dt_hours: float | None, dist_m: float | None, same_alcaldia: bool | None,
                     compat: str, weights: dict = CALL_WEIGHTS) -> float:
    """Log-odds of one call–carpeta pair (prior included)."""
    w = weights["prior"]
    if dt_hours is None or (isinstance(dt_hours, float) and math.isnan(dt_hours)):
        w += 0.0
    elif dt_hours < -1.0:
        w += weights["time_before"]
    else:
        w += _band(dt_hours, weights["time"])
    if dist_m is not None and not (isinstance(dist_m, float) and math.isnan(dist_m)):
        w += _band(dist_m, weights["dist"])
    elif same_alcaldia is True:
        w += weights["same_alcaldia_no_point"]
    elif same_alcaldia is False:
        w += weights["other_alcaldia"]
    w += weights[f"crime_{compat}"]
    return w


def _call_carpeta_candidates(wh, max_km: float = 2.0) -> pd.DataFrame:
    """Candidate (call, carpeta) pairs: the call from 2 h before to 72 h after the crime (and not after the
    carpeta was opened), within `max_km` (a lat/lon box) or, without a point, in the same alcaldía.

    A plain range join over time is billions of comparisons at city scale (1.5 M calls × 200 k carpetas),
    so both sides are bucketed first — 2 km grid cells and days — and joined on equal buckets, each carpeta
    spread over its 3 × 3 neighbouring cells and the days its window touches; the exact conditions are then
    checked on the few pairs that share a bucket.
    """
    deg = max_km / 111.0
    # medical emergencies, accidents and services (crime group NO_DELITO) never become carpetas: four in five
    # 911 incidents, left out before pairing
    not_crime = ("AND crime NOT IN (SELECT code FROM crime_code WHERE crime_group = 'NO_DELITO')"
                 if wh.table_exists("crime_code") else "")
    pair_sql = (
        "SELECT c.event_id AS call_id, k.event_id AS carpeta_id, "
        "  date_diff('second', k.occurred_at, c.occurred_at) / 3600.0 AS dt_hours, "
        "  CASE WHEN c.lat IS NOT NULL AND k.lat IS NOT NULL THEN "
        "    6371000 * 2 * asin(sqrt(pow(sin(radians(k.lat - c.lat) / 2), 2) + cos(radians(c.lat)) * "
        "    cos(radians(k.lat)) * pow(sin(radians(k.lon - c.lon) / 2), 2))) END AS dist_m, "
        "  CASE WHEN c.alcaldia IS NULL OR k.alcaldia IS NULL THEN NULL ELSE c.alcaldia = k.alcaldia END "
        "    AS same_alcaldia, c.crime AS call_crime, k.crime AS carpeta_crime ")
    window = ("c.occurred_at >= k.occurred_at - INTERVAL 2 HOUR AND c.occurred_at <= k.occurred_at + INTERVAL 72 HOUR "
              "AND (k.reported_at IS NULL OR c.occurred_at <= k.reported_at + INTERVAL 1 DAY)")
    return wh.df(
        "WITH k AS (SELECT * FROM (SELECT e.*, row_number() OVER (PARTITION BY coalesce(case_key_norm, event_id) "
        "  ORDER BY occurred_at NULLS LAST, event_id) AS rn FROM event e WHERE kind = 'carpeta_crime' "
        "  AND occurred_at IS NOT NULL) WHERE rn = 1), "
        "c AS (SELECT event_id, occurred_at, lat, lon, alcaldia, crime, "
        "  CAST(floor(lat / ?) AS BIGINT) AS gy, CAST(floor(lon / ?) AS BIGINT) AS gx, "
        "  CAST(occurred_at AS DATE) AS day FROM event WHERE kind = 'call_911' AND occurred_at IS NOT NULL "
        f"  {not_crime}), "
        "kd AS (SELECT k.*, CAST(k.occurred_at AS DATE) + CAST(d AS INTEGER) AS day FROM k, range(-1, 5) t(d)), "
        "kb AS (SELECT kd.*, CAST(floor(kd.lat / ?) AS BIGINT) + dy AS gy, CAST(floor(kd.lon / ?) AS BIGINT) + dx AS gx "
        "  FROM kd, range(-1, 2) a(dy), range(-1, 2) b(dx) WHERE kd.lat IS NOT NULL) "
        f"{pair_sql} FROM c JOIN kb k ON c.gy = k.gy AND c.gx = k.gx AND c.day = k.day "
        f"WHERE {window} AND abs(c.lat - k.lat) <= ? AND abs(c.lon - k.lon) <= ? "
        "UNION ALL "
        f"{pair_sql} FROM c JOIN kd k ON c.alcaldia = k.alcaldia AND c.day = k.day "
        f"WHERE {window} AND (c.lat IS NULL OR k.lat IS NULL)",
        [deg, deg, deg, deg, deg, deg])


def score_call_pairs(cand: pd.DataFrame, weights: dict = CALL_WEIGHTS) -> pd.DataFrame:
    """Add `p` (pair probability) and `confidence` (p shared among competing pairs) to candidates."""
    if cand.empty:
        return cand.assign(p=[], confidence=[], compat=[])
    groups = {c: crime_group(c) for c in pd.unique(pd.concat([cand["call_crime"], cand["carpeta_crime"]]))
              if c is not None and not (isinstance(c, float) and math.isnan(c))}
    cg = cand["call_crime"].map(groups)
    kg = cand["carpeta_crime"].map(groups)
    compat = [crime_compat(a if isinstance(a, str) else None, b if isinstance(b, str) else None)
              for a, b in zip(cg, kg, strict=True)]
    cand = cand.assign(call_group=cg, carpeta_group=kg, compat=compat)
    w = [call_pair_weight(dt, None if pd.isna(d) else float(d), None if pd.isna(sa) else bool(sa), cp, weights)
         for dt, d, sa, cp in zip(cand["dt_hours"], cand["dist_m"], cand["same_alcaldia"], compat, strict=True)]
    p = 1.0 / (1.0 + np.exp(-np.asarray(w, dtype=float)))
    cand = cand.assign(p=p)
    s_call = cand.groupby("call_id")["p"].transform("sum")
    s_carp = cand.groupby("carpeta_id")["p"].transform("sum")
    cand["confidence"] = cand["p"] * cand["p"] / (s_call + s_carp - cand["p"])
    return cand


def _probabilistic_call_links(wh, rows: list, linked_calls: set, linked_carpetas: set,
                              min_confidence: float) -> int:
    cand = _call_carpeta_candidates(wh)
    if cand.empty:
        return 0
    cand = cand[~cand["call_id"].isin(linked_calls) & ~cand["carpeta_id"].isin(linked_carpetas)]
    cand = score_call_pairs(cand)
    cand = cand[cand["confidence"] >= min_confidence].sort_values(["confidence", "call_id", "carpeta_id"],
                                                                  ascending=[False, True, True])
    used_call, used_carp = set(linked_calls), set(linked_carpetas)
    n = 0
    for r in cand.itertuples(index=False):
        if r.call_id in used_call or r.carpeta_id in used_carp:
            continue
        used_call.add(r.call_id)
        used_carp.add(r.carpeta_id)
        dist = "no point" if pd.isna(r.dist_m) else f"d={r.dist_m:.0f} m"
        _link(rows, r.call_id, r.carpeta_id, "call_carpeta", "probabilistic", r.confidence,
              f"dt={r.dt_hours:+.1f} h; {dist}; crime {r.call_group or '?'}~{r.carpeta_group or '?'} "
              f"({r.compat}); p={r.p:.3f}")
        n += 1
    return n


# -- entry point ----------------------------------------------------------------------------------------
def build_chains(wh, progress=None, min_confidence: float = 0.5) -> dict:
    """Rebuild `case_link` (see the module docstring). Returns the number of links per kind and method."""
    ev = _events(wh)
    rows: list[tuple] = []
    if progress:
        progress(0, description="chains: keys")
    nodes = _carpeta_nodes(ev)
    det_call = _call_detention_links(wh, rows)
    _key_links(ev, nodes, "detention", "detention_carpeta", False, rows)
    _key_links(ev, nodes, "accused_record", "accused_carpeta", False, rows)
    _key_links(ev, nodes, "court_case", "carpeta_causa", True, rows)
    _causa_links(wh, ev, rows)
    # a call that led to a detention on a carpeta is that carpeta's call
    linked_calls, linked_carpetas = set(), set()
    det_carp = [(r[0], r[1], r[4], r[3]) for r in rows if r[2] == "detention_carpeta"]
    for det, carp, conf, method in sorted(det_carp):
        call = det_call.get(det)
        if call and call not in linked_calls and carp not in linked_carpetas:
            _link(rows, call, carp, "call_carpeta", "key" if method == "key" else "key_fuzzy", conf,
                  f"via detention {det} (folio_c5)")
            linked_calls.add(call)
            linked_carpetas.add(carp)
    if progress:
        progress(0, description="chains: 911 calls to carpetas")
    _probabilistic_call_links(wh, rows, linked_calls, linked_carpetas, min_confidence)

    links = pd.DataFrame(rows, columns=["from_event", "to_event", "kind", "method", "confidence", "evidence"])
    links = links.drop_duplicates(["from_event", "to_event", "kind"])
    wh.execute("BEGIN TRANSACTION")
    try:
        wh.execute("DELETE FROM case_link")
        if len(links):
            wh.insert_frame("case_link", links)
        wh.execute("COMMIT")
    except Exception:
        wh.execute("ROLLBACK")
        raise
    summary: dict = {"links": int(len(links))}
    for (kind, method), n in links.groupby(["kind", "method"]).size().items():
        summary[f"{kind}.{method}"] = int(n)
    return summary
