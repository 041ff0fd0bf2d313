"""Fairness check of a ranking: who is on the list compared with all offenders, and what it rests on.

For the top *k* of a ranking (default: the top 5 %, at least one person) against all offenders of the same
filtered population, the distribution by recorded sex, age band (age at the last recorded offence) and
alcaldía (modal alcaldía of the person's offences; the recorded residence is shown too). A ratio
``ranked_share / all_share`` far from 1 flags a group over- or under-represented on the list; the ranking
used none of these attributes, so a disparity comes from the records themselves (e.g. where police detain).

**Detention-only share**: detentions that led to no accusation may reflect police activity more than
offending (Lum & Isaac 2016, *Significance* 13(5): the feedback loop of predictive policing). For every
ranked person the share of their ranked offences that are detention-only is attributed to their score:
``sum_i S_i * d_i / n_i / sum_i S_i`` (d_i detention-only offences, n_i offences). It is 0 by construction for
rankings on accusations or convictions, and reported so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

AGE_BANDS = [(0, 18, "<18"), (18, 25, "18-24"), (25, 35, "25-34"), (35, 45, "35-44"), (45, 60, "45-59"),
             (60, 200, "60+")]


def age_band(age) -> str:
    if age is None or (isinstance(age, float) and np.isnan(age)) or pd.isna(age):
        return "unknown"
    for lo, hi, label in AGE_BANDS:
        if lo <= age < hi:
            return label
    return "unknown"


@dataclass
class FairnessCheck:
    """Compare the ranked top with every offender of the same population.

    Parameters
    ----------
    ranking : RFGRanking
    histories : OffenderHistories
    top_share : float
        The top fraction of the ranking examined (``ceil(top_share * ranked)`` persons, at least 1).

    Attributes
    ----------
    k : int
        Persons examined.
    by_sex, by_age_band, by_alcaldia, by_residence : list of dict
        ``group, all_n, all_share, ranked_n, ranked_share, ratio``.
    detention_only_score_share : float
        Share of the top-k's total score attributed to detention-only offences.
    """

    ranking: object
    histories: object
    top_share: float = 0.05

    def __post_init__(self):
        table = self.ranking.table
        everyone = self.histories.persons[self.histories.persons["person_id"].isin(table["person_id"])].copy()
        self.k = max(1, math.ceil(self.top_share * len(table) - 1e-9)) if len(table) else 0
        top = table.head(self.k)
        ranked = everyone[everyone["person_id"].isin(top["person_id"])]
        everyone["age_band"] = everyone["age"].map(age_band)
        ranked = ranked.assign(age_band=ranked["age"].map(age_band))
        self.by_sex = _compare(everyone, ranked, "sex")
        self.by_age_band = _compare(everyone, ranked, "age_band")
        self.by_alcaldia = _compare(everyone, ranked, "alcaldia")
        self.by_residence = _compare(everyone, ranked, "residence_alcaldia")
        # detention-only share of the score
        off = self.ranking.offences
        if len(top) and len(off):
            o = off[off["person_id"].isin(top["person_id"])]
            det_only = (self.histories.offences.set_index(["person_id", "offence_key"])["detention_only"]
                        .reindex(pd.MultiIndex.from_frame(o[["person_id", "offence_key"]])).fillna(False)
                        .astype(bool).to_numpy())
            frac = pd.Series(det_only, index=o["person_id"].to_numpy()).groupby(level=0).mean()
            s = top.set_index("person_id")["score"]
            self.detention_only_score_share = float((s * frac.reindex(s.index).fillna(0)).sum() / s.sum()) \
                if s.sum() > 0 else None
            self.detention_only_offence_share = float(det_only.mean())
        else:
            self.detention_only_score_share = None
            self.detention_only_offence_share = None

    def to_dict(self) -> dict:
        return {"top_share": self.top_share, "k": self.k, "basis": self.ranking.basis,
                "by_sex": self.by_sex, "by_age_band": self.by_age_band, "by_alcaldia": self.by_alcaldia,
                "by_residence": self.by_residence,
                "detention_only_score_share": self.detention_only_score_share,
                "detention_only_offence_share": self.detention_only_offence_share}


def _compare(everyone: pd.DataFrame, ranked: pd.DataFrame, col: str) -> list[dict]:
    a = everyone[col].fillna("unknown").value_counts()
    r = ranked[col].fillna("unknown").value_counts()
    na, nr = a.sum(), r.sum()
    out = []
    for g in sorted(a.index, key=str):
        all_share = float(a[g] / na) if na else None
        ranked_share = float(r.get(g, 0) / nr) if nr else None
        out.append({"group": g, "all_n": int(a[g]), "all_share": all_share, "ranked_n": int(r.get(g, 0)),
                    "ranked_share": ranked_share,
                    "ratio": (ranked_share / all_share) if all_share and ranked_share is not None else None})
    return out
