"""Overview: what the warehouse holds, per source and month."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..deps import WarehouseDep
from ..filters import ALCALDIAS, Filters
from ..render import page

router = APIRouter()
NAV = [(0, "/", "nav.overview")]

SOURCE_ORDER = ["c5_911", "ssc_detenciones", "fgj_carpetas", "fgj_victimas", "fgj_imputados", "tsj_causas",
                "penitenciario", "cjm_casos", "ssa_lesiones", "uif_reportes", "comisiones_seguridad",
                "comunicaciones"]


def overview_data(wh, filters: Filters) -> dict:
    where, params = filters.sql("e")
    rows = wh.query(
        f"SELECT e.source, strftime(date_trunc('month', e.occurred_at), '%Y-%m') AS month, count(*) "
        f"FROM event e WHERE {where} GROUP BY ALL ORDER BY 2, 1", params)
    months = sorted({m for _, m, _ in rows if m})
    by_source: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for source, month, n in rows:
        by_source.setdefault(source, {})[month or ""] = int(n)
        totals[source] = totals.get(source, 0) + int(n)
    sources = [s for s in SOURCE_ORDER if s in totals] + sorted(s for s in totals if s not in SOURCE_ORDER)
    mentions = dict(wh.query("SELECT source, count(*) FROM person_mention GROUP BY 1"))
    batches = wh.query_dicts(
        "SELECT source, strftime(max(finished_at), '%Y-%m-%d %H:%M') AS latest, sum(rows_loaded)::BIGINT AS loaded, "
        "sum(rows_quarantined)::BIGINT AS quarantined FROM batch WHERE status = 'done' GROUP BY 1 ORDER BY 1")
    return {
        "filters": filters.as_dict(),
        "months": months,
        "sources": [{"source": s, "events": totals[s], "mentions": int(mentions.get(s, 0)),
                     "by_month": by_source[s]} for s in sources],
        "batches": batches,
        "persons": int(wh.scalar("SELECT count(*) FROM person") or 0),
        "data_version": wh.data_version(),
    }


@router.get("/")
def overview_page(request: Request, wh: WarehouseDep):
    filters = Filters.from_request(request)
    return page(request, "overview.html", data=overview_data(wh, filters), filters=filters, alcaldias=ALCALDIAS)


@router.get("/api/overview")
def overview_api(request: Request, wh: WarehouseDep) -> dict:
    return overview_data(wh, Filters.from_request(request))
