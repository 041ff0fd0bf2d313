"""Dependencies shared by the routers: the warehouse (read-only) and the signed-in user.

Until governance lands, the user is a stub analyst; governance replaces `current_user`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from ..warehouse import Warehouse


@dataclass
class User:
    username: str
    role: str
    labels: set[str] = field(default_factory=set)

    @property
    def sees_identities(self) -> bool:
        return self.role in ("investigator", "supervisor", "admin")


def current_user(request: Request) -> User:
    user = User(username="analista", role="analyst")
    request.state.user = user
    return user


def require_user(request: Request) -> User:
    return current_user(request)


def get_warehouse(request: Request) -> Iterator[Warehouse]:
    wh = Warehouse(request.app.state.db_path, read_only=True)
    try:
        yield wh
    finally:
        wh.close()


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]
UserDep = Annotated[User, Depends(current_user)]
