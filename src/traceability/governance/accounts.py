"""Local accounts, login with lock-out, sessions, and the investigator's stated purpose."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..errors import TraceabilityError
from . import audit as audit_log
from .passwords import hash_password, verify_password
from .roles import IDENTITY_ROLES, LABELS, ROLES, parse_labels
from .state import sessions, users

MAX_FAILED = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=10)
PURPOSE_TTL = timedelta(hours=4)
MIN_PASSWORD = 10


@dataclass
class User:
    username: str
    role: str
    labels: set[str] = field(default_factory=set)
    purpose: str | None = None
    case_number: str | None = None
    purpose_expires_at: datetime | None = None
    csrf_token: str | None = None

    @property
    def has_purpose(self) -> bool:
        return bool(self.purpose and self.purpose_expires_at and self.purpose_expires_at > datetime.now())

    @property
    def may_see_identities(self) -> bool:
        """The role allows identities (a purpose must still be stated)."""
        return self.role in IDENTITY_ROLES

    @property
    def sees_identities(self) -> bool:
        return self.may_see_identities and self.has_purpose


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(engine, username: str, password: str, role: str, labels: set[str] | None = None,
                by: str = "cli") -> None:
    if role not in ROLES:
        raise TraceabilityError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    bad = set(labels or ()) - set(LABELS)
    if bad:
        raise TraceabilityError(f"unknown label(s) {', '.join(sorted(bad))}: use {', '.join(LABELS)}")
    if len(password) < MIN_PASSWORD:
        raise TraceabilityError(f"password too short: use at least {MIN_PASSWORD} characters")
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").isalnum():
        raise TraceabilityError("username must be 1–64 letters, digits, '.' or '_'")
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise TraceabilityError(f"user {username!r} already exists: use `traceability users set-role`")
        conn.execute(users.insert().values(username=username, password_hash=hash_password(password), role=role,
                                           labels="|".join(sorted(labels or ()))))
    audit_log.append(engine, by, "user_create", target=username, detail=f"role={role}")


def set_role(engine, username: str, role: str | None = None, labels: set[str] | None = None,
             active: bool | None = None, by: str = "cli") -> None:
    if role is not None and role not in ROLES:
        raise TraceabilityError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    values: dict = {}
    if role is not None:
        values["role"] = role
    if labels is not None:
        bad = set(labels) - set(LABELS)
        if bad:
            raise TraceabilityError(f"unknown label(s) {', '.join(sorted(bad))}: use {', '.join(LABELS)}")
        values["labels"] = "|".join(sorted(labels))
    if active is not None:
        values["active"] = active
        if active:
            values.update(failed_logins=0, locked_until=None)
    with engine.begin() as conn:
        n = conn.execute(users.update().where(users.c.username == username).values(**values)).rowcount
        if role is not None or labels is not None or active is False:
            conn.execute(sessions.delete().where(sessions.c.username == username))
    if not n:
        raise TraceabilityError(f"no user {username!r}: create it with `traceability users add`")
    audit_log.append(engine, by, "role_change", target=username,
                     detail=", ".join(f"{k}={v}" for k, v in values.items() if k != "locked_until"))


def list_users(engine) -> list[dict]:
    with engine.connect() as conn:
        return [{"username": r.username, "role": r.role, "labels": r.labels, "active": r.active,
                 "locked": bool(r.locked_until and r.locked_until > datetime.now())}
                for r in conn.execute(sa.select(users).order_by(users.c.username))]


class LoginRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # bad_credentials | locked


def login(engine, username: str, password: str) -> tuple[str, User]:
    """Check the password; returns (session token, user). Five failures lock the account for 15 minutes."""
    now = datetime.now()
    with engine.begin() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        if row is None or not row.active:
            verify_password(hash_password("x" * MIN_PASSWORD), password)  # same cost either way
            outcome = "refused"
        elif row.locked_until and row.locked_until > now:
            outcome = "locked"
        elif not verify_password(row.password_hash, password):
            failed = row.failed_logins + 1
            locked = now + LOCKOUT if failed >= MAX_FAILED else None
            conn.execute(users.update().where(users.c.username == username)
                         .values(failed_logins=0 if locked else failed, locked_until=locked))
            outcome = "lockout" if locked else "refused"
        else:
            conn.execute(users.update().where(users.c.username == username).values(failed_logins=0, locked_until=None))
            outcome = "ok"
    if outcome != "ok":
        audit_log.append(engine, username[:64] or "?", "lockout" if outcome == "lockout" else "login_failed",
                         outcome=outcome)
        raise LoginRefused("locked" if outcome in ("locked", "lockout") else "bad_credentials")
    token, user = new_session(engine, username)
    audit_log.append(engine, username, "login")
    return token, user


def new_session(engine, username: str) -> tuple[str, User]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = datetime.now()
    with engine.begin() as conn:
        conn.execute(sessions.insert().values(token_hash=_token_hash(token), username=username, csrf_token=csrf,
                                              created_at=now, expires_at=now + SESSION_TTL))
    return token, session_user(engine, token)


def session_user(engine, token: str | None) -> User | None:
    if not token:
        return None
    now = datetime.now()
    with engine.connect() as conn:
        r = conn.execute(
            sa.select(sessions, users.c.role, users.c.labels, users.c.active)
            .join(users, users.c.username == sessions.c.username)
            .where(sessions.c.token_hash == _token_hash(token))).first()
    if r is None or r.expires_at < now or not r.active:
        return None
    return User(r.username, r.role, parse_labels(r.labels), r.purpose, r.case_number, r.purpose_expires_at,
                r.csrf_token)


def state_purpose(engine, token: str, purpose: str, case_number: str) -> None:
    purpose, case_number = purpose.strip(), case_number.strip()
    if len(purpose) < 10 or not case_number:
        raise TraceabilityError("state the purpose (at least 10 characters) and the case number")
    with engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.token_hash == _token_hash(token))
                     .values(purpose=purpose[:500], case_number=case_number[:100],
                             purpose_expires_at=datetime.now() + PURPOSE_TTL))


def logout(engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.token_hash == _token_hash(token)))
