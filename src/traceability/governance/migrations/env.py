"""Alembic environment: runs on the connection handed in by governance.state.upgrade."""

from alembic import context

from traceability.governance.state import metadata

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
