"""Login and logout (public routes), with login rate limiting and a double-submit CSRF token."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...governance import accounts
from ..deps import SESSION_COOKIE, current_user, state_engine
from ..render import page

PUBLIC = True
router = APIRouter(tags=["auth"])
LOGIN_CSRF_COOKIE = "tr_login_csrf"
RATE_WINDOW_S = 60
RATE_MAX = 10


def _rate_limited(request: Request, ip: str) -> bool:
    """Sliding window per client address, kept per app instance."""
    attempts = getattr(request.app.state, "login_attempts", None)
    if attempts is None:
        attempts = request.app.state.login_attempts = defaultdict(deque)
    now = time.monotonic()
    q = attempts[ip]
    while q and now - q[0] > RATE_WINDOW_S:
        q.popleft()
    q.append(now)
    return len(q) > RATE_MAX


def _safe_next(nxt: str | None) -> str:
    return nxt if nxt and nxt.startswith("/") and not nxt.startswith("//") else "/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None, error: str | None = None):
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    resp = page(request, "login.html", next=_safe_next(next), error=error, login_csrf=token)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request))
    return resp


@router.post("/login", include_in_schema=False)
def login_submit(request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=256),
                 csrf_token: str = Form(""), next: str = Form("/")):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise HTTPException(403, "CSRF token missing or wrong: reload the login page")
    ip = request.client.host if request.client else "?"
    if _rate_limited(request, ip):
        raise HTTPException(429, "too many login attempts: wait a minute")
    try:
        token, _user = accounts.login(state_engine(request), username.strip(), password)
    except accounts.LoginRefused as e:
        return RedirectResponse(f"/login?error={e.reason}&next={_safe_next(next)}", status_code=303)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                    max_age=int(accounts.SESSION_TTL.total_seconds()))
    return resp


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: str = Form("")):
    user = current_user(request)
    token = request.cookies.get(SESSION_COOKIE)
    if user and token:
        if not hmac.compare_digest(csrf_token, user.csrf_token or ""):
            raise HTTPException(403, "CSRF token missing or wrong")
        accounts.logout(state_engine(request), token)
        from ...governance import audit

        audit.append(state_engine(request), user.username, "logout")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
