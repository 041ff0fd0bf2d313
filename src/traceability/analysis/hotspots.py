"""Hot spots: counts on the city's units and an H3 grid, Getis–Ord Gi*, kernel density, emerging hot spots.

* **Counts** per alcaldía, colonia and cuadrante (every unit of the layer, zeros included) and per H3 cell of a
  full grid over the city (h3 v4 ``polygon_to_cells`` over the alcaldías, zeros included: a grid of only the
  occupied cells leaves islands and NaN z-scores).
* **Gi\\*** (Getis & Ord 1992; Ord & Getis 1995) on the H3 counts with binary contiguity weights (a cell and
  its six neighbours, the cell itself included: ``star=True``), by ``esda.G_Local`` with seeded conditional
  permutation inference (Anselin 1995). A cell is a hot (cold) spot at 99/95/90 % when its z is positive
  (negative) and its pseudo p-value is below 0.01/0.05/0.10. The pseudo p-value is one-sided in the direction
  of z with ties counted against significance (``p_sim``); esda's own (``p_esda``) is kept beside it.
* **Kernel density**: points binned on a square grid in metres (UTM 14N) and smoothed with a Gaussian kernel
  of standard deviation ``bandwidth`` metres (``scipy.ndimage.gaussian_filter``): the usual grid KDE, in
  events per km².
* **Emerging hot spots** over months, after ESRI's Emerging Hot Spot Analysis (space-time cube): for each
  month, Gi* z of every cell (analytic z, p < 0.05 one-sided, binary star weights); the Mann–Kendall trend
  (Kendall's tau of z against time, p < 0.05) of each cell's z series. With H = months in which the cell is a
  significant hot spot, n = months, "last" = the final month:

  - **new**: hot in the last month and in no earlier month;
  - **intensifying**: hot in ≥ 90 % of months including the last, z trending up;
  - **persistent**: hot in ≥ 90 % of months including the last, no significant trend;
  - **diminishing**: hot in ≥ 90 % of months including the last, z trending down;
  - **sporadic**: hot in the last month, in < 90 % of months, and in at least one earlier month;
  - **historical**: not hot in the last month but hot in ≥ 90 % of the earlier months;
  - **none**: anything else.

  (ESRI also has consecutive and oscillating classes and cold-spot mirrors; left out.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import ndimage, stats

from ..errors import TraceabilityError
from . import _places

NAME = "hotspots"
DEFAULT_RESOLUTION = 8
UNIT_COLUMNS = {"alcaldias": "alcaldia", "colonias": "colonia", "cuadrantes": "cuadrante"}


# -- H3 grid and weights ---------------------------------------------------------------------------------
def city_cells(resolution: int = DEFAULT_RESOLUTION) -> list[str]:
    """Every H3 cell whose centre lies in the city (the alcaldías), sorted."""
    import h3
    from shapely.geometry import mapping

    geom = _places.city_boundary()
    cells: set[str] = set()
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for p in polys:
        cells.update(h3.geo_to_cells(mapping(p), resolution))
    return sorted(cells)


def hex_weights(cells: list[str]):
    """Binary contiguity weights of H3 cells (the six neighbours present in `cells`)."""
    import h3
    from libpysal.weights import W

    present = set(cells)
    neighbors = {c: [n for n in h3.grid_ring(c, 1) if n in present] for c in cells}
    return W(neighbors, id_order=list(cells), silence_warnings=True)


def gi_star(y, w, permutations: int = 999, seed: int | None = 7) -> pd.DataFrame:
    """Gi* with binary weights (self included) and permutation inference: z, p_sim, p_norm and class."""
    import esda

    y = np.asarray(y, dtype=float)
    if y.sum() == 0:
        n = len(y)
        return pd.DataFrame({"z": np.zeros(n), "p_sim": np.ones(n), "p_esda": np.ones(n), "p_norm": np.full(n, 0.5),
                             "hotspot": ["none"] * n})
    g = esda.G_Local(y, w, transform="B", permutations=permutations, star=True, seed=seed,
                     keep_simulations=bool(permutations), n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    if permutations:
        p_esda = np.asarray(g.p_sim, dtype=float)
        # esda folds the two tails and lets ties count for significance: a zero cell among zeros (most
        # permutations also give 0) comes out "cold at 99 %". Count ties against significance instead, in the
        # direction of z: p = (1 + #{sim >= obs}) / (1 + perms) for z > 0, #{sim <= obs} for z <= 0.
        sims = np.asarray(g.rGs, dtype=float)
        obs = np.asarray(g.Gs, dtype=float)[:, None]
        eps = 1e-12 * np.maximum(1.0, np.abs(obs))
        hi = (sims >= obs - eps).sum(axis=1)
        lo = (sims <= obs + eps).sum(axis=1)
        p = (1 + np.where(z > 0, hi, lo)) / (1 + permutations)
    else:
        p_esda = p = np.asarray(g.p_norm, dtype=float)
    return pd.DataFrame({"z": z, "p_sim": p, "p_esda": p_esda, "p_norm": np.asarray(g.p_norm, dtype=float),
                         "hotspot": [_gi_class(a, b) for a, b in zip(z, p, strict=True)]})


def _gi_class(z: float, p: float) -> str:
    if not np.isfinite(z) or not np.isfinite(p):
        return "none"
    for level, cut in ((99, 0.01), (95, 0.05), (90, 0.10)):
        if p < cut:
            return f"{'hot' if z > 0 else 'cold'}_{level}"
    return "none"


def gi_star_z(y, w) -> np.ndarray:
    """Analytic Gi* z with binary star weights, vectorized (for the monthly slices of emerging hot spots)."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    a = w.sparse.tocsr().astype(float)
    a.setdiag(1.0)
    wsum = np.asarray(a.sum(axis=1)).ravel()
    ybar = y.mean()
    s = math.sqrt(max((y ** 2).mean() - ybar ** 2, 0.0))
    if s == 0:
        return np.zeros(n)
    num = a @ y - ybar * wsum
    den = s * np.sqrt((n * wsum - wsum ** 2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


# -- kernel density ---------------------------------------------------------------------------------------
def kernel_density(x, y, cell: float = 250.0, bandwidth: float = 500.0, bounds=None) -> dict:
    """Grid KDE in events per km²: bins of `cell` metres smoothed by a Gaussian of sd `bandwidth` metres."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if bounds is None:
        if len(x) == 0:
            raise TraceabilityError("no events to estimate a density from")
        bounds = (x.min() - 3 * bandwidth, y.min() - 3 * bandwidth, x.max() + 3 * bandwidth,
                  y.max() + 3 * bandwidth)
    x0, y0, x1, y1 = bounds
    nx = max(1, int(math.ceil((x1 - x0) / cell)))
    ny = max(1, int(math.ceil((y1 - y0) / cell)))
    h, _, _ = np.histogram2d(x, y, bins=[nx, ny], range=[[x0, x0 + nx * cell], [y0, y0 + ny * cell]])
    dens = ndimage.gaussian_filter(h, sigma=bandwidth / cell, mode="constant") / (cell / 1000.0) ** 2
    return {"x0": x0, "y0": y0, "cell": cell, "bandwidth": bandwidth, "nx": nx, "ny": ny, "density": dens}


# -- emerging hot spots -----------------------------------------------------------------------------------
def emerging(counts: np.ndarray, w, alpha: float = 0.05, share: float = 0.9) -> pd.DataFrame:
    """Classify cells from a (cells × months) count matrix; see the module docstring for the rules."""
    n_cells, n_t = counts.shape
    z = np.column_stack([gi_star_z(counts[:, k], w) for k in range(n_t)]) if n_t else np.zeros((n_cells, 0))
    zcut = stats.norm.isf(alpha)
    hot = z > zcut
    rows = []
    tt = np.arange(n_t)
    for i in range(n_cells):
        h = hot[i]
        tau, p = (np.nan, np.nan)
        if n_t >= 3 and np.ptp(z[i]) > 0:
            tau, p = stats.kendalltau(tt, z[i])
        trend = "up" if (p < alpha and tau > 0) else "down" if (p < alpha and tau < 0) else "none"
        last = bool(h[-1]) if n_t else False
        frac = float(h.mean()) if n_t else 0.0
        earlier = h[:-1]
        if last and not earlier.any():
            cls = "new"
        elif last and frac >= share:
            cls = {"up": "intensifying", "down": "diminishing"}.get(trend, "persistent")
        elif last:
            cls = "sporadic"
        elif n_t > 1 and earlier.mean() >= share:
            cls = "historical"
        else:
            cls = "none"
        rows.append({"hot_months": int(h.sum()), "months": n_t, "trend_tau": None if np.isnan(tau) else float(tau),
                     "trend_p": None if np.isnan(p) else float(p), "last_z": float(z[i, -1]) if n_t else None,
                     "pattern": cls})
    return pd.DataFrame(rows)


# -- the result object ------------------------------------------------------------------------------------
class HotSpots:
    """Hot spots of a set of events (see the module docstring for every method and rule).

    Parameters
    ----------
    events : DataFrame
        ``lat, lon, date`` and optionally ``alcaldia, colonia, cuadrante`` (canonical codes).
    resolution : int
        H3 resolution of the grid (8: cells of about 0.74 km²).
    permutations, seed : int
        Permutation inference of Gi* (seeded).
    cell, bandwidth : float
        Kernel density grid cell and kernel sd, metres.
    emerging_months : bool
        Compute the emerging hot-spot patterns over the months of the data.

    Attributes
    ----------
    units : dict
        layer → DataFrame(id, count) for alcaldías, colonias, cuadrantes (every unit, zeros included).
    grid : DataFrame
        One row per H3 cell: cell, count, z, p_sim, p_norm, hotspot (hot_99 … cold_90, none), pattern.
    kde : dict
        Grid density (events per km²) with its origin and cell size.
    months : list of str
        The months of the space-time cube.
    """

    def __init__(self, events: pd.DataFrame, resolution: int = DEFAULT_RESOLUTION, permutations: int = 999,
                 seed: int | None = 7, cell: float = 250.0, bandwidth: float = 500.0, emerging_months: bool = True,
                 cells: list[str] | None = None, params: dict | None = None, data_window: dict | None = None):
        import h3

        ev = events.copy()
        ev = ev[ev["lat"].notna() & ev["lon"].notna()].reset_index(drop=True)
        ev["date"] = pd.to_datetime(ev["date"]) if "date" in ev.columns else pd.NaT
        self.n = len(ev)
        self.resolution = resolution
        self.params = {"resolution": resolution, "permutations": permutations, "seed": seed, "kde_cell_m": cell,
                       "kde_bandwidth_m": bandwidth, "weights": "binary contiguity, self included (Gi*)",
                       **(params or {})}
        self.data_window = data_window or {
            "date_from": _places.iso(ev["date"].min()) if self.n else None,
            "date_to": _places.iso(ev["date"].max()) if self.n else None, "events": self.n}

        # counts on the city's units, every unit included
        self.units = {}
        for layer, col in UNIT_COLUMNS.items():
            if col in ev.columns:
                c = ev[col].dropna().astype(str).value_counts()
                try:
                    ids = [f["properties"]["id"] for f in _places.geojson(layer)["features"]]
                except TraceabilityError:
                    ids = []
                frame = pd.DataFrame({"id": sorted(set(ids) | set(c.index))})
                frame["count"] = frame["id"].map(c).fillna(0).astype(int)
                self.units[layer] = frame

        # the full H3 grid
        cells = list(cells) if cells is not None else city_cells(resolution)
        ev["cell"] = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(ev["lat"], ev["lon"], strict=True)]
        extra = sorted(set(ev["cell"]) - set(cells))
        cells = cells + extra  # events just outside the boundary keep their cells
        self.outside = int(ev["cell"].isin(extra).sum())
        w = hex_weights(cells)
        idx = {c: i for i, c in enumerate(cells)}
        counts = np.bincount(ev["cell"].map(idx).to_numpy(dtype=int), minlength=len(cells)) if self.n else \
            np.zeros(len(cells), dtype=int)
        g = gi_star(counts, w, permutations=permutations, seed=seed)
        self.grid = pd.DataFrame({"cell": cells, "count": counts}).join(g)

        # emerging hot spots over months
        self.months: list[str] = []
        if emerging_months and self.n and ev["date"].notna().any():
            month = ev["date"].dt.to_period("M")
            all_months = pd.period_range(month.min(), month.max(), freq="M")
            self.months = [str(m) for m in all_months]
            mi = {m: k for k, m in enumerate(all_months)}
            cube = np.zeros((len(cells), len(all_months)), dtype=float)
            ok = month.notna()
            np.add.at(cube, (ev.loc[ok, "cell"].map(idx).to_numpy(dtype=int), month[ok].map(mi).to_numpy(dtype=int)), 1)
            em = emerging(cube, w)
            self.grid = self.grid.join(em)
        else:
            self.grid["pattern"] = "none"

        # kernel density in metres
        if self.n:
            x, y = _places.to_metric(ev["lat"].to_numpy(), ev["lon"].to_numpy())
            self.kde = kernel_density(x, y, cell=cell, bandwidth=bandwidth)
        else:
            self.kde = None

    @classmethod
    def from_warehouse(cls, wh, crime_group: str | None = None, date_from=None, date_to=None,
                       alcaldia: str | None = None, kind: str = "carpeta_crime", **kw) -> HotSpots:
        codes = _places.codes_of_group(wh, crime_group) if crime_group else None
        where, params = _places.event_where(date_from, date_to, alcaldia, codes)
        ev = wh.df(
            "SELECT e.lat, e.lon, e.occurred_at AS date, e.alcaldia, e.colonia, e.cuadrante FROM event e "
            f"WHERE e.kind = ? AND e.lat IS NOT NULL AND e.lon IS NOT NULL AND {where}", [kind, *params])
        p = {"crime_group": crime_group, "date_from": _places.iso(date_from), "date_to": _places.iso(date_to),
             "alcaldia": alcaldia, "event_kind": kind}
        window = {"date_from": _places.iso(ev["date"].min()) if len(ev) else None,
                  "date_to": _places.iso(ev["date"].max()) if len(ev) else None, "events": int(len(ev)),
                  "sources": ["fgj_carpetas"] if kind == "carpeta_crime" else [kind],
                  "data_version": wh.data_version()}
        return cls(ev, params=p, data_window=window, **kw)

    # -- output -------------------------------------------------------------------------------------------
    def hot_cells(self) -> pd.DataFrame:
        return self.grid[self.grid["hotspot"].str.startswith("hot")]

    def grid_geojson(self, only_nonzero: bool = False) -> dict:
        import h3

        feats = []
        for r in self.grid.itertuples(index=False):
            if only_nonzero and r.count == 0 and r.hotspot == "none" and r.pattern == "none":
                continue
            ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(r.cell)]
            ring.append(ring[0])
            feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"id": r.cell, "count": int(r.count), "z": _f(r.z), "p": _f(r.p_sim),
                                         "hotspot": r.hotspot, "pattern": r.pattern}})
        return {"type": "FeatureCollection", "features": feats}

    def kde_geojson(self, min_share: float = 0.05, max_cells: int = 20_000) -> dict:
        """KDE cells above `min_share` of the peak, as lon/lat squares with their density."""
        if self.kde is None:
            return {"type": "FeatureCollection", "features": []}
        from pyproj import Transformer

        k = self.kde
        d = k["density"]
        peak = d.max()
        if peak <= 0:
            return {"type": "FeatureCollection", "features": []}
        ii, jj = np.nonzero(d >= min_share * peak)
        if len(ii) > max_cells:
            order = np.argsort(-d[ii, jj])[:max_cells]
            ii, jj = ii[order], jj[order]
        tr = Transformer.from_crs(_places.METRIC_CRS, "EPSG:4326", always_xy=True)
        xs = k["x0"] + np.concatenate([ii, ii + 1, ii + 1, ii]) * k["cell"]
        ys = k["y0"] + np.concatenate([jj, jj, jj + 1, jj + 1]) * k["cell"]
        lon, lat = tr.transform(xs, ys)
        m = len(ii)
        feats = []
        for q in range(m):
            ring = [[round(lon[q + s * m], 6), round(lat[q + s * m], 6)] for s in range(4)]
            ring.append(ring[0])
            feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"density": round(float(d[ii[q], jj[q]]), 3)}})
        return {"type": "FeatureCollection", "features": feats}

    def rows(self) -> list[dict]:
        g = self.grid[(self.grid["count"] > 0) | (self.grid["hotspot"] != "none") | (self.grid["pattern"] != "none")]
        g = g.sort_values("z", ascending=False)
        return [{"cell": r.cell, "count": int(r.count), "z": _f(r.z), "p_sim": _f(r.p_sim), "hotspot": r.hotspot,
                 "pattern": r.pattern} for r in g.itertuples(index=False)]

    def to_dict(self, geometry: bool = False) -> dict:
        classes = self.grid["hotspot"].value_counts().to_dict()
        patterns = self.grid["pattern"].value_counts().to_dict()
        out = {
            "analysis": NAME, "n_events": self.n, "events_outside_city": self.outside,
            "units": {layer: f.to_dict(orient="records") for layer, f in self.units.items()},
            "grid": {"resolution": self.resolution, "cells": int(len(self.grid)),
                     "hotspot_classes": {k: int(v) for k, v in classes.items()},
                     "patterns": {k: int(v) for k, v in patterns.items()}, "rows": self.rows()},
            "kde": None if self.kde is None else {
                "cell_m": self.kde["cell"], "bandwidth_m": self.kde["bandwidth"],
                "max_per_km2": float(self.kde["density"].max()), "crs": _places.METRIC_CRS},
            "months": self.months, "params": self.params, "data_window": self.data_window,
        }
        if geometry:
            out["grid_geojson"] = self.grid_geojson(only_nonzero=True)
            out["kde_geojson"] = self.kde_geojson()
        return out


def _f(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


DEFAULT_PARAMS = {"crime_group": None, "resolution": DEFAULT_RESOLUTION, "permutations": 999, "seed": 7}


def compute(wh, params: dict | None = None, geometry: bool = True) -> dict:
    p = {**DEFAULT_PARAMS, **(params or {})}
    return HotSpots.from_warehouse(
        wh, crime_group=p.get("crime_group"), date_from=p.get("date_from"), date_to=p.get("date_to"),
        alcaldia=p.get("alcaldia"), resolution=int(p["resolution"]), permutations=int(p["permutations"]),
        seed=p["seed"]).to_dict(geometry=geometry)


def materialize(wh) -> None:
    """Store the default hot spots (all carpeta crimes, whole city) for the map page."""
    from . import store

    store.save(wh, NAME, DEFAULT_PARAMS, compute(wh, DEFAULT_PARAMS))
