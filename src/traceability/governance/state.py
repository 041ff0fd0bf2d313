"""The operational-state database (users, sessions, audit): SQLAlchemy Core, schema by Alembic."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("labels", sa.String(256), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("purpose", sa.String(500), nullable=True),
    sa.Column("case_number", sa.String(100), nullable=True),
    sa.Column("purpose_expires_at", sa.DateTime, nullable=True),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(500), nullable=True),
    sa.Column("purpose", sa.String(500), nullable=True),
    sa.Column("case_number", sa.String(100), nullable=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)


def state_url(db_path: str | Path | None = None) -> str:
    url = os.environ.get("TRACEABILITY_STATE_URL")
    if url:
        return url
    base = Path(db_path) if db_path else Path("traceability.duckdb")
    return f"sqlite:///{base.with_name(base.name + '.state.sqlite')}"


def upgrade(engine: sa.Engine) -> None:
    """Bring the state database to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@lru_cache(maxsize=8)
def _engine(url: str) -> sa.Engine:
    kw = {}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False}
    eng = sa.create_engine(url, future=True, pool_pre_ping=True, **kw)
    upgrade(eng)
    return eng


def engine_for(db_path: str | Path | None = None, url: str | None = None) -> sa.Engine:
    return _engine(url or state_url(db_path))
