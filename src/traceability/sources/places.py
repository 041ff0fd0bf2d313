"""Is a point in the city? The city's polygons with a small tolerance at the edge.

Real open-data points of crimes registered in the city fall up to a few tens of metres outside the
published alcaldía outlines (e.g. along the Cuajimalpa / Estado de México border): both are approximations
of the same boundary. A point within `EDGE_TOLERANCE_M` of the outline counts as in the city (its colonia
and cuadrante stay NULL when no polygon holds it); farther out it is outside (quarantined).
"""

from __future__ import annotations

from functools import cache

import numpy as np

EDGE_TOLERANCE_M = 250.0


@cache
def _edge(tolerance_m: float):
    import shapely

    from .. import geo

    geoms = geo.layer("alcaldias")[1]
    city = shapely.union_all(geoms)
    # degrees per metre at 19.4°N: latitude 1/110,800; longitude 1/104,500 -> use the smaller degree step
    ring = shapely.buffer(city, tolerance_m / 104_500.0).difference(city)
    shapely.prepare(ring)
    return ring


def city_mask(lat, lon, tolerance_m: float = EDGE_TOLERANCE_M) -> np.ndarray:
    """True where (lat, lon) is in the city or within `tolerance_m` of its outline (NaN -> False)."""
    import shapely

    from .. import geo

    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    inside = np.asarray(geo.in_city(lat, lon), dtype=bool)
    rest = ~inside & np.isfinite(lat) & np.isfinite(lon)
    if rest.any() and tolerance_m > 0:
        pts = shapely.points(lon[rest], lat[rest])
        inside[rest] = shapely.contains_xy(_edge(tolerance_m), lon[rest], lat[rest]) | shapely.intersects(
            _edge(tolerance_m), pts)
    return inside
