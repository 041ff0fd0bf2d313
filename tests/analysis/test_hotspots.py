"""Hot spots: Gi* against esda's own result on a small grid, the analytic formula, full grids with zeros,
kernel density, and the emerging hot-spot rules on hand-built space-time cubes."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from traceability.analysis.hotspots import HotSpots, emerging, gi_star, gi_star_z, hex_weights, kernel_density

CENTRE = h3.latlng_to_cell(19.4326, -99.1332, 8)  # the Zócalo


def small_grid():
    cells = sorted(h3.grid_disk(CENTRE, 3))  # 37 hexagons
    rng = np.random.default_rng(4)
    y = rng.poisson(2, len(cells)).astype(float)
    for c in h3.grid_disk(CENTRE, 1):  # a planted cluster in the middle
        y[cells.index(c)] += 12
    return cells, y


def test_gi_star_matches_esda_with_polygon_contiguity():
    """Our H3 weights and call reproduce esda.G_Local (star, binary) on weights libpysal builds itself from the
    hexagon polygons (queen contiguity), same seed: same z, same pseudo p-values."""
    import esda
    import geopandas as gpd
    from libpysal.weights import Queen
    from shapely.geometry import Polygon

    cells, y = small_grid()
    polys = [Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells]
    wq = Queen.from_dataframe(gpd.GeoDataFrame({"cell": cells}, geometry=polys), use_index=False,
                              silence_warnings=True)
    ref = esda.G_Local(y, wq, transform="B", permutations=199, star=True, seed=3, n_jobs=1)
    ours = gi_star(y, hex_weights(cells), permutations=199, seed=3)
    assert np.allclose(ours["z"], ref.Zs)
    assert np.allclose(ours["p_esda"], ref.p_sim)
    # ours counts ties against significance, so it is never smaller than esda's
    assert (ours["p_sim"] >= ours["p_esda"] - 1e-6).all()  # esda computes in float32
    mid = cells.index(CENTRE)
    assert ours.loc[mid, "hotspot"] == "hot_99"


def test_analytic_gi_star_formula():
    """Ord & Getis (1995) Gi* with binary weights, written out by hand, equals our vectorized z and esda's."""
    import esda

    cells, y = small_grid()
    w = hex_weights(cells)
    n, ybar = len(y), y.mean()
    s = np.sqrt((y ** 2).mean() - ybar ** 2)
    z_hand = []
    for c in cells:
        nb = [cells.index(c)] + [cells.index(m) for m in w.neighbors[c]]
        wi = len(nb)
        z_hand.append((y[nb].sum() - ybar * wi) / (s * np.sqrt((n * wi - wi ** 2) / (n - 1))))
    assert np.allclose(gi_star_z(y, w), z_hand)
    assert np.allclose(esda.G_Local(y, w, transform="B", permutations=0, star=True).Zs, z_hand)


def test_grid_keeps_zero_cells_and_finite_z():
    cells, _ = small_grid()
    lat, lon = h3.cell_to_latlng(CENTRE)
    ev = pd.DataFrame({"lat": [lat] * 5, "lon": [lon] * 5, "date": pd.to_datetime(["2024-01-05"] * 5)})
    hs = HotSpots(ev, cells=cells, permutations=99, seed=1, emerging_months=False)
    assert len(hs.grid) == 37 and hs.grid["count"].sum() == 5 and (hs.grid["count"] == 0).sum() == 36
    assert np.isfinite(hs.grid["z"]).all()
    assert hs.grid.set_index("cell").loc[CENTRE, "z"] > 2
    # empty cells among empty cells are not "cold spots" (ties count against significance)
    assert not hs.grid["hotspot"].str.startswith("cold").any()
    assert hs.outside == 0


def test_kernel_density_integrates_to_the_count():
    rng = np.random.default_rng(0)
    x, y = rng.normal(5000, 300, 400), rng.normal(5000, 300, 400)
    k = kernel_density(x, y, cell=100, bandwidth=200, bounds=(0, 0, 10_000, 10_000))
    assert k["density"].sum() * 0.01 == pytest.approx(400, rel=1e-6)  # events/km² × 0.01 km² per cell
    i, j = np.unravel_index(k["density"].argmax(), k["density"].shape)
    assert abs(i * 100 - 5000) <= 300 and abs(j * 100 - 5000) <= 300


def _cube(pattern_for_mid, noise=True):
    """37 cells × 12 months of Poisson(3) background (seeded); the central block (a cell and its six
    neighbours) gets pattern_for_mid(month) extra events in each cell."""
    cells, _ = small_grid()
    mid = [cells.index(c) for c in h3.grid_disk(CENTRE, 1)]
    rng = np.random.default_rng(1)
    cube = rng.poisson(3, (len(cells), 12)).astype(float) if noise else np.full((len(cells), 12), 3.0)
    for m in range(12):
        cube[mid, m] += pattern_for_mid(m)
    return cells, cube, cells.index(CENTRE)


# trends need some noise in z (without it a growing cluster's z saturates); on/off patterns are exact on a
# flat background (with noise the centre would be a chance hot spot in some month: 5 % of the time each)
@pytest.mark.parametrize(("pattern", "noise", "expected"), [
    (lambda m: 10, True, "persistent"),
    (lambda m: 2 + m, True, "intensifying"),
    (lambda m: 20 - m, True, "diminishing"),
    (lambda m: 10 if m == 11 else 0, False, "new"),
    (lambda m: 10 if m in (2, 6, 11) else 0, False, "sporadic"),
    (lambda m: 10 if m < 11 else 0, False, "historical"),
    (lambda m: 0, False, "none"),
])
def test_emerging_rules(pattern, noise, expected):
    cells, cube, centre = _cube(pattern, noise)
    em = emerging(cube, hex_weights(cells))
    assert em.loc[centre, "pattern"] == expected


def test_units_include_every_polygon():
    pytest.importorskip("geopandas")
    shared_path("data", "geo", "alcaldias.geojson")
    ev = pd.DataFrame({"lat": [19.43, 19.36], "lon": [-99.13, -99.06], "date": ["2024-01-01", "2024-02-01"],
                       "alcaldia": ["09015", "09007"]})
    hs = HotSpots(ev, resolution=7, permutations=9, emerging_months=False)
    alc = hs.units["alcaldias"].set_index("id")["count"]
    assert len(alc) == 16 and alc["09015"] == 1 and alc["09002"] == 0
    assert len(hs.grid) > 200  # the full city grid at resolution 7


@pytest.mark.slow
def test_real_burglaries_hot_spots_one_year():
    path = shared_path("data", "fgj", "carpetas_puntos_2019_2024.csv.gz")
    f = pd.read_csv(path, usecols=["latitud", "longitud", "delito", "fecha_hecho"], dtype=str)
    f = f[f.delito.str.startswith("ROBO A CASA HABITACION", na=False) & f.fecha_hecho.str.startswith("2023")]
    ev = pd.DataFrame({"lat": f.latitud.astype(float), "lon": f.longitud.astype(float),
                       "date": pd.to_datetime(f.fecha_hecho.str[:10])})
    hs = HotSpots(ev, permutations=199, seed=7)
    assert hs.n == 3418 and len(hs.grid) > 1500
    assert hs.grid["count"].sum() == hs.n
    assert (hs.grid["hotspot"] == "hot_99").sum() > 20
    assert len(hs.months) == 12 and set(hs.grid["pattern"]) <= {
        "new", "intensifying", "persistent", "diminishing", "sporadic", "historical", "none"}
