"""The audit log: append-only and hash-chained.

Each entry carries the SHA-256 of the previous entry's hash and its own canonical content, so altering
or deleting any entry breaks the chain from that point on; `verify` walks the chain and names the first
entry that does not hold. Entries say who, when, what, the purpose, and the outcome — never the personal
data looked at (a person is named by person_id, a search by a hash of its terms).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .state import audit

GENESIS = "0" * 64
_lock = threading.Lock()

ACTIONS = ("login", "login_failed", "logout", "lockout", "person_view", "person_search", "export",
           "link_run", "role_change", "user_create", "purpose", "identity_refused", "label_refused",
           "publish", "audit_search")


def _entry_hash(prev_hash: str, seq: int, at: datetime, username: str, action: str, target, purpose,
                case_number, outcome: str, detail) -> str:
    content = json.dumps([seq, at.isoformat(timespec="microseconds"), username, action, target, purpose,
                          case_number, outcome, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def terms_digest(terms: str) -> str:
    """Search terms are personal data: the log keeps a digest that proves what was searched if shown."""
    return "sha256:" + hashlib.sha256(terms.strip().upper().encode()).hexdigest()[:16]


def append(engine: sa.Engine, username: str, action: str, target: str | None = None, outcome: str = "ok",
           purpose: str | None = None, case_number: str | None = None, detail: str | None = None) -> int:
    with _lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("LOCK TABLE audit IN EXCLUSIVE MODE"))
        last = conn.execute(sa.select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
        seq = (last.seq + 1) if last else 1
        prev = last.hash if last else GENESIS
        at = datetime.now()
        h = _entry_hash(prev, seq, at, username, action, target, purpose, case_number, outcome, detail)
        conn.execute(audit.insert().values(seq=seq, at=at, username=username, action=action, target=target,
                                           purpose=purpose, case_number=case_number, outcome=outcome,
                                           detail=detail, prev_hash=prev, hash=h))
        return seq


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "first_bad_seq": self.first_bad_seq, "reason": self.reason}


def verify(engine: sa.Engine) -> Verification:
    prev = GENESIS
    expected_seq = 1
    n = 0
    with engine.connect() as conn:
        for r in conn.execute(sa.select(audit).order_by(audit.c.seq)):
            n += 1
            if r.seq != expected_seq:
                return Verification(False, n, expected_seq, f"entry {expected_seq} is missing (deleted)")
            if r.prev_hash != prev:
                return Verification(False, n, r.seq, "does not follow the previous entry (an entry was removed or altered)")
            at = r.at if isinstance(r.at, datetime) else datetime.fromisoformat(str(r.at))
            h = _entry_hash(prev, r.seq, at, r.username, r.action, r.target, r.purpose, r.case_number,
                            r.outcome, r.detail)
            if h != r.hash:
                return Verification(False, n, r.seq, "content does not match its hash (altered)")
            prev = r.hash
            expected_seq += 1
    return Verification(True, n)


def search(engine: sa.Engine, username: str | None = None, action: str | None = None, target: str | None = None,
           date_from: datetime | None = None, date_to: datetime | None = None, limit: int = 200,
           offset: int = 0) -> list[dict]:
    q = sa.select(audit).order_by(audit.c.seq.desc()).limit(limit).offset(offset)
    if username:
        q = q.where(audit.c.username == username)
    if action:
        q = q.where(audit.c.action == action)
    if target:
        q = q.where(audit.c.target == target)
    if date_from:
        q = q.where(audit.c.at >= date_from)
    if date_to:
        q = q.where(audit.c.at < date_to)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
