"""Helpers shared by the place analyses (repeat victimization, near repeat, hot spots).

They reach the stages the place analyses depend on — taxonomy (crime groups) and geo (projection,
polygons, population) — through one door each, with a fallback while those stages are incomplete:
the fallbacks compute the same thing from the contracts (docs/contracts.md) and ../shared/data/geo.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TraceabilityError, UsageError

# Fine codes whose group is not their own prefix (docs/contracts.md, "Crime codes").
_GROUP_EXCEPTIONS = {
    "FEMINICIDIO_TENTATIVA": "FEMINICIDIO",
    "LESIONES_ARMA_FUEGO": "LESIONES_DOLOSAS",
    "ACOSO_SEXUAL": "ABUSO_SEXUAL",
    "OTROS_SEXUALES": "ABUSO_SEXUAL",
    "ROBO_AUTOPARTES": "ROBO_VEHICULO",
    "ROBO_TRANSPORTE_PUBLICO": "ROBO_TRANSPORTE",
    "ROBO_TRANSPORTISTA": "ROBO_TRANSPORTE",
    "ROBO_REPARTIDOR": "ROBO_TRANSPORTE",
    "ABUSO_CONFIANZA": "FRAUDE",
    "PORTACION_ARMA": "ARMAS",
    "HECHO_NO_DELICTIVO": "NO_DELITO",
    "ACCIDENTE": "NO_DELITO",
    "EMERGENCIA_MEDICA": "NO_DELITO",
    "SERVICIO": "NO_DELITO",
    "FALSA_ALARMA": "NO_DELITO",
}
_GROUP_SUFFIXES = ("_CV", "_SV")

METRIC_CRS = "EPSG:32614"  # UTM 14N: the metric projection for Mexico City (DEPENDENCIES.md)


def crime_group(code: str | None) -> str | None:
    """The canonical crime group of a fine code (taxonomy.crime_group when available)."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    try:
        from .. import taxonomy

        fn = getattr(taxonomy, "crime_group", None)
        if fn is not None:
            g = fn(code)
            if g:
                return g
    except Exception:  # noqa: BLE001 — taxonomy not there yet or code unknown to it: fall back
        pass
    code = str(code)
    if code in _GROUP_EXCEPTIONS:
        return _GROUP_EXCEPTIONS[code]
    for suf in _GROUP_SUFFIXES:
        if code.endswith(suf):
            return code[: -len(suf)]
    return code


def codes_of_group(wh, group: str) -> list[str]:
    """The fine crime codes present in the warehouse that belong to `group`."""
    codes = [r[0] for r in wh.query("SELECT DISTINCT crime FROM event WHERE crime IS NOT NULL")]
    return [c for c in codes if crime_group(c) == group or c == group]


def to_metric(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) in metres (UTM 14N) of WGS84 latitude/longitude arrays."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    try:
        from .. import geo

        fn = getattr(geo, "to_metric", None)
        if fn is not None:
            x, y = fn(lat, lon)
            return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    except Exception:  # noqa: BLE001 — geo not there yet: same projection with pyproj
        pass
    return project(lon, lat, "EPSG:4326")


def project(x, y, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in metres: lon/lat (a geographic CRS) are projected to UTM 14N; a projected CRS is
    taken as metres already."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        c = CRS.from_user_input(crs)
    except CRSError:
        raise UsageError(f"unknown CRS {crs!r}: write it as EPSG:<code>, e.g. EPSG:4326 or EPSG:26971") from None
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if c.is_projected:
        return x, y
    if not c.is_geographic:
        raise UsageError(f"CRS {crs} is neither geographic nor projected: give an EPSG code in metres or degrees")
    tr = Transformer.from_crs(c, METRIC_CRS, always_xy=True)
    return tr.transform(x, y)


def days(values) -> np.ndarray:
    """Days since 1970-01-01 (float; fractional when a time of day is known)."""
    s = pd.to_datetime(pd.Series(values))
    return (s.astype("datetime64[ns]").to_numpy().astype("int64") / 86_400e9).astype(float)


def iso(d) -> str | None:
    if d is None or (isinstance(d, float) and np.isnan(d)) or d is pd.NaT:
        return None
    if isinstance(d, datetime | pd.Timestamp):
        return d.date().isoformat()
    if isinstance(d, date):
        return d.isoformat()
    return str(d)


def event_where(date_from=None, date_to=None, alcaldia=None, codes=None, alias="e") -> tuple[str, list]:
    """A WHERE fragment over the event table with bound parameters."""
    clauses, params = [], []
    if date_from:
        clauses.append(f"{alias}.occurred_at >= ?")
        params.append(pd.Timestamp(date_from).to_pydatetime())
    if date_to:
        clauses.append(f"{alias}.occurred_at < ? + INTERVAL 1 DAY")
        params.append(pd.Timestamp(date_to).to_pydatetime())
    if alcaldia:
        clauses.append(f"{alias}.alcaldia = ?")
        params.append(alcaldia)
    if codes is not None:
        if not codes:
            clauses.append("FALSE")
        else:
            clauses.append(f"{alias}.crime IN ({', '.join('?' for _ in codes)})")
            params.extend(codes)
    return (" AND ".join(clauses) or "TRUE"), params


# -- geography ------------------------------------------------------------------------------------------
LAYERS = ("alcaldias", "colonias", "cuadrantes")
UNIT_COLUMN = {"alcaldias": "alcaldia", "colonias": "colonia", "cuadrantes": "cuadrante"}
_LAYER_KEY = {"alcaldias": "cvegeo", "colonias": "colonia_cve", "cuadrantes": "cuadrante_id"}


def _shared_geo(name: str) -> Path | None:
    from ..config import shared_dir

    sd = shared_dir()
    if sd is None:
        return None
    p = sd / "data" / "geo" / name
    return p if p.exists() else None


@lru_cache(maxsize=8)
def geojson(layer: str) -> dict:
    """The city's polygons of `layer` (alcaldias, colonias, cuadrantes) as a GeoJSON FeatureCollection,
    each feature with `properties.id` (the canonical code) and `properties.name`."""
    if layer not in LAYERS:
        raise UsageError(f"unknown layer {layer!r}: use one of {', '.join(LAYERS)}")
    fc = None
    try:
        from .. import geo

        fn = getattr(geo, "geojson", None)
        if fn is not None:
            fc = fn(layer)
            if isinstance(fc, str):
                fc = json.loads(fc)
    except Exception:  # noqa: BLE001 — geo not there yet: read the shared files
        fc = None
    if fc is None and layer == "cuadrantes":
        fc = _cuadrantes_from_shapefile()
    if fc is None:
        p = _shared_geo(f"{layer}.geojson")
        if p is None:
            raise TraceabilityError(f"no polygons for layer {layer}: build the package geography "
                                    "(python -m traceability.geo.build) or set TRACEABILITY_SHARED")
        fc = json.loads(p.read_text(encoding="utf-8"))
    key = _LAYER_KEY[layer]
    singular = UNIT_COLUMN[layer]
    feats = []
    for f in fc.get("features", []):
        props = dict(f.get("properties") or {})  # a copy: never touch geo's cached features
        if not props.get("id"):
            props["id"] = str(props.get(singular) or props.get(key) or "")
        if not props.get("name"):
            props["name"] = props.get("nomgeo") or props.get("colonia_nombre") or props["id"]
        feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    return {"type": "FeatureCollection", "features": feats}


def alcaldia_code(name: str | None) -> str | None:
    """INEGI code of an alcaldía written by name in any of the agencies' ways (accents, 'CUAJIMALPA')."""
    if not name:
        return None
    from unidecode import unidecode

    from ..web.filters import ALCALDIAS

    key = unidecode(str(name)).upper().replace(".", "").strip()
    for code, nm in ALCALDIAS.items():
        full = unidecode(nm).upper().replace(".", "")
        if key == full or full.startswith(key) or key.replace("LA ", "") == full.replace("LA ", ""):
            return code
    return None


@lru_cache(maxsize=1)
def _cuadrantes_frame():
    p = _shared_geo("cuadrantes_poblacion_2023.shp")
    if p is None:
        return None
    import geopandas as gpd

    g = gpd.read_file(p)
    g["id"] = g["Nomenclatu"].astype(str)
    g["alcaldia"] = [alcaldia_code(v) for v in g["Deleg"]]
    return g


def _cuadrantes_from_shapefile() -> dict | None:
    g = _cuadrantes_frame()
    if g is None:
        return None
    out = g[["id", "alcaldia", "SUMPOB1", "geometry"]].rename(columns={"SUMPOB1": "population"})
    out["name"] = out["id"]
    return json.loads(out.to_json())


def _geo_population():
    """geo.cuadrante_population() as a DataFrame (cuadrante, alcaldia, population), or None."""
    try:
        from .. import geo

        fn = getattr(geo, "cuadrante_population", None)
        if fn is None:
            return None
        pop = fn()
        if isinstance(pop, pd.DataFrame) and {"cuadrante", "population"} <= set(pop.columns):
            return pop
        if isinstance(pop, pd.Series):
            return pd.DataFrame({"cuadrante": pop.index.astype(str), "population": pop.to_numpy()})
        if isinstance(pop, dict):
            return pd.DataFrame({"cuadrante": list(pop), "population": list(pop.values())})
    except Exception:  # noqa: BLE001 — geo incomplete: fall back to the shared shapefile
        return None
    return None


@lru_cache(maxsize=1)
def cuadrante_alcaldia() -> dict[str, str]:
    """Cuadrante (nomenclature) → alcaldía code."""
    pop = _geo_population()
    if pop is not None and "alcaldia" in pop.columns:
        return {str(c): str(a) for c, a in zip(pop["cuadrante"], pop["alcaldia"], strict=True) if a}
    g = _cuadrantes_frame()
    if g is None:
        return {}
    return {k: v for k, v in zip(g["id"], g["alcaldia"], strict=True) if v}


@lru_cache(maxsize=1)
def cuadrante_population() -> dict[str, float]:
    """Resident population per cuadrante (SSC nomenclature) — geo.cuadrante_population when available."""
    pop = _geo_population()
    if pop is not None:
        return {str(c): float(n) for c, n in zip(pop["cuadrante"], pop["population"], strict=True)}
    p = _shared_geo("cuadrantes_poblacion_2023.dbf")
    if p is None:
        return {}
    try:
        import geopandas as gpd

        g = gpd.read_file(p.with_suffix(".shp"), ignore_geometry=True)
        return {str(k): float(v) for k, v in zip(g["Nomenclatu"], g["SUMPOB1"], strict=True)}
    except Exception:  # noqa: BLE001 — population is optional: rates are then left out
        return {}


def city_boundary():
    """The union of the alcaldías as one shapely geometry (WGS84)."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    return unary_union([shape(f["geometry"]) for f in geojson("alcaldias")["features"]])
