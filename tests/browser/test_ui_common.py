"""The parts every page shares, in Chromium: sortable tables, CSV/XLSX export (audited), long tables,
print view, visible keyboard focus, and every page rendered in both languages without a raw message key."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.webutil import add_user, session_token
from traceability.governance import audit
from traceability.governance.roles import LABELS
from traceability.governance.state import engine_for
from traceability.warehouse import Warehouse
from traceability.web.i18n import catalog


def _small_warehouse(tmp_path):
    """Three sources with 3, 12 and 1,005 events: text order and numeric order differ."""
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES "
                   "(1,'c5_911','a','x','done'), (2,'ssc_detenciones','b','y','done'), (3,'fgj_carpetas','c','z','done')")
        for batch, source, n in ((1, "c5_911", 3), (2, "ssc_detenciones", 12), (3, "fgj_carpetas", 1005)):
            wh.execute(
                "INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, row_hash) "
                "SELECT ? || ':' || i, 'carpeta_crime', ?, i::VARCHAR, ?, i, "
                "TIMESTAMP '2024-01-01' + (i % 60) * INTERVAL 1 DAY, 'h' FROM range(?) t(i)",
                [source, source, batch, n])
    return db


def _totals(page):
    return [page.locator("#sources-by-month tbody tr").nth(i).locator("td").first.inner_text()
            for i in range(page.locator("#sources-by-month tbody tr").count())]


def test_table_sorts_by_clicking_and_by_keyboard(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    total = page.locator("#sources-by-month thead th").nth(1)
    assert total.locator("button.sort").count() == 1
    assert total.get_attribute("aria-sort") is None
    assert sorted(_totals(page)) == ["1,005", "12", "3"]  # es-MX thousands separator
    # numbers are right-aligned
    align = page.locator("#sources-by-month tbody td").first.evaluate("e => getComputedStyle(e).textAlign")
    assert align == "right"
    total.locator("button.sort").click()
    assert total.get_attribute("aria-sort") == "ascending"
    assert _totals(page) == ["3", "12", "1,005"]  # as numbers, not as text
    total.locator("button.sort").click()
    assert total.get_attribute("aria-sort") == "descending"
    assert _totals(page) == ["1,005", "12", "3"]
    # keyboard: the header is a button, Enter sorts
    source = page.locator("#sources-by-month thead th").first
    source.locator("button.sort").focus()
    page.keyboard.press("Enter")
    assert source.get_attribute("aria-sort") == "ascending"
    assert total.get_attribute("aria-sort") is None
    names = [page.locator("#sources-by-month tbody th").nth(i).inner_text() for i in range(3)]
    assert names == sorted(names, key=str.lower)


def test_csv_and_xlsx_export_the_table_and_xlsx_is_audited(tmp_path, live, page):
    from openpyxl import load_workbook

    db = _small_warehouse(tmp_path)
    base = live(db)
    page.goto(base + "/")
    tools = page.locator("#sources-by-month").locator("xpath=..").locator(".table-tools")
    with page.expect_download() as dl:
        tools.locator("button.export-csv").click()
    assert dl.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(dl.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:2] == ["Fuente", "Total"]
    assert len(rows) == 1 + 3
    assert {r[1] for r in rows[1:]} == {"3", "12", "1005"}  # numbers without separators, for machines
    with page.expect_download() as dl:
        tools.locator("button.export-xlsx").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(open(dl.value.path(), 'rb').read())).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(values) if r[0] == "Fuente")
    data = values[header_at + 1:]
    assert len(data) == 3
    assert sorted(r[1] for r in data) == [3, 12, 1005]  # real numbers in the sheet
    page.wait_for_function("document.querySelector('.export-status').textContent.length > 0")
    entries = [e for e in audit.search(engine_for(db), action="export")]
    assert len(entries) == 2
    assert {e["target"] for e in entries} == {"/"}
    assert any("xlsx" in (e["detail"] or "") and "rows=3" in (e["detail"] or "") for e in entries)


def test_export_needs_the_csrf_token(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    status = page.evaluate("""() => fetch('/api/export/xlsx', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({path: '/', headers: ['a'], rows: [['1']]})}).then(r => r.status)""")
    assert status == 403


def test_long_table_shows_a_page_of_rows_and_sorts_all(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    page.evaluate("""() => {
        const t = document.createElement('table'); t.className = 'data'; t.id = 'long';
        t.innerHTML = '<thead><tr><th>n</th></tr></thead><tbody>' +
            Array.from({length: 5000}, (_, i) => '<tr><td>' + (i + 1).toLocaleString('en-US') + '</td></tr>').join('') + '</tbody>';
        document.querySelector('main').appendChild(t);
        window.TraceabilityTables.enhance(t);
    }""")
    visible = page.evaluate("() => [...document.querySelectorAll('#long tbody tr')].filter(r => r.offsetParent).length")
    assert visible == 200
    assert "5,000" in page.locator("#long").locator("xpath=..").locator(".table-more").inner_text()
    page.locator("#long thead button.sort").click()
    page.locator("#long thead button.sort").click()  # descending: the largest number first
    assert page.locator("#long tbody tr").first.inner_text() == "5,000"
    page.locator("#long").locator("xpath=..").locator("button.show-all").click()
    visible = page.evaluate("() => [...document.querySelectorAll('#long tbody tr')].filter(r => r.offsetParent).length")
    assert visible == 5000


def test_print_view_hides_navigation_and_filters_keeps_charts(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    page.wait_for_selector("#chart-months svg")
    assert page.locator("header.top nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.top nav").is_visible()
    assert not page.locator("form.filters").is_visible()
    assert not page.locator(".table-tools").first.is_visible()
    assert page.locator("#chart-months").is_visible()
    assert page.locator("#sources-by-month").is_visible()
    page.emulate_media(media="screen")
    assert page.locator("header.top nav").is_visible()


def test_keyboard_focus_is_visible_on_nav_links(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('header.top nav')"):
            break
    else:
        pytest.fail("Tab never reached the navigation")
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth]; }""")
    assert style[0] != "none" and style[1] != "0px"


# Every page, both languages: no message key left unexpanded.
_PREFIXES = sorted({k.split(".")[0] for k in catalog()})
_ALT = "|".join(map(re.escape, _PREFIXES))
_KEY = re.compile(r"(?<![\w/.:-])(?:" + _ALT + r")\.[a-z0-9_]+(?:\.[a-z0-9_]+)*(?![\w/-])")
_FULL_KEY = re.compile(r"^(?:" + _ALT + r")\.[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


def _raw_keys(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    found = set(_KEY.findall(text))
    # strings handed to scripts (chart labels, legends) are checked too

    def walk(v):
        if isinstance(v, str) and _FULL_KEY.match(v):
            found.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for raw in page.locator('script[type="application/json"]').all_text_contents():
        try:
            walk(json.loads(raw))
        except ValueError:
            pass
    return sorted(found)


FILTERED = {"/", "/quality", "/chains", "/offenders", "/victims", "/near-repeat", "/map", "/networks"}


@pytest.mark.slow
def test_every_page_renders_in_both_languages_without_raw_keys(city_db, live, page):
    base = live(city_db, role="analyst", labels=tuple(LABELS))
    with Warehouse(city_db, read_only=True) as wh:
        event = wh.scalar("SELECT from_event FROM case_link ORDER BY 1 LIMIT 1")
    page.goto(base + "/persons")
    person = page.locator("#persons-table tbody a").first.get_attribute("href")
    paths = ["/", "/quality", "/persons", person, "/chains", "/offenders", "/victims", "/near-repeat", "/map",
             "/networks", "/purpose"]
    if event:
        paths.append("/chains/" + event)
    vaw = page.request.get(base + "/vaw")
    if vaw.status == 200:  # the VAW page is being written; check it once it exists
        paths.append("/vaw")
    problems = []

    def check(path, lang):
        resp = page.goto(base + path + ("&" if "?" in path else "?") + "lang=" + lang)
        page.wait_for_load_state("networkidle")
        if resp.status != 200:
            problems.append(f"{path} ({lang}): HTTP {resp.status}")
            return
        keys = _raw_keys(page)
        if keys:
            problems.append(f"{path} ({lang}): {keys[:5]}")
        expected_lang = "es-MX" if lang == "es" else "en"
        if page.locator("html").get_attribute("lang") != expected_lang:
            problems.append(f"{path} ({lang}): html lang {page.locator('html').get_attribute('lang')}")
        if path in FILTERED and page.locator("form.filters input[name=from]").count() != 1:
            problems.append(f"{path}: no common filter bar")
        for i in range(page.locator("table.data").count()):
            table = page.locator("table.data").nth(i)
            if table.locator("thead th").count() and not table.locator("thead button.sort").count():
                problems.append(f"{path}: table {table.get_attribute('id')} is not sortable")

    for lang in ("es", "en"):
        for path in paths:
            check(path, lang)
    # pages only an administrator opens
    add_user(city_db, "jefa", "admin")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "tr_session", "value": session_token(city_db, "jefa"), "url": base}])
    for lang in ("es", "en"):
        for path in ("/audit", "/admin/users"):
            check(path, lang)
    page.context.clear_cookies()
    for lang in ("es", "en"):
        check("/login", lang)
    assert not problems, "\n".join(problems)


def test_export_cells_are_typed_and_formulas_neutralised(db_file):
    from openpyxl import load_workbook

    from tests.webutil import authed_client

    c = authed_client(db_file, role="analyst", username="ana")
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text).group(1)
    body = {"path": "/offenders", "table": "ranking", "title": "Prioridad",
            "headers": ["Persona", "Delitos", "Parte", "Fecha", "Nota"],
            "rows": [["P-AAAA", "1,234", "12.5 %", "25/11/2026", "=HYPERLINK(\"http://x\")"],
                     ["P-BBBB", "-3", "—", "—", "@SUM(A1)"]]}
    r = c.post("/api/export/xlsx", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert "traceability-offenders-ranking-" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [list(x) for x in ws.iter_rows(values_only=True)]
    assert rows[2] == ["Persona", "Delitos", "Parte", "Fecha", "Nota"]
    assert rows[3][1] == 1234 and rows[3][2] == 0.125 and rows[3][3].strftime("%d/%m/%Y") == "25/11/2026"
    assert rows[3][4].startswith("'=") and rows[4][4].startswith("'@")  # text, never a formula
    assert rows[4][1] == -3
    r = c.post("/api/export/csv", json=body, headers={"X-CSRF-Token": token})
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("P-AAAA,1234,12.5 %,2026-11-25,")
    r = c.post("/api/export/pdf", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 404
    r = c.post("/api/export/csv", json={**body, "path": "//evil"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422
    entries = audit.search(engine_for(db_file), action="export")
    assert [e["target"] for e in entries] == ["/offenders", "/offenders"]


def test_crime_filter_lists_codes_and_agency_labels(tmp_path, live, page):
    base = live(_small_warehouse(tmp_path))
    page.goto(base + "/")
    assert page.locator("#crime-codes option").count() == 0  # loaded on first use, not with every page
    page.focus("input[name=crime]")
    page.wait_for_function("document.querySelectorAll('#crime-codes option').length > 40")
    options = page.evaluate("() => [...document.querySelectorAll('#crime-codes option')].map(o => [o.value, o.label])")
    assert ["HOMICIDIO_DOLOSO", "Homicidio doloso"] in options
    assert any(label == "ABUSO SEXUAL" and value == "ABUSO_SEXUAL" for value, label in options)
