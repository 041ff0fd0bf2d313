"""Helpers of the three real open-data adapters (FGJ carpetas, FGJ víctimas, C5 911) on top of `Rows`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._internal_common import Rows


def has(rows: Rows, name: str | None) -> bool:
    return name is not None and name.lower() in rows._cols


def first_present(rows: Rows, *names: str) -> str | None:
    """The first of `names` that the file has (versions spell the same field differently)."""
    for n in names:
        if has(rows, n):
            return n
    return None


def coords(rows: Rows, raw_lat: pd.Series, raw_lon: pd.Series, lat_col: str, lon_col: str
           ) -> tuple[pd.Series, pd.Series]:
    """Coordinates from raw text: unreadable or half-given -> rejected; exact (0, 0) -> empty; a swapped pair
    whose swap is in the city -> swapped back; outside the city (beyond `places.EDGE_TOLERANCE_M` of its
    outline) -> rejected. Work is done once per distinct point."""
    from .. import normalize, places

    lat = normalize.parse_float(raw_lat)
    lon = normalize.parse_float(raw_lon)
    rows.reject((raw_lat != "") & lat.isna(), lat_col, "unreadable coordinate")
    rows.reject((raw_lon != "") & lon.isna(), lon_col, "unreadable coordinate")
    zero = (lat == 0) & (lon == 0)
    lat, lon = lat.mask(zero), lon.mask(zero)
    rows.reject(lat.isna() & lon.notna(), lat_col, "only one of latitude/longitude given")
    rows.reject(lon.isna() & lat.notna(), lon_col, "only one of latitude/longitude given")
    both = lat.notna() & lon.notna() & ~rows.bad
    if both.any():
        pts = pd.DataFrame({"lat": lat[both], "lon": lon[both]})
        uniq = pts.drop_duplicates()
        ok = places.city_mask(uniq["lat"].to_numpy(), uniq["lon"].to_numpy())
        sw = np.zeros(len(uniq), dtype=bool)
        if (~ok).any():
            sw[~ok] = places.city_mask(uniq["lon"].to_numpy()[~ok], uniq["lat"].to_numpy()[~ok])
        pos = pd.MultiIndex.from_frame(uniq).get_indexer(pd.MultiIndex.from_frame(pts))
        inside = pd.Series(False, index=rows.index)
        swapped = pd.Series(False, index=rows.index)
        inside[both] = ok[pos]
        swapped[both] = sw[pos]
        lat, lon = lat.where(~swapped, lon), lon.where(~swapped, lat)
        rows.reject(both & ~inside & ~swapped, lat_col, "coordinates outside the city",
                    values=raw_lat + "," + raw_lon)
    good = lat.notna() & lon.notna() & ~rows.bad
    return lat.where(good).astype("float64"), lon.where(good).astype("float64")
