"""Governance rules through the real app: login, lock-out, CSRF, roles, purpose, the audit chain."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.webutil import PASSWORD, add_user, authed_client, csrf, login
from traceability.governance import audit
from traceability.governance.state import engine_for
from traceability.web.app import create_app

pytestmark = pytest.mark.usefixtures("state_backend")


@pytest.fixture
def app_client(db_file):
    with TestClient(create_app(db_file), base_url="https://testserver") as c:
        yield c


def test_login_logout_and_session_cookie_flags(db_file, app_client):
    add_user(db_file, "ana", "analyst")
    r = login(app_client, "ana", follow=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "tr_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert app_client.get("/").status_code == 200
    r = app_client.post("/logout", data={"csrf_token": csrf(app_client)}, follow_redirects=False)
    assert r.status_code == 303
    assert app_client.get("/api/overview").status_code == 401


def test_wrong_password_then_lockout(db_file, app_client):
    add_user(db_file, "beto", "analyst")
    for _ in range(5):
        r = login(app_client, "beto", password="wrong-password-x")
        assert "login-error" in r.text
    # locked: even the right password is refused now
    r = login(app_client, "beto", password=PASSWORD)
    assert "bloqueada" in r.text
    assert app_client.get("/api/overview").status_code == 401
    actions = [e["action"] for e in audit.search(engine_for(db_file), username="beto")]
    # newest first: the refused attempt while locked, the lock-out, then four failures
    assert actions == ["login_failed", "lockout"] + ["login_failed"] * 4


def test_login_form_needs_csrf(db_file, app_client):
    add_user(db_file, "caro", "analyst")
    r = app_client.post("/login", data={"username": "caro", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_csrf_enforced_on_state_changes(db_file):
    c = authed_client(db_file, role="admin", username="root")
    r = c.post("/admin/users", data={"action": "create", "username": "nuevo", "password": PASSWORD, "role": "analyst"},
               follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/admin/users", data={"action": "create", "username": "nuevo", "password": PASSWORD, "role": "analyst",
                                     "csrf_token": csrf(c, "/admin/users")}, follow_redirects=False)
    assert r.status_code == 303
    assert "nuevo" in c.get("/admin/users").text


def test_roles_gate_admin_and_audit_pages(db_file):
    analyst = authed_client(db_file, role="analyst", username="a1")
    assert analyst.get("/audit").status_code == 403
    assert analyst.get("/admin/users").status_code == 403
    assert analyst.get("/api/audit").status_code == 403
    assert "/audit" not in analyst.get("/").text
    auditor = authed_client(db_file, role="auditor", username="au1")
    r = auditor.get("/audit")
    assert r.status_code == 200 and "Cadena íntegra" in r.text
    assert auditor.get("/admin/users").status_code == 403


def test_investigator_needs_purpose(db_file):
    inv = authed_client(db_file, role="investigator", username="inv1")
    token = csrf(inv, "/purpose")
    r = inv.post("/purpose", data={"purpose": "corto", "case_number": "", "csrf_token": token}, follow_redirects=False)
    assert "error=short" in r.headers["location"]
    r = inv.post("/purpose", data={"purpose": "Investigación de robo en serie, colonia Centro",
                                   "case_number": "CI-FCH/UAT-CUH-1/123/01-2024", "csrf_token": token},
                 follow_redirects=False)
    assert r.status_code == 303
    assert "✓" in inv.get("/").text
    entries = audit.search(engine_for(db_file), username="inv1", action="purpose")
    assert entries and entries[0]["case_number"] == "CI-FCH/UAT-CUH-1/123/01-2024"
    analyst = authed_client(db_file, role="analyst", username="a2")
    r = analyst.post("/purpose", data={"purpose": "quiero ver nombres por favor", "case_number": "X1",
                                       "csrf_token": csrf(analyst, "/purpose")})
    assert r.status_code == 403


def test_audit_chain_detects_alteration_and_deletion(db_file):
    eng = engine_for(db_file)
    for i in range(5):
        audit.append(eng, "ana", "person_view", target=f"person:{i}")
    assert audit.verify(eng).ok
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET target = 'person:99' WHERE seq = 3"))
    v = audit.verify(eng)
    assert not v.ok and v.first_bad_seq == 3 and "altered" in v.reason
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET target = 'person:2' WHERE seq = 3"))
    assert audit.verify(eng).ok
    with eng.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit WHERE seq = 2"))
    v = audit.verify(eng)
    assert not v.ok and v.first_bad_seq == 2 and "deleted" in v.reason


def test_cli_users_and_audit_verify(tmp_path):
    from tests.test_cli import run

    db = tmp_path / "w.duckdb"
    p = run("users", "add", "maria", "--role", "investigator", "--label", "vaw", "--password", PASSWORD, "--db", str(db))
    assert p.returncode == 0, p.stderr
    p = run("users", "list", "--db", str(db), "--format", "json")
    assert '"investigator"' in p.stdout and '"vaw"' in p.stdout
    p = run("users", "add", "x", "--role", "king", "--password", PASSWORD, "--db", str(db))
    assert p.returncode != 0 and "unknown role" in p.stderr and "Traceback" not in p.stderr
    p = run("audit", "verify", "--db", str(db))
    assert p.returncode == 0 and "intact" in p.stderr
    eng = engine_for(db)
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET detail = 'role=admin' WHERE seq = 1"))
    p = run("audit", "verify", "--db", str(db))
    assert p.returncode != 0 and re.search(r"broken at entry 1", p.stderr)


def test_password_hash_is_argon2(db_file):
    add_user(db_file, "dora", "analyst")
    with engine_for(db_file).connect() as conn:
        h = conn.execute(sa.text("SELECT password_hash FROM users WHERE username = 'dora'")).scalar()
    assert h.startswith("$argon2id$") and PASSWORD not in h


def test_login_rate_limit(db_file, app_client):
    codes = [login(app_client, "nadie", password="wrong-password-x", follow=False).status_code for _ in range(12)]
    assert codes[:10] == [303] * 10 and codes[10:] == [429, 429]
