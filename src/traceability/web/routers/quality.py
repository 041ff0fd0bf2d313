"""Data quality: what each source delivered, what was quarantined and why, completeness, unmapped crime
labels and freshness. Counts only (no raw rows: they may hold personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...sources.quality import quality_report
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters
from ..render import page

router = APIRouter()
NAV = [(10, "/quality", "nav.quality")]


def _report(request: Request, wh) -> dict:
    f = Filters.from_request(request)
    return quality_report(wh, date_from=f.date_from, date_to=f.date_to, alcaldia=f.alcaldia)


@router.get("/quality", include_in_schema=False)
def quality_page(request: Request, wh: WarehouseDep, user: UserDep):
    data = _report(request, wh)
    months = sorted({r["month"] for r in data["by_month"]})
    grid: dict[str, dict[str, int]] = {}
    for r in data["by_month"]:
        grid.setdefault(r["source"], {})[r["month"]] = r["rows_loaded"]
    return page(request, "quality.html", data=data, months=months[-24:], grid=grid, alcaldias=ALCALDIAS,
                filters=Filters.from_request(request))


@router.get("/api/quality")
def quality_api(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    """Per source: batches, read / loaded / quarantined, freshness; per source and month; completeness;
    unmapped crime labels; quarantine reasons; refused files. Filters: from, to, alcaldia."""
    return _report(request, wh)
