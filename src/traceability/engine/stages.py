"""The heavy stages, each defined ONCE as DuckDB-dialect SQL and run on any engine (DuckDB or Spark).

A stage reads tables of the Parquet exchange (`exchange.py`: the warehouse tables it names in ``inputs``),
runs its steps in order (each step becomes a view/temporary table named by the step), and writes the
tables named in ``outputs``. Parameters are numbers chosen by code or checked here, formatted into the
SQL text; nothing a user typed is pasted into SQL.

Stages and what they compute (each figure equals the DuckDB/pandas path of the module named):

``repeat_victimization`` (analysis/victimization.py)
    Crimes against targets (one per target, crime group and case, dated at the earliest; ``match='same'``;
    NO_DELITO left out), the gap to the previous crime of the same group against the same target (a
    window function), and per target kind and crime group: victims, repeat victims, crimes, repeat crimes
    (gap ≤ ``window_days``), and the pairs of crimes of one target and group at most ``window_days`` apart
    (a self-join).
``near_repeat`` (analysis/near_repeat.py, Knox observed counts)
    Pairs of events within the largest distance band and the largest time band, found by a grid-bucket
    self-join: each event falls in a cell of (largest distance)² metres × (largest time) days, and is
    joined with the 27 neighbouring cells; pairs are then counted per (distance band, time band), bands
    half-open ``[a, b)`` exactly as ``KnoxTest``.
``associations`` (linkage/associations.py: co_accused, co_detained, shared_address, shared_phone)
    Persons sharing a carpeta as accused, a detention event (carpeta or C5 folio, same day), a usable
    address or a phone (keys shared by more than ``max_shared`` persons left out), collapsed to one edge
    per node pair and kind with first/last date, occasions (n), evidence (event ids) and sensitivity.
``chain_keys`` (linkage/chains.py, the exact-key links)
    The carpeta node of each key (earliest ``occurred_at``, then ``event_id``); detention → carpeta,
    accused record → carpeta, carpeta → court case by ``case_key_norm``; 911 call → detention by the
    normalized C5 folio.

Person linkage on Spark is `persons.py` of this package (Splink's Spark backend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import UsageError

SENSITIVITY_LABELS = ("communications", "financial", "minor", "vaw")  # sorted: joined in this order


@dataclass(frozen=True)
class Stage:
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str
    defaults: dict = field(default_factory=dict)

    def steps(self, params: dict | None = None) -> list[tuple[str, str]]:
        """(table name, DuckDB SQL) in order, with `params` (over the defaults) formatted in."""
        p = {**self.defaults, **(params or {})}
        return _BUILDERS[self.name](p)


# -- (a) repeat victimization ------------------------------------------------------------------------------
def _repeat_steps(p: dict) -> list[tuple[str, str]]:
    w = int(p["window_days"])
    if w < 0:
        raise UsageError(f"window_days {w}: give a number of days >= 0, e.g. 365")
    return [
        ("rv_crime", """
            SELECT tm.target_id, t.kind, g.crime_group, coalesce(e.case_key_norm, e.event_id) AS case_id,
                   min(CAST(e.occurred_at AS DATE)) AS day
            FROM target_membership tm
            JOIN target t ON t.target_id = tm.target_id
            JOIN event e ON e.event_id = tm.event_id
            JOIN crime_group g ON g.code = e.crime
            WHERE coalesce(tm.match, 'same') = 'same' AND e.occurred_at IS NOT NULL
              AND g.crime_group <> 'NO_DELITO'
            GROUP BY tm.target_id, t.kind, g.crime_group, coalesce(e.case_key_norm, e.event_id)"""),
        ("rv_marked", """
            SELECT target_id, kind, crime_group, case_id, day,
                   date_diff('day', lag(day) OVER (PARTITION BY target_id, crime_group ORDER BY day, case_id),
                             day) AS gap_prev
            FROM rv_crime"""),
        ("rv_pairs", f"""
            SELECT a.kind, a.crime_group, count(*) AS pairs_within_window
            FROM rv_crime a JOIN rv_crime b
              ON a.target_id = b.target_id AND a.crime_group = b.crime_group
             AND (a.day < b.day OR (a.day = b.day AND a.case_id < b.case_id))
            WHERE date_diff('day', a.day, b.day) <= {w}
            GROUP BY a.kind, a.crime_group"""),
        ("repeat_summary", f"""
            SELECT s.kind, s.crime_group, s.victims, s.repeat_victims, s.crimes, s.repeat_crimes,
                   coalesce(p.pairs_within_window, 0) AS pairs_within_window, {w} AS window_days
            FROM (SELECT kind, crime_group, count(DISTINCT target_id) AS victims,
                         count(DISTINCT CASE WHEN gap_prev <= {w} THEN target_id END) AS repeat_victims,
                         count(*) AS crimes,
                         sum(CASE WHEN gap_prev <= {w} THEN 1 ELSE 0 END) AS repeat_crimes
                  FROM rv_marked GROUP BY kind, crime_group) s
            LEFT JOIN rv_pairs p ON p.kind = s.kind AND p.crime_group = s.crime_group"""),
    ]


# -- (b) near repeat ---------------------------------------------------------------------------------------
def _num(v: float) -> str:
    return repr(float(v))


def _band_case(col: str, edges: list[float]) -> str:
    whens = " ".join(f"WHEN {col} < {_num(b)} THEN {i}" for i, b in enumerate(edges[1:]))
    return f"CASE {whens} END"


def near_repeat_edges(p: dict) -> tuple[list[float], list[float]]:
    """Distance and time edges as KnoxTest builds them (same_location adds [0, tolerance))."""
    from ..analysis.near_repeat import parse_bands

    d = parse_bands(p["distance_bands"], "distance bands")
    t = parse_bands(p["time_bands"], "time bands")
    if math.isinf(d[-1]):
        raise UsageError("the last distance edge must be finite: pairs are generated only within it")
    if p.get("same_location"):
        tol = float(p.get("same_location_tolerance", 0.001))
        d = [0.0, tol, *d[1:]]
    return d, t


def _near_repeat_steps(p: dict) -> list[tuple[str, str]]:
    d, t = near_repeat_edges(p)
    dmax, tmax = d[-1], t[-1]
    ct = "0" if math.isinf(tmax) else f"CAST(floor(t / {_num(tmax)}) AS BIGINT)"
    t_cond = f"dt >= {_num(t[0])}" + ("" if math.isinf(tmax) else f" AND dt < {_num(tmax)}")
    t_case = _band_case("dt", t[:-1] + [1e308]) if math.isinf(tmax) else _band_case("dt", t)
    return [
        ("nr_cell", f"""
            SELECT event_id, x, y, t, CAST(floor(x / {_num(dmax)}) AS BIGINT) AS cx,
                   CAST(floor(y / {_num(dmax)}) AS BIGINT) AS cy, {ct} AS ct
            FROM nr_point WHERE x IS NOT NULL AND y IS NOT NULL AND t IS NOT NULL"""),
        ("nr_pair", """
            SELECT a.event_id AS a_id, b.event_id AS b_id,
                   sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)) AS d, abs(a.t - b.t) AS dt
            FROM nr_cell a
            CROSS JOIN (VALUES (-1), (0), (1)) AS ox(k)
            CROSS JOIN (VALUES (-1), (0), (1)) AS oy(k)
            CROSS JOIN (VALUES (-1), (0), (1)) AS ot(k)
            JOIN nr_cell b ON b.cx = a.cx + ox.k AND b.cy = a.cy + oy.k AND b.ct = a.ct + ot.k
             AND a.event_id < b.event_id"""),
        ("near_repeat_counts", f"""
            SELECT {_band_case('d', d)} AS dband, {t_case} AS tband, count(*) AS observed
            FROM nr_pair
            WHERE d >= {_num(d[0])} AND d < {_num(dmax)} AND {t_cond}
            GROUP BY 1, 2"""),
    ]


# -- (c) associations --------------------------------------------------------------------------------------
PLACEHOLDER_ADDRESS_SQL = (
    "^(SIN DOMICILIO|DOMICILIO CONOCIDO|CONOCIDO|NO PROPORCIONADO|NO PROPORCIONA|SE IGNORA|IGNORADO|"
    "DESCONOCIDO|NO ESPECIFICADO|SIN DATO|SIN DATOS|NA|N A|ND|S N|SN|NINGUNO|CALLE|CONOCIDO SN)$")


def _associations_steps(p: dict) -> list[tuple[str, str]]:
    m = int(p["max_shared"])
    sens = ", ".join(
        f"CASE WHEN bool_or('|' || coalesce(k.sensitivity, '') || '|' LIKE '%|{lab}|%') THEN '{lab}' END"
        for lab in SENSITIVITY_LABELS)
    return [
        ("as_mention", """
            SELECT m.mention_id, m.event_id, m.role, m.phone, m.address_norm,
                   coalesce(m.is_legal_person, false) AS is_legal, pm.person_id, e.kind, e.case_key_norm,
                   e.sensitivity, json_extract_string(e.attrs, '$.folio_c5') AS folio_c5,
                   coalesce(CAST(coalesce(e.occurred_at, e.reported_at) AS DATE), cd.cd) AS d
            FROM person_mention m
            JOIN person_membership pm ON pm.mention_id = m.mention_id
            JOIN event e ON e.event_id = m.event_id
            LEFT JOIN (SELECT case_key_norm, CAST(min(coalesce(occurred_at, reported_at)) AS DATE) AS cd
                       FROM event WHERE case_key_norm IS NOT NULL GROUP BY case_key_norm) cd
              ON cd.case_key_norm = e.case_key_norm"""),
        ("as_key", f"""
            SELECT 'co_accused' AS kind, case_key_norm AS k, person_id AS node, event_id, d, sensitivity
            FROM as_mention WHERE role = 'accused' AND case_key_norm IS NOT NULL
            UNION ALL
            SELECT 'co_detained' AS kind,
                   (CASE WHEN case_key_norm IS NOT NULL THEN case_key_norm
                         WHEN coalesce(folio_c5, '') <> '' THEN 'F:' || folio_c5 END) || '@' || CAST(d AS VARCHAR)
                     AS k, person_id AS node, event_id, d, sensitivity
            FROM as_mention WHERE kind = 'detention' AND d IS NOT NULL
              AND (case_key_norm IS NOT NULL OR coalesce(folio_c5, '') <> '')
            UNION ALL
            SELECT 'shared_address' AS kind, address_norm AS k, person_id AS node, event_id, d, sensitivity
            FROM as_mention WHERE role <> 'mentioned' AND NOT is_legal AND address_norm IS NOT NULL
              AND length(trim(address_norm)) >= 6
              AND NOT regexp_matches(trim(address_norm), '{PLACEHOLDER_ADDRESS_SQL}')
              AND (regexp_matches(address_norm, '[0-9]') OR length(trim(address_norm)) >= 12)
            UNION ALL
            SELECT 'shared_phone' AS kind, phone AS k, person_id AS node, event_id, d, sensitivity
            FROM as_mention WHERE role <> 'mentioned' AND NOT is_legal AND phone IS NOT NULL"""),
        ("as_node", f"""
            SELECT n.kind, n.k, n.node, min(n.d) AS d0, max(n.d) AS d1
            FROM as_key n
            JOIN (SELECT kind, k FROM as_key WHERE node IS NOT NULL GROUP BY kind, k
                  HAVING count(DISTINCT node) >= 2
                     AND (kind IN ('co_accused', 'co_detained') OR count(DISTINCT node) <= {m})) s
              ON s.kind = n.kind AND s.k = n.k
            WHERE n.node IS NOT NULL
            GROUP BY n.kind, n.k, n.node"""),
        ("as_pair", """
            SELECT a.kind, a.k, a.node AS node_a, b.node AS node_b, least(a.d0, b.d0) AS d0,
                   greatest(a.d1, b.d1) AS d1
            FROM as_node a JOIN as_node b ON a.kind = b.kind AND a.k = b.k AND a.node < b.node"""),
        ("association_edges", f"""
            SELECT p.node_a, p.node_b, p.kind, p.first_date, p.last_date, p.n, e.evidence, e.sensitivity
            FROM (SELECT node_a, node_b, kind, min(d0) AS first_date, max(d1) AS last_date, count(*) AS n
                  FROM as_pair GROUP BY node_a, node_b, kind) p
            JOIN (SELECT x.node_a, x.node_b, x.kind,
                         array_to_string(list_sort(list_distinct(list(k.event_id))), '|') AS evidence,
                         nullif(concat_ws('|', {sens}), '') AS sensitivity
                  FROM as_pair x JOIN as_key k
                    ON k.kind = x.kind AND k.k = x.k AND (k.node = x.node_a OR k.node = x.node_b)
                  GROUP BY x.node_a, x.node_b, x.kind) e
              ON e.node_a = p.node_a AND e.node_b = p.node_b AND e.kind = p.kind"""),
    ]


# -- (d) case-chain key joins ------------------------------------------------------------------------------
def _norm_folio(col: str) -> str:
    return f"nullif(upper(regexp_replace({col}, '\\s+', '', 'g')), '')"


def _chain_steps(p: dict) -> list[tuple[str, str]]:
    return [
        ("ch_event", """
            SELECT event_id, kind, source_key, occurred_at, case_key, case_key_norm,
                   json_extract_string(attrs, '$.folio_c5') AS folio_c5,
                   json_extract_string(attrs, '$.folio') AS folio
            FROM event WHERE kind IN ('call_911', 'detention', 'carpeta_crime', 'accused_record', 'court_case')"""),
        ("ch_carpeta", """
            SELECT event_id, case_key_norm FROM (
              SELECT event_id, case_key_norm, row_number() OVER (
                       PARTITION BY case_key_norm ORDER BY occurred_at NULLS LAST, event_id) AS rn
              FROM ch_event WHERE kind = 'carpeta_crime' AND case_key_norm IS NOT NULL) c
            WHERE rn = 1"""),
        ("ch_call_folio", f"""
            SELECT f AS folio, min(event_id) AS call_id FROM (
              SELECT event_id, {_norm_folio('source_key')} AS f FROM ch_event WHERE kind = 'call_911'
              UNION ALL SELECT event_id, {_norm_folio('folio')} AS f FROM ch_event WHERE kind = 'call_911'
              UNION ALL SELECT event_id, {_norm_folio('case_key')} AS f FROM ch_event WHERE kind = 'call_911') x
            WHERE f IS NOT NULL GROUP BY f"""),
        ("chain_key_links", f"""
            SELECT c.call_id AS from_event, d.event_id AS to_event, 'call_detention' AS kind
            FROM ch_event d JOIN ch_call_folio c ON c.folio = {_norm_folio('d.folio_c5')}
            WHERE d.kind = 'detention'
            UNION ALL
            SELECT d.event_id AS from_event, n.event_id AS to_event,
                   CASE WHEN d.kind = 'detention' THEN 'detention_carpeta' ELSE 'accused_carpeta' END AS kind
            FROM ch_event d JOIN ch_carpeta n ON n.case_key_norm = d.case_key_norm
            WHERE d.kind IN ('detention', 'accused_record')
            UNION ALL
            SELECT n.event_id AS from_event, d.event_id AS to_event, 'carpeta_causa' AS kind
            FROM ch_event d JOIN ch_carpeta n ON n.case_key_norm = d.case_key_norm
            WHERE d.kind = 'court_case'"""),
        # two equi-joins, not one join ON (to = carpeta OR from = carpeta): Spark runs an OR join as a
        # nested loop (carpetas × links: 440 s at scale 1.0, against 1.3 s this way)
        ("chain_summary", """
            SELECT carpeta_id,
                   count(DISTINCT CASE WHEN kind = 'detention_carpeta' THEN other END) AS detentions,
                   count(DISTINCT CASE WHEN kind = 'accused_carpeta' THEN other END) AS accused,
                   count(DISTINCT CASE WHEN kind = 'carpeta_causa' THEN other END) AS causas
            FROM (
              SELECT n.event_id AS carpeta_id, l.kind, l.from_event AS other
              FROM ch_carpeta n JOIN chain_key_links l ON l.to_event = n.event_id
              UNION ALL
              SELECT n.event_id AS carpeta_id, l.kind, l.to_event AS other
              FROM ch_carpeta n JOIN chain_key_links l ON l.from_event = n.event_id) x
            GROUP BY carpeta_id"""),
    ]


_BUILDERS = {
    "repeat_victimization": _repeat_steps,
    "near_repeat": _near_repeat_steps,
    "associations": _associations_steps,
    "chain_keys": _chain_steps,
}

STAGES: dict[str, Stage] = {
    "repeat_victimization": Stage(
        "repeat_victimization", ("target_membership", "target", "event", "crime_group"), ("repeat_summary",),
        "repeat counting: same target and crime group within a window", {"window_days": 365}),
    "near_repeat": Stage(
        "near_repeat", ("nr_point",), ("near_repeat_counts",),
        "near-repeat pair counts per distance x time band (grid-bucket self-join)",
        {"distance_bands": [0, 100, 200, 300, 400], "time_bands": [0, 7, 14, 21, 28], "same_location": True}),
    "associations": Stage(
        "associations", ("person_mention", "person_membership", "event"), ("association_edges",),
        "association edges: co-accused, co-detained, shared address, shared phone", {"max_shared": 8}),
    "chain_keys": Stage(
        "chain_keys", ("event",), ("chain_key_links", "chain_summary"),
        "case-chain key joins: call-detention, detention/accused-carpeta, carpeta-causa"),
}
