"""Recency–Frequency–Gravity (RFG) ranking of offenders, every component shown.

RFG matrices are how UK forces prioritise offenders for integrated offender management and for
organised-crime group mapping (e.g. the Metropolitan Police's gang matrix; see Sparrow 2016, *Handcuffed*,
ch. 4, on harm-focused priorities). Opaque lists (Chicago's Strategic Subject List, LAPD's LASER) were
dropped for unreliability and unfairness (Saunders, Hunt & Hollywood 2016); this ranking is deliberately
simple: three components in [0, 1] and a weighted sum with the weights in a versioned file
(``data/rfg_weights_v1.json``).

Inputs are offences only: their dates, counts and harm. **Sex, age and place of residence are never inputs**
(the frame the score is computed from does not carry them; a test checks it).

Components, for person *i* over the offences that count under the chosen basis, crime, alcaldía and window:

* ``recency``  R_i = 0.5 ** (d_i / h), d_i days from the last offence to the end of the window, h the half-life;
* ``frequency`` F_i = n_i / max_j n_j;
* ``gravity``  G_i = harm_i / max_j harm_j (harm = sum of the taxonomy's harm_days);
* ``score``    S_i = w_R R_i + w_F F_i + w_G G_i  (weights sum to 1, so S_i is in [0, 1]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import UsageError
from .histories import BASES, OffenderHistories

DEFAULT_WEIGHTS = "rfg_weights_v1.json"
FORBIDDEN_INPUTS = ("sex", "age", "birth_date", "residence_alcaldia", "address_norm", "colonia")


def load_weights(path: str | Path | None = None) -> dict:
    """The weights file (default: the versioned one shipped in the package), validated."""
    if path is None:
        text = resources.files("traceability.analysis.offenders").joinpath("data", DEFAULT_WEIGHTS).read_text(
            encoding="utf-8")
        origin = DEFAULT_WEIGHTS
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read weights file {path}: {e.strerror}") from None
        origin = str(path)
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"weights file {origin} is not JSON (line {e.lineno}): fix it or omit --weights") from None
    w = spec.get("weights", {})
    if set(w) != {"recency", "frequency", "gravity"} or any(not isinstance(v, int | float) or v < 0
                                                             for v in w.values()):
        raise UsageError(f"weights file {origin}: 'weights' needs recency, frequency and gravity, each >= 0")
    total = sum(w.values())
    if total <= 0:
        raise UsageError(f"weights file {origin}: the weights sum to 0")
    spec["weights"] = {k: v / total for k, v in w.items()}
    spec.setdefault("recency_half_life_days", 180)
    spec.setdefault("version", origin)
    return spec


@dataclass
class RFGRanking:
    """Rank offenders by Recency–Frequency–Gravity.

    Parameters
    ----------
    offences : DataFrame
        Offences that count (``person_id, offence_key, date, harm`` at least), already filtered by basis,
        crime, alcaldía and window (``OffenderHistories.select``).
    as_of : date, optional
        End of the window; recency is measured to it. Default: the latest offence date.
    weights : dict, optional
        A spec from :func:`load_weights` (default: the versioned file).
    basis : str
        Which records the offences come from (``accusations``, ``convictions``, ``detentions``, ``all``),
        carried into the output so every ranking says what it rests on.

    Attributes
    ----------
    table : DataFrame
        One row per person, best first: ``rank, person_id, score, recency, frequency, gravity, offences,
        harm, last_date`` and ``contrib_recency/frequency/gravity`` (weight × component).
    weights, half_life_days, version, as_of, basis
    """

    offences: pd.DataFrame
    as_of: date | None = None
    weights: dict | None = None
    basis: str = "accusations"
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.basis not in BASES:
            raise UsageError(f"unknown basis {self.basis!r}: use one of {', '.join(BASES)}")
        spec = self.weights or load_weights()
        self.spec = spec
        self.version = spec.get("version")
        self.half_life_days = float(spec["recency_half_life_days"])
        w = spec["weights"]
        self.w = w
        # only what the ranking may use: never sex, age or residence
        o = self.offences[["person_id", "offence_key", "date", "harm"]].copy()
        assert not set(o.columns) & set(FORBIDDEN_INPUTS)
        if self.as_of is None:
            d = o["date"].max()
            self.as_of = d.date() if not pd.isna(d) else None
        if o.empty:
            self.table = pd.DataFrame(columns=["rank", "person_id", "score", "recency", "frequency", "gravity",
                                               "offences", "harm", "last_date", "contrib_recency",
                                               "contrib_frequency", "contrib_gravity"])
            return
        per = o.groupby("person_id").agg(offences=("offence_key", "nunique"), harm=("harm", "sum"),
                                          last_date=("date", "max")).reset_index()
        end = (pd.Timestamp(self.as_of) if self.as_of else per["last_date"].max()).normalize()
        days = (end - per["last_date"].dt.normalize()).dt.days.clip(lower=0).fillna(np.inf)
        per["recency"] = np.power(0.5, days / self.half_life_days)
        per["frequency"] = per["offences"] / per["offences"].max()
        per["gravity"] = per["harm"] / per["harm"].max() if per["harm"].max() > 0 else 0.0
        for c in ("recency", "frequency", "gravity"):
            per[f"contrib_{c}"] = w[c] * per[c]
        per["score"] = per["contrib_recency"] + per["contrib_frequency"] + per["contrib_gravity"]
        per = per.sort_values(["score", "offences", "harm", "person_id"], ascending=[False, False, False, True],
                              kind="mergesort").reset_index(drop=True)
        per.insert(0, "rank", np.arange(1, len(per) + 1))
        self.table = per

    @classmethod
    def from_histories(cls, hist: OffenderHistories, *, basis: str = "accusations", crime: str | None = None,
                       alcaldia: str | None = None, date_from: date | None = None, date_to: date | None = None,
                       weights: dict | None = None) -> RFGRanking:
        off = hist.select(basis=basis, crime=crime, alcaldia=alcaldia, date_from=date_from, date_to=date_to)
        params = {"basis": basis, "crime": crime, "alcaldia": alcaldia,
                  "date_from": date_from.isoformat() if date_from else None,
                  "date_to": date_to.isoformat() if date_to else None}
        return cls(off, as_of=date_to, weights=weights, basis=basis, params=params)

    def top(self, n: int | None = None) -> pd.DataFrame:
        return self.table if n is None else self.table.head(n)

    def rows(self, n: int | None = 100) -> list[dict]:
        out = []
        for r in self.top(n).to_dict("records"):
            out.append({"rank": int(r["rank"]), "person_id": r["person_id"], "score": round(float(r["score"]), 6),
                        "recency": round(float(r["recency"]), 6), "frequency": round(float(r["frequency"]), 6),
                        "gravity": round(float(r["gravity"]), 6), "offences": int(r["offences"]),
                        "harm": float(r["harm"]), "last_date": pd.Timestamp(r["last_date"]).date().isoformat()
                        if not pd.isna(r["last_date"]) else None,
                        "contrib_recency": round(float(r["contrib_recency"]), 6),
                        "contrib_frequency": round(float(r["contrib_frequency"]), 6),
                        "contrib_gravity": round(float(r["contrib_gravity"]), 6)})
        return out

    def describe(self) -> dict:
        return {"basis": self.basis, "weights_version": self.version, "weights": self.w,
                "recency_half_life_days": self.half_life_days,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "components": self.spec.get("components"), "ranked": int(len(self.table)), **self.params}

    def to_dict(self, n: int | None = 100) -> dict:
        return {"params": self.describe(), "ranking": self.rows(n)}
