"""Case chains: the attrition funnel (Sankey) and one case's chain from the 911 call to prison.

Persons in a chain appear by pseudonym unless the user sees identities; an event whose sensitivity labels
the user does not hold is shown only as a restricted step (its kind, no detail).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...analysis.chains import STAGES, case_chain, funnel
from ...governance.pseudonyms import pseudonym
from ...governance.roles import may_see
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters
from ..i18n import Translator
from ..render import page

router = APIRouter()
NAV = [(30, "/chains", "nav.chains")]


def funnel_for(request: Request, wh) -> dict:
    f = Filters.from_request(request)
    d = funnel(wh, date_from=f.date_from, date_to=f.date_to, alcaldia=f.alcaldia, crime=f.crime)
    t = Translator.for_request(request)
    d["stage_labels"] = {st: t(f"chains.stage.{st}") for st in STAGES}
    d["stage_labels"].update({f"exit_{st}": t("chains.exit", stage=t(f"chains.stage.{st}")) for st in STAGES})
    return d


def chain_for(request: Request, wh, user, event_id: str) -> dict:
    c = case_chain(wh, event_id)
    if c is None:
        raise HTTPException(404, "no event with that id: open a case from the funnel page or a search")
    labels = set(getattr(user, "labels", set()) or set())
    sees = bool(getattr(user, "sees_identities", False))
    secret = request.app.state.settings.secret
    hidden = set()
    for n in c["nodes"]:
        n["restricted"] = not may_see(labels, n.get("sensitivity"))
        if n["restricted"]:
            hidden.add(n["event_id"])
            n.update({"source_key": None, "case_key": None, "case_key_norm": None, "attrs": {}, "persons": [],
                      "crime": None, "occurred_at": None, "reported_at": None})
            continue
        for p in n["persons"]:
            visible = may_see(labels, p.pop("sensitivity", None))
            p["label"] = (p["person_id"] if sees else pseudonym(p["person_id"], secret)) if visible else None
            if not sees or not visible:
                p.pop("person_id")
    for lk in c["links"]:
        if lk["from_event"] in hidden or lk["to_event"] in hidden:
            lk["evidence"] = None
    c["releases"] = [r for r in c["releases"] if r["event_id"] not in hidden]
    c["identities"] = sees
    if sees:
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "case_view", target=event_id,
                     purpose=user.purpose, case_number=user.case_number)
    return c


@router.get("/chains")
def chains_page(request: Request, wh: WarehouseDep, user: UserDep):
    filters = Filters.from_request(request)
    return page(request, "chains.html", data=funnel_for(request, wh), filters=filters, alcaldias=ALCALDIAS,
                stages=STAGES)


@router.get("/api/chains/funnel")
def chains_funnel_api(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return funnel_for(request, wh)


@router.get("/api/chains/{event_id:path}")
def chain_api(event_id: str, request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return chain_for(request, wh, user, event_id)


@router.get("/chains/{event_id:path}")
def chain_page(event_id: str, request: Request, wh: WarehouseDep, user: UserDep):
    if not event_id:  # the "open a case" form without JavaScript
        asked = (request.query_params.get("event") or "").strip()
        if not asked:
            return RedirectResponse("/chains", status_code=303)
        return RedirectResponse(f"/chains/{quote(asked, safe=':/')}", status_code=303)
    return page(request, "chains_case.html", chain=chain_for(request, wh, user, event_id), alcaldias=ALCALDIAS)
