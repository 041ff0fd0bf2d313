"""Table export: the rows a page shows, as CSV or XLSX, and every export recorded in the audit log.

The shared table component (`static/tables.js`) posts the table it shows, as the analyst sees it
(pseudonyms stay pseudonyms; nothing the page did not show can be exported), with the CSRF header. The
server only turns text into cells: es-MX numbers (`12,345.6`) become numbers, percentages (`12.5 %`)
fractions formatted as percentages, dates (`25/11/2026`) dates, and text that a spreadsheet would run
as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ...governance import audit
from ..deps import UserDep

router = APIRouter()

MAX_ROWS = 100_000
MAX_COLS = 200
MAX_CELL = 32_767  # Excel's limit for one cell

_NUM = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PCT = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s?%$")
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class TableExport(BaseModel):
    path: str = Field("/", max_length=300)
    table: str = Field("", max_length=100)
    title: str = Field("", max_length=300)
    headers: list[str] = Field(default_factory=list)
    rows: list[list[str | int | float | None]] = Field(default_factory=list)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters a spreadsheet cell may not hold


def cell_value(v):
    """A displayed cell as a typed value: (value, number_format or None)."""
    if isinstance(v, float) and not math.isfinite(v):
        return None, None
    if v is None or isinstance(v, int | float):
        return v, None
    s = " ".join(_CONTROL.sub("", str(v)).split())[:MAX_CELL]
    if _NUM.match(s):
        n = s.replace(",", "")
        return (float(n) if "." in n else int(n)), ("#,##0.###" if "." in n else "#,##0")
    m = _PCT.match(s)
    if m:
        digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
        fmt = ("0." + "0" * digits + "%") if digits else "0%"
        return float(m.group(1).replace(",", "")) / 100, fmt
    m = _DATE.match(s)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))), "dd/mm/yyyy"
        except ValueError:
            return s, None
    m = _ISO_DATE.match(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "dd/mm/yyyy"
        except ValueError:
            return s, None
    return s, None


def _safe_text(s: str) -> str:
    """Text a spreadsheet would evaluate (=, +, -, @ first) is prefixed with an apostrophe."""
    s = _CONTROL.sub("", s)
    return "'" + s if s.startswith(_FORMULA_START) and s not in ("-", "+") else s


def _check(body: TableExport) -> None:
    if not body.path.startswith("/") or body.path.startswith("//"):
        raise HTTPException(422, "path must be the page's path, starting with /")
    if len(body.rows) > MAX_ROWS:
        raise HTTPException(413, f"too many rows to export ({len(body.rows)} > {MAX_ROWS}): narrow the filters")
    if len(body.headers) > MAX_COLS or any(len(r) > MAX_COLS for r in body.rows):
        raise HTTPException(413, f"too many columns to export (more than {MAX_COLS})")


def _filename(body: TableExport, ext: str) -> str:
    stem = _SAFE_NAME.sub("-", body.path.strip("/") or "resumen").strip("-")
    table = _SAFE_NAME.sub("-", body.table).strip("-")
    return f"traceability-{stem}{'-' + table if table else ''}-{date.today():%Y%m%d}.{ext}"


def to_xlsx(body: TableExport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = (_SAFE_NAME.sub(" ", body.table).strip() or "tabla")[:31]
    r0 = 1
    if body.title:
        ws.cell(row=1, column=1, value=_safe_text(" ".join(body.title.split())[:MAX_CELL])).font = Font(bold=True)
        r0 = 3
    for j, h in enumerate(body.headers, start=1):
        c = ws.cell(row=r0, column=j, value=_safe_text(" ".join(str(h).split())[:MAX_CELL]))
        c.font = Font(bold=True)
    for i, row in enumerate(body.rows, start=r0 + 1):
        for j, v in enumerate(row, start=1):
            value, fmt = cell_value(v)
            c = ws.cell(row=i, column=j)
            if isinstance(value, str):
                c.value = _safe_text(value)
                c.data_type = "s"  # never a formula, whatever the text
            else:
                c.value = value
                if fmt:
                    c.number_format = fmt
    ws.freeze_panes = ws.cell(row=r0 + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(body: TableExport) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_safe_text(" ".join(str(h).split())) for h in body.headers])
    for row in body.rows:
        out = []
        for v in row:
            value, fmt = cell_value(v)
            if fmt and fmt.endswith("%"):
                value = " ".join(str(v).split())  # a share stays as shown ("12.5 %"): a bare 0.125 would mislead
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, str):
                value = _safe_text(value)
            elif value is None:
                value = ""
            out.append(value)
        w.writerow(out)
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets Excel open UTF-8 accents correctly


MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


@router.post("/api/export/{fmt}")
def export_table(fmt: str, body: TableExport, request: Request, user: UserDep) -> Response:
    """Return the posted table as `xlsx` or `csv` and record the export (who, which page, how many rows)."""
    if fmt not in MEDIA:
        raise HTTPException(404, "export format must be csv or xlsx")
    _check(body)
    content = to_xlsx(body) if fmt == "xlsx" else to_csv(body)
    audit.append(request.app.state.state_engine, user.username, "export", target=body.path,
                 detail=f"{fmt} table={_SAFE_NAME.sub('-', body.table)[:60]} rows={len(body.rows)}")
    return Response(content, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{_filename(body, fmt)}"'})
