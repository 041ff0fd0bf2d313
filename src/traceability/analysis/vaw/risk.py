"""Escalation and risk flags of one woman, from her recorded contacts only.

**Episodes.** Contacts of one woman on the same day (a call, then the ER, then the CJM) are one episode:
escalation is measured over episodes, so one bad night does not look like "more frequent contacts".

**Escalation rule** (frequency needs at least ``min_episodes`` episodes, default 4: with three, two
irregular gaps halve by chance about one time in three):

* *More frequent*: the intervals between episodes shrink. With intervals ``d_1 .. d_n`` (days), the
  **interval ratio** is the mean of the later half over the mean of the earlier half (the middle interval of an
  odd count is left out; for two intervals it is ``d_2 / d_1``). Frequency escalates when the ratio is at most
  ``interval_ratio`` (default 0.5: contacts come at least twice as often) **and** the last interval is shorter
  than the first.
* *More severe*: over the contacts with a severity score (``contacts.severity``), at least two, the OLS
  **severity slope** over the episode index is positive **and** the last score is at least ``severity_rise``
  (default 3 points: psychological to physical violence, 1 to 3, is not enough; to sexual violence, a weapon
  or feminicidal violence is).

A woman is *escalating* when either holds. Both figures are kept, so an analyst can read why.

**Risk flags** (each with its evidence: event ids and dates):

* ``prior_contacts``: at least ``k_contacts`` episodes (default 3);
* ``escalation``: the rule above;
* ``weapon``: an ER attention with a firearm or a sharp object;
* ``strangulation``: an ER attention for strangulation or asphyxia;
* ``sexual_violence``: sexual violence in an ER record, a CJM case or a sexual crime's victim entry;
* ``feminicidal_violence``: a CJM case recording feminicidal violence (the CJM's own assessment);
* ``separation``: the aggressor recorded as ex-partner (``relacion_agresor`` EXPAREJA) in ER or CJM;
* ``aggressor_record``: the aggressor, linked as a person, has detentions, accusations, court cases or prison
  admissions of his own (offender histories).

These are facts, not a prediction. Checklists of this kind predict modestly: Turner, Medina & Brown (2019),
"Dashing hopes? The predictive accuracy of domestic abuse risk assessment by police", *British Journal of
Criminology* 59(5), found the police risk grading (DASH) to identify later revictimization only weakly. We
show the flags' recall on the recorded femicides (and how common each flag is among all women) instead of a
score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAGS = ("prior_contacts", "escalation", "weapon", "strangulation", "sexual_violence", "feminicidal_violence",
         "separation", "aggressor_record")
CAVEAT = {
    "es": ("Estas señales son hechos registrados, no una predicción. Las listas de verificación de riesgo predicen "
           "de forma modesta (Turner, Medina y Brown 2019, «Dashing hopes? The predictive accuracy of domestic "
           "abuse risk assessment by police», British Journal of Criminology 59(5)). Se muestra cuántos "
           "feminicidios registrados tenían señales antes del hecho, no una probabilidad."),
    "en": ("These flags are recorded facts, not a prediction. Risk checklists predict modestly (Turner, Medina & "
           "Brown 2019, \"Dashing hopes? The predictive accuracy of domestic abuse risk assessment by police\", "
           "British Journal of Criminology 59(5)). We show how many recorded femicides had flags beforehand, "
           "not a probability."),
    "reference": "Turner, E., Medina, J., & Brown, G. (2019). Dashing hopes? The predictive accuracy of domestic "
                 "abuse risk assessment by police. British Journal of Criminology, 59(5).",
}


def _day(d) -> str | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def episodes(dates) -> list[pd.Timestamp]:
    """Distinct contact days, in order."""
    return sorted({pd.Timestamp(d).normalize() for d in dates if d is not None and not pd.isna(d)})


def interval_ratio(days: list[pd.Timestamp]) -> tuple[float | None, list[int]]:
    """Later-half mean interval over earlier-half mean interval (module docstring), and the intervals."""
    iv = [int((b - a).days) for a, b in zip(days[:-1], days[1:], strict=True)]
    if len(iv) < 2:
        return None, iv
    h = len(iv) // 2
    m0 = float(np.mean(iv[:h]))
    m1 = float(np.mean(iv[len(iv) - h:]))
    if m0 <= 0:
        return None, iv
    return m1 / m0, iv


def severity_trend(contacts: list[dict], days: list[pd.Timestamp]) -> tuple[float | None, float | None]:
    """OLS slope of severity over episode index, and last minus first score (contacts with a score)."""
    scored = [c for c in contacts if _num(c.get("severity")) is not None]
    if len(scored) < 2:
        return None, None
    index = {d: i for i, d in enumerate(days)}
    x = np.array([index[pd.Timestamp(c["date"]).normalize()] for c in scored], dtype=float)
    y = np.array([float(c["severity"]) for c in scored])
    slope = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else 0.0
    return slope, float(y[-1] - y[0])


def escalation(contacts: list[dict], min_episodes: int = 4, ratio_max: float = 0.5,
               severity_rise: float = 3.0) -> dict:
    """The escalation measures of one woman's contacts (records sorted by date: ``date``, ``severity``)."""
    days = episodes(c["date"] for c in contacts)
    ratio, iv = interval_ratio(days)
    slope, rise = severity_trend(contacts, days)
    enough = len(days) >= min_episodes
    freq = bool(enough and ratio is not None and ratio <= ratio_max and iv[-1] < iv[0])
    sev = bool(slope is not None and slope > 0 and rise is not None and rise >= severity_rise)
    return {"episodes": len(days), "intervals_days": iv, "interval_ratio": ratio, "more_frequent": freq,
            "severity_slope": slope, "severity_rise": rise, "more_severe": sev, "escalating": freq or sev}


def _ev(rows) -> list[dict]:
    return [{"event_id": c["event_id"], "date": _day(c["date"]), "kind": c["kind"]} for c in rows]


def flags(contacts: list[dict], aggressor_records: list[dict] | None = None, k_contacts: int = 3,
          min_episodes: int = 4, ratio_max: float = 0.5, severity_rise: float = 3.0,
          before=None) -> tuple[dict, dict]:
    """Risk flags of one woman with their evidence, and her escalation measures.

    ``contacts``: her contact records sorted by date (``event_id, date, kind, severity, weapon, strangulation,
    sexual, feminicidal, separation``). ``before``: only facts dated strictly before this day count (for a
    femicide: what was on record before it). ``aggressor_records``: offender records of her linked aggressors
    (``event_id, kind, role, occurred_at``).
    """
    c = contacts
    if before is not None:
        b = pd.Timestamp(before).normalize()
        c = [x for x in c if x["date"] < b]
    esc = escalation(c, min_episodes, ratio_max, severity_rise)
    out: dict[str, list[dict]] = {}
    if esc["episodes"] >= k_contacts:
        out["prior_contacts"] = _ev(c)
    if esc["escalating"]:
        sev_only = esc["more_severe"] and not esc["more_frequent"]
        out["escalation"] = _ev([x for x in c if _num(x.get("severity")) is not None] if sev_only else c)
    for name, col in (("weapon", "weapon"), ("strangulation", "strangulation")):
        hit = [x for x in c if x["kind"] == "er_attention" and x[col]]
        if hit:
            out[name] = _ev(hit)
    for name, col in (("sexual_violence", "sexual"), ("feminicidal_violence", "feminicidal"),
                      ("separation", "separation")):
        hit = [x for x in c if x[col]]
        if hit:
            out[name] = _ev(hit)
    r = aggressor_records or []
    if before is not None:
        r = [x for x in r if x["occurred_at"] is not None and not pd.isna(x["occurred_at"])
             and pd.Timestamp(x["occurred_at"]) < b]
    if r:
        out["aggressor_record"] = [{"event_id": x["event_id"], "date": _day(x["occurred_at"]), "kind": x["kind"],
                                    "role": x["role"]} for x in r]
    return out, esc
