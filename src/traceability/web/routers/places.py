"""Places and victims: repeat victimization, near repeat (Knox heat table) and the offline map.

Handlers resolve the filters, call the analysis objects (stored results when the filters are the defaults and
the data has not changed, else computed live and kept for this process) and render. Targets at risk appear by
pseudonym unless the user sees identities.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import APIRouter, HTTPException, Request

from ...analysis import _places, hotspots, near_repeat, store, victimization
from ...errors import TraceabilityError
from ...governance.pseudonyms import pseudonym
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters, int_param
from ..render import page

router = APIRouter()
NAV = [(50, "/victims", "nav.victims"), (60, "/near-repeat", "nav.near_repeat"), (70, "/map", "nav.map")]

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
MAP_LAYERS = ("alcaldias", "colonias", "cuadrantes")
POINTS_LIMIT = 5000


def _group(code: str | None) -> str | None:
    return _places.crime_group(code) if code else None


def _period(f: Filters) -> dict:
    return {"date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None, "alcaldia": f.alcaldia}



def _result(request: Request, wh, module, params: dict, **kw) -> dict:
    """Stored result for the default parameters when current; else computed and kept for this process."""
    if params == module.DEFAULT_PARAMS:
        stored = store.load(wh, module.NAME, params)
        if stored is not None:
            return stored
    key = (module.NAME, str(request.app.state.db_path), wh.data_version(), repr(sorted(params.items())))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        d = module.compute(wh, params, **kw)
    except TraceabilityError as e:
        d = {"error": str(e), "params": params}
    with _LOCK:
        _CACHE[key] = d
        while len(_CACHE) > 24:
            _CACHE.popitem(last=False)
    return d


# -- repeat victimization ---------------------------------------------------------------------------------
def victims_params(request: Request) -> dict:
    f = Filters.from_request(request)
    p = {**victimization.DEFAULT_PARAMS, "window_days": int_param(request, "window", 365, 1, 3650),
         "at_risk_days": int_param(request, "at_risk_days", 30, 1, 365)}
    extra = {**_period(f), "crime_group": _group(f.crime)}
    p.update({k: v for k, v in extra.items() if v})
    return p


def _victims_public(request: Request, user, d: dict) -> dict:
    if "error" in d:
        return d
    secret = request.app.state.settings.secret
    sees = bool(user is not None and user.sees_identities)
    risk = dict(d.get("at_risk") or {})
    targets = []
    for t in risk.get("targets", []):
        t = dict(t)
        ident = t.get("person_id") or t["target_id"]
        t["display"] = (t.get("label") or ident) if sees else pseudonym(ident, secret)
        if not sees:
            t.pop("label", None)
            t.pop("person_id", None)
            t.pop("target_id", None)
        targets.append(t)
    risk["targets"] = targets
    return {**d, "at_risk": risk, "identities": sees}


@router.get("/victims")
def victims_page(request: Request, wh: WarehouseDep, user: UserDep):
    filters = Filters.from_request(request)
    d = _victims_public(request, user, _result(request, wh, victimization, victims_params(request)))
    return page(request, "victims.html", data=d, filters=filters, alcaldias=ALCALDIAS)


@router.get("/api/victims")
def victims_api(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return _victims_public(request, user, _result(request, wh, victimization, victims_params(request)))


# -- near repeat ------------------------------------------------------------------------------------------
def near_repeat_params(request: Request) -> dict:
    f = Filters.from_request(request)
    q = request.query_params
    p = dict(near_repeat.DEFAULT_PARAMS)
    try:
        if q.get("distance_bands"):
            p["distance_bands"] = [int(v) if v.is_integer() else v
                                   for v in near_repeat.parse_bands(q["distance_bands"], "distance_bands")]
        if q.get("time_bands"):
            p["time_bands"] = [int(v) if v.is_integer() else v
                               for v in near_repeat.parse_bands(q["time_bands"], "time_bands")]
    except TraceabilityError as e:
        raise HTTPException(422, str(e)) from None
    if len(p["distance_bands"]) > 21 or len(p["time_bands"]) > 21:
        raise HTTPException(422, "at most 20 bands of each kind")
    if q.get("metric"):
        if q["metric"] not in ("euclidean", "manhattan"):
            raise HTTPException(422, "metric must be euclidean or manhattan")
        p["metric"] = q["metric"]
    p["permutations"] = int_param(request, "permutations", 99, 9, 999)
    p["seed"] = int_param(request, "seed", 7, 0, 2**31 - 1)
    if f.crime:
        p["crime_group"] = _group(f.crime)
    p.update({k: v for k, v in _period(f).items() if v})
    return p


@router.get("/near-repeat")
def near_repeat_page(request: Request, wh: WarehouseDep):
    filters = Filters.from_request(request)
    d = _result(request, wh, near_repeat, near_repeat_params(request))
    table = None
    if "bands" in d:
        dist = sorted({(b["distance_from"], b["distance_to"], b.get("same_location", False)) for b in d["bands"]},
                      key=lambda v: v[0])
        times = sorted({(b["time_from"], b["time_to"]) for b in d["bands"]}, key=lambda v: v[0])
        cells = {(b["distance_from"], b["time_from"]): b for b in d["bands"]}
        table = {"distances": dist, "times": times,
                 "rows": [[cells.get((a, t[0])) for t in times] for a, _, _ in dist]}
    return page(request, "near_repeat.html", data=d, table=table, filters=filters, alcaldias=ALCALDIAS)


@router.get("/api/near-repeat")
def near_repeat_api(request: Request, wh: WarehouseDep) -> dict:
    return _result(request, wh, near_repeat, near_repeat_params(request))


# -- hot spots and the map --------------------------------------------------------------------------------
def hotspots_params(request: Request) -> dict:
    f = Filters.from_request(request)
    p = {**hotspots.DEFAULT_PARAMS, "resolution": int_param(request, "resolution", 8, 6, 9),
         "permutations": int_param(request, "permutations", 999, 9, 9999)}
    p["crime_group"] = _group(f.crime)
    p.update({k: v for k, v in _period(f).items() if v})
    return p


@router.get("/map")
def map_page(request: Request, wh: WarehouseDep):
    filters = Filters.from_request(request)
    layer = request.query_params.get("layer") or "alcaldias"
    if layer not in MAP_LAYERS:
        raise HTTPException(422, f"layer must be one of {', '.join(MAP_LAYERS)}")
    d = _result(request, wh, hotspots, hotspots_params(request))
    summary = {k: d.get(k) for k in ("n_events", "params", "data_window", "months", "kde", "error",
                                     "_materialized_at")}
    summary["hotspot_classes"] = (d.get("grid") or {}).get("hotspot_classes", {})
    summary["patterns"] = (d.get("grid") or {}).get("patterns", {})
    return page(request, "map.html", data=summary, layer=layer, layers=MAP_LAYERS, filters=filters,
                alcaldias=ALCALDIAS, api_query=request.url.query)


@router.get("/api/hotspots")
def hotspots_api(request: Request, wh: WarehouseDep) -> dict:
    return _result(request, wh, hotspots, hotspots_params(request))


@router.get("/api/hotspots/points")
def points_api(request: Request, wh: WarehouseDep) -> dict:
    """Event points (at most 5,000, most recent first) for the map: coordinates and crime code only."""
    f = Filters.from_request(request)
    codes = _places.codes_of_group(wh, _group(f.crime)) if f.crime else None
    where, params = _places.event_where(f.date_from, f.date_to, f.alcaldia, codes)
    rows = wh.query(
        "SELECT e.lon, e.lat, e.crime, strftime(e.occurred_at, '%Y-%m-%d') FROM event e "
        f"WHERE e.kind = 'carpeta_crime' AND e.lat IS NOT NULL AND e.lon IS NOT NULL AND {where} "
        f"ORDER BY e.occurred_at DESC LIMIT {POINTS_LIMIT + 1}", params)
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
              "properties": {"crime": crime, "date": day}} for lon, lat, crime, day in rows[:POINTS_LIMIT]]
    return {"type": "FeatureCollection", "features": feats, "truncated": len(rows) > POINTS_LIMIT}


@router.get("/api/geo/{layer}")
def geo_api(layer: str) -> dict:
    """The city's own polygons (the map's only base layer: no tile server)."""
    if layer not in MAP_LAYERS:
        raise HTTPException(404, f"no layer {layer}: use one of {', '.join(MAP_LAYERS)}")
    try:
        return _places.geojson(layer)
    except TraceabilityError as e:
        raise HTTPException(503, str(e)) from None
