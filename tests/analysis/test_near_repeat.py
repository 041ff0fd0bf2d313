"""Near repeat (Knox test): hand-computed counts, exact half-open bands, seeded p-values, the Near Repeat
Calculator's published output, planted contagion, and real burglaries of Mexico City."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from traceability.analysis.near_repeat import KnoxTest, parse_bands, read_fgj_points
from traceability.errors import UsageError

# Five events on a line (metres, days). Pairs within 200 m, by hand:
#   (0,1) d=50  dt=3  -> [0,100) x [0,7)
#   (0,2) d=100 dt=10 -> [100,200) x [7,14)   (100 m belongs to the second band: half-open)
#   (1,2) d=50  dt=7  -> [0,100) x [7,14)     (7 days belongs to the second band)
#   (1,3) d=200       -> outside: 200 is not < 200
#   (2,3) d=150 dt=6  -> [100,200) x [0,7)
#   every pair with event 4 (x=1000) is beyond the largest band.
FIVE = {"x": [0, 50, 100, 250, 1000], "y": [0, 0, 0, 0, 0], "t": [0, 3, 10, 4, 5]}


def test_five_events_counted_by_hand():
    k = KnoxTest(FIVE["x"], FIVE["y"], FIVE["t"], [0, 100, 200], [0, 7, 14], permutations=19, seed=1)
    assert k.observed.tolist() == [[1, 1], [1, 1]]
    assert k.pairs == 4
    bands = k.to_dict()["bands"]
    assert [(b["distance_from"], b["distance_to"], b["time_from"], b["time_to"]) for b in bands] == [
        (0, 100, 0, 7), (0, 100, 7, 14), (100, 200, 0, 7), (100, 200, 7, 14)]
    assert k.rows()[0]["distance"] == "[0, 100) m"


def test_band_edges_are_half_open():
    # a pair exactly on an edge goes to the band that starts there; on the last edge it is out
    x, y = [0, 100], [0, 0]
    assert KnoxTest(x, y, [0, 7], [0, 100, 200], [0, 7, 14], permutations=1).observed.tolist() == [[0, 0], [0, 1]]
    assert KnoxTest(x, y, [0, 14], [0, 100, 200], [0, 7, 14], permutations=1).observed.sum() == 0
    assert KnoxTest(x, y, [0, 6.999], [0, 50, 100], [0, 7], permutations=1).observed.sum() == 0
    assert KnoxTest(x, y, [0, 6.999], [0, 50, 100.0001], [0, 7], permutations=1).observed.tolist() == [[0], [1]]


def test_manhattan_and_euclidean_differ_as_they_should():
    x, y, t = [0, 60], [0, 60], [0, 1]  # Euclidean 84.9 m, Manhattan 120 m
    assert KnoxTest(x, y, t, [0, 100, 200], [0, 7], permutations=1).observed.tolist() == [[1], [0]]
    assert KnoxTest(x, y, t, [0, 100, 200], [0, 7], metric="manhattan", permutations=1).observed.tolist() == [[0], [1]]


def test_same_location_band():
    x, y, t = [0, 0, 30], [0, 0, 0], [0, 2, 3]
    k = KnoxTest(x, y, t, [0, 100], [0, 7], same_location=True, permutations=1)
    assert k.distance_edges == [0, 0.001, 100]
    assert k.observed.tolist() == [[1], [2]]
    assert k.to_dict()["bands"][0]["same_location"] is True


def test_agrees_with_brute_force_on_random_points():
    rng = np.random.default_rng(3)
    n = 300
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    t = rng.integers(0, 120, n).astype(float)
    d_edges, t_edges = [0, 100, 250, 400], [0, 7, 14, 30]
    k = KnoxTest(x, y, t, d_edges, t_edges, permutations=1)
    i, j = np.triu_indices(n, 1)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    dt = np.abs(t[i] - t[j])
    # histogram2d closes its last bin: drop pairs exactly on a last edge to make it half-open
    last = dt == t_edges[-1]
    brute, _, _ = np.histogram2d(d[~last], dt[~last], bins=[d_edges, t_edges])
    assert k.observed.tolist() == brute.astype(int).tolist()


def test_p_values_reproducible_by_seed_and_well_formed():
    rng = np.random.default_rng(5)
    x, y, t = rng.uniform(0, 1000, 200), rng.uniform(0, 1000, 200), rng.integers(0, 60, 200)
    a = KnoxTest(x, y, t, [0, 100, 200], [0, 7, 14], permutations=49, seed=11)
    b = KnoxTest(x, y, t, [0, 100, 200], [0, 7, 14], permutations=49, seed=11)
    c = KnoxTest(x, y, t, [0, 100, 200], [0, 7, 14], permutations=49, seed=12, keep=True)
    assert np.array_equal(a.p_value, b.p_value) and np.array_equal(a.expected, b.expected)
    assert not np.array_equal(a.expected, c.expected)
    # p = (1 + #perm >= observed) / (1 + permutations), recomputed from the kept simulations
    assert np.allclose(c.p_value, (1 + (c.sim >= c.observed).sum(axis=0)) / 50)
    assert np.allclose(c.expected, c.sim.mean(axis=0))
    assert np.all((a.p_value >= 1 / 50) & (a.p_value <= 1))
    assert json.loads(json.dumps(a.to_dict()))["params"]["seed"] == 11


def test_bad_bands_are_refused():
    with pytest.raises(UsageError):
        parse_bands("0,100,50")
    with pytest.raises(UsageError):
        parse_bands("0,x")
    with pytest.raises(UsageError):
        KnoxTest([0], [0], [0], [0, float("inf")], [0, 7])
    assert parse_bands("0,7,14,inf")[-1] == float("inf")


def test_near_repeat_calculator_chicago_example():
    """Ratcliffe's Near Repeat Calculator 1.3 on 970 Chicago burglaries (Jan 2016), Manhattan distance,
    3 × 100 m and 3 × 7 days, as shipped in Steenbeek's NearRepeat R package.

    The calculator labels a band "a to b" but counts [a − 1, b) (Steenbeek, NearRepeat documentation;
    Davies, NearRepeat): its "same location" is [0, 0.001) here, "1 to 100" [0.001, 100), "101 to 200"
    [100, 200), "201 to 300" [200, 300), "more than 300" [300, ∞); its "0 to 7" days is [0, 7), "8 to 14"
    [7, 14), "15 to 21" [14, 21), "more than 21" [21, ∞). Observed counts must agree exactly for every
    cell it prints (tolerance: 0 pairs; the README allows a few in the "more than" column, we need none).
    Expected counts and p-values come from random permutations (20 in the calculator): we check only
    that the significant cells there are significant here.
    """
    f = pd.read_csv(shared_path("reference", "near_repeat", "chicago_be_month1.csv"), header=None,
                    names=["x", "y", "date"])
    k = KnoxTest(f.x, f.y, pd.to_datetime(f.date).to_numpy(), [0, 0.001, 100, 200, 300, 1e7],
                 [0, 7, 14, 21, float("inf")], metric="manhattan", permutations=99, seed=7)
    calculator = [[28, 5, 5, 2], [44, 13, 8, 4], [97, 56, 19, 16], [77, 67, 45, 20],
                  [182194, 146149, 95237, 45879]]
    assert k.observed.tolist() == calculator
    # the calculator found the 0-7 day cells within 200 m significant at its best level (p = 0.05)
    assert (k.p_value[:3, 0] <= 0.05).all()
    assert k.knox_ratio[1, 0] == pytest.approx(1.685, abs=0.15)  # calculator: 1.685 (from 19 permutations)


def test_csv_input_projected_crs(tmp_path):
    src = shared_path("reference", "near_repeat", "chicago_burglary_2014_2017.csv")
    k = KnoxTest.from_csv(src, x_col="x", y_col="y", date_col="date_single", date_format="%d/%m/%Y",
                          crs="EPSG:26971", date_from="2016-01-01", date_to="2016-01-31",
                          distance_bands=[0, 100, 200], time_bands=[0, 7, 14], permutations=9, seed=1)
    assert 500 < k.n < 2000
    assert k.data_window["date_from"] >= "2016-01-01" and k.data_window["date_to"] <= "2016-01-31"
    # lon/lat by default: projected to UTM 14N
    p = tmp_path / "ll.csv"
    p.write_text("lon,lat,fecha\n-99.1332,19.4326,01/03/2024\n-99.1332,19.4335,03/03/2024\n", encoding="utf-8")
    k2 = KnoxTest.from_csv(p, x_col="lon", y_col="lat", date_col="fecha", date_format="%d/%m/%Y",
                           distance_bands=[0, 50, 150], time_bands=[0, 7], permutations=1)
    assert k2.observed.tolist() == [[0], [1]]  # 0.0009° of latitude ≈ 100 m
    with pytest.raises(UsageError):
        KnoxTest.from_csv(p, x_col="X", y_col="lat", date_col="fecha")


def _contagious_city(seed: int, n_seeds: int = 1500, p_follow: float = 0.5):
    """Uniform background burglaries over 10 × 10 km and a year; each spawns, with probability p_follow,
    a near repeat within 150 m and 1–10 days (the planted truth)."""
    rng = np.random.default_rng(seed)
    x, y, t = rng.uniform(0, 10_000, n_seeds), rng.uniform(0, 10_000, n_seeds), rng.integers(0, 365, n_seeds)
    follow = rng.random(n_seeds) < p_follow
    r, a = rng.uniform(10, 150, follow.sum()), rng.uniform(0, 2 * np.pi, follow.sum())
    xs = np.concatenate([x, x[follow] + r * np.cos(a)])
    ys = np.concatenate([y, y[follow] + r * np.sin(a)])
    ts = np.concatenate([t, t[follow] + rng.integers(1, 11, follow.sum())])
    return xs, ys, ts, (x, y, t)


def test_recovers_planted_contagion_and_finds_none_where_none_planted():
    xs, ys, ts, (x0, y0, t0) = _contagious_city(21)
    k = KnoxTest(xs, ys, ts, [0, 200, 400, 800], [0, 14, 28, 56], permutations=99, seed=7)
    assert k.p_value[0, 0] == pytest.approx(0.01) and k.knox_ratio[0, 0] > 3
    assert k.p_value[2, 2] > 0.05 or k.knox_ratio[2, 2] < 1.3
    # background only: nothing planted, so no band should be strongly over-represented
    k0 = KnoxTest(x0, y0, t0, [0, 200, 400, 800], [0, 14, 28, 56], permutations=99, seed=7)
    assert (k0.p_value < 0.01).sum() <= 1
    assert k0.knox_ratio[0, 0] < 2


def test_planted_near_repeats_in_generated_city(city_db):
    from traceability.warehouse import Warehouse

    with Warehouse(city_db, read_only=True) as w:
        k = KnoxTest.from_warehouse(w, "ROBO_CASA_HABITACION", distance_bands=[0, 200, 400],
                                    time_bands=[0, 14, 28], permutations=99, seed=7)
    assert k.p_value[0, 0] <= 0.05 and k.knox_ratio[0, 0] > 1.2
    # nothing planted for fraud: no band stands out (measured: smallest p 0.41 at scale 0.02, seed 7)
    with Warehouse(city_db, read_only=True) as w:
        f = KnoxTest.from_warehouse(w, "FRAUDE", distance_bands=[0, 200, 400], time_bands=[0, 14, 28],
                                    permutations=99, seed=7)
    assert f.n > 100 and (f.p_value > 0.01).all()


def test_cli_near_repeat_on_a_csv(tmp_path):
    from typer.testing import CliRunner

    from traceability.cli.main import app

    src = shared_path("reference", "near_repeat", "chicago_be_month1.csv")
    out = tmp_path / "knox.json"
    res = CliRunner().invoke(app, ["analyze", "near-repeat", "--input", str(src), "--no-header", "--x-col", "0",
                                   "--y-col", "1", "--date-col", "2", "--crs", "EPSG:26971", "--metric", "manhattan",
                                   "--distance-bands", "0,100,200,300", "--time-bands", "0,7,14,21",
                                   "--permutations", "19", "--seed", "7", "--same-location", "--format", "json",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert set(d["bands"][0]) >= {"distance_from", "distance_to", "time_from", "time_to", "observed", "expected",
                                  "knox_ratio", "p_value"}
    assert [b["observed"] for b in d["bands"][:3]] == [28, 5, 5]
    assert d["params"]["metric"] == "manhattan" and d["params"]["permutations"] == 19
    bad = CliRunner().invoke(app, ["analyze", "near-repeat", "--input", str(src), "--distance-bands", "0,x"])
    assert bad.exit_code != 0 and "--distance-bands" in str(bad.exception or bad.output)


@pytest.mark.slow
def test_real_burglaries_one_alcaldia_one_year():
    """FGJ carpetas (open data): burglaries of 2023 in Iztapalapa, and the whole city 2019–2024 in seconds."""
    path = shared_path("data", "fgj", "carpetas_puntos_2019_2024.csv.gz")
    ev = read_fgj_points(path)
    one = ev[(ev.alcaldia == "IZTAPALAPA") & (ev.date.dt.year == 2023)]
    assert 300 < len(one) < 1500
    k = KnoxTest.from_frame(one, distance_bands=[0, 100, 200, 300, 400], time_bands=[0, 7, 14, 21, 28],
                            permutations=99, seed=7, same_location=True)
    assert k.observed.sum() > 0 and np.isfinite(k.p_value).all()
    # measured: 533 events; [0.001, 100) m × [0, 7) d: 7 pairs observed, 2.2 expected, ratio 3.2, p = 0.02
    assert k.knox_ratio[1, 0] > 2 and k.p_value[1, 0] <= 0.05
    assert k.knox_ratio[4, 1] < 1.5  # far and later: no excess
    city = KnoxTest.from_frame(ev, permutations=99, seed=7)
    assert city.n > 24_000 and city.seconds < 30
