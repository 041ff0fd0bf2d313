"""Violence against women: the /vaw page, one woman's timeline, and the APIs under /api/vaw.

Every identity here falls under the ``vaw`` sensitivity label. A user without the label sees counts only and a
notice that records exist and whom to ask (``governance.roles.LABEL_STEWARDS``); a user with it sees women and
aggressors by pseudonym, and by name only when ``user.sees_identities`` (a purpose stated). Every view of a
woman's timeline is written to the audit log.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request

from ...analysis import store
from ...analysis import vaw as analysis
from ...analysis.vaw import sesnsp as sesnsp_mod
from ...errors import TraceabilityError
from ...governance.pseudonyms import pseudonym
from ...governance.roles import LABEL_STEWARDS
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters, int_param
from ..render import page

router = APIRouter()
NAV = [(90, "/vaw", "nav.vaw")]
LABEL = "vaw"

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


# -- services ------------------------------------------------------------------------------------------------
def _holds_label(user) -> bool:
    return LABEL in set(getattr(user, "labels", set()) or set())


def _sees(user) -> bool:
    return bool(getattr(user, "sees_identities", False)) and _holds_label(user)



def params_of(request: Request) -> dict:
    f = Filters.from_request(request)
    p = {**analysis.DEFAULT_PARAMS, "k_contacts": int_param(request, "k", 3, 1, 50),
         "min_flags": int_param(request, "min_flags", 2, 1, len(analysis.FLAGS))}
    if f.date_from:
        p["date_from"] = f.date_from.isoformat()
    if f.date_to:
        p["date_to"] = f.date_to.isoformat()
    if f.alcaldia:
        p["alcaldia"] = f.alcaldia
    return p


def result_object(request: Request, wh, params: dict) -> analysis.ViolenceAgainstWomen:
    """The analysis object for these parameters, kept for this process per data version."""
    key = (str(request.app.state.db_path), wh.data_version(), repr(sorted(params.items())))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    obj = analysis.ViolenceAgainstWomen.from_warehouse(wh, **params)
    with _LOCK:
        _CACHE[key] = obj
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return obj


def result_dict(request: Request, wh, params: dict) -> dict:
    """The stored result when the parameters are the defaults and the data unchanged, else computed."""
    if params == analysis.DEFAULT_PARAMS:
        stored = store.load(wh, analysis.NAME, params)
        if stored is not None:
            return stored
    try:
        return result_object(request, wh, params).to_dict()
    except TraceabilityError as e:
        return {"error": str(e), "params": params}


@lru_cache(maxsize=4)
def _sesnsp(path: str, mtime: float) -> dict:
    return sesnsp_mod.femicides(path)


def national(request: Request) -> dict | None:
    """SESNSP femicide victims of Mexico City, when the file is configured or in the shared data folder."""
    p = sesnsp_mod.default_file()
    if p is None:
        return None
    try:
        return _sesnsp(str(p), Path(p).stat().st_mtime)
    except TraceabilityError:
        return None


def _names(wh, person_ids: list[str]) -> dict[str, str]:
    if not person_ids:
        return {}
    rows = wh.query(
        "SELECT pm.person_id, any_value(concat_ws(' ', m.given_names, m.surname_1, m.surname_2)) "
        "FROM person_membership pm JOIN person_mention m USING (mention_id) "
        "WHERE pm.person_id IN (SELECT unnest(?::VARCHAR[])) AND m.given_names IS NOT NULL GROUP BY 1",
        [list(person_ids)])
    return {pid: name for pid, name in rows}


def _who(request: Request, user, pid: str, names: dict | None = None) -> dict:
    secret = request.app.state.settings.secret
    out = {"key": pseudonym(pid, secret), "pseudonym": pseudonym(pid, secret)}
    if _sees(user):
        out["person_id"] = pid
        if names is not None and pid in names:
            out["name"] = names[pid]
    return out


def restricted_notice() -> dict:
    return {"label": LABEL, "steward": LABEL_STEWARDS.get(LABEL)}


def public_view(request: Request, wh, user, d: dict) -> dict:
    """What this user may see of a result: counts for everyone; women and evidence only with the label;
    pseudonyms unless the user sees identities."""
    if "error" in d:
        return d
    out = {k: v for k, v in d.items() if k not in ("follow_up", "femicides", "maps")}
    maps = dict(d.get("maps") or {})
    nat = national(request)
    if nat is not None and "sesnsp_femicides" not in out:
        out["sesnsp_femicides"] = nat["by_year"]
        out["sesnsp"] = {k: nat[k] for k in ("source", "entity", "months_published")}
    if not _holds_label(user):
        maps.pop("harm_points", None)
        out["maps"] = maps
        out["restricted"] = restricted_notice()
        out["follow_up"] = []
        out["femicides"] = []
        out["identities"] = False
        return out
    out["maps"] = maps
    fu = d.get("follow_up") or []
    fem = d.get("femicides") or []
    names = _names(wh, [r["person_id"] for r in fu[:200]] + [f["person_id"] for f in fem]) if _sees(user) else None
    out["follow_up"] = [{**{k: v for k, v in r.items() if k != "person_id"}, **_who(request, user, r["person_id"], names)}
                        for r in fu]
    out["femicides"] = [{**{k: v for k, v in f.items() if k != "person_id"}, **_who(request, user, f["person_id"], names)}
                        for f in fem]
    out["identities"] = _sees(user)
    return out


def _pseudonym_index(request: Request, obj) -> dict[str, str]:
    secret = request.app.state.settings.secret
    return {pseudonym(pid, secret): pid for pid in obj.women_detail}


def woman_view(request: Request, wh, user, key: str) -> dict:
    """One woman's timeline, flags and aggressors (label required); the view is audited."""
    if not _holds_label(user):
        raise HTTPException(403, f"records under the '{LABEL}' label: ask {LABEL_STEWARDS.get(LABEL)}")
    obj = result_object(request, wh, params_of(request))
    pid = key if key in obj.women_detail else _pseudonym_index(request, obj).get(key.strip().upper())
    if pid is None:
        raise HTTPException(404, "no woman with that pseudonym in this period: open her from the list on /vaw")
    w = obj.woman(pid)
    names = _names(wh, [pid] + [a["aggressor_id"] for a in w["aggressors"] if a["linked"]]) if _sees(user) else None
    secret = request.app.state.settings.secret
    aggressors = []
    for a in w["aggressors"]:
        item = {k: v for k, v in a.items() if k != "aggressor_id"}
        item["pseudonym"] = pseudonym(a["aggressor_id"], secret) if a["linked"] else None
        if _sees(user) and a["linked"]:
            item["person_id"] = a["aggressor_id"]
            item["name"] = (names or {}).get(a["aggressor_id"])
        aggressors.append(item)
    out = {k: v for k, v in w.items() if k not in ("person_id", "aggressors")}
    out.update(_who(request, user, pid, names))
    out["aggressors"] = aggressors
    out["identities"] = _sees(user)
    out["caveat"] = analysis.CAVEAT
    out["params"] = obj.params
    try:
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "person_view", target=pid,
                     purpose=getattr(user, "purpose", None), case_number=getattr(user, "case_number", None),
                     detail="vaw timeline")
        out["audited"] = True
    except Exception:  # the audit store is governance's; a missing one must not hide the page
        out["audited"] = False
    return out


# -- routes --------------------------------------------------------------------------------------------------
@router.get("/vaw")
def vaw_page(request: Request, wh: WarehouseDep, user: UserDep):
    filters = Filters.from_request(request)
    d = public_view(request, wh, user, result_dict(request, wh, params_of(request)))
    return page(request, "vaw.html", data=d, filters=filters, alcaldias=ALCALDIAS, api_query=request.url.query,
                flags=analysis.FLAGS)


@router.get("/api/vaw")
def vaw_api(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return public_view(request, wh, user, result_dict(request, wh, params_of(request)))


@router.get("/api/vaw/geo")
def vaw_geo(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    """The alcaldías (the city's own polygons) with the contacts of women in each: the map's only base layer."""
    from ... import geo

    d = result_dict(request, wh, params_of(request))
    counts = {r["alcaldia"]: r for r in (d.get("maps") or {}).get("harm_by_alcaldia", [])}
    hidden = {r["alcaldia"]: r["hidden"] for r in (d.get("hidden_cases") or {}).get("by_alcaldia", [])}
    try:
        fc = geo.geojson("alcaldias", simplify_m=50)
    except Exception as e:  # noqa: BLE001 — geography not built: say so
        raise HTTPException(503, f"no polygons: {e}") from None
    for f in fc["features"]:
        code = f["properties"].get("alcaldia")
        r = counts.get(code) or {}
        f["properties"].update({"contacts": r.get("contacts", 0), "women": r.get("women", 0),
                                "hidden": hidden.get(code, 0)})
    return fc


@router.get("/api/vaw/women/{key}")
def woman_api(key: str, request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return woman_view(request, wh, user, key)


@router.get("/vaw/women/{key}")
def woman_page(key: str, request: Request, wh: WarehouseDep, user: UserDep):
    try:
        d = woman_view(request, wh, user, key)
    except HTTPException as e:
        if e.status_code != 403:
            raise
        return page(request, "vaw_woman.html", status_code=403, data=None, restricted=restricted_notice())
    return page(request, "vaw_woman.html", data=d, restricted=None)
