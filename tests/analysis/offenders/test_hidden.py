"""Zelterman and Chao estimators: a published worked example and a simulated population of known size."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from traceability.analysis.offenders import HiddenPopulation, chao, zelterman
from traceability.analysis.offenders.hidden import frequencies

REF = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "capture_recapture" / \
    "netherlandsimmigrant.csv"


def test_netherlands_immigrants_published_example():
    """van der Heijden, Bustami, Cruyff, Engbersen & van Houwelingen (2003), *Statistical Modelling* 3:305-322:
    1,880 illegal immigrants apprehended by Dutch police in 1995 (data as shipped by singleRcapture, MIT).

    Frequencies (published): f1 = 1645, f2 = 183, f3 = 37, f4 = 13, f5 = 1, f6 = 1.
    Chao (1987):      N = n + f1^2 / (2 f2)             = 1880 + 1645^2 / 366       = 9273.5
    Zelterman (1988): N = n / (1 - exp(-2 f2 / f1))     = 1880 / (1 - e^(-0.22249)) = 9424.6
    (van der Heijden et al. report Zelterman's estimate as about 9,400 and Chao's lower bound about 9,300.)
    """
    if not REF.exists():
        pytest.skip(f"shared reference data not present: {REF}")
    import pandas as pd

    counts = pd.read_csv(REF)["capture"]
    f = frequencies(counts)
    assert f == {1: 1645, 2: 183, 3: 37, 4: 13, 5: 1, 6: 1}
    assert chao(f) == pytest.approx(1880 + 1645 ** 2 / 366)
    assert chao(f) == pytest.approx(9273.5, abs=0.1)
    assert zelterman(f) == pytest.approx(1880 / (1 - math.exp(-2 * 183 / 1645)))
    assert zelterman(f) == pytest.approx(9424.6, abs=0.1)
    h = HiddenPopulation(counts, n_boot=499, seed=1)
    assert h.n_observed == 1880
    for d in (h.zelterman, h.chao):
        assert d["ci_low"] < d["estimate"] < d["ci_high"]
        assert d["ci_low"] > 1880
    # seeded: the same seed gives the same interval
    h2 = HiddenPopulation(counts, n_boot=499, seed=1)
    assert h2.chao["ci_low"] == h.chao["ci_low"]


def test_edge_cases():
    assert zelterman({1: 10}) is None  # no f2
    assert chao({1: 10}) == 10 + 10 * 9 / 2  # bias-corrected form without f2
    assert chao({}) is None
    h = HiddenPopulation([1, 1, 1, 2, 3], n_boot=0)
    assert h.chao["estimate"] == pytest.approx(5 + 9 / 2) and h.chao["ci_low"] is None


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_recovers_a_simulated_population_of_known_size(seed):
    """N = 4000 offenders, detentions ~ Poisson(0.6): both estimators are consistent for homogeneous Poisson."""
    rng = np.random.default_rng(seed)
    n_true = 4000
    c = rng.poisson(0.6, size=n_true)
    h = HiddenPopulation(c[c > 0], n_boot=499, seed=seed)
    assert h.n_observed < n_true
    for d in (h.zelterman, h.chao):
        assert abs(d["estimate"] - n_true) / n_true < 0.08
        assert d["ci_low"] <= n_true <= d["ci_high"]


def test_chao_is_a_lower_bound_under_heterogeneity():
    """Gamma-mixed Poisson rates (heterogeneous offenders): Chao's estimate stays below the truth on average,
    but far above the naive count of those detained."""
    rng = np.random.default_rng(3)
    n_true = 6000
    lam = rng.gamma(shape=0.8, scale=0.6, size=n_true)
    c = rng.poisson(lam)
    h = HiddenPopulation(c[c > 0], n_boot=0)
    assert h.n_observed < h.chao["estimate"] <= n_true * 1.05


def test_cli_hidden_population(tmp_path):
    from typer.testing import CliRunner

    from traceability.cli.main import app

    p = tmp_path / "counts.csv"
    p.write_text("id,times\n" + "".join(f"{i},{k}\n" for i, k in enumerate([1] * 30 + [2] * 10 + [3] * 2)))
    r = CliRunner().invoke(app, ["analyze", "hidden-population", "--input", str(p), "--count-col", "times",
                                 "--format", "json", "--n-boot", "200"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_observed"] == 42
    assert d["chao"]["estimate"] == pytest.approx(42 + 900 / 20)
    assert d["zelterman"]["estimate"] == pytest.approx(42 / (1 - math.exp(-20 / 30)))
    assert d["zelterman"]["ci_low"] < d["zelterman"]["estimate"] < d["zelterman"]["ci_high"]
    bad = CliRunner().invoke(app, ["analyze", "hidden-population", "--input", str(p), "--count-col", "nope"])
    assert bad.exit_code != 0 and "is not a column" in str(bad.exception)
