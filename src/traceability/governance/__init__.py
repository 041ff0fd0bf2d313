"""Governance: users and sessions, roles and sensitivity labels, pseudonyms, the hash-chained audit log.

Operational state (users, sessions, audit) lives in its own database — SQLite beside the warehouse by
default, PostgreSQL when TRACEABILITY_STATE_URL points to one — managed with SQLAlchemy and Alembic.
"""
