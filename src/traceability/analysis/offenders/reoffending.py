"""Reoffending after release and after a first detention; offences prevented by prison (incapacitation).

*Time to reoffending*: from a start date to the date of the person's next offence that reached a detention or
an accusation (a different offence, dated strictly after the start), censored at the end of observation.
Starts: ``release`` — each prison release (``attrs.fecha_egreso`` of a prison admission); ``first_detention`` —
the person's first detained offence. Kaplan–Meier estimates (Kaplan & Meier 1958) with pointwise 95 % bands
(lifelines' exponential Greenwood, Kalbfleisch & Prentice 2002), by crime group of the start offence and by
cohort (year of the start). A Cox proportional-hazards model (Cox 1972) uses covariates from the record only:
prior offences and crime group of the start offence — never sex or age.

*Incapacitation* (Avi-Itzhak & Shinnar 1973; Blumstein, Cohen, Roth & Visher 1986, *Criminal Careers and
"Career Criminals"*): a prison term of length T prevents ``lambda_i * T`` offences, ``lambda_i`` the person's
recorded offence rate before admission = prior offences / max(time from first offence to admission, 1 year).
Recorded offences only: with detection rates well below 1 the true figure is larger; with offending that
declines with age, smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STARTS = ("release", "first_detention")


def km_curve(durations, events, label: str = "all", alpha: float = 0.05, max_points: int = 120) -> dict:
    """Kaplan–Meier survival with confidence band, as JSON-ready lists (days, survival, lower, upper)."""
    from lifelines import KaplanMeierFitter

    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    kmf = KaplanMeierFitter(alpha=alpha)
    kmf.fit(d, event_observed=e, label=label)
    sf = kmf.survival_function_[label]
    ci = kmf.confidence_interval_
    t = sf.index.to_numpy()
    idx = np.arange(len(t))
    if len(t) > max_points:
        idx = np.unique(np.linspace(0, len(t) - 1, max_points).round().astype(int))
    med = kmf.median_survival_time_
    at = {}
    for days in (30, 90, 180, 365):
        at[str(days)] = float(kmf.survival_function_at_times(days).iloc[0])
    return {"label": label, "n": int(len(d)), "events": int(e.sum()),
            "days": [float(x) for x in t[idx]], "survival": [float(x) for x in sf.to_numpy()[idx]],
            "lower": [float(x) for x in ci.iloc[idx, 0]], "upper": [float(x) for x in ci.iloc[idx, 1]],
            "median_days": None if not np.isfinite(med) else float(med), "survival_at": at}


def spells(offences: pd.DataFrame, prison_terms: pd.DataFrame, start: str, end: pd.Timestamp) -> pd.DataFrame:
    """One row per start: ``person_id, start_date, start_key, crime_group, cohort, prior, duration, event``."""
    empty = pd.DataFrame(columns=["person_id", "start_date", "start_key", "crime_group", "cohort", "prior",
                                  "duration", "event"])
    if start not in STARTS:
        from ...errors import UsageError

        raise UsageError(f"unknown start {start!r}: use one of {', '.join(STARTS)}")
    if offences.empty:
        return empty
    o = offences[(offences["detained"].astype(bool) | offences["accused"].astype(bool)) & offences["date"].notna()]
    if start == "release":
        s = prison_terms.dropna(subset=["release"]).copy()
        s = s[s["release"] <= end]
        s = s.rename(columns={"release": "start_date"})[["person_id", "start_date", "offence_key", "crime_group"]]
    else:
        d = o[o["detained"].astype(bool)].sort_values(["person_id", "date", "offence_key"])
        s = d.drop_duplicates("person_id").rename(columns={"date": "start_date"})[
            ["person_id", "start_date", "offence_key", "crime_group"]]
    if s.empty:
        return empty
    s = s.rename(columns={"offence_key": "start_key"}).reset_index(drop=True)
    s["sid"] = np.arange(len(s))
    m = s.merge(o[["person_id", "offence_key", "date"]], on="person_id", how="left")
    later = m[(m["date"] > m["start_date"]) & (m["offence_key"] != m["start_key"])]
    nxt = later.groupby("sid")["date"].min()
    prior = m[(m["date"] < m["start_date"]) & (m["offence_key"] != m["start_key"])].groupby("sid").size()
    s["next_date"] = s["sid"].map(nxt)
    s["event"] = s["next_date"].notna()
    stop = s["next_date"].fillna(end)
    s["duration"] = (stop - s["start_date"]).dt.days.clip(lower=0) + 0.0
    s["prior"] = s["sid"].map(prior).fillna(0).astype(int)
    s["cohort"] = s["start_date"].dt.year.astype(int)
    return s[["person_id", "start_date", "start_key", "crime_group", "cohort", "prior", "duration", "event"]]


@dataclass
class Reoffending:
    """Kaplan–Meier curves of time to the next detention or accusation, and a Cox model.

    Parameters
    ----------
    histories : OffenderHistories
    start : ``"release"`` or ``"first_detention"``
    end : Timestamp, optional
        End of observation (censoring date); default the latest offence date.
    min_group : int
        Smallest crime group / cohort with its own curve.

    Attributes
    ----------
    spells : DataFrame
    overall : dict
        ``km_curve`` of everyone.
    by_crime_group, by_cohort : list of dict
    cox : dict or None
        Coefficients, hazard ratios and 95 % CIs; ``None`` with ``cox_error`` when it cannot be fitted.
    """

    histories: object
    start: str = "release"
    end: pd.Timestamp | None = None
    min_group: int = 20
    top_groups: int = 6

    def __post_init__(self):
        h = self.histories
        if self.end is None:
            self.end = h.offences["date"].max() if len(h.offences) else pd.Timestamp.today().normalize()
        self.end = pd.Timestamp(self.end)
        self.spells = spells(h.offences, h.prison_terms, self.start, self.end)
        sp = self.spells
        self.overall = km_curve(sp["duration"], sp["event"], "all") if len(sp) else None
        self.by_crime_group = self._by("crime_group")
        self.by_cohort = self._by("cohort")
        self.cox, self.cox_error = self._cox()

    def _by(self, col: str) -> list[dict]:
        out = []
        sp = self.spells.dropna(subset=[col])
        counts = sp[col].value_counts()
        keep = [g for g in counts.index if counts[g] >= self.min_group]
        if col == "crime_group":
            keep = keep[: self.top_groups]
        for g in sorted(keep, key=str):
            sub = sp[sp[col] == g]
            out.append(km_curve(sub["duration"], sub["event"], str(g)))
        return out

    def _cox(self):
        sp = self.spells
        if len(sp) < 30 or sp["event"].sum() < 5:
            return None, "too few spells or events for a Cox model (needs 30 spells and 5 events)"
        from lifelines import CoxPHFitter

        df = pd.DataFrame({"duration": sp["duration"].clip(lower=0.5), "event": sp["event"].astype(int),
                           "prior_offences": sp["prior"].astype(float)})
        groups = sp["crime_group"].fillna("UNKNOWN")
        common = groups.value_counts()
        common = [g for g in common.index if common[g] >= self.min_group][: self.top_groups]
        if len(common) > 1:
            # the most frequent group (common[0]) is the reference: no column of its own
            for g in common[1:]:
                df[f"group_{g}"] = (groups == g).astype(float)
        try:
            cph = CoxPHFitter(penalizer=0.01)
            cph.fit(df, duration_col="duration", event_col="event")
        except Exception as e:  # noqa: BLE001 — convergence problems are reported, not raised
            return None, f"Cox model did not converge: {type(e).__name__}"
        s = cph.summary
        rows = [{"covariate": k, "coef": float(s.loc[k, "coef"]), "hazard_ratio": float(s.loc[k, "exp(coef)"]),
                 "ci_low": float(s.loc[k, "exp(coef) lower 95%"]), "ci_high": float(s.loc[k, "exp(coef) upper 95%"]),
                 "p": float(s.loc[k, "p"])} for k in s.index]
        return {"covariates": rows, "n": int(len(df)), "events": int(df["event"].sum()),
                "concordance": float(cph.concordance_index_),
                "reference_group": common[0] if len(common) > 1 else None, "penalizer": 0.01}, None

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end.date().isoformat(), "spells": int(len(self.spells)),
                "events": int(self.spells["event"].sum()) if len(self.spells) else 0,
                "overall": self.overall, "by_crime_group": self.by_crime_group, "by_cohort": self.by_cohort,
                "cox": self.cox, "cox_error": self.cox_error,
                "definition": "time from start to the next offence reaching a detention or accusation; "
                              "censored at the end of observation"}


@dataclass
class Incapacitation:
    """Offences prevented by prison terms at each person's prior recorded rate.

    Attributes
    ----------
    terms : DataFrame
        ``person_id, admission, release, days_served, prior_offences, prior_years, rate_per_year, prevented``.
    total_prevented : float
    """

    histories: object
    end: pd.Timestamp | None = None
    min_prior_years: float = 1.0

    def __post_init__(self):
        h = self.histories
        if self.end is None:
            self.end = h.offences["date"].max() if len(h.offences) else pd.Timestamp.today().normalize()
        self.end = pd.Timestamp(self.end)
        t = h.prison_terms.dropna(subset=["admission"]).copy()
        if t.empty:
            self.terms = t
            self.total_prevented = 0.0
            return
        o = h.offences.dropna(subset=["date"])
        m = t.merge(o[["person_id", "offence_key", "date"]], on="person_id", how="left", suffixes=("", "_o"))
        pri = m[(m["date"] < m["admission"]) & (m["offence_key_o"] != m["offence_key"])]
        g = pri.groupby("event_id").agg(prior_offences=("date", "size"), first=("date", "min"))
        t["prior_offences"] = t["event_id"].map(g["prior_offences"]).fillna(0).astype(int)
        first = t["event_id"].map(g["first"])
        t["prior_years"] = ((t["admission"] - first).dt.days / 365.25).fillna(0).clip(lower=self.min_prior_years)
        t["rate_per_year"] = t["prior_offences"] / t["prior_years"]
        stop = t["release"].fillna(self.end).clip(upper=self.end)
        t["days_served"] = (stop - t["admission"]).dt.days.clip(lower=0)
        t["prevented"] = t["rate_per_year"] * t["days_served"] / 365.25
        self.terms = t
        self.total_prevented = float(t["prevented"].sum())

    def to_dict(self) -> dict:
        t = self.terms
        return {"terms": int(len(t)), "persons": int(t["person_id"].nunique()) if len(t) else 0,
                "total_prevented": self.total_prevented,
                "mean_rate_per_year": float(t["rate_per_year"].mean()) if len(t) else None,
                "days_served": float(t["days_served"].sum()) if len(t) else 0.0,
                "end": self.end.date().isoformat(), "min_prior_years": self.min_prior_years,
                "definition": "prevented = prior offences / max(years from first offence to admission, "
                              f"{self.min_prior_years}) x years served (to release or the end of observation)"}
