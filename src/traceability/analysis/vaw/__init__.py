"""Violence against women: one woman's contacts across CJM, hospitals, 911 and the prosecutor (DESIGN.md §6).

Definitions
-----------
*Contacts* and *women*: :mod:`.contacts` (CJM cases, ER attentions for family or sexual violence, women's-line
and gender-violence 911 calls, victim entries of gender-violence crimes; the woman resolved by
``person_membership``). A woman is **in scope** when she has a contact in the period (and alcaldía) asked for;
her timeline holds every contact up to the end of the period, so escalation sees her history.

*Carpeta*: a contact **has a carpeta** when it carries a carpeta number (``case_key_norm``; a CJM case records
the carpeta opened for her), is itself a victim entry, or the same woman has a victim entry of a
gender-violence crime dated within ``carpeta_window_days`` (default 180) before or after it. A woman **has a
carpeta** when one of her contacts does by key or she has such a victim entry. ``key_found`` counts the CJM keys
that match a carpeta or victim entry in the warehouse.

*Hidden cases*: ER attentions for family or sexual violence and CJM cases with no carpeta, by alcaldía (of the
record) and month.

*Escalation* and *risk flags*: :mod:`.risk` (rule, flags, evidence, and why no score is given).
A woman is **flagged** for protective follow-up with at least ``min_flags`` flags (default 2); the follow-up list
leaves out women recorded as killed and is ordered by number of flags, then the latest contact.

*Femicides* (``femicide``, ``attempted``): victim entries with crime FEMINICIDIO / FEMINICIDIO_TENTATIVA (a
carpeta with no victim entry is counted as ``unidentified``), and ER attentions for family violence ending in
death (``er_death``). CJM cases recording feminicidal violence (``cjm_feminicida``) are listed apart: the CJM's
assessment, not a crime. *Prior contacts* of a case are the woman's contacts dated before the day of the case
(other than the case's own carpeta); ``days_before`` from each to the case. ``flag_recall`` is the share of
identified femicides and attempts whose woman had at least ``min_flags`` flags on the facts recorded before
the day; ``flag_rate_all_women`` is the share of all other women flagged, for comparison (a flag set that
catches every femicide by flagging every woman is of no use).

*Maps*: where women are harmed (coordinates of the contacts that have them: calls and victim entries, rounded
to 3 decimals, about 100 m) and where they seek help (CJM sede, ER unit). *Trends*: contacts, hidden cases and
recorded femicides by month; with the SESNSP file, the national count of femicide victims in Mexico City by year
(:mod:`.sesnsp`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import contacts as _contacts
from . import risk as _risk
from . import sesnsp as _sesnsp
from .risk import CAVEAT, FLAGS

NAME = "vaw"
DEFAULT_PARAMS = {"k_contacts": 3, "min_flags": 2, "min_episodes": 4, "interval_ratio": 0.5, "severity_rise": 3.0,
                  "carpeta_window_days": 180}
FEMICIDE_CODES = {"FEMINICIDIO": "femicide", "FEMINICIDIO_TENTATIVA": "attempted"}
SOURCE_OF_KIND = {"cjm_case": "cjm", "er_attention": "er", "call_911": "call", "victim_record": "carpeta"}
FOLLOW_UP_LIMIT = 500
POINTS_LIMIT = 3000

__all__ = ["CAVEAT", "DEFAULT_PARAMS", "FLAGS", "NAME", "ViolenceAgainstWomen", "compute", "materialize"]


def _d(v) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def _day(d) -> str | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def _count(items) -> dict:
    out: dict = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def _py(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


class ViolenceAgainstWomen:
    """Women's contacts, hidden cases, escalation, risk flags, femicides, maps and trends.

    Build with :meth:`from_warehouse` (or the constructor on the frames of :func:`contacts.load`).

    Attributes
    ----------
    params : dict
        Parameters used (period, alcaldía, thresholds).
    data_window : dict
        First and last contact date and the sources.
    women : int
        Women in scope. ``with_carpeta``: of them, with a carpeta.
    hidden_cases : dict
        ``total``, ``er``, ``cjm``, ``er_total``, ``cjm_total``, ``by_alcaldia``, ``by_month``.
    escalating : int
        Women whose contacts escalate (``escalation_detail`` splits frequency and severity).
    flagged : int
        Women with at least ``min_flags`` flags; ``flag_counts`` per flag; ``follow_up`` the list.
    femicides : list of dict
        Every femicide, attempt, ER death and CJM feminicidal-violence case with prior contacts.
    femicides_with_prior_contact : dict
        Identified femicides and attempts (and ER deaths): ``cases``, ``with_prior``, ``share``, ``unidentified``,
        ``median_days_before_last``, ``flag_recall``, ``flag_recall_by_flag``, ``flag_rate_all_women``.
    timelines : dict
        person_id -> her contacts (list of dicts), for :meth:`woman`.
    maps, trends : dict
        Where women are harmed and seek help; monthly series.
    sesnsp_femicides : dict or None
        {year: victims} of femicide in Mexico City (SESNSP), when the file is given.
    """

    def __init__(self, frames: dict, date_from=None, date_to=None, alcaldia: str | None = None,
                 k_contacts: int = 3, min_flags: int = 2, min_episodes: int = 4, interval_ratio: float = 0.5,
                 severity_rise: float = 3.0, carpeta_window_days: int = 180, sesnsp: str | None = None):
        self.params = {"date_from": _day(_d(date_from)), "date_to": _day(_d(date_to)), "alcaldia": alcaldia,
                       "k_contacts": int(k_contacts), "min_flags": int(min_flags), "min_episodes": int(min_episodes),
                       "interval_ratio": float(interval_ratio), "severity_rise": float(severity_rise),
                       "carpeta_window_days": int(carpeta_window_days)}
        if sesnsp:
            self.params["sesnsp"] = str(sesnsp)
        d0, d1 = _d(date_from), _d(date_to)
        c = frames["contacts"]
        if d1 is not None and len(c):
            c = c[c["date"] <= pd.Timestamp(d1)]
        in_period = pd.Series(True, index=c.index)
        if d0 is not None:
            in_period &= c["date"] >= pd.Timestamp(d0)
        if alcaldia:
            in_period &= c["alcaldia"] == alcaldia
        scope = set(c.loc[in_period, "person_id"])
        c = c[c["person_id"].isin(scope)].copy()
        c["in_period"] = in_period.loc[c.index]
        self._mark_carpetas(c, int(carpeta_window_days))
        self.contacts = c
        self.data_window = {
            "from": _day(c["date"].min()) if len(c) else None, "to": _day(c["date"].max()) if len(c) else None,
            "sources": sorted(c["source"].unique().tolist()) if len(c) else [],
        }
        aggr = frames.get("aggressors")
        recs = frames.get("aggressor_records")
        self._aggressors = aggr if aggr is not None else pd.DataFrame(
            columns=["event_id", "woman_id", "aggressor_mention", "aggressor_id", "how", "occurred_at"])
        self._aggr_records = recs if recs is not None else pd.DataFrame(
            columns=["aggressor_id", "event_id", "kind", "role", "occurred_at", "crime"])
        self._women(c)
        self._hidden(c)
        self._femicides(c, frames.get("femicide_carpetas"))
        self._maps_trends(c)
        self.sesnsp_femicides = None
        self.sesnsp_detail = None
        if sesnsp:
            s = _sesnsp.femicides(sesnsp)
            self.sesnsp_femicides = s["by_year"]
            self.sesnsp_detail = s

    # -- construction ------------------------------------------------------------------------------------
    @classmethod
    def from_warehouse(cls, wh, **params) -> ViolenceAgainstWomen:
        """Read the contacts from the warehouse and compute (parameters as the constructor)."""
        return cls(_contacts.load(wh), **params)

    # -- pieces ------------------------------------------------------------------------------------------
    @staticmethod
    def _mark_carpetas(c: pd.DataFrame, window: int) -> None:
        c["has_carpeta"] = (c["kind"].eq("victim_record") | c["case_key_norm"].notna()).astype(bool)
        vr = c[c["kind"] == "victim_record"][["person_id", "date"]]
        if len(vr) and len(c):
            m = c[["person_id", "date"]].reset_index().merge(vr, on="person_id", suffixes=("", "_v"))
            near = m[(m["date"] - m["date_v"]).abs().dt.days <= window]
            c.loc[c.index.isin(near["index"].unique()), "has_carpeta"] = True

    def _records(self, c: pd.DataFrame) -> None:
        """Per woman, her contacts as plain records (fast to scan), and per aggressor his offender records."""
        cols = ["event_id", "date", "kind", "severity", "weapon", "strangulation", "sexual", "feminicidal",
                "separation", "case_key_norm", "services", "relacion", "sexo_agresor"]
        self._by_woman: dict[str, list[dict]] = {}
        for pid, rec in zip(c["person_id"], c[cols].to_dict("records"), strict=True):
            self._by_woman.setdefault(pid, []).append(rec)
        self._aggr_by_woman: dict[str, list[dict]] = {}
        for r in self._aggressors.to_dict("records"):
            self._aggr_by_woman.setdefault(r["woman_id"], []).append(r)
        self._recs_by_aggr: dict[str, list[dict]] = {}
        for r in self._aggr_records.to_dict("records"):
            self._recs_by_aggr.setdefault(r["aggressor_id"], []).append(r)

    def _aggressor_records(self, pid: str) -> list[dict]:
        seen, out = set(), []
        for a in self._aggr_by_woman.get(pid, []):
            for r in self._recs_by_aggr.get(a["aggressor_id"], []):
                if r["event_id"] not in seen:
                    seen.add(r["event_id"])
                    out.append(r)
        return out

    def _women(self, c: pd.DataFrame) -> None:
        p = self.params
        self._records(c)
        esc_freq = esc_sev = 0
        flag_counts = dict.fromkeys(FLAGS, 0)
        killed = set(c.loc[(c["kind"] == "victim_record") & (c["crime"] == "FEMINICIDIO"), "person_id"]) | \
            set(c.loc[c["death"].astype(bool), "person_id"])
        g = c.assign(_hidden=c["kind"].isin(["er_attention", "cjm_case"]) & ~c["has_carpeta"],
                     _carpeta=c["kind"].eq("victim_record") | c["key_known"].astype(bool) | c["case_key_norm"].notna())
        agg = g.groupby("person_id", sort=False).agg(
            contacts=("event_id", "size"), first=("date", "min"), last=("date", "max"),
            has_carpeta=("_carpeta", "any"), hidden=("_hidden", "sum"), protection=("protection", "sum"),
            max_severity=("severity", "max"), alcaldia=("alcaldia", "last"))
        kinds = g.groupby("person_id", sort=False)["kind"].agg(lambda k: sorted({SOURCE_OF_KIND[x] for x in k}))
        self.women_detail: dict[str, dict] = {}
        follow = []
        for pid, row in agg.iterrows():
            recs = self._by_woman[pid]
            aggressors = []
            by_aggr: dict[str, list[dict]] = {}
            for a in self._aggr_by_woman.get(pid, []):
                by_aggr.setdefault(a["aggressor_id"], []).append(a)
            for aid, ga in by_aggr.items():
                aggressors.append({"aggressor_id": aid, "linked": not str(aid).startswith("m:"),
                                   "how": sorted({x["how"] for x in ga}), "events": sorted({x["event_id"] for x in ga}),
                                   "offender_records": len(self._recs_by_aggr.get(aid, []))})
            fl, esc = _risk.flags(recs, self._aggressor_records(pid), p["k_contacts"], p["min_episodes"],
                                  p["interval_ratio"], p["severity_rise"])
            esc_freq += esc["more_frequent"]
            esc_sev += esc["more_severe"]
            for f in fl:
                flag_counts[f] += 1
            d = {"person_id": pid, "contacts": int(row["contacts"]), "episodes": esc["episodes"],
                 "first": _day(row["first"]), "last": _day(row["last"]), "sources": kinds[pid],
                 "has_carpeta": bool(row["has_carpeta"]), "hidden_contacts": int(row["hidden"]),
                 "aggressors": aggressors, "aggressor_relation": sorted({r["relacion"] for r in recs if r["relacion"]}),
                 "aggressor_sex": sorted({r["sexo_agresor"] for r in recs if r["sexo_agresor"]}),
                 "services": sorted({s for r in recs for s in r["services"]}),
                 "protection_orders": int(row["protection"]),
                 "escalation": {k: (v if isinstance(v, list) else _py(v)) for k, v in esc.items()},
                 "flags": fl, "n_flags": len(fl), "killed": pid in killed,
                 "alcaldia": row["alcaldia"] if isinstance(row["alcaldia"], str) else None,
                 "max_severity": _py(row["max_severity"]) if pd.notna(row["max_severity"]) else None}
            self.women_detail[pid] = d
            if len(fl) >= p["min_flags"] and pid not in killed:
                follow.append({k: d[k] for k in ("person_id", "contacts", "first", "last", "sources", "has_carpeta",
                                                 "n_flags", "alcaldia", "max_severity")}
                              | {"flags": sorted(fl), "evidence": fl})
        self.women = len(self.women_detail)
        self.with_carpeta = sum(1 for d in self.women_detail.values() if d["has_carpeta"])
        self.escalating = sum(1 for d in self.women_detail.values() if d["escalation"]["escalating"])
        self.escalation_detail = {"more_frequent": int(esc_freq), "more_severe": int(esc_sev),
                                  "measurable": sum(1 for d in self.women_detail.values()
                                                    if d["episodes"] >= p["min_episodes"])}
        self.flagged = sum(1 for d in self.women_detail.values() if d["n_flags"] >= p["min_flags"])
        self.flag_counts = {k: int(v) for k, v in flag_counts.items()}
        follow.sort(key=lambda r: (-r["n_flags"], -pd.Timestamp(r["last"]).value if r["last"] else 0))
        self.follow_up = follow

    def timeline(self, person_id: str) -> list[dict]:
        """Every contact of one woman, oldest first (event ids, dates, what each record says)."""
        g = self.contacts[self.contacts["person_id"] == person_id]
        out = []
        for r in g.itertuples(index=False):
            out.append({"event_id": r.event_id, "date": _day(r.date), "at": str(r.occurred_at), "kind": r.kind,
                        "source": r.source, "crime": r.crime, "alcaldia": r.alcaldia,
                        "severity": _py(r.severity) if pd.notna(r.severity) else None,
                        "has_carpeta": bool(r.has_carpeta), "case_key": r.case_key_norm,
                        "weapon": bool(r.weapon), "strangulation": bool(r.strangulation), "sexual": bool(r.sexual),
                        "feminicidal": bool(r.feminicidal), "relacion_agresor": r.relacion,
                        "services": list(r.services), "sede": r.sede, "unit": r.unit})
        return out

    def woman(self, person_id: str) -> dict | None:
        """One woman: her summary, flags with evidence, aggressors and the timeline."""
        d = self.women_detail.get(person_id)
        if d is None:
            return None
        return {**d, "timeline": self.timeline(person_id)}

    def _hidden(self, c: pd.DataFrame) -> None:
        cc = c[c["in_period"] & c["kind"].isin(["er_attention", "cjm_case"])]
        hid = cc[~cc["has_carpeta"]]
        by_alc = []
        for alc, g in cc.groupby(cc["alcaldia"].fillna("")):
            h = g[~g["has_carpeta"]]
            by_alc.append({"alcaldia": alc or None, "er": int((h["kind"] == "er_attention").sum()),
                           "cjm": int((h["kind"] == "cjm_case").sum()), "hidden": int(len(h)), "total": int(len(g)),
                           "share_hidden": len(h) / len(g) if len(g) else None})
        months = cc["date"].dt.strftime("%Y-%m")
        by_month = []
        for m, g in cc.groupby(months):
            h = g[~g["has_carpeta"]]
            by_month.append({"month": m, "er": int((h["kind"] == "er_attention").sum()),
                             "cjm": int((h["kind"] == "cjm_case").sum()), "hidden": int(len(h)), "total": int(len(g))})
        cjm = cc[cc["kind"] == "cjm_case"]
        self.hidden_cases = {
            "total": int(len(hid)), "er": int((hid["kind"] == "er_attention").sum()),
            "cjm": int((hid["kind"] == "cjm_case").sum()), "er_total": int((cc["kind"] == "er_attention").sum()),
            "cjm_total": int(len(cjm)), "share": len(hid) / len(cc) if len(cc) else None,
            "cjm_keys": int(cjm["case_key_norm"].notna().sum()), "cjm_keys_found": int(cjm["key_known"].sum()),
            "by_alcaldia": sorted(by_alc, key=lambda r: -r["hidden"]), "by_month": by_month,
        }
        self.hidden_events = hid["event_id"].tolist()

    def _femicides(self, c: pd.DataFrame, carpetas: pd.DataFrame | None) -> None:
        p = self.params
        cases = []
        vr = c[(c["kind"] == "victim_record") & c["crime"].isin(list(FEMICIDE_CODES))]
        for (pid, key, crime), g in vr.groupby(["person_id", vr["case_key_norm"].fillna(vr["event_id"]), "crime"]):
            cases.append((FEMICIDE_CODES[crime], pid, g["date"].min(), key, g["event_id"].tolist(),
                          g["alcaldia"].iloc[0]))
        for r in c[c["death"].astype(bool)].itertuples(index=False):
            cases.append(("er_death", r.person_id, r.date, None, [r.event_id], r.alcaldia))
        for r in c[c["feminicidal"].astype(bool)].itertuples(index=False):
            cases.append(("cjm_feminicida", r.person_id, r.date, r.case_key_norm, [r.event_id], r.alcaldia))
        in_period = dict(zip(c["event_id"], c["in_period"], strict=True))
        out = []
        for kind, pid, day, key, events, alc in cases:
            evs = set(events)
            prior = [r for r in self._by_woman[pid] if r["date"] < day and r["event_id"] not in evs
                     and (key is None or r["case_key_norm"] is None or pd.isna(r["case_key_norm"])
                          or r["case_key_norm"] != key)]
            fl, _ = _risk.flags(prior, self._aggressor_records(pid), p["k_contacts"], p["min_episodes"],
                                p["interval_ratio"], p["severity_rise"], before=day)
            days_before = [int((day - r["date"]).days) for r in prior]
            out.append({"kind": kind, "person_id": pid, "date": _day(day), "alcaldia": alc, "events": events,
                        "prior_contacts": len(prior),
                        "prior_by_source": _count(SOURCE_OF_KIND[r["kind"]] for r in prior),
                        "prior_events": [{"event_id": r["event_id"], "date": _day(r["date"]), "kind": r["kind"],
                                          "days_before": int((day - r["date"]).days)} for r in prior],
                        "days_before_first": max(days_before) if days_before else None,
                        "days_before_last": min(days_before) if days_before else None,
                        "flags_before": sorted(fl), "flagged_before": len(fl) >= p["min_flags"],
                        "in_period": any(in_period.get(e, False) for e in events)})
        out.sort(key=lambda r: (r["date"] or "", r["kind"]))
        self.femicides = out
        core = [f for f in out if f["kind"] in ("femicide", "attempted", "er_death") and f["in_period"]]
        n = len(core)
        with_prior = sum(1 for f in core if f["prior_contacts"] > 0)
        victims = {f["person_id"] for f in core}
        others = [d for pid, d in self.women_detail.items() if pid not in victims]
        unident = 0
        if carpetas is not None and len(carpetas):
            fc = carpetas.copy()
            fc["date"] = pd.to_datetime(fc["occurred_at"]).dt.normalize()
            if p["date_from"]:
                fc = fc[fc["date"] >= pd.Timestamp(p["date_from"])]
            if p["date_to"]:
                fc = fc[fc["date"] <= pd.Timestamp(p["date_to"])]
            if p["alcaldia"]:
                fc = fc[fc["alcaldia"] == p["alcaldia"]]
            unident = int(len(fc))
            self._unidentified = fc
        else:
            self._unidentified = pd.DataFrame()
        gaps = [f["days_before_last"] for f in core if f["days_before_last"] is not None]
        self.femicides_with_prior_contact = {
            "cases": n, "with_prior": with_prior, "share": with_prior / n if n else None,
            "by_kind": {k: {"cases": sum(1 for f in out if f["kind"] == k and f["in_period"]),
                            "with_prior": sum(1 for f in out if f["kind"] == k and f["in_period"]
                                              and f["prior_contacts"] > 0)}
                        for k in ("femicide", "attempted", "er_death", "cjm_feminicida")},
            "unidentified": unident,
            "median_days_before_last": float(np.median(gaps)) if gaps else None,
            "median_days_before_first": float(np.median([f["days_before_first"] for f in core
                                                          if f["days_before_first"] is not None])) if gaps else None,
            "flag_recall": (sum(1 for f in core if f["flagged_before"]) / n) if n else None,
            "flag_recall_by_flag": {fl: (sum(1 for f in core if fl in f["flags_before"]) / n) if n else None
                                    for fl in FLAGS},
            "flag_rate_all_women": (sum(1 for d in others if d["n_flags"] >= p["min_flags"]) / len(others))
            if others else None,
            "flag_rate_by_flag": {fl: (sum(1 for d in others if fl in d["flags"]) / len(others)) if others else None
                                  for fl in FLAGS},
        }

    def _maps_trends(self, c: pd.DataFrame) -> None:
        cp = c[c["in_period"]]
        pts = cp[cp["lat"].notna() & cp["lon"].notna()].sort_values("date", ascending=False)
        points = [{"lon": round(float(lo), 3), "lat": round(float(la), 3), "kind": SOURCE_OF_KIND[k], "month": m}
                  for lo, la, k, m in zip(pts["lon"], pts["lat"], pts["kind"], pts["date"].dt.strftime("%Y-%m"),
                                          strict=True)][:POINTS_LIMIT]
        by_alc = []
        for alc, g in cp.groupby(cp["alcaldia"].fillna("")):
            by_alc.append({"alcaldia": alc or None, "contacts": int(len(g)), "women": int(g["person_id"].nunique()),
                           **{SOURCE_OF_KIND[k]: int((g["kind"] == k).sum()) for k in SOURCE_OF_KIND}})
        sede = cp[cp["kind"] == "cjm_case"].groupby("sede").agg(cases=("event_id", "size"),
                                                               women=("person_id", "nunique"))
        unit = cp[cp["kind"] == "er_attention"].groupby("unit").agg(attentions=("event_id", "size"),
                                                                   women=("person_id", "nunique"))
        self.maps = {
            "harm_by_alcaldia": sorted(by_alc, key=lambda r: -r["contacts"]),
            "harm_points": points, "harm_points_total": int(len(pts)), "harm_points_truncated": len(pts) > POINTS_LIMIT,
            "help_cjm": [{"sede": s, "alcaldia": _sede_alcaldia(s), "cases": int(r.cases), "women": int(r.women)}
                         for s, r in sede.sort_values("cases", ascending=False).iterrows()],
            "help_er": [{"unit": u, "attentions": int(r.attentions), "women": int(r.women)}
                        for u, r in unit.sort_values("attentions", ascending=False).iterrows()],
        }
        months = cp["date"].dt.strftime("%Y-%m")
        series = []
        fem = pd.DataFrame(self.femicides) if self.femicides else pd.DataFrame(columns=["kind", "date", "in_period"])
        for m, g in cp.groupby(months):
            f = fem[(fem["date"].str[:7] == m) & fem["in_period"]] if len(fem) else fem
            series.append({"month": m, **{SOURCE_OF_KIND[k]: int((g["kind"] == k).sum()) for k in SOURCE_OF_KIND},
                           "women": int(g["person_id"].nunique()),
                           "hidden": int((g["kind"].isin(["er_attention", "cjm_case"]) & ~g["has_carpeta"]).sum()),
                           "femicides": int((f["kind"] == "femicide").sum()) if len(f) else 0,
                           "attempted": int((f["kind"] == "attempted").sum()) if len(f) else 0})
        by_year: dict[str, int] = {}
        for f in self.femicides:
            if f["kind"] == "femicide" and f["in_period"]:
                by_year[f["date"][:4]] = by_year.get(f["date"][:4], 0) + 1
        if len(self._unidentified):
            for y, n in self._unidentified[self._unidentified["crime"] == "FEMINICIDIO"]["date"].dt.year \
                    .value_counts().items():
                by_year[str(y)] = by_year.get(str(y), 0) + int(n)
        self.trends = {"by_month": series, "recorded_femicides_by_year": dict(sorted(by_year.items()))}

    # -- output ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = {
            "params": self.params, "data_window": self.data_window,
            "women": self.women, "with_carpeta": self.with_carpeta,
            "share_with_carpeta": self.with_carpeta / self.women if self.women else None,
            "hidden_cases": self.hidden_cases, "escalating": self.escalating,
            "escalation_detail": self.escalation_detail, "flagged": self.flagged, "flag_counts": self.flag_counts,
            "follow_up": self.follow_up[:FOLLOW_UP_LIMIT], "follow_up_total": len(self.follow_up),
            "femicides_with_prior_contact": self.femicides_with_prior_contact, "femicides": self.femicides,
            "maps": self.maps, "trends": self.trends, "caveat": CAVEAT,
            "rules": {"escalation": _risk.__doc__.split("**Risk flags**")[0].strip(),
                      "severity": _contacts.__doc__.split("**Severity score**")[1].strip()},
        }
        if self.sesnsp_femicides is not None:
            d["sesnsp_femicides"] = self.sesnsp_femicides
            d["sesnsp"] = self.sesnsp_detail
        return d

    def rows(self) -> list[dict]:
        """The headline figures, one row each (for table and CSV output)."""
        f = self.femicides_with_prior_contact
        h = self.hidden_cases
        rows = [("women", self.women), ("with_carpeta", self.with_carpeta),
                ("hidden_cases", h["total"]), ("hidden_er", h["er"]), ("hidden_cjm", h["cjm"]),
                ("escalating", self.escalating), ("flagged", self.flagged),
                ("femicides_and_attempts", f["cases"]), ("femicides_with_prior_contact", f["with_prior"]),
                ("share_with_prior_contact", f["share"]), ("flag_recall_on_femicides", f["flag_recall"]),
                ("flag_rate_all_women", f["flag_rate_all_women"]), ("unidentified_femicide_carpetas", f["unidentified"])]
        rows += [(f"flag_{k}", v) for k, v in self.flag_counts.items()]
        if self.sesnsp_femicides:
            rows += [(f"sesnsp_femicides_{y}", v) for y, v in self.sesnsp_femicides.items()]
        return [{"figure": k, "value": _py(v)} for k, v in rows]


_SEDES = {"AZCAPOTZALCO": "09002", "COYOACAN": "09003", "CUAJIMALPA": "09004", "GUSTAVO A": "09005",
          "IZTACALCO": "09006", "IZTAPALAPA": "09007", "MAGDALENA CONTRERAS": "09008", "MILPA ALTA": "09009",
          "ALVARO OBREGON": "09010", "TLAHUAC": "09011", "TLALPAN": "09012", "XOCHIMILCO": "09013",
          "BENITO JUAREZ": "09014", "CUAUHTEMOC": "09015", "MIGUEL HIDALGO": "09016", "VENUSTIANO CARRANZA": "09017"}


def _sede_alcaldia(sede: str | None) -> str | None:
    """The alcaldía a CJM sede is named after (the sedes carry their alcaldía's name), else None."""
    import unicodedata

    s = unicodedata.normalize("NFKD", str(sede or "")).encode("ascii", "ignore").decode().upper()
    for name, code in _SEDES.items():
        if name in s:
            return code
    return None


def compute(wh, params: dict | None = None) -> dict:
    """The JSON result for these parameters (the web layer's entry point)."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    return ViolenceAgainstWomen.from_warehouse(wh, **p).to_dict()


def materialize(wh) -> None:
    """Store the default result (all periods, all alcaldías) for the page."""
    from .. import store

    store.save(wh, NAME, dict(DEFAULT_PARAMS), compute(wh, DEFAULT_PARAMS))
