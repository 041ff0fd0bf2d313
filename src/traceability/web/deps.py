"""Dependencies shared by the routers: the warehouse (read-only), the signed-in user, CSRF, roles.

Every router except the explicitly public ones is mounted behind `require_user` (see app.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ..governance.accounts import User, session_user
from ..warehouse import Warehouse

SESSION_COOKIE = "tr_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

__all__ = ["User", "current_user", "require_user", "get_warehouse", "WarehouseDep", "UserDep", "require_role"]


def state_engine(request: Request):
    return request.app.state.state_engine


def current_user(request: Request) -> User | None:
    user = getattr(request.state, "user", None)
    if user is None:
        user = session_user(state_engine(request), request.cookies.get(SESSION_COOKIE))
        request.state.user = user
    return user


async def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "login required")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        if not sent or not hmac.compare_digest(str(sent), user.csrf_token or ""):
            raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")
    return user


def require_role(*roles: str):
    def check(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise HTTPException(401, "login required")
        if user.role not in roles:
            raise HTTPException(403, "your role does not allow this page")
        return user

    return check


def get_warehouse(request: Request) -> Iterator[Warehouse]:
    wh = Warehouse(request.app.state.db_path, read_only=True)
    try:
        yield wh
    finally:
        wh.close()


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]
UserDep = Annotated[User, Depends(require_user)]
