"""Concentration of offending: top-k shares, Lorenz curve and Gini coefficient.

Published context (not a benchmark, populations differ): Wolfgang, Figlio & Sellin (1972), *Delinquency in a
Birth Cohort*: 6 % of the Philadelphia 1945 birth cohort (18 % of its delinquents) accounted for 52 % of its
police contacts. Martinez et al. (2017, *Crime Science* 6:8) review studies where the top 10 % of offenders
account for roughly 40–60 % of crime. Our shares are of *recorded* offenders, who are already a selected group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHARES = (0.01, 0.05, 0.10)

PUBLISHED = [
    {"source": "Wolfgang, Figlio & Sellin (1972)", "population": "Philadelphia 1945 birth cohort",
     "top_share_of_population": 0.06, "share_of_offences": 0.52,
     "note": "6 % of the cohort (18 % of the delinquents) had 52 % of police contacts; context only"},
    {"source": "Martinez, Lee, Eck & O (2017)", "population": "review of offender-concentration studies",
     "top_share_of_population": 0.10, "share_of_offences": 0.50,
     "note": "the top 10 % of offenders commonly account for ~40-60 % of crime; context only"},
]


def top_share(values: np.ndarray, p: float) -> float | None:
    """Share of the total held by the top ``ceil(p * n)`` units (at least one)."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    total = v.sum()
    if len(v) == 0 or total <= 0:
        return None
    k = max(1, math.ceil(p * len(v) - 1e-9))
    return float(v[:k].sum() / total)


def gini(values: np.ndarray) -> float | None:
    r"""Gini coefficient of non-negative values.

    .. math:: G = \frac{2 \sum_i i\,x_{(i)}}{n \sum_i x_i} - \frac{n+1}{n}

    with :math:`x_{(i)}` sorted ascending and :math:`i = 1..n` (equal to half the relative mean absolute
    difference). 0 when everyone offends equally; (n-1)/n when one person holds everything.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return None
    i = np.arange(1, n + 1)
    return float(2 * (i * x).sum() / (n * x.sum()) - (n + 1) / n)


def lorenz(values: np.ndarray, max_points: int = 201) -> list[tuple[float, float]]:
    """Lorenz curve points (cumulative share of offenders, ascending; cumulative share of the total)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return []
    cum = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    pop = np.arange(n + 1) / n
    if n + 1 > max_points:
        idx = np.unique(np.linspace(0, n, max_points).round().astype(int))
        pop, cum = pop[idx], cum[idx]
    return [(round(float(a), 5), round(float(b), 5)) for a, b in zip(pop, cum, strict=True)]


@dataclass
class Concentration:
    """How concentrated offending (and harm) is among offenders.

    Parameters
    ----------
    offences : array-like
        Offences per offender (one value per person with at least one offence).
    harm : array-like, optional
        Harm per offender, same order.

    Attributes
    ----------
    n_offenders, n_offences : int
    top_1pct_share, top_5pct_share, top_10pct_share : float
        Share of offences of the top ``ceil(p n)`` offenders ranked by offences.
    harm_top_1pct_share, harm_top_5pct_share, harm_top_10pct_share : float
        Share of harm of the top offenders ranked by harm.
    gini, harm_gini : float
    lorenz, harm_lorenz : list of (population share, cumulative share)
    """

    offences: np.ndarray
    harm: np.ndarray | None = None

    def __post_init__(self):
        o = np.asarray(self.offences, dtype=float)
        h = None if self.harm is None else np.asarray(self.harm, dtype=float)
        self.n_offenders = int(len(o))
        self.n_offences = int(o.sum())
        for p in SHARES:
            setattr(self, f"top_{round(p * 100)}pct_share", top_share(o, p))
            setattr(self, f"harm_top_{round(p * 100)}pct_share", top_share(h, p) if h is not None else None)
        self.gini = gini(o)
        self.harm_gini = gini(h) if h is not None else None
        self.lorenz = lorenz(o)
        self.harm_lorenz = lorenz(h) if h is not None else []
        self.total_harm = float(h.sum()) if h is not None else None

    def to_dict(self, curves: bool = True) -> dict:
        d = {"offenders": self.n_offenders, "offences": self.n_offences, "total_harm": self.total_harm,
             "top_1pct_share": self.top_1pct_share, "top_5pct_share": self.top_5pct_share,
             "top_10pct_share": self.top_10pct_share, "gini": self.gini,
             "harm_top_1pct_share": self.harm_top_1pct_share, "harm_top_5pct_share": self.harm_top_5pct_share,
             "harm_top_10pct_share": self.harm_top_10pct_share, "harm_gini": self.harm_gini}
        if curves:
            d["lorenz"] = self.lorenz
            d["harm_lorenz"] = self.harm_lorenz
        return d


def concentration_by(offences: pd.DataFrame, by: str, min_offenders: int = 10) -> list[dict]:
    """Concentration within each value of `by` (``crime_group``, ``alcaldia`` or ``year``).

    Offences are counted per person *within* the stratum; strata with fewer than `min_offenders`
    offenders are reported with their counts but without shares (too few to mean anything).
    """
    out = []
    if offences.empty:
        return out
    for key, sub in offences.dropna(subset=[by]).groupby(by, sort=True):
        per = sub.groupby("person_id").agg(n=("offence_key", "size"), harm=("harm", "sum"))
        c = Concentration(per["n"].to_numpy(), per["harm"].to_numpy())
        row = {by: key.item() if hasattr(key, "item") else key, "offenders": c.n_offenders, "offences": c.n_offences}
        if c.n_offenders >= min_offenders:
            row.update({k: v for k, v in c.to_dict(curves=False).items() if k not in ("offenders", "offences")})
        out.append(row)
    return out
