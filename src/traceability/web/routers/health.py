"""Liveness and readiness: /api/health (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ...warehouse import Warehouse

PUBLIC = True
router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(request: Request) -> dict:
    path = request.app.state.db_path
    status = {"status": "ok", "version": __version__, "database": {"exists": path.exists()}}
    if path.exists():
        try:
            with Warehouse(path, read_only=True) as wh:
                status["database"].update(schema_version=wh.schema_version(), data_version=wh.data_version())
        except Exception:  # noqa: BLE001 — health reports, never raises
            status["status"] = "degraded"
            status["database"]["error"] = "cannot open the database"
    else:
        status["status"] = "degraded"
    return status
