"""Helpers for tests that drive the web app as a signed-in user."""

from __future__ import annotations

import re
from pathlib import Path

PASSWORD = "contraseña-de-prueba-1"


def add_user(db_path: Path, username: str = "analista", role: str = "analyst", labels=(),
             password: str = PASSWORD) -> None:
    from traceability.governance.accounts import create_user
    from traceability.governance.state import engine_for

    create_user(engine_for(db_path), username, password, role, set(labels), by="test")


def session_token(db_path: Path, username: str) -> str:
    from traceability.governance.accounts import new_session
    from traceability.governance.state import engine_for

    return new_session(engine_for(db_path), username)[0]


def login(client, username: str = "analista", password: str = PASSWORD, follow: bool = True):
    """Sign in through the real login form; returns the response."""
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/"}, follow_redirects=follow)


def csrf(client, path: str = "/") -> str:
    r = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)


def authed_client(db_path: Path, role: str = "analyst", username: str | None = None, labels=()):
    """A TestClient (https, so Secure cookies flow) signed in as a new user of that role."""
    from fastapi.testclient import TestClient

    from traceability.web.app import create_app

    username = username or role
    add_user(db_path, username, role, labels)
    c = TestClient(create_app(db_path), base_url="https://testserver")
    c.__enter__()
    login(c, username)
    return c
