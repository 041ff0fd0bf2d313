"""Offenders that detentions miss: zero-truncated population-size estimators (single-source capture–recapture).

From the frequency distribution of detention counts among the persons detained at least once in a window
(``f1`` persons detained once, ``f2`` twice, …; ``n = sum f_k``), estimate the size ``N`` of the offender
population including the ``f0`` never detained. Both estimators use only ``f1`` and ``f2``, which makes them
robust to heterogeneity among the frequent offenders (van der Heijden, Bustami, Cruyff, Engbersen & van
Houwelingen 2003, *Statistical Modelling* 3:305–322; Böhning & van der Heijden 2009, *Ann. Appl. Stat.*).

* **Chao** (Chao 1987, *Biometrics* 43:783–791), a lower bound under heterogeneity:
  ``N = n + f1**2 / (2 f2)``; with ``f2 = 0`` the bias-corrected form ``n + f1 (f1 - 1) / 2``.
* **Zelterman** (Zelterman 1988, *J. Stat. Plan. Inference* 18:225–237): a Poisson rate from the ratio of
  adjacent frequencies ``lambda = 2 f2 / f1`` applied to the whole sample, Horvitz–Thompson style:
  ``N = n / (1 - exp(-lambda))``. Undefined when ``f1 = 0`` or ``f2 = 0``.

Assumptions (state them wherever a figure is shown): a closed population during the window, detentions of a
person independent of each other (a detention does not change the chance of the next — prison does, so the
window should be short), and no linkage errors (a split person inflates ``f1``; a merge inflates ``f2``).

Confidence intervals: the *imputed* bootstrap of Anan, Böhning & Maruotti (2017, *Stat. Methods Med. Res.*
26:2736): draw ``N_hat`` units from the completed frequency distribution ``(N_hat - n, f1, f2, …) / N_hat``,
drop the zeros, re-estimate; percentile interval. It carries the uncertainty of ``n`` itself, which resampling
only the observed units would not. Seeded (``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


def frequencies(counts: Iterable[int]) -> dict[int, int]:
    """``{k: f_k}`` for k >= 1 from per-unit capture counts (zeros and missing values are ignored)."""
    out: dict[int, int] = {}
    for c in counts:
        if c is None or (isinstance(c, float) and math.isnan(c)):
            continue
        k = int(c)
        if k >= 1:
            out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


def chao(f: dict[int, int]) -> float | None:
    """Chao's lower-bound estimate of N from frequencies ``{k: f_k}``."""
    n = sum(f.values())
    f1, f2 = f.get(1, 0), f.get(2, 0)
    if n == 0:
        return None
    if f2 > 0:
        return n + f1 * f1 / (2 * f2)
    return n + f1 * (f1 - 1) / 2


def zelterman(f: dict[int, int]) -> float | None:
    """Zelterman's estimate of N from frequencies ``{k: f_k}``; None when f1 or f2 is 0."""
    n = sum(f.values())
    f1, f2 = f.get(1, 0), f.get(2, 0)
    if n == 0 or f1 == 0 or f2 == 0:
        return None
    lam = 2 * f2 / f1
    return n / (1 - math.exp(-lam))


def _vector_estimates(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chao and Zelterman estimates for each row of a (B, K+1) matrix of counts of k = 0..K (zeros dropped)."""
    f1 = draws[:, 1].astype(float)
    f2 = draws[:, 2].astype(float) if draws.shape[1] > 2 else np.zeros(len(draws))
    n = draws[:, 1:].sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ch = np.where(f2 > 0, n + f1 ** 2 / (2 * np.where(f2 > 0, f2, 1)), n + f1 * (f1 - 1) / 2)
        lam = 2 * f2 / np.where(f1 > 0, f1, 1)
        ze = np.where((f1 > 0) & (f2 > 0), n / (1 - np.exp(-lam)), np.nan)
    return ch, ze


@dataclass
class HiddenPopulation:
    """Zelterman and Chao estimates of a population from zero-truncated capture counts, with bootstrap CIs.

    Parameters
    ----------
    counts : iterable of int
        Captures (detentions) per observed unit, each >= 1.
    n_boot : int
        Bootstrap replicates (0: no intervals).
    level : float
        Confidence level of the percentile intervals.
    seed : int
        Seed of the bootstrap.

    Attributes
    ----------
    n_observed : int
    frequencies : dict
        ``{k: f_k}``.
    zelterman, chao : dict
        ``estimate, ci_low, ci_high, hidden`` (estimate − n_observed), ``undefined_draws``.

    Examples
    --------
    The Dutch illegal-immigrant data (van der Heijden et al. 2003): f1 = 1645, f2 = 183, n = 1880 give
    Chao ``1880 + 1645**2 / 366 = 9273.5`` and Zelterman ``1880 / (1 - exp(-366/1645)) = 9424.6``.
    """

    counts: Iterable[int]
    n_boot: int = 999
    level: float = 0.95
    seed: int = 20030101

    def __post_init__(self):
        self.frequencies = frequencies(self.counts)
        self.n_observed = int(sum(self.frequencies.values()))
        self.zelterman = self._with_ci(zelterman(self.frequencies), "zelterman")
        self.chao = self._with_ci(chao(self.frequencies), "chao")

    def _with_ci(self, estimate: float | None, which: str) -> dict:
        out = {"estimate": estimate, "ci_low": None, "ci_high": None,
               "hidden": (estimate - self.n_observed) if estimate is not None else None, "undefined_draws": 0}
        if estimate is None or self.n_boot <= 0 or self.n_observed == 0:
            return out
        kmax = max(self.frequencies)
        fk = np.array([self.frequencies.get(k, 0) for k in range(1, max(kmax, 2) + 1)], dtype=float)
        N = int(round(estimate))
        f0 = max(N - self.n_observed, 0)
        p = np.concatenate([[f0], fk]) / (f0 + fk.sum())
        # one generator per estimator, derived from the seed: the two intervals do not depend on call order
        rng = np.random.default_rng([self.seed, 0 if which == "chao" else 1])
        draws = rng.multinomial(f0 + int(fk.sum()), p, size=self.n_boot)
        ch, ze = _vector_estimates(draws)
        est = ch if which == "chao" else ze
        ok = est[np.isfinite(est)]
        out["undefined_draws"] = int(len(est) - len(ok))
        if len(ok):
            a = (1 - self.level) / 2
            out["ci_low"], out["ci_high"] = (float(np.quantile(ok, a)), float(np.quantile(ok, 1 - a)))
        return out

    def to_dict(self) -> dict:
        return {"n_observed": self.n_observed, "frequencies": {str(k): v for k, v in self.frequencies.items()},
                "zelterman": self.zelterman, "chao": self.chao,
                "params": {"n_boot": self.n_boot, "level": self.level, "seed": self.seed,
                           "bootstrap": "imputed (Anan, Böhning & Maruotti 2017), percentile interval"}}

    def rows(self) -> list[dict]:
        return [{"estimator": name, "n_observed": self.n_observed, "estimate": d["estimate"],
                 "hidden": d["hidden"], "ci_low": d["ci_low"], "ci_high": d["ci_high"]}
                for name, d in (("zelterman", self.zelterman), ("chao", self.chao))]


def hidden_offenders(offences, *, by_crime: bool = True, min_observed: int = 20, n_boot: int = 499,
                     seed: int = 20030101) -> dict:
    """Hidden offenders from the detention counts in an offences frame (``OffenderHistories.select``).

    Counts are detained offences per person (a person detained twice for one carpeta counts once).
    Per crime group, the person's detentions for that group; groups with fewer than `min_observed`
    detained persons are listed without estimates.
    """
    det = offences[offences["detained"].astype(bool)]
    counts = det.groupby("person_id").size()
    overall = HiddenPopulation(counts.to_numpy(), n_boot=n_boot, seed=seed)
    out = overall.to_dict()
    if by_crime:
        rows = []
        for g, sub in det.dropna(subset=["crime_group"]).groupby("crime_group", sort=True):
            c = sub.groupby("person_id").size().to_numpy()
            if len(c) < min_observed:
                rows.append({"crime_group": g, "n_observed": int(len(c))})
                continue
            h = HiddenPopulation(c, n_boot=n_boot, seed=seed)
            rows.append({"crime_group": g, "n_observed": h.n_observed, "f1": h.frequencies.get(1, 0),
                         "f2": h.frequencies.get(2, 0), "zelterman": h.zelterman, "chao": h.chao})
        out["by_crime_group"] = rows
    return out
