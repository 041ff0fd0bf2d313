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
           ) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """(lat, lon, place) from raw text; `place` has alcaldia / colonia / cuadrante by point-in-polygon.

    Unreadable or half-given coordinates are rejected; exact (0, 0) is empty; a pair whose swap falls in the
    city is swapped back; a point outside the city (beyond `places.EDGE_TOLERANCE_M` of its outline) is
    rejected. One `geo.locate` per distinct point does the city test and the placing at once."""
    from ... import geo
    from .. import normalize, places

    lat = normalize.parse_float(raw_lat)
    lon = normalize.parse_float(raw_lon)
    rows.reject((raw_lat != "") & lat.isna(), lat_col, "unreadable coordinate")
    rows.reject((raw_lon != "") & lon.isna(), lon_col, "unreadable coordinate")
    zero = (lat == 0) & (lon == 0)
    lat, lon = lat.mask(zero), lon.mask(zero)
    rows.reject(lat.isna() & lon.notna(), lat_col, "only one of latitude/longitude given")
    rows.reject(lon.isna() & lat.notna(), lon_col, "only one of latitude/longitude given")
    place = pd.DataFrame({"alcaldia": None, "colonia": None, "cuadrante": None}, index=rows.index, dtype=object)
    both = lat.notna() & lon.notna() & ~rows.bad
    if both.any():
        # one complex number per point: a single hash pass finds the distinct points and each row's
        pos, upts = pd.factorize(lat[both].to_numpy() + 1j * lon[both].to_numpy())
        ulat, ulon = np.ascontiguousarray(upts.real), np.ascontiguousarray(upts.imag)
        loc = pd.DataFrame(geo.locate(ulat, ulon)).reset_index(drop=True)
        ok = loc["alcaldia"].notna().to_numpy()
        swapped = np.zeros(len(ulat), dtype=bool)
        if (~ok).any():
            out = np.flatnonzero(~ok)
            near = places.city_mask(ulat[out], ulon[out])
            ok[out[near]] = True
            rest = out[~near]
            if len(rest):
                # written longitude first? the same rule (outline + tolerance) decides on the swapped pair
                hit = rest[places.city_mask(ulon[rest], ulat[rest])]
                if len(hit):
                    sw_loc = pd.DataFrame(geo.locate(ulon[hit], ulat[hit])).reset_index(drop=True)
                    swapped[hit] = True
                    ok[hit] = True
                    loc.loc[hit, ["alcaldia", "colonia", "cuadrante"]] = (
                        sw_loc[["alcaldia", "colonia", "cuadrante"]].to_numpy())
        inside = pd.Series(False, index=rows.index)
        sw = pd.Series(False, index=rows.index)
        inside[both] = ok[pos]
        sw[both] = swapped[pos]
        for c in ("alcaldia", "colonia", "cuadrante"):
            vals = loc[c].to_numpy(dtype=object)[pos]
            place.loc[both, c] = vals
        lat, lon = lat.where(~sw, lon), lon.where(~sw, lat)
        rows.reject(both & ~inside, lat_col, "coordinates outside the city", values=raw_lat + "," + raw_lon)
    good = lat.notna() & lon.notna() & ~rows.bad
    place = place.where(good, None)
    return lat.where(good).astype("float64"), lon.where(good).astype("float64"), place
