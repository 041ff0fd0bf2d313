"""Near repeat: the Knox test over distance × time bands with Monte-Carlo inference.

A pair of events is *near* in space and time when their distance falls in a distance band and the days
between them in a time band. If crime is contagious (a burglary raises the risk of the houses around it for
a few weeks), close-in-space pairs are over-represented at short time gaps, compared with what the same
places and the same dates would give if dates were assigned to places at random.

Method (Knox 1964; Johnson et al. 2007; Ratcliffe's Near Repeat Calculator; Steenbeek's NearRepeat R
package):

* Pairs are generated only within the largest distance band, with a k-d tree (``scipy.spatial.cKDTree
  .query_pairs``), so the cost grows with the number of close pairs, not with n².
* Bands are half-open ``[a, b)`` and labelled exactly so. ``same_location=True`` adds a first distance band
  ``[0, same_location_tolerance)`` (0.001 m by default: coincident points).
* Observed: pairs per (distance band, time band). Expected: the mean over ``permutations`` random
  permutations of the dates among the events (seeded, ``numpy.random.default_rng``). Knox ratio = observed /
  expected. p-value = (1 + #{permutations with count ≥ observed}) / (1 + permutations), one-sided.

Ratcliffe's calculator labels a band "a to b" but counts ``[a − 1, b)``: its "0 to 7 days" is ``[0, 7)`` here,
"8 to 14 days" is ``[7, 14)``, "1 to 100 m" is ``[0.001, 100)`` and "101 to 200 m" is ``[100, 200)``; with
that conversion our observed counts equal the calculator's on its Chicago example
(tests/analysis/test_near_repeat.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import TraceabilityError, UsageError
from . import _places

NAME = "near_repeat"
DEFAULT_DISTANCE_BANDS = (0, 100, 200, 300, 400)
DEFAULT_TIME_BANDS = (0, 7, 14, 21, 28)
DEFAULT_CRIME_GROUP = "ROBO_CASA_HABITACION"


def parse_bands(text: str | Sequence[float], what: str = "bands") -> list[float]:
    """'0,100,200' → [0, 100, 200]; 'inf' allowed as the last time edge. Checks the edges increase."""
    if isinstance(text, str):
        try:
            edges = [float(v) for v in text.replace(" ", "").split(",") if v != ""]
        except ValueError:
            raise UsageError(f"{what} {text!r}: write increasing numbers separated by commas, e.g. 0,100,200") \
                from None
    else:
        edges = [float(v) for v in text]
    if len(edges) < 2:
        raise UsageError(f"{what}: give at least two edges (one band), e.g. 0,100")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise UsageError(f"{what} {edges}: edges must increase strictly")
    if edges[0] < 0:
        raise UsageError(f"{what}: edges cannot be negative")
    return edges


class KnoxTest:
    """Knox test of space–time clustering over distance × time bands.

    Parameters
    ----------
    x, y : array-like
        Coordinates in metres (a metric projection).
    t : array-like
        Event times: numbers of days, or dates/datetimes (converted to days since 1970-01-01).
    distance_bands : sequence of float
        Edges in metres; band i is ``[edges[i], edges[i+1])``.
    time_bands : sequence of float
        Edges in days; band j is ``[edges[j], edges[j+1])``; the last edge may be ``inf``.
    metric : {"euclidean", "manhattan"}
    permutations : int
        Monte-Carlo permutations of the dates (99 gives p ≥ 0.01).
    seed : int or None
        Seed of ``numpy.random.default_rng``; the same seed gives the same expected counts and p-values.
    same_location : bool
        Add a first distance band ``[0, same_location_tolerance)`` for repeats at the same place.
    keep : bool
        Keep the permuted counts in ``sim`` (permutations × distance bands × time bands).

    Attributes
    ----------
    n : int
        Events used.
    distance_edges, time_edges : list of float
    observed : ndarray (distance bands × time bands) of int
        Pairs observed in each band.
    expected : ndarray of float
        Mean permuted count.
    knox_ratio : ndarray of float
        observed / expected (nan where expected is 0).
    p_value : ndarray of float
        One-sided pseudo p-value, (1 + #perm ≥ observed) / (1 + permutations).
    pairs : int
        Pairs within the largest distance band.
    seconds : float
        Time the test took.

    Notes
    -----
    Knox (1964) *Applied Statistics* 13:25–29; Johnson, Bernasco, Bowers et al. (2007) *J. Quantitative
    Criminology* 23:201–219; Ratcliffe (2009) Near Repeat Calculator 1.3; Steenbeek (2019) NearRepeat
    (R package). Permuting dates keeps both the spatial and the temporal distribution of the events and
    tests only their interaction.
    """

    def __init__(self, x, y, t, distance_bands: Sequence[float] = DEFAULT_DISTANCE_BANDS,
                 time_bands: Sequence[float] = DEFAULT_TIME_BANDS, metric: str = "euclidean",
                 permutations: int = 99, seed: int | None = None, same_location: bool = False,
                 same_location_tolerance: float = 0.001, keep: bool = False,
                 params: dict | None = None, data_window: dict | None = None):
        import time as _time

        started = _time.perf_counter()
        if metric not in ("euclidean", "manhattan"):
            raise UsageError(f"unknown metric {metric!r}: use euclidean or manhattan")
        if permutations < 1:
            raise UsageError("permutations must be at least 1 (99 is usual)")
        d_edges = parse_bands(distance_bands, "distance bands")
        t_edges = parse_bands(time_bands, "time bands")
        if math.isinf(d_edges[-1]):
            raise UsageError("the last distance edge must be finite: pairs are generated only within it")
        if same_location:
            if d_edges[0] != 0:
                raise UsageError("same_location needs the first distance edge to be 0")
            if d_edges[1] <= same_location_tolerance:
                raise UsageError("the first distance band is narrower than the same-location tolerance")
            d_edges = [0.0, float(same_location_tolerance), *d_edges[1:]]
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        t = np.asarray(t)
        if not np.issubdtype(t.dtype, np.number):
            t = _places.days(t)
        t = t.astype(float)
        if not (len(x) == len(y) == len(t)):
            raise UsageError("x, y and t must have the same length")
        ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(t)
        self.dropped = int((~ok).sum())
        x, y, t = x[ok], y[ok], t[ok]

        self.n = len(x)
        self.metric = metric
        self.permutations = int(permutations)
        self.seed = seed
        self.same_location = same_location
        self.distance_edges = d_edges
        self.time_edges = t_edges
        self.params = params or {}
        self.data_window = data_window or _window_of_days(t)

        nd, nt = len(d_edges) - 1, len(t_edges) - 1
        i, j, dband = self._close_pairs(x, y, d_edges, metric)
        self.pairs = len(i)
        counts = self._counter(i, j, dband, t_edges, nd, nt, t)
        self.observed = counts(t)
        rng = np.random.default_rng(seed)
        sims = np.empty((self.permutations, nd, nt), dtype=np.int64)
        for k in range(self.permutations):
            sims[k] = counts(rng.permutation(t))
        self.expected = sims.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.knox_ratio = np.where(self.expected > 0, self.observed / self.expected, np.nan)
        self.p_value = (1 + (sims >= self.observed[None, :, :]).sum(axis=0)) / (1 + self.permutations)
        self.sim = sims if keep else None
        self.seconds = _time.perf_counter() - started

    # -- machinery -------------------------------------------------------------------------------------
    @staticmethod
    def _close_pairs(x, y, d_edges, metric):
        """Pairs (i < j) with distance in [d_edges[0], d_edges[-1]) and their distance band."""
        if len(x) < 2:
            e = np.empty(0, dtype=np.intp)
            return e, e, e
        pts = np.column_stack([x, y])
        tree = cKDTree(pts)
        p = 1 if metric == "manhattan" else 2
        pairs = tree.query_pairs(r=d_edges[-1], p=p, output_type="ndarray")
        if len(pairs) == 0:
            e = np.empty(0, dtype=np.intp)
            return e, e, e
        i, j = pairs[:, 0], pairs[:, 1]
        diff = pts[i] - pts[j]
        d = np.abs(diff).sum(axis=1) if p == 1 else np.sqrt((diff ** 2).sum(axis=1))
        band = np.searchsorted(np.asarray(d_edges), d, side="right") - 1
        keep = (band >= 0) & (band < len(d_edges) - 1)  # query_pairs includes d == r: half-open here
        return i[keep], j[keep], band[keep]

    @staticmethod
    def _counter(i, j, dband, t_edges, nd, nt, t_all=None):
        """A function t -> counts per (distance band, time band) over the fixed close pairs."""
        t_edges = np.asarray(t_edges, dtype=float)
        size = nd * nt
        i = i.astype(np.int32)
        j = j.astype(np.int32)
        # out-of-range time bands go to an overflow slot `size`, dropped at the end
        span = None
        if t_all is not None and len(t_all) and np.all(t_all == np.round(t_all)):
            span = int(t_all.max() - t_all.min())
        if span is not None and span <= 1_000_000:
            # whole days: one table lookup per pair instead of a binary search
            tb = np.searchsorted(t_edges, np.arange(span + 1), side="right") - 1
            lut = np.where((tb >= 0) & (tb < nt), tb, -1)
            base = (dband * nt).astype(np.int64)
            t0 = t_all.min()

            def counts(t):
                ti = (t - t0).astype(np.int64)
                b = lut[np.abs(ti[i] - ti[j])]
                cell = np.where(b >= 0, base + b, size)
                return np.bincount(cell, minlength=size + 1)[:size].reshape(nd, nt)

            return counts
        base = dband * nt

        def counts(t):
            dt = np.abs(t[i] - t[j])
            tb = np.searchsorted(t_edges, dt, side="right") - 1
            ok = (tb >= 0) & (tb < nt)
            return np.bincount(base[ok] + tb[ok], minlength=size).reshape(nd, nt)

        return counts

    # -- alternate constructors ------------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, x_col="x", y_col="y", date_col="date", **kw) -> KnoxTest:
        return cls(frame[x_col].to_numpy(), frame[y_col].to_numpy(), frame[date_col].to_numpy(), **kw)

    @classmethod
    def from_warehouse(cls, wh, crime_group: str = DEFAULT_CRIME_GROUP, date_from=None, date_to=None,
                       alcaldia: str | None = None, **kw) -> KnoxTest:
        """Crimes of `crime_group` (one event per carpeta crime) with coordinates, projected to metres."""
        events = load_events(wh, crime_group, date_from, date_to, alcaldia)
        if len(events) < 2:
            raise TraceabilityError(f"only {len(events)} {crime_group} events with coordinates in the chosen "
                                    "period and area: widen --from/--to or --alcaldia")
        x, y = _places.to_metric(events["lat"].to_numpy(), events["lon"].to_numpy())
        params = {"crime_group": crime_group, "date_from": _places.iso(date_from), "date_to": _places.iso(date_to),
                  "alcaldia": alcaldia, "source": "fgj_carpetas"}
        window = _window_of_dates(events["occurred_at"])
        window["sources"] = ["fgj_carpetas"]
        window["data_version"] = wh.data_version()
        return cls(x, y, events["occurred_at"].to_numpy(), params=params, data_window=window, **kw)

    @classmethod
    def from_csv(cls, path: str | Path, x_col: str = "x", y_col: str = "y", date_col: str = "date",
                 date_format: str | None = None, crs: str = "EPSG:4326", date_from=None, date_to=None,
                 header: bool = True, **kw) -> KnoxTest:
        """Any analyst's CSV, as the Near Repeat Calculator reads: x, y and a date per row.

        With the default ``crs="EPSG:4326"`` x is longitude and y latitude, projected to UTM 14N; a projected
        CRS (e.g. EPSG:26971) is taken as metres. ``header=False`` reads a file without header whose columns
        are then named 0, 1, 2 (pass ``x_col="0"`` etc.).
        """
        path = Path(path)
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        try:
            frame = pd.read_csv(path, header=0 if header else None, dtype=str)
        except (pd.errors.ParserError, UnicodeDecodeError) as e:
            raise UsageError(f"{path}: not a readable CSV ({str(e).splitlines()[0]})") from None
        frame.columns = [str(c) for c in frame.columns]
        missing = [c for c in (x_col, y_col, date_col) if c not in frame.columns]
        if missing:
            raise UsageError(f"{path}: no column {', '.join(missing)}; columns are {', '.join(frame.columns)}")
        when = pd.to_datetime(frame[date_col], format=date_format, errors="coerce")
        xs = pd.to_numeric(frame[x_col], errors="coerce")
        ys = pd.to_numeric(frame[y_col], errors="coerce")
        keep = when.notna() & xs.notna() & ys.notna()
        if date_from:
            keep &= when >= pd.Timestamp(date_from)
        if date_to:
            keep &= when < pd.Timestamp(date_to) + pd.Timedelta(days=1)
        unusable = int((when.isna() | xs.isna() | ys.isna()).sum())
        x, y = _places.project(xs[keep].to_numpy(), ys[keep].to_numpy(), crs)
        params = {"input": path.name, "x_col": x_col, "y_col": y_col, "date_col": date_col,
                  "date_format": date_format, "crs": crs, "date_from": _places.iso(date_from),
                  "date_to": _places.iso(date_to), "rows_unusable": unusable}
        window = _window_of_dates(when[keep])
        window["sources"] = [path.name]
        return cls(x, y, when[keep].to_numpy(), params=params, data_window=window, **kw)

    # -- output ----------------------------------------------------------------------------------------
    def bands(self) -> list[dict]:
        out = []
        for a in range(len(self.distance_edges) - 1):
            for b in range(len(self.time_edges) - 1):
                kr = self.knox_ratio[a, b]
                out.append({
                    "distance_from": _num(self.distance_edges[a]), "distance_to": _num(self.distance_edges[a + 1]),
                    "time_from": _num(self.time_edges[b]), "time_to": _num(self.time_edges[b + 1]),
                    "same_location": bool(self.same_location and a == 0),
                    "observed": int(self.observed[a, b]), "expected": float(round(self.expected[a, b], 4)),
                    "knox_ratio": None if np.isnan(kr) else float(round(kr, 4)),
                    "p_value": float(round(self.p_value[a, b], 6)),
                })
        return out

    def rows(self) -> list[dict]:
        return [{"distance": _label(r["distance_from"], r["distance_to"], "m"),
                 "time": _label(r["time_from"], r["time_to"], "d"),
                 "observed": r["observed"], "expected": r["expected"],
                 "knox_ratio": r["knox_ratio"], "p_value": r["p_value"]} for r in self.bands()]

    def to_dict(self) -> dict:
        params = {"distance_bands": [_num(v) for v in self.distance_edges],
                  "time_bands": [_num(v) for v in self.time_edges], "metric": self.metric,
                  "permutations": self.permutations, "seed": self.seed, "same_location": self.same_location,
                  "band_convention": "[from, to)", **self.params}
        return {"analysis": NAME, "n_events": self.n, "dropped": self.dropped, "pairs_within_max_band": self.pairs,
                "distance_unit": "m", "time_unit": "days", "bands": self.bands(), "params": params,
                "data_window": self.data_window, "seconds": round(self.seconds, 3)}


def _num(v: float):
    if math.isinf(v):
        return None  # JSON has no infinity: an open last band
    return int(v) if float(v).is_integer() else float(v)


def _label(a, b, unit: str) -> str:
    return f"[{a}, {'∞' if b is None else b}) {unit}"


def _window_of_days(t: np.ndarray) -> dict:
    if len(t) == 0:
        return {"date_from": None, "date_to": None}
    lo, hi = pd.Timestamp(float(np.min(t)) * 86_400e9), pd.Timestamp(float(np.max(t)) * 86_400e9)
    return {"date_from": lo.date().isoformat(), "date_to": hi.date().isoformat()}


def _window_of_dates(s) -> dict:
    s = pd.to_datetime(pd.Series(s))
    if s.empty:
        return {"date_from": None, "date_to": None, "events": 0}
    return {"date_from": s.min().date().isoformat(), "date_to": s.max().date().isoformat(), "events": int(len(s))}


def load_events(wh, crime_group: str = DEFAULT_CRIME_GROUP, date_from=None, date_to=None,
                alcaldia: str | None = None) -> pd.DataFrame:
    """Carpeta crimes of a group with coordinates: occurred_at, lat, lon, alcaldia."""
    codes = _places.codes_of_group(wh, crime_group)
    where, params = _places.event_where(date_from, date_to, alcaldia, codes)
    return wh.df(
        f"SELECT e.event_id, e.occurred_at, e.lat, e.lon, e.alcaldia FROM event e "
        f"WHERE e.kind = 'carpeta_crime' AND e.lat IS NOT NULL AND e.lon IS NOT NULL "
        f"AND e.occurred_at IS NOT NULL AND {where} ORDER BY e.occurred_at", params)


DEFAULT_PARAMS = {"crime_group": DEFAULT_CRIME_GROUP, "distance_bands": list(DEFAULT_DISTANCE_BANDS),
                  "time_bands": list(DEFAULT_TIME_BANDS), "metric": "euclidean", "permutations": 99, "seed": 7,
                  "same_location": True}


def compute(wh, params: dict | None = None) -> dict:
    """The JSON of a Knox test over the warehouse with `params` (defaults above)."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    return KnoxTest.from_warehouse(
        wh, crime_group=p["crime_group"], date_from=p.get("date_from"), date_to=p.get("date_to"),
        alcaldia=p.get("alcaldia"), distance_bands=p["distance_bands"], time_bands=p["time_bands"],
        metric=p["metric"], permutations=p["permutations"], seed=p["seed"],
        same_location=p["same_location"]).to_dict()


def materialize(wh) -> None:
    """Store the default Knox test (burglary, whole city, all dates) for the near-repeat page."""
    from . import store

    try:
        result = compute(wh, DEFAULT_PARAMS)
    except TraceabilityError:
        return  # no burglaries with coordinates yet: the page computes live and says so
    store.save(wh, NAME, DEFAULT_PARAMS, result)


def read_fgj_points(path: str | Path, delito_prefix: str = "ROBO A CASA HABITACION", alcaldia: str | None = None,
                    date_from=None, date_to=None) -> pd.DataFrame:
    """Events straight from the FGJ open-data carpetas file (``carpetas_puntos_*.csv.gz``): x, y (metres),
    date — for benchmarks and checks on real data before (or without) an ingest. `alcaldia` is the file's
    upper-case name (e.g. ``IZTAPALAPA``)."""
    f = pd.read_csv(path, usecols=["alcaldia_hecho", "latitud", "longitud", "delito", "fecha_hecho"], dtype=str)
    f = f[f["delito"].str.startswith(delito_prefix, na=False)]
    if alcaldia:
        f = f[f["alcaldia_hecho"] == alcaldia]
    date = pd.to_datetime(f["fecha_hecho"].str[:10], format="%Y-%m-%d", errors="coerce")
    keep = date.notna()
    if date_from:
        keep &= date >= pd.Timestamp(date_from)
    if date_to:
        keep &= date < pd.Timestamp(date_to) + pd.Timedelta(days=1)
    f = f[keep]
    x, y = _places.to_metric(pd.to_numeric(f["latitud"]).to_numpy(), pd.to_numeric(f["longitud"]).to_numpy())
    out = pd.DataFrame({"x": x, "y": y, "date": date[keep].to_numpy(), "alcaldia": f["alcaldia_hecho"].to_numpy()})
    return out[np.isfinite(out["x"]) & np.isfinite(out["y"])].reset_index(drop=True)
