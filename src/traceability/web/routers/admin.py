"""The investigator's purpose, user administration (admin) and the audit log search (auditor)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...errors import TraceabilityError
from ...governance import accounts, audit
from ...governance.roles import LABELS, ROLES
from ..deps import SESSION_COOKIE, UserDep, require_role, state_engine
from ..render import page

router = APIRouter()
NAV = [(100, "/audit", "nav.audit"), (110, "/admin/users", "nav.users")]


@router.get("/purpose", include_in_schema=False)
def purpose_form(request: Request, user: UserDep, next: str = "/", error: str | None = None):
    return page(request, "purpose.html", next=next if next.startswith("/") else "/", error=error)


@router.post("/purpose", include_in_schema=False)
def purpose_submit(request: Request, user: UserDep, purpose: str = Form(..., max_length=500),
                   case_number: str = Form("", max_length=100), next: str = Form("/")):
    nxt = next if next.startswith("/") and not next.startswith("//") else "/"
    if not user.may_see_identities:
        audit.append(state_engine(request), user.username, "identity_refused", outcome="refused",
                     detail="role may not see identities")
        raise HTTPException(403, "your role may not see identities")
    try:
        accounts.state_purpose(state_engine(request), request.cookies.get(SESSION_COOKIE, ""), purpose, case_number)
    except TraceabilityError:
        return RedirectResponse(f"/purpose?error=short&next={nxt}", status_code=303)
    audit.append(state_engine(request), user.username, "purpose", purpose=purpose.strip()[:500],
                 case_number=case_number.strip()[:100])
    return RedirectResponse(nxt, status_code=303)


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, user=Depends(require_role("admin")), error: str | None = None):
    return page(request, "admin_users.html", users=accounts.list_users(state_engine(request)), roles=ROLES,
                labels=LABELS, error=error)


@router.post("/admin/users", include_in_schema=False)
def users_submit(request: Request, user=Depends(require_role("admin")), action: str = Form(...),
                 username: str = Form(..., max_length=64), role: str = Form("analyst"),
                 password: str = Form("", max_length=256), labels: list[str] = Form([])):
    eng = state_engine(request)
    try:
        if action == "create":
            accounts.create_user(eng, username.strip(), password, role, set(labels), by=user.username)
        elif action == "update":
            accounts.set_role(eng, username.strip(), role=role, labels=set(labels), by=user.username)
        elif action in ("disable", "enable"):
            accounts.set_role(eng, username.strip(), active=action == "enable", by=user.username)
        else:
            raise HTTPException(422, "unknown action")
    except TraceabilityError as e:
        return RedirectResponse(f"/admin/users?error={str(e)[:120]}", status_code=303)
    return RedirectResponse("/admin/users", status_code=303)


def _audit_query(request: Request) -> dict:
    q = request.query_params

    def dt(name):
        v = q.get(name)
        if not v:
            return None
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            raise HTTPException(422, f"{name} must be a date YYYY-MM-DD") from None

    try:
        offset = max(0, int(q.get("offset") or 0))
    except ValueError:
        raise HTTPException(422, "offset must be a number") from None
    return {"username": q.get("username") or None, "action": q.get("action") or None,
            "target": q.get("target") or None, "date_from": dt("from"), "date_to": dt("to"), "offset": offset}


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, user=Depends(require_role("auditor", "admin"))):
    params = _audit_query(request)
    eng = state_engine(request)
    entries = audit.search(eng, **params)
    audit.append(eng, user.username, "audit_search", detail=f"action={params['action'] or ''}")
    return page(request, "audit.html", entries=entries, verification=audit.verify(eng), params=params,
                actions=audit.ACTIONS)


@router.get("/api/audit")
def audit_api(request: Request, user=Depends(require_role("auditor", "admin"))) -> dict:
    params = _audit_query(request)
    eng = state_engine(request)
    entries = audit.search(eng, **params)
    audit.append(eng, user.username, "audit_search", detail=f"action={params['action'] or ''}")
    return {"entries": entries, "verification": audit.verify(eng).to_dict()}
