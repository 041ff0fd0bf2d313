"""`traceability users ...` (accounts and roles) and `traceability audit verify`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..errors import TraceabilityError, UsageError
from .common import DbOption, FormatOption, console, db_path, emit


def _engine(db):
    from ..governance.state import engine_for

    return engine_for(db_path(db))


def register(app, analyze_app) -> None:
    users_app = typer.Typer(help="Local accounts and roles.", no_args_is_help=True)
    audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")

    @users_app.command("add")
    def users_add(
        username: str,
        role: Annotated[str, typer.Option(help="analyst, investigator, supervisor, auditor or admin.")] = "analyst",
        label: Annotated[list[str], typer.Option("--label", help="Sensitivity label the user holds (repeat).")] = None,
        password: Annotated[str | None, typer.Option(help="Password (else $TRACEABILITY_PASSWORD, else asked).")] = None,
        db: DbOption = None,
    ) -> None:
        """Create a user."""
        from ..governance.accounts import create_user

        pw = password or os.environ.get("TRACEABILITY_PASSWORD")
        if not pw:
            if not os.isatty(0):
                raise UsageError("no password: pass --password or set TRACEABILITY_PASSWORD")
            pw = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        create_user(_engine(db), username, pw, role, set(label or ()), by=os.environ.get("USER", "cli"))
        console.print(f"user {username} created with role {role}")

    @users_app.command("set-role")
    def users_set_role(
        username: str,
        role: Annotated[str | None, typer.Option(help="New role.")] = None,
        label: Annotated[list[str], typer.Option("--label", help="Labels (replaces the current ones).")] = None,
        enable: Annotated[bool | None, typer.Option("--enable/--disable", help="Unlock/enable or disable.")] = None,
        db: DbOption = None,
    ) -> None:
        """Change a user's role, labels or state."""
        from ..governance.accounts import set_role

        set_role(_engine(db), username, role=role, labels=set(label) if label is not None else None, active=enable,
                 by=os.environ.get("USER", "cli"))
        console.print(f"user {username} updated")

    @users_app.command("list")
    def users_list(db: DbOption = None, fmt: FormatOption = "table") -> None:
        """List users, roles and labels."""
        from ..governance.accounts import list_users

        rows = list_users(_engine(db))
        emit(rows, rows, fmt, None, title="users")

    @app.command("publish")
    def publish(
        out: Annotated[str, typer.Option("--out", help="Folder for the open-data tables.")],
        date_from: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Day after the last (YYYY-MM-DD).")] = None,
        db: DbOption = None,
    ) -> None:
        """Aggregated open-data tables: small cells suppressed, coordinates generalized."""
        from pathlib import Path

        from ..governance import audit
        from ..governance.publish import build_publication
        from .common import open_warehouse

        with open_warehouse(db, read_only=True, must_exist=True) as wh:
            pub = build_publication(wh, date_from, date_to)
        paths = pub.write(Path(out))
        audit.append(_engine(db), os.environ.get("USER", "cli"), "publish", target=str(out),
                     detail=f"from={date_from} to={date_to}")
        rows = [{"table": k, "rows": len(v), "suppressed": pub.suppressed.get(k, 0)} for k, v in pub.tables.items()]
        emit(rows, rows, "table", None, title=f"published {len(paths)} tables to {out}")

    @audit_app.command("verify")
    def audit_verify(db: DbOption = None, fmt: FormatOption = "table") -> None:
        """Check the audit chain: detects any altered or deleted entry."""
        from ..governance.audit import verify

        v = verify(_engine(db))
        if fmt == "json":
            emit(v.to_dict(), None, fmt, None)
        if not v.ok:
            raise TraceabilityError(f"audit chain broken at entry {v.first_bad_seq}: {v.reason}")
        if fmt != "json":
            console.print(f"audit chain intact: {v.entries} entries")
