"""Repeat victimization of persons, households and businesses (DESIGN.md §6).

Definitions (Lamm Weisel 2005, *Analyzing Repeat Victimization*, POP Guide 4; Farrell & Pease 1993):

* A **crime** is one crime event against one target: events of the same target, crime group and case
  (``case_key_norm``) count once (the carpeta and its victim entry are one crime), dated at the earliest.
* A crime is a **repeat** when the same target suffered a crime of the same canonical crime *group*
  (``taxonomy.crime_group``: violent and non-violent burglary are one type) at most ``window_days`` days
  before it (inclusive: a gap of exactly 365 days is a repeat with the default window; 366 is not; two crimes
  on the same day count, the second being the repeat). The first crime of a series is never a repeat.
  Crimes before the period asked for are looked at only to decide whether a crime in the period is a repeat.
* A **victim** is a target with at least one crime in the period; a **repeat victim** has at least one
  repeat crime in the period.
* **Prevalence** = victims per 1,000 inhabitants, **incidence** = crimes per 1,000 inhabitants (population of
  the cuadrantes in the area, ../shared/data/geo ``SUMPOB1``), **concentration** = crimes per victim.
* **Time course**: for every crime followed by another crime of the same group against the same target, the
  days to that next victimization; ``within_k`` = share of those gaps of at most k days (7, 30, 90, 365).
  Its denominator is every observed next victimization, whatever the window, so ``within_365`` can be < 1.
* **Almost the same victim**: events attached to a target by a near match (``target_membership.match =
  'near'``: a household or business within a small distance, a person match above a lower threshold) are
  left out of the main figures and reported separately in ``almost_same`` (figures recomputed counting near
  matches as the same victim, and how many more repeats that makes). ``near=True`` counts them in the main
  figures instead.
* **Targets at risk**: targets with a crime in the last ``at_risk_days`` days before ``as_of`` (default: the
  last date in the data), when the risk of a repeat is highest (Farrell & Pease: most repeats come soon
  after the first crime), ranked by the number of crimes they suffered within the window, then recency.

The core is `repeat_victimization(events, ...)` over a plain DataFrame; `RepeatVictimization.from_warehouse`
only loads the events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import _places

NAME = "repeat_victimization"
KINDS = ("person", "household", "business")
WITHIN = (7, 30, 90, 365)
EXCLUDED_GROUPS = ("NO_DELITO",)
EVENT_COLUMNS = ("target_id", "kind", "crime_group", "date", "alcaldia", "cuadrante")


def prepare(events: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an events frame; one row per crime (dedupe by case when `case_key` is given)."""
    missing = [c for c in ("target_id", "kind", "crime_group", "date") if c not in events.columns]
    if missing:
        raise ValueError(f"events frame lacks column(s) {', '.join(missing)}")
    ev = events.copy()
    for c in ("alcaldia", "cuadrante"):
        if c not in ev.columns:
            ev[c] = None
    if "match" not in ev.columns:
        ev["match"] = "same"
    ev["match"] = ev["match"].fillna("same")
    ev["date"] = pd.to_datetime(ev["date"]).dt.normalize()
    ev = ev[ev["date"].notna() & ev["target_id"].notna() & ev["crime_group"].notna()]
    ev = ev[~ev["crime_group"].isin(EXCLUDED_GROUPS)]
    if "case_key" in ev.columns:
        key = ev["case_key"].where(ev["case_key"].notna(), ev.get("event_id", pd.Series(range(len(ev)),
                                                                                        index=ev.index)).astype(str))
        # the earliest record of a case; on the same day a `same` match before a `near` one, then by event
        # id — a deterministic choice (a plain sort on the date alone left it to the sort algorithm)
        order = ["date", "_near"] + (["event_id"] if "event_id" in ev.columns else [])
        ev = ev.assign(_case=key, _near=ev["match"].ne("same")).sort_values(order, kind="stable")
        ev = ev.drop_duplicates(["target_id", "crime_group", "_case"]).drop(columns=["_case", "_near"])
    return ev.reset_index(drop=True)


def mark_repeats(ev: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """Add `gap_prev` (days since the previous crime of the same group against the same target),
    `gap_next` and `is_repeat` (gap_prev <= window_days)."""
    ev = ev.sort_values(["target_id", "crime_group", "date"], kind="stable").reset_index(drop=True)
    same_prev = (ev["target_id"].eq(ev["target_id"].shift()) & ev["crime_group"].eq(ev["crime_group"].shift()))
    gap = (ev["date"] - ev["date"].shift()).dt.days
    ev["gap_prev"] = gap.where(same_prev)
    same_next = (ev["target_id"].eq(ev["target_id"].shift(-1)) & ev["crime_group"].eq(ev["crime_group"].shift(-1)))
    ev["gap_next"] = (ev["date"].shift(-1) - ev["date"]).dt.days.where(same_next)
    ev["is_repeat"] = ev["gap_prev"].notna() & (ev["gap_prev"] <= window_days)
    return ev


def _figures(g: pd.DataFrame, population: float | None) -> dict:
    victims = int(g["target_id"].nunique())
    repeat_victims = int(g.loc[g["is_repeat"], "target_id"].nunique())
    crimes = int(len(g))
    repeat_crimes = int(g["is_repeat"].sum())
    gaps = g["gap_next"].dropna().to_numpy()
    tc = {f"within_{k}": (float(np.mean(gaps <= k)) if len(gaps) else None) for k in WITHIN}
    tc["next_victimizations"] = int(len(gaps))
    tc["median_days"] = float(np.median(gaps)) if len(gaps) else None
    return {
        "victims": victims, "repeat_victims": repeat_victims, "crimes": crimes, "repeat_crimes": repeat_crimes,
        "share_victims_repeat": repeat_victims / victims if victims else None,
        "share_crimes_repeat": repeat_crimes / crimes if crimes else None,
        "concentration": crimes / victims if victims else None,
        "prevalence_per_1000": 1000 * victims / population if population else None,
        "incidence_per_1000": 1000 * crimes / population if population else None,
        "time_course": tc,
    }


def _trend(months: list[dict]) -> dict:
    """Trend of the monthly share of crimes that are repeats: OLS slope per year and Kendall's tau."""
    pts = [(i, m["share_crimes_repeat"]) for i, m in enumerate(months) if m["share_crimes_repeat"] is not None]
    if len(pts) < 3:
        return {"months": len(pts), "slope_per_year": None, "kendall_tau": None, "p_value": None,
                "direction": "insufficient"}
    x = np.array([p[0] for p in pts], dtype=float)
    y = np.array([p[1] for p in pts], dtype=float)
    slope = float(np.polyfit(x, y, 1)[0] * 12) if np.ptp(y) > 0 else 0.0
    tau, p = stats.kendalltau(x, y) if np.ptp(y) > 0 else (0.0, 1.0)
    tau = float(tau) if np.isfinite(tau) else 0.0
    p = float(p) if np.isfinite(p) else 1.0
    direction = "up" if (p < 0.05 and tau > 0) else "down" if (p < 0.05 and tau < 0) else "flat"
    return {"months": len(pts), "slope_per_year": slope, "kendall_tau": tau, "p_value": p, "direction": direction}


def repeat_victimization(events: pd.DataFrame, window_days: int = 365, date_from=None, date_to=None,
                         as_of=None, at_risk_days: int = 30, near: bool = False,
                         population: dict[str, float] | None = None, at_risk_limit: int = 500) -> dict:
    """All the figures of repeat victimization from an events frame.

    Parameters
    ----------
    events : DataFrame
        One row per crime against a target: ``target_id, kind, crime_group, date`` and optionally
        ``alcaldia, cuadrante, match ('same'|'near'), case_key, event_id, person_id, label``.
    window_days : int
        A crime is a repeat when the previous one of its group against the target is at most this old.
    date_from, date_to : date, optional
        The period counted (inclusive); earlier crimes only decide repeat status.
    as_of : date, optional
        Reference day for the at-risk list (default: the last date in the data).
    at_risk_days : int
        How recent a crime makes its target "at risk".
    near : bool
        Count near matches ("almost the same victim") in the main figures.
    population : dict, optional
        Residents per cuadrante, for rates per 1,000 inhabitants.

    Returns
    -------
    dict with ``by_kind_crime`` (list of figure dicts), ``by_alcaldia``, ``by_month`` (with ``trend``),
    ``almost_same``, ``at_risk`` and the frame ``events`` (every crime with gaps and repeat flags).
    """
    ev = prepare(events)
    main = ev if near else ev[ev["match"] == "same"]
    out = _compute(main, window_days, date_from, date_to, population)
    both = _compute(ev, window_days, date_from, date_to, population) if not near else out
    extra = []
    index_main = {(r["kind"], r["crime_group"]): r for r in out["by_kind_crime"]}
    for r in both["by_kind_crime"]:
        m = index_main.get((r["kind"], r["crime_group"]), {})
        extra.append({"kind": r["kind"], "crime_group": r["crime_group"],
                      "near_events": int(((ev["match"] == "near") & (ev["kind"] == r["kind"])
                                          & (ev["crime_group"] == r["crime_group"])).sum()),
                      "victims": r["victims"], "repeat_victims": r["repeat_victims"], "crimes": r["crimes"],
                      "repeat_crimes": r["repeat_crimes"], "share_crimes_repeat": r["share_crimes_repeat"],
                      "extra_repeat_crimes": r["repeat_crimes"] - m.get("repeat_crimes", 0),
                      "extra_repeat_victims": r["repeat_victims"] - m.get("repeat_victims", 0)})
    out["almost_same"] = extra
    out["at_risk"] = _at_risk(out.pop("_marked"), as_of, at_risk_days, window_days, at_risk_limit)
    both.pop("_marked", None)
    return out


def _in_period(ev: pd.DataFrame, date_from, date_to) -> pd.Series:
    keep = pd.Series(True, index=ev.index)
    if date_from is not None:
        keep &= ev["date"] >= pd.Timestamp(date_from)
    if date_to is not None:
        keep &= ev["date"] <= pd.Timestamp(date_to)
    return keep


def _compute(ev: pd.DataFrame, window_days, date_from, date_to, population) -> dict:
    marked = mark_repeats(ev, window_days)
    cur = marked[_in_period(marked, date_from, date_to)].copy()
    cur["month"] = cur["date"].dt.strftime("%Y-%m")
    pop_total = None
    pop_by_alc: dict[str, float] = {}
    if population:
        c2a = _places.cuadrante_alcaldia()
        for c, n in population.items():
            a = c2a.get(c)
            if a:
                pop_by_alc[a] = pop_by_alc.get(a, 0.0) + n
        pop_total = float(sum(population.values()))
    by_kind_crime, by_alcaldia, by_month = [], [], []
    for (kind, group), g in cur.groupby(["kind", "crime_group"], sort=True):
        by_kind_crime.append({"kind": kind, "crime_group": group, **_figures(g, pop_total)})
        for alc, ga in g.groupby(g["alcaldia"].fillna(""), sort=True):
            by_alcaldia.append({"kind": kind, "crime_group": group, "alcaldia": alc or None,
                                **_figures(ga, pop_by_alc.get(alc))})
        months = []
        for month, gm in g.groupby("month", sort=True):
            f = _figures(gm, pop_total)
            f.pop("time_course")
            months.append({"kind": kind, "crime_group": group, "month": month, **f})
        by_month.extend(months)
        by_kind_crime[-1]["trend"] = _trend(months)
    # all crime types together, per kind
    for kind, g in cur.groupby("kind", sort=True):
        # across types a victim is one target; whether a crime is a repeat is still judged within its type
        by_kind_crime.append({"kind": kind, "crime_group": "ALL", **_figures(g, pop_total)})
    order = {k: i for i, k in enumerate(KINDS)}
    by_kind_crime.sort(key=lambda r: (order.get(r["kind"], 9), r["crime_group"] == "ALL", -r["crimes"]))
    return {"by_kind_crime": by_kind_crime, "by_alcaldia": by_alcaldia, "by_month": by_month, "_marked": marked}


def _at_risk(marked: pd.DataFrame, as_of, at_risk_days: int, window_days: int, limit: int) -> dict:
    if marked.empty:
        return {"as_of": None, "days": at_risk_days, "targets": []}
    as_of = pd.Timestamp(as_of) if as_of is not None else marked["date"].max()
    recent_from = as_of - pd.Timedelta(days=at_risk_days)
    window_from = as_of - pd.Timedelta(days=window_days)
    upto = marked[marked["date"] <= as_of]
    rows = []
    for (tid, group), g in upto[upto["date"] > window_from].groupby(["target_id", "crime_group"], sort=False):
        last = g["date"].max()
        if last <= recent_from:
            continue
        first = g.iloc[0]
        rows.append({
            "target_id": tid, "kind": first["kind"], "crime_group": group,
            "last_date": last.date().isoformat(), "days_since": int((as_of - last).days),
            "crimes_in_window": int(len(g)), "repeat": bool(len(g) > 1),
            "alcaldia": g["alcaldia"].iloc[-1], "cuadrante": g["cuadrante"].iloc[-1],
            "person_id": first.get("person_id") if "person_id" in g.columns else None,
            "label": first.get("label") if "label" in g.columns else None,
        })
    rows.sort(key=lambda r: (-r["crimes_in_window"], r["days_since"], str(r["target_id"])))
    return {"as_of": as_of.date().isoformat(), "days": at_risk_days, "total": len(rows), "targets": rows[:limit]}


def _clean(v):
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


class RepeatVictimization:
    """Repeat victimization by target kind and crime type (see the module docstring for every definition).

    Attributes
    ----------
    by_kind_crime : list of dict
        Per target kind and crime group (and ``ALL``): victims, repeat_victims, crimes, repeat_crimes,
        share_victims_repeat, share_crimes_repeat, concentration, prevalence_per_1000, incidence_per_1000,
        time_course {within_7, within_30, within_90, within_365, next_victimizations, median_days}, trend.
    by_alcaldia, by_month : list of dict
        The same figures per alcaldía and per month.
    almost_same : list of dict
        Figures counting near matches as the same victim, and the repeats they add.
    at_risk : dict
        ``as_of``, ``days`` and ``targets`` recently victimized, for protective action.
    events : DataFrame
        Every crime with ``gap_prev``, ``gap_next``, ``is_repeat``.
    """

    def __init__(self, events: pd.DataFrame, window_days: int = 365, date_from=None, date_to=None, as_of=None,
                 at_risk_days: int = 30, near: bool = False, population: dict | None = None,
                 params: dict | None = None, data_window: dict | None = None):
        res = repeat_victimization(events, window_days=window_days, date_from=date_from, date_to=date_to,
                                   as_of=as_of, at_risk_days=at_risk_days, near=near, population=population)
        self.by_kind_crime = res["by_kind_crime"]
        self.by_alcaldia = res["by_alcaldia"]
        self.by_month = res["by_month"]
        self.almost_same = res["almost_same"]
        self.at_risk = res["at_risk"]
        self.params = {"window_days": window_days, "date_from": _places.iso(date_from),
                       "date_to": _places.iso(date_to), "as_of": _places.iso(as_of), "at_risk_days": at_risk_days,
                       "near": near, "repeat_rule": "same target, same crime group, gap <= window_days",
                       **(params or {})}
        ev = prepare(events)
        self.data_window = data_window or {
            "date_from": _places.iso(ev["date"].min()) if len(ev) else None,
            "date_to": _places.iso(ev["date"].max()) if len(ev) else None, "events": int(len(ev))}

    def figures(self, kind: str, crime_group: str) -> dict | None:
        for r in self.by_kind_crime:
            if r["kind"] == kind and r["crime_group"] == crime_group:
                return r
        return None

    @classmethod
    def from_warehouse(cls, wh, window_days: int = 365, kinds=KINDS, date_from=None, date_to=None,
                       alcaldia: str | None = None, crime_group: str | None = None, near: bool = False,
                       as_of=None, at_risk_days: int = 30) -> RepeatVictimization:
        # crimes up to window_days before the period are loaded only to judge repeats in the period
        lookback = (pd.Timestamp(date_from) - pd.Timedelta(days=window_days)) if date_from else None
        events = load_events(wh, kinds, date_from=lookback, date_to=date_to, alcaldia=alcaldia)
        if crime_group:
            events = events[events["crime_group"] == crime_group]
        params = {"kinds": list(kinds), "alcaldia": alcaldia, "crime_group": crime_group}
        first = events["date"].min() if len(events) else None
        if first is not None and date_from is not None:
            first = max(pd.Timestamp(first), pd.Timestamp(date_from))  # earlier crimes only judge repeats
        window = {"date_from": _places.iso(first),
                  "date_to": _places.iso(events["date"].max()) if len(events) else None,
                  "events": int(len(events)), "sources": sorted(events["source"].dropna().unique().tolist())
                  if len(events) else [], "data_version": wh.data_version()}
        return cls(events, window_days=window_days, date_from=date_from, date_to=date_to, as_of=as_of,
                   at_risk_days=at_risk_days, near=near, population=_places.cuadrante_population(),
                   params=params, data_window=window)

    def rows(self) -> list[dict]:
        out = []
        for r in self.by_kind_crime:
            tc = r["time_course"]
            out.append({"kind": r["kind"], "crime_group": r["crime_group"], "victims": r["victims"],
                        "repeat_victims": r["repeat_victims"], "crimes": r["crimes"],
                        "repeat_crimes": r["repeat_crimes"], "share_crimes_repeat": r["share_crimes_repeat"],
                        "concentration": r["concentration"], "prevalence_per_1000": r["prevalence_per_1000"],
                        "within_7": tc["within_7"], "within_30": tc["within_30"], "within_90": tc["within_90"],
                        "within_365": tc["within_365"]})
        return out

    def to_dict(self) -> dict:
        def clean(obj):
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [clean(v) for v in obj]
            return _clean(obj)

        return clean({"analysis": NAME, "by_kind_crime": self.by_kind_crime, "by_alcaldia": self.by_alcaldia,
                      "by_month": self.by_month, "almost_same": self.almost_same, "at_risk": self.at_risk,
                      "params": self.params, "data_window": self.data_window})


def load_events(wh, kinds=KINDS, date_from=None, date_to=None, alcaldia: str | None = None) -> pd.DataFrame:
    """Crimes against targets: one row per (target, event) from target_membership ⋈ target ⋈ event."""
    where, params = _places.event_where(date_from, date_to, alcaldia, None, alias="e")
    kinds = list(kinds)
    where += f" AND t.kind IN ({', '.join('?' for _ in kinds)})"
    params.extend(kinds)
    df = wh.df(
        "SELECT tm.target_id, t.kind, e.crime, e.occurred_at AS date, coalesce(e.alcaldia, t.alcaldia) AS alcaldia, "
        "coalesce(e.cuadrante, t.cuadrante) AS cuadrante, tm.match, e.case_key_norm AS case_key, e.event_id, "
        "e.source, t.person_id, t.label "
        "FROM target_membership tm JOIN target t ON t.target_id = tm.target_id "
        f"JOIN event e ON e.event_id = tm.event_id WHERE e.crime IS NOT NULL AND {where}", params)
    groups = {c: _places.crime_group(c) for c in df["crime"].dropna().unique()}
    df["crime_group"] = df["crime"].map(groups)
    return df


DEFAULT_PARAMS = {"window_days": 365, "at_risk_days": 30, "near": False}


def compute(wh, params: dict | None = None) -> dict:
    p = {**DEFAULT_PARAMS, **(params or {})}
    return RepeatVictimization.from_warehouse(
        wh, window_days=int(p["window_days"]), date_from=p.get("date_from"), date_to=p.get("date_to"),
        alcaldia=p.get("alcaldia"), crime_group=p.get("crime_group"), near=bool(p["near"]),
        as_of=p.get("as_of"), at_risk_days=int(p["at_risk_days"])).to_dict()


def materialize(wh) -> None:
    """Store the default figures (whole city, all dates, 365-day window) for the victims page."""
    from . import store

    store.save(wh, NAME, DEFAULT_PARAMS, compute(wh, DEFAULT_PARAMS))


