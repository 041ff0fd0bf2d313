"""Repeat offenders: concentration (Lorenz), RFG ranking with its components, fairness, hidden offenders,
reoffending curves. Persons appear by pseudonym unless the user sees identities."""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...analysis.offenders.histories import BASES
from ...analysis.offenders.report import DEFAULT_PARAMS, compute
from ...governance.pseudonyms import pseudonym
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters
from ..render import page

router = APIRouter()
NAV = [(40, "/offenders", "nav.offenders")]

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def _params(request: Request) -> dict:
    f = Filters.from_request(request)
    q = request.query_params
    basis = q.get("basis") or DEFAULT_PARAMS["basis"]
    if basis not in BASES:
        raise HTTPException(422, f"basis must be one of {', '.join(BASES)}")
    return {**DEFAULT_PARAMS, "basis": basis, "crime": f.crime, "alcaldia": f.alcaldia,
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None}


def result_for(request: Request, wh) -> dict:
    """The analysis for the request's filters: stored if current, else computed (and kept for this process)."""
    params = _params(request)
    key = (str(request.app.state.db_path), wh.data_version(), tuple(sorted(params.items())))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    d = compute(wh, params)
    with _LOCK:
        _CACHE[key] = d
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    return d


def _label(request: Request, user, person_id: str) -> str:
    if user is not None and user.sees_identities:
        return person_id
    return pseudonym(person_id, request.app.state.settings.secret)


def _ranking_rows(request: Request, user, d: dict) -> list[dict]:
    return [{**r, "label": _label(request, user, r["person_id"])} for r in d["ranking"]]


def _public(request: Request, user, d: dict) -> dict:
    out = {k: v for k, v in d.items() if k != "ranking"}
    out["ranking"] = _ranking_rows(request, user, d)
    det = dict(d.get("deterrence") or {})
    if det.get("groups"):
        det["groups"] = [{**g, "most_active": [{**m, "label": _label(request, user, m["person_id"])}
                                                for m in g["most_active"]]} for g in det["groups"]]
    out["deterrence"] = det
    out["identities"] = bool(user is not None and user.sees_identities)
    return out


@router.get("/offenders")
def offenders_page(request: Request, wh: WarehouseDep, user: UserDep):
    filters = Filters.from_request(request)
    d = _public(request, user, result_for(request, wh))
    return page(request, "offenders.html", data=d, filters=filters, alcaldias=ALCALDIAS, bases=BASES,
                basis=d["basis"])


@router.get("/api/offenders/summary")
def offenders_summary(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return _public(request, user, result_for(request, wh))


@router.get("/api/offenders/ranking")
def offenders_ranking(request: Request, wh: WarehouseDep, user: UserDep):
    d = result_for(request, wh)
    rows = _ranking_rows(request, user, d)
    if request.query_params.get("format") == "csv":
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "export", target="offenders_ranking",
                     detail=f"basis={d['basis']} rows={len(rows)}")
        buf = io.StringIO()
        cols = ["rank", "label", "person_id", "score", "recency", "frequency", "gravity", "contrib_recency",
                "contrib_frequency", "contrib_gravity", "offences", "harm", "last_date"]
        if not (user.sees_identities):
            cols.remove("person_id")
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="ranking_{d["basis"]}.csv"'})
    return {"params": d["ranking_params"], "data_window": d["data_window"], "ranking": rows}


@router.get("/api/offenders/concentration")
def offenders_concentration(request: Request, wh: WarehouseDep) -> dict:
    d = result_for(request, wh)
    return {"basis": d["basis"], "concentration": d["concentration"], "concentration_by": d["concentration_by"],
            "published_context": d["published_context"], "params": d["params"], "data_window": d["data_window"]}


@router.get("/api/offenders/fairness")
def offenders_fairness(request: Request, wh: WarehouseDep) -> dict:
    d = result_for(request, wh)
    return {"fairness": d["fairness"], "params": d["params"], "data_window": d["data_window"]}


@router.get("/api/offenders/hidden")
def offenders_hidden(request: Request, wh: WarehouseDep) -> dict:
    d = result_for(request, wh)
    return {"hidden_offenders": d["hidden_offenders"], "params": d["params"], "data_window": d["data_window"]}


@router.get("/api/offenders/survival")
def offenders_survival(request: Request, wh: WarehouseDep) -> dict:
    d = result_for(request, wh)
    return {"reoffending": d["reoffending"], "incapacitation": d["incapacitation"], "params": d["params"],
            "data_window": d["data_window"]}


@router.get("/api/offenders/deterrence")
def offenders_deterrence(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    d = _public(request, user, result_for(request, wh))
    return {"deterrence": d["deterrence"], "params": d["params"]}
