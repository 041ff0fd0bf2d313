"""The web shell in Chromium: layout, navigation, both languages, the overview chart."""

from traceability.warehouse import Warehouse


def _db_with_events(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES (1,'fgj_carpetas','a','x','done')")
        wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, row_hash) VALUES "
                   "('fgj_carpetas:1','carpeta_crime','fgj_carpetas','1',1,2,'2024-01-05','h'),"
                   "('fgj_carpetas:2','carpeta_crime','fgj_carpetas','2',1,3,'2024-03-20','h')")
    return db


def test_overview_in_spanish_then_english(tmp_path, live, page):
    base = live(_db_with_events(tmp_path))
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "es-MX"
    assert page.locator("h1").inner_text() == "Resumen del almacén de datos"
    assert page.locator("#sources-by-month tbody tr").count() == 1
    # the chart rendered (ECharts draws SVG into the container)
    page.wait_for_selector("#chart-months svg")
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Warehouse overview"
    assert "lang=en" in page.url
    page.click("#lang-es")
    assert page.locator("h1").inner_text() == "Resumen del almacén de datos"


def test_empty_warehouse_says_what_to_do(db_file, live, page):
    base = live(db_file)
    page.goto(base + "/")
    assert "traceability ingest" in page.locator("#empty-warehouse").inner_text()


def test_filters_travel_in_url(tmp_path, live, page):
    base = live(_db_with_events(tmp_path))
    page.goto(base + "/")
    page.fill("input[name=from]", "2024-03-01")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state()
    assert "from=2024-03-01" in page.url
    assert page.locator("#sources-by-month tbody td.num").first.inner_text() == "1"
