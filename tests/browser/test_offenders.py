"""The /offenders page in Chromium: Lorenz curve, ranked table with component bars, survival curves, languages."""

from __future__ import annotations

from tests.analysis.offenders.handmade import fill
from traceability.warehouse import Warehouse


def _db(tmp_path):
    db = tmp_path / "o.duckdb"
    with Warehouse(db) as wh:
        fill(wh)
    return db


def test_offenders_page(tmp_path, live, page):
    base = live(_db(tmp_path))
    page.goto(base + "/offenders?basis=all")
    assert page.locator("h1").inner_text().startswith("Personas reincidentes")
    # the Lorenz curve and the survival curves rendered (ECharts draws SVG)
    page.wait_for_selector("#chart-lorenz svg")
    page.wait_for_selector("#chart-survival-first_detention svg")
    # ranked table: 4 persons, by pseudonym, each linking to the person view, with three component bars
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 4
    first = rows.nth(0)
    assert first.locator("a").inner_text().startswith("P-")
    assert first.locator("a").get_attribute("href").startswith("/persons/")
    assert first.locator(".bar").count() == 3
    # every figure states its window and basis
    prov = page.locator("#provenance").inner_text()
    assert "todos los registros" in prov and "2024" in prov
    assert "Pesos rfg-v1" in page.locator("#ranking-def").inner_text()
    assert page.locator("#hidden tbody tr").count() >= 1
    assert page.locator("#fairness-by_sex tbody tr").count() == 2
    # change the basis with the selector: the ranking now rests on accusations (A and C)
    page.select_option("#basis", "accusations")
    page.click("#basis-form button")
    page.wait_for_load_state()
    assert "basis=accusations" in page.url
    assert page.locator("#ranking tbody tr").count() == 2
    # English keeps the page
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Repeat offenders")
    assert "basis=accusations" in page.url


def test_convictions_basis_lists_only_the_convicted(tmp_path, live, page):
    base = live(_db(tmp_path), role="analyst")
    page.goto(base + "/offenders?basis=convictions")
    assert page.locator("#ranking tbody tr").count() == 1
    assert page.locator("#ranking tbody a").inner_text().startswith("P-")
