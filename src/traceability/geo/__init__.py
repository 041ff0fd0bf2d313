"""Mexico City's geography: alcaldías, colonias, police cuadrantes; point-in-polygon and projections.

The polygons ship with the package (``geo/data/``, built by ``python -m traceability.geo.build`` from
``shared/data/geo``), so nothing here needs ``shared/`` or the network.

Public calls
------------
``locate(lat, lon) -> DataFrame[alcaldia, colonia, cuadrante]``, ``in_city(lat, lon) -> bool array``,
``to_metric(lat, lon) -> (x, y)`` (EPSG:32614, metres), ``alcaldia_code(name) -> '090xx' | None``,
``alcaldia_codes(series)``, ``cuadrante_population()``, ``geojson(layer, simplify_m=None)``,
``ALCALDIAS`` {code: name}, ``LAYERS``.

Geometry is done in Python (shapely 2 STRtree), not in DuckDB: DuckDB 2's spatial extension
downloads at run time (see shared/DEPENDENCIES.md).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path

import numpy as np

from ..taxonomy.normalize import label_key

DATA = Path(__file__).parent / "data"
LAYERS = ("alcaldias", "colonias", "cuadrantes")
METRIC_CRS = "EPSG:32614"  # UTM zone 14N

ALCALDIAS = {
    "09002": "Azcapotzalco", "09003": "Coyoacán", "09004": "Cuajimalpa de Morelos", "09005": "Gustavo A. Madero",
    "09006": "Iztacalco", "09007": "Iztapalapa", "09008": "La Magdalena Contreras", "09009": "Milpa Alta",
    "09010": "Álvaro Obregón", "09011": "Tláhuac", "09012": "Tlalpan", "09013": "Xochimilco",
    "09014": "Benito Juárez", "09015": "Cuauhtémoc", "09016": "Miguel Hidalgo", "09017": "Venustiano Carranza",
}

__all__ = [
    "ALCALDIAS", "LAYERS", "METRIC_CRS", "alcaldia_code", "alcaldia_codes", "cuadrante_population", "geojson",
    "in_city", "layer", "locate", "to_metric",
]

# -- alcaldía names ----------------------------------------------------------------------------------------
_EXTRA_NAMES = {
    "09004": ["CUAJIMALPA"],
    "09005": ["GAM", "GUSTAVO A MADERO", "GUSTAVO MADERO", "G A MADERO"],
    "09008": ["MAGDALENA CONTRERAS", "LA MAGDALENA", "MAGDALENA", "CONTRERAS"],
    "09010": ["OBREGON", "ALVARO OBREGON"],
    "09014": ["B JUAREZ", "JUAREZ"],
    "09016": ["M HIDALGO"],
    "09017": ["V CARRANZA", "VENUSTIANO CARRANZA"],
}
_PREFIX = re.compile(r"^(ALCALDIA|DELEGACION|DELEG|DEL|ALC|MUNICIPIO|MPIO)\b\s*")
_SUFFIX = re.compile(r"\s*(,?\s*(CIUDAD DE MEXICO|CDMX|D ?F|DISTRITO FEDERAL))$")


def _name_key(name: object) -> str:
    k = label_key(name)
    k = re.sub(r"[.,;:'\"()]", " ", k).replace("-", " ")
    k = " ".join(k.split())
    k = _SUFFIX.sub("", k)
    k = _PREFIX.sub("", k)
    return k.strip()


@cache
def _name_table() -> dict[str, str]:
    t = {}
    for code, name in ALCALDIAS.items():
        t[_name_key(name)] = code
        t[code] = code
        t[code[2:]] = code              # '015'
        t[str(int(code[2:]))] = code    # '15'
        t[str(int(code))] = code        # '9015'
    for code, names in _EXTRA_NAMES.items():
        for n in names:
            t[_name_key(n)] = code
    # names that drop their article or surname
    t[_name_key("Cuajimalpa de Morelos")] = "09004"
    return t


def alcaldia_code(name: object) -> str | None:
    """INEGI code (``'09015'``) of an alcaldía written in any form seen in agency files: with or without
    accents, any case, old delegación wording (``DELEGACION COYOACAN``), abbreviations (``GAM``,
    ``G.A.M.``), short forms (``CUAJIMALPA``, ``MAGDALENA CONTRERAS``), double-encoded UTF-8
    (``TlÃ¡huac``) or the code itself (``09015``, ``015``, ``15``). ``None`` when not recognised."""
    if name is None:
        return None
    if isinstance(name, float):
        if name != name:
            return None
        if name.is_integer():
            name = str(int(name))
    key = _name_key(name)
    if not key:
        return None
    table = _name_table()
    code = table.get(key) or table.get(key.replace(" ", ""))
    if code is None and len(key) >= 6 and not key.isdigit():
        # a character lost to a bad encoding ('LVARO OBREGON'): accept one very close name
        import difflib

        close = difflib.get_close_matches(key, [k for k in table if not k.isdigit()], n=1, cutoff=0.9)
        code = table[close[0]] if close else None
    return code


def alcaldia_codes(names):
    """Vectorized :func:`alcaldia_code` over a pandas Series (or any sequence); returns a Series."""
    import pandas as pd

    s = pd.Series(names) if not isinstance(names, pd.Series) else names
    uniq = pd.unique(s.dropna())
    lookup = {u: alcaldia_code(u) for u in uniq}
    return s.map(lookup).astype(object).where(s.notna(), None)


# -- layers -----------------------------------------------------------------------------------------------
@cache
def _raw(layer_name: str) -> dict:
    if layer_name not in LAYERS:
        from ..errors import UsageError

        raise UsageError(f"unknown layer {layer_name!r}: use one of {', '.join(LAYERS)}")
    path = DATA / f"{layer_name}.geojson.gz"
    if not path.exists():
        from ..errors import TraceabilityError

        raise TraceabilityError(f"{path} is missing: build it with `python -m traceability.geo.build`")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


@cache
def layer(layer_name: str):
    """``(properties DataFrame, numpy array of shapely geometries)`` of a layer, cached."""
    import pandas as pd
    import shapely

    fc = _raw(layer_name)
    props = pd.DataFrame([f["properties"] for f in fc["features"]])
    geoms = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in fc["features"]], dtype=object)
    shapely.prepare(geoms)
    return props, geoms


# Grid cells (degrees) the polygons are cut into before indexing: a point-in-polygon test against a
# small piece is far cheaper than against a whole alcaldía outline (1.3M points: ~3 s instead of ~30 s).
_CELL = {"alcaldias": 0.01, "colonias": 0.005, "cuadrantes": 0.005}


@cache
def _tree(layer_name: str):
    """``(STRtree over polygon pieces, parent index of each piece)``."""
    import shapely

    geoms = layer(layer_name)[1]
    cell = _CELL[layer_name]
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    x0, y0 = np.meshgrid(np.arange(xmin, xmax, cell), np.arange(ymin, ymax, cell))
    x0, y0 = x0.ravel(), y0.ravel()
    cells = shapely.box(x0, y0, x0 + cell, y0 + cell)
    cell_i, geom_i = shapely.STRtree(geoms).query(cells, predicate="intersects")
    pieces = shapely.intersection(geoms[geom_i], cells[cell_i])
    keep = ~shapely.is_empty(pieces)
    pieces, parent = pieces[keep], geom_i[keep]
    shapely.prepare(pieces)
    return shapely.STRtree(pieces), parent


def _points(lat, lon):
    import shapely

    lat = np.atleast_1d(np.asarray(lat, dtype="float64"))
    lon = np.atleast_1d(np.asarray(lon, dtype="float64"))
    if lat.shape != lon.shape:
        raise ValueError("lat and lon must have the same length")
    ok = np.isfinite(lat) & np.isfinite(lon)
    pts = np.full(lat.shape, None, dtype=object)
    pts[ok] = shapely.points(lon[ok], lat[ok])
    return pts, ok


def _assign(layer_name: str, pts, ok, column: str) -> np.ndarray:
    """For each point, the ``column`` value of the first polygon of the layer containing it."""
    out = np.full(pts.shape, None, dtype=object)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return out
    props, _ = layer(layer_name)
    values = props[column].to_numpy(dtype=object)
    tree, parent = _tree(layer_name)
    hit_pt, hit_piece = tree.query(pts[idx], predicate="intersects")
    hit_poly = parent[hit_piece]
    # keep the first polygon per point (a point on a shared edge belongs to the lower index)
    order = np.lexsort((hit_poly, hit_pt))
    hit_pt, hit_poly = hit_pt[order], hit_poly[order]
    first = np.ones(len(hit_pt), dtype=bool)
    first[1:] = hit_pt[1:] != hit_pt[:-1]
    out[idx[hit_pt[first]]] = values[hit_poly[first]]
    return out


def locate(lat, lon, layers=LAYERS):
    """Alcaldía, colonia and cuadrante of each point (``None`` outside the city or for NaN).

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 degrees, same length.
    layers : sequence of str
        Layers to look up (all three by default); the others come back as ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``alcaldia`` (``'09015'``), ``colonia`` (``colonia_cve`` as a string) and
        ``cuadrante`` (``'C-1.8.4'``), one row per point, in input order.
    """
    import pandas as pd

    pts, ok = _points(lat, lon)
    cols = {"alcaldia": ("alcaldias", "alcaldia"), "colonia": ("colonias", "colonia"),
            "cuadrante": ("cuadrantes", "cuadrante")}
    data = {}
    for name, (lay, col) in cols.items():
        data[name] = _assign(lay, pts, ok, col) if lay in layers else np.full(pts.shape, None, dtype=object)
    return pd.DataFrame(data)


def in_city(lat, lon) -> np.ndarray:
    """Boolean array: is each point inside one of the 16 alcaldías?"""
    pts, ok = _points(lat, lon)
    return np.asarray(_assign("alcaldias", pts, ok, "alcaldia") != None)  # noqa: E711 — elementwise


@cache
def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def to_metric(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 degrees to EPSG:32614 (UTM 14N) metres: returns ``(x, y)`` arrays."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    x, y = _transformer().transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def cuadrante_population():
    """``DataFrame[cuadrante, alcaldia, population]``: resident population per cuadrante (SSC 2023, SUMPOB1)."""
    props, _ = layer("cuadrantes")
    return props[["cuadrante", "alcaldia", "population"]].copy()


def geojson(layer_name: str, simplify_m: float | None = None) -> dict:
    """A layer as a GeoJSON FeatureCollection dict, for the map page.

    ``simplify_m`` simplifies outlines to about that many metres (Douglas–Peucker, topology kept;
    metres converted at 1e-5 degree per 1.1 m, close enough at Mexico City's latitude).
    """
    import shapely

    fc = _raw(layer_name)
    if not simplify_m:
        return json.loads(json.dumps(fc))  # a copy the caller may change
    props, geoms = layer(layer_name)
    tol = float(simplify_m) / 110_000.0
    simple = shapely.simplify(geoms, tol, preserve_topology=True)
    simple = shapely.set_precision(simple, 1e-6)
    feats = [{"type": "Feature", "properties": f["properties"], "geometry": json.loads(shapely.to_geojson(g))}
             for f, g in zip(fc["features"], simple, strict=True)]
    return {"type": "FeatureCollection", "features": feats}
