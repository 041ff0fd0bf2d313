"""Case traceability and attrition: how far each carpeta gets, from the 911 call to prison.

Definitions (DESIGN.md §6, "Case traceability and attrition")
-------------------------------------------------------------
* A **carpeta** is one investigation file: the `carpeta_crime` events sharing a `case_key_norm` (a row
  without a carpeta number, as in the open-data portal, is its own carpeta). Its date, place and crime are
  those of its first crime row (the node `linkage.chains` links to). The filters (period on the date of
  the crime, alcaldía, crime code or crime group) select carpetas.
* Per carpeta, from the edges of `case_link`:
  **911 incident** (`call_carpeta`); **detention** (an SSC detention on it, `detention_carpeta`, or an accused
  recorded as detained, `attrs.detenido`); **identified accused** (`accused_carpeta`); **court case**
  (`carpeta_causa`); **vinculación a proceso** (a linked court case with `attrs.vinculacion_proceso`);
  **sentence** (a linked court case with `attrs.sentido`; when several, the first of CONDENATORIA,
  ABSOLUTORIA, SOBRESEIMIENTO, ACUERDO REPARATORIO, SUSPENSION CONDICIONAL); **conviction** (CONDENATORIA);
  **prison admission** (`causa_admission` from a linked court case) and **release** (its `attrs.fecha_egreso`).
* **Funnel**: the stages in order carpeta → accused identified (or detained) → court case → vinculación →
  sentence → conviction → prison. A carpeta's *furthest stage* is the last stage of that order it reached
  (stages may be skipped in the records: a court case with no accused record still counts as reaching the
  court); it **leaves the funnel** after its furthest stage. The shares are of all carpetas selected.
* **Days between stages** (medians, in days): crime → carpeta opened (`reported_at`), crime → detention,
  carpeta opened → first hearing (`court_case.occurred_at`), hearing → resolution (`attrs.fecha_resolucion`),
  hearing → prison admission, admission → release.

Links made by probability (911 → carpeta) carry a confidence; the figures count every stored link, and
`link_methods` says how many of each kind were key, fuzzy key or probabilistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

STAGES = ["carpeta", "accused", "court_case", "vinculacion", "sentence", "conviction", "prison"]
STAGE_FLAGS = {"carpeta": None, "accused": "accused_or_detained", "court_case": "court_case",
               "vinculacion": "vinculacion", "sentence": "sentence", "conviction": "conviction",
               "prison": "prison"}
SENTIDO_ORDER = ["CONDENATORIA", "ABSOLUTORIA", "SOBRESEIMIENTO", "ACUERDO REPARATORIO", "SUSPENSION CONDICIONAL"]
SHARES = ["call", "detention", "accused", "court_case", "vinculacion", "sentence", "conviction", "prison"]
INTERVALS = [("crime_to_report", "occurred_at", "reported_at"),
             ("crime_to_detention", "occurred_at", "t_detention"),
             ("report_to_hearing", "reported_at", "t_hearing"),
             ("hearing_to_resolution", "t_hearing", "t_resolution"),
             ("hearing_to_admission", "t_hearing", "t_admission"),
             ("admission_to_release", "t_admission", "t_release")]
BY = ("crime_group", "alcaldia", "month", "quarter")

_CARPETAS_SQL = """
WITH node AS (
  SELECT * FROM (
    SELECT e.event_id, e.case_key_norm, e.occurred_at, e.reported_at, e.crime, e.alcaldia,
           row_number() OVER (PARTITION BY coalesce(e.case_key_norm, e.event_id)
                              ORDER BY e.occurred_at NULLS LAST, e.event_id) AS rn
    FROM event e WHERE e.kind = 'carpeta_crime') WHERE rn = 1),
call AS (
  SELECT l.to_event AS carpeta, min(c.occurred_at) AS t_call FROM case_link l
  JOIN event c ON c.event_id = l.from_event WHERE l.kind = 'call_carpeta' GROUP BY 1),
det AS (
  SELECT l.to_event AS carpeta, min(d.occurred_at) AS t_det FROM case_link l
  JOIN event d ON d.event_id = l.from_event WHERE l.kind = 'detention_carpeta' GROUP BY 1),
acc AS (
  SELECT l.to_event AS carpeta, count(*) AS n_accused,
         bool_or(coalesce(try_cast(json_extract_string(a.attrs, '$.detenido') AS BOOLEAN), false)) AS acc_detained,
         min(try_cast(json_extract_string(a.attrs, '$.fecha_detencion') AS TIMESTAMP)) AS t_acc_det
  FROM case_link l JOIN event a ON a.event_id = l.from_event WHERE l.kind = 'accused_carpeta' GROUP BY 1),
court AS (
  SELECT l.from_event AS carpeta, t.event_id AS court_event, t.occurred_at AS t_hearing,
         coalesce(try_cast(json_extract_string(t.attrs, '$.vinculacion_proceso') AS BOOLEAN), false) AS vinc,
         nullif(upper(trim(json_extract_string(t.attrs, '$.sentido'))), '') AS sentido,
         try_cast(json_extract_string(t.attrs, '$.fecha_resolucion') AS TIMESTAMP) AS t_resolution
  FROM case_link l JOIN event t ON t.event_id = l.to_event WHERE l.kind = 'carpeta_causa'),
adm AS (
  SELECT c.carpeta, min(p.occurred_at) AS t_admission,
         min(try_cast(json_extract_string(p.attrs, '$.fecha_egreso') AS TIMESTAMP)) AS t_release
  FROM court c JOIN case_link l ON l.from_event = c.court_event AND l.kind = 'causa_admission'
  JOIN event p ON p.event_id = l.to_event GROUP BY 1),
courts AS (
  SELECT carpeta, count(*) AS n_court, min(t_hearing) AS t_hearing, bool_or(vinc) AS vinculacion,
         list(sentido) FILTER (WHERE sentido IS NOT NULL) AS sentidos,
         min(t_resolution) FILTER (WHERE sentido IS NOT NULL) AS t_resolution
  FROM court GROUP BY 1)
SELECT n.event_id, n.case_key_norm, n.occurred_at, n.reported_at, n.crime, n.alcaldia,
       call.t_call, det.t_det, coalesce(acc.n_accused, 0) AS n_accused, coalesce(acc.acc_detained, false)
       AS acc_detained, acc.t_acc_det, coalesce(courts.n_court, 0) AS n_court, courts.t_hearing,
       coalesce(courts.vinculacion, false) AS vinculacion, courts.sentidos, courts.t_resolution,
       adm.t_admission, adm.t_release
FROM node n LEFT JOIN call ON call.carpeta = n.event_id LEFT JOIN det ON det.carpeta = n.event_id
LEFT JOIN acc ON acc.carpeta = n.event_id LEFT JOIN courts ON courts.carpeta = n.event_id
LEFT JOIN adm ON adm.carpeta = n.event_id
"""


def _sentido(values) -> str | None:
    if values is None or values is pd.NA or (isinstance(values, float) and np.isnan(values)):
        return None
    vals = {str(v) for v in list(values) if v}
    for s in SENTIDO_ORDER:
        if s in vals:
            return s
    return sorted(vals)[0] if vals else None


def carpeta_table(wh) -> pd.DataFrame:
    """One row per carpeta with its stage flags and stage dates (see the module docstring)."""
    from ..linkage.chains import crime_group

    df = wh.df(_CARPETAS_SQL)
    for c in ("occurred_at", "reported_at", "t_call", "t_det", "t_acc_det", "t_hearing", "t_resolution",
              "t_admission", "t_release"):
        df[c] = pd.to_datetime(df[c], errors="coerce")
    groups = {c: crime_group(c) for c in df["crime"].dropna().unique()}
    df["crime_group"] = df["crime"].map(groups)
    df["call"] = df["t_call"].notna()
    df["detention"] = df["t_det"].notna() | df["acc_detained"].astype(bool)
    df["t_detention"] = df[["t_det", "t_acc_det"]].min(axis=1)
    df["accused"] = df["n_accused"] > 0
    df["accused_or_detained"] = df["accused"] | df["detention"]
    df["court_case"] = df["n_court"] > 0
    df["vinculacion"] = df["vinculacion"].astype(bool)
    df["sentido"] = df["sentidos"].map(_sentido)
    df["sentence"] = df["sentido"].notna()
    df["conviction"] = df["sentido"].eq("CONDENATORIA")
    df["prison"] = df["t_admission"].notna()
    df["released"] = df["t_release"].notna()
    furthest = np.zeros(len(df), dtype=int)
    for i, st in enumerate(STAGES[1:], start=1):
        furthest = np.where(df[STAGE_FLAGS[st]].to_numpy(dtype=bool), i, furthest)
    df["furthest_stage"] = [STAGES[i] for i in furthest]
    df["month"] = df["occurred_at"].dt.strftime("%Y-%m")
    q = df["occurred_at"].dt.quarter
    df["quarter"] = df["occurred_at"].dt.year.astype("Int64").astype(str) + "-Q" + q.astype("Int64").astype(str)
    df.loc[df["occurred_at"].isna(), ["month", "quarter"]] = None
    for name, a, b in INTERVALS:
        df[name] = (df[b] - df[a]).dt.total_seconds() / 86400
    return df.drop(columns=["sentidos"])


def _summary(df: pd.DataFrame) -> dict:
    n = len(df)
    counts = {s: int(df[s].sum()) for s in SHARES} if n else dict.fromkeys(SHARES, 0)
    shares = {s: (counts[s] / n if n else None) for s in SHARES}
    medians = {}
    for name, _, _ in INTERVALS:
        v = df[name].dropna() if n else pd.Series(dtype=float)
        v = v[v >= 0]
        medians[name] = float(v.median()) if len(v) else None
    reached = {st: int((df["furthest_stage"].map(STAGES.index) >= i).sum()) if n else 0
               for i, st in enumerate(STAGES)}
    exits = {st: int((df["furthest_stage"] == st).sum()) if n else 0 for st in STAGES[:-1]}
    sentidos = {k: int(v) for k, v in df["sentido"].value_counts().items()} if n else {}
    return {"n_carpetas": n, "counts": counts, "shares": shares, "median_days": medians, "reached": reached,
            "exits": exits, "sentido": sentidos}


@dataclass
class Attrition:
    """The attrition funnel of carpetas (see the module docstring for every definition).

    Attributes
    ----------
    carpetas : DataFrame, one row per carpeta: stage flags (`call`, `detention`, `accused`, `court_case`,
        `vinculacion`, `sentence`, `conviction`, `prison`, `released`), `sentido`, `furthest_stage`, stage
        dates and the day intervals.
    n_carpetas : int
    counts, shares : carpetas with each stage, and their share of all carpetas.
    median_days : median days between stages (None where no carpeta has both dates).
    reached : carpetas reaching each funnel stage (furthest stage at or beyond it).
    exits : carpetas leaving the funnel after each stage.
    sentido : carpetas by sentence.
    by : {"crime_group" | "alcaldia" | "month" | "quarter": list of rows with n, counts, shares, medians}.
    link_methods : case links by kind and method.
    params, data_window : what was asked and what the data covered.
    """

    carpetas: pd.DataFrame
    params: dict
    data_window: dict
    link_methods: dict = field(default_factory=dict)

    def __post_init__(self):
        s = _summary(self.carpetas)
        self.n_carpetas = s["n_carpetas"]
        self.counts = s["counts"]
        self.shares = s["shares"]
        self.median_days = s["median_days"]
        self.reached = s["reached"]
        self.exits = s["exits"]
        self.sentido = s["sentido"]
        self.by = {}
        for dim in BY:
            rows = []
            if len(self.carpetas):
                for key, g in self.carpetas.groupby(dim, dropna=True, sort=True):
                    gs = _summary(g)
                    rows.append({dim: key, "n_carpetas": gs["n_carpetas"], "counts": gs["counts"],
                                 "shares": gs["shares"], "median_days": gs["median_days"], "exits": gs["exits"]})
            self.by[dim] = rows

    @classmethod
    def from_warehouse(cls, wh, date_from: date | None = None, date_to: date | None = None,
                       alcaldia: str | None = None, crime: str | None = None, by: str | None = None) -> Attrition:
        """Compute the funnel over the carpetas selected by the filters.

        `crime` is a crime code or a crime group; `by` names the breakdown `rows()` returns
        (crime_group, alcaldia, month or quarter; all four are always in `by`).
        """
        from ..errors import UsageError

        if by is not None and by not in BY:
            raise UsageError(f"unknown breakdown {by!r}: use one of {', '.join(BY)}")
        df = carpeta_table(wh)
        if date_from:
            df = df[df["occurred_at"] >= pd.Timestamp(date_from)]
        if date_to:
            df = df[df["occurred_at"] < pd.Timestamp(date_to) + pd.Timedelta(days=1)]
        if alcaldia:
            df = df[df["alcaldia"] == alcaldia]
        if crime:
            df = df[(df["crime"] == crime) | (df["crime_group"] == crime)]
        df = df.reset_index(drop=True)
        params = {"date_from": date_from.isoformat() if date_from else None,
                  "date_to": date_to.isoformat() if date_to else None, "alcaldia": alcaldia, "crime": crime,
                  "by": by}
        window = {"from": df["occurred_at"].min().date().isoformat() if df["occurred_at"].notna().any() else None,
                  "to": df["occurred_at"].max().date().isoformat() if df["occurred_at"].notna().any() else None,
                  "data_version": wh.data_version()}
        methods = {f"{k}.{m}": int(n) for k, m, n in wh.query(
            "SELECT kind, method, count(*) FROM case_link GROUP BY 1, 2 ORDER BY 1, 2")}
        return cls(df, params, window, methods)

    # -- outputs ----------------------------------------------------------------------------------------
    def sankey(self) -> dict:
        """Nodes and links of the funnel for a Sankey: each stage flows to the next or to its exit."""
        nodes = [{"name": st} for st in STAGES] + [{"name": f"exit_{st}"} for st in STAGES[:-1]]
        links = []
        for i, st in enumerate(STAGES[:-1]):
            nxt = STAGES[i + 1]
            if self.reached[nxt]:
                links.append({"source": st, "target": nxt, "value": self.reached[nxt]})
            if self.exits[st]:
                links.append({"source": st, "target": f"exit_{st}", "value": self.exits[st]})
        return {"nodes": nodes, "links": links}

    def to_dict(self) -> dict:
        return {"params": self.params, "data_window": self.data_window, "n_carpetas": self.n_carpetas,
                "counts": self.counts, "shares": self.shares, "median_days": self.median_days,
                "reached": self.reached, "exits": self.exits, "sentido": self.sentido, "stages": STAGES,
                "sankey": self.sankey(), "by": self.by, "link_methods": self.link_methods}

    def rows(self) -> list[dict]:
        """Rows of the breakdown asked for (`by`), else one row per funnel stage."""
        dim = self.params.get("by")
        if dim:
            out = []
            for r in self.by[dim]:
                row = {dim: r[dim], "carpetas": r["n_carpetas"]}
                row.update({f"share_{k}": (round(v, 4) if v is not None else None) for k, v in r["shares"].items()})
                row.update({f"median_{k}": (round(v, 1) if v is not None else None)
                            for k, v in r["median_days"].items()})
                out.append(row)
            return out
        out = []
        for st in STAGES:
            out.append({"stage": st, "carpetas": self.reached[st],
                        "share": round(self.reached[st] / self.n_carpetas, 4) if self.n_carpetas else None,
                        "leave_here": self.exits.get(st, 0)})
        return out


DEFAULT_NAME = "chains.attrition"


def materialize(wh) -> None:
    """Store the unfiltered funnel so the page reads it instantly."""
    from . import store

    res = Attrition.from_warehouse(wh)
    store.save(wh, DEFAULT_NAME, res.params, res.to_dict())


def funnel(wh, date_from=None, date_to=None, alcaldia=None, crime=None) -> dict:
    """The funnel as a dict: the materialized one when no filter is set and it is current, else computed."""
    from . import store

    if not any((date_from, date_to, alcaldia, crime)):
        params = {"date_from": None, "date_to": None, "alcaldia": None, "crime": None, "by": None}
        stored = store.load(wh, DEFAULT_NAME, params)
        if stored is not None:
            return stored
    return Attrition.from_warehouse(wh, date_from, date_to, alcaldia, crime).to_dict()


# -- one case's chain ---------------------------------------------------------------------------------------
_ATTR_KEYS = ("codigo_cierre", "folio", "folio_c5", "autoridad_disposicion", "detenido", "fecha_detencion",
              "causa_norm", "juzgado", "vinculacion_proceso", "medida_cautelar", "fecha_resolucion", "sentido",
              "pena_prision_meses", "centro", "fecha_egreso", "motivo_egreso", "situacion_juridica")
KIND_ORDER = ["call_911", "detention", "carpeta_crime", "victim_record", "accused_record", "court_case",
              "prison_admission"]


def case_chain(wh, event_id: str, max_nodes: int = 300) -> dict | None:
    """The chain an event belongs to: its events (nodes) and links, or None when the event does not exist.

    Starting from the event, follows `case_link` both ways; the other rows of the same carpeta (crime rows,
    victim entries) join the carpeta. Persons are returned by `person_id` (the caller pseudonymizes).
    """
    import json

    if not wh.scalar("SELECT count(*) FROM event WHERE event_id = ?", [event_id]):
        return None
    seen = {event_id}
    frontier = [event_id]
    links = {}
    while frontier and len(seen) < max_nodes:
        marks = ", ".join("?" for _ in frontier)
        rows = wh.query_dicts(
            f"SELECT from_event, to_event, kind, method, confidence, evidence FROM case_link "
            f"WHERE from_event IN ({marks}) OR to_event IN ({marks})", frontier + frontier)
        keys = wh.query(
            f"SELECT e2.event_id FROM event e1 JOIN event e2 ON e2.case_key_norm = e1.case_key_norm "
            f"AND e2.kind IN ('carpeta_crime', 'victim_record') "
            f"WHERE e1.event_id IN ({marks}) AND e1.kind IN ('carpeta_crime', 'victim_record')", frontier)
        nxt = []
        for r in rows:
            links[(r["from_event"], r["to_event"], r["kind"])] = r
            for e in (r["from_event"], r["to_event"]):
                if e not in seen:
                    seen.add(e)
                    nxt.append(e)
        for (e,) in keys:
            if e not in seen:
                seen.add(e)
                nxt.append(e)
        frontier = nxt
    ids = sorted(seen)
    marks = ", ".join("?" for _ in ids)
    events = wh.query_dicts(
        f"SELECT event_id, kind, source, source_key, occurred_at, reported_at, crime, alcaldia, case_key, "
        f"case_key_norm, sensitivity, attrs FROM event WHERE event_id IN ({marks})", ids)
    has_pm = bool(wh.scalar("SELECT count(*) FROM person_membership"))
    pm_join = "LEFT JOIN person_membership pm ON pm.mention_id = m.mention_id" if has_pm else ""
    pm_col = "coalesce(pm.person_id, 'm:' || m.mention_id)" if has_pm else "'m:' || m.mention_id"
    people = wh.query(
        f"SELECT m.event_id, m.role, {pm_col}, m.sensitivity FROM person_mention m {pm_join} "
        f"WHERE m.event_id IN ({marks}) ORDER BY m.mention_id", ids)
    by_event: dict[str, list] = {}
    for eid, role, pid, sens in people:
        by_event.setdefault(eid, []).append({"role": role, "person_id": pid, "sensitivity": sens})
    nodes = []
    for e in events:
        attrs = json.loads(e.pop("attrs") or "{}") if isinstance(e.get("attrs"), str) else (e.pop("attrs") or {})
        e["attrs"] = {k: attrs[k] for k in _ATTR_KEYS if k in attrs and attrs[k] not in (None, "")}
        e["persons"] = by_event.get(e["event_id"], [])
        for k in ("occurred_at", "reported_at"):
            e[k] = e[k].isoformat() if e[k] is not None else None
        nodes.append(e)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    nodes.sort(key=lambda n: (order.get(n["kind"], 99), n["occurred_at"] or "", n["event_id"]))
    release = [{"event_id": n["event_id"], "fecha_egreso": n["attrs"]["fecha_egreso"],
                "motivo_egreso": n["attrs"].get("motivo_egreso")}
               for n in nodes if n["kind"] == "prison_admission" and n["attrs"].get("fecha_egreso")]
    return {"event_id": event_id, "nodes": nodes,
            "links": sorted(links.values(), key=lambda r: (r["kind"], r["from_event"], r["to_event"])),
            "releases": release, "truncated": len(seen) >= max_nodes}


# -- recovery against planted truth --------------------------------------------------------------------------
def chain_recovery(wh, truth: list[dict]) -> dict:
    """Share of the true links of the synthetic city's `truth/chains.csv` found, and of wrong links.

    For each link kind: `true` (true pairs whose two records are in the warehouse), `found`, `recall`,
    `predicted` (stored links of that kind; for court case → admission, those touching a record of the
    truth), `wrong` (predicted but not true) and `wrong_share` (= wrong / predicted). Carpetas are compared
    by their normalized key.
    """
    from ..sources.casekeys import carpeta_key_one

    ev = wh.df("SELECT event_id, kind, source_key, case_key, case_key_norm FROM event "
               "WHERE kind IN ('call_911', 'detention', 'carpeta_crime', 'accused_record', 'court_case', "
               "'prison_admission')")
    carp = ev[ev["kind"] == "carpeta_crime"]
    key_of_event = dict(zip(carp["event_id"], carp["case_key_norm"].where(carp["case_key_norm"].notna(),
                                                                          carp["event_id"]), strict=True))
    carp_keys = set(key_of_event.values())
    present = set(ev["event_id"])

    def carpeta(raw):
        if not raw:
            return None
        k = carpeta_key_one(raw)
        return k if k in carp_keys else None

    prefix = {"call": "c5_911:", "det": "ssc_detenciones:", "imp": "fgj_imputados:", "tsj": "tsj_causas:",
              "ing": "penitenciario:"}

    def ev_id(kind, raw):
        e = prefix[kind] + str(raw) if raw else None
        return e if e in present else None

    true: dict[str, set] = {k: set() for k in ("call_carpeta", "detention_carpeta", "accused_carpeta",
                                               "carpeta_causa", "causa_admission")}
    for t in truth:
        k = carpeta(t.get("carpeta_id"))
        call, det = ev_id("call", t.get("call_folio")), ev_id("det", t.get("detention_id"))
        imp, tsj = ev_id("imp", t.get("imputado_id")), ev_id("tsj", t.get("tsj_id_registro"))
        ing = ev_id("ing", t.get("ingreso_id"))
        if call and k:
            true["call_carpeta"].add((call, k))
        if det and k:
            true["detention_carpeta"].add((det, k))
        if imp and k:
            true["accused_carpeta"].add((imp, k))
        if k and tsj:
            true["carpeta_causa"].add((k, tsj))
        if tsj and ing:
            true["causa_admission"].add((tsj, ing))
    pred: dict[str, set] = {k: set() for k in true}
    for f, t, kind in wh.query("SELECT from_event, to_event, kind FROM case_link"):
        if kind not in pred:
            continue
        if kind in ("call_carpeta", "detention_carpeta", "accused_carpeta"):
            pred[kind].add((f, key_of_event.get(t, t)))
        elif kind == "carpeta_causa":
            pred[kind].add((key_of_event.get(f, f), t))
        else:
            pred[kind].add((f, t))
    out = {}
    universe = {
        "call_carpeta": ("call", "carpeta"), "detention_carpeta": ("det", "carpeta"),
        "accused_carpeta": ("imp", "carpeta"), "carpeta_causa": ("carpeta", "tsj"), "causa_admission": ("tsj", "ing"),
    }
    known: dict[str, set] = {"carpeta": set()}
    for t in truth:
        known["carpeta"].add(carpeta(t.get("carpeta_id")))
        for k, col in (("call", "call_folio"), ("det", "detention_id"), ("imp", "imputado_id"),
                       ("tsj", "tsj_id_registro"), ("ing", "ingreso_id")):
            known.setdefault(k, set()).add(ev_id(k, t.get(col)))
    for v in known.values():
        v.discard(None)
    for kind in true:
        tr, pr = true[kind], pred[kind]
        ends = known[universe[kind][0]] | known[universe[kind][1]]
        # the truth lists every chain: a stored link is wrong unless it is a true one (links between
        # records the truth never mentions, e.g. a call to a carpeta that had no chain, count as wrong)
        relevant = pr if kind != "causa_admission" else {p for p in pr if p[0] in ends or p[1] in ends}
        found = len(tr & pr)
        wrong = len(relevant - tr)
        out[kind] = {"true": len(tr), "found": found, "recall": found / len(tr) if tr else float("nan"),
                     "predicted": len(relevant), "wrong": wrong,
                     "wrong_share": wrong / len(relevant) if relevant else 0.0}
    return out
