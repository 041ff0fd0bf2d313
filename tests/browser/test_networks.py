"""The /networks page in Chromium: group list, the force graph with its legend, node click to the person
view, the hidden-ties notice, kinds switched off, the person neighbourhood, English."""

from __future__ import annotations

from tests.analysis.networks_handmade import build
from traceability.warehouse import Warehouse


def _db(tmp_path):
    db = tmp_path / "n.duckdb"
    with Warehouse(db) as wh:
        build(wh)
    return db


def test_networks_page(tmp_path, live, page):
    base = live(_db(tmp_path))
    page.goto(base + "/networks")
    assert page.locator("h1").inner_text().startswith("Organizaciones delictivas")
    # analysts hold no labels: the notice says which ties exist and are hidden
    notice = page.locator("#hidden-notice").inner_text()
    assert "vaw" in notice and "communications" in notice and "financial" in notice
    rows = page.locator("#groups tbody tr")
    assert rows.count() >= 1
    assert rows.nth(0).locator("th a").inner_text() == "G1"
    # the graph drew (ECharts SVG) with nodes, and the legend names each kind drawn with its line pattern
    page.wait_for_selector("#chart-network[data-rendered]")
    page.wait_for_selector("#chart-network svg")
    assert int(page.locator("#chart-network").get_attribute("data-rendered")) >= 3
    legend = page.locator("#legend li")
    assert legend.count() >= 2
    assert "Coimputados" in page.locator("#legend").inner_text()
    assert page.locator("#legend li line[stroke-dasharray]").count() == legend.count()
    # members with their records, by pseudonym, linking to the person view
    first = page.locator("#members tbody tr").nth(0).locator("a").nth(0)
    assert first.inner_text().startswith("P-")
    assert first.get_attribute("href").startswith("/persons/")
    # the call-in CSV link carries the filters
    assert page.locator("#call-in-csv").get_attribute("href").startswith("/api/networks/call-in?format=csv")


def test_node_click_opens_person(tmp_path, live, page):
    base = live(_db(tmp_path))
    page.goto(base + "/networks?group=G1")
    page.wait_for_selector("#chart-network[data-rendered]")
    box = page.locator("#chart-network").bounding_box()
    # click the drawn nodes until one navigates (the force layout places them)
    for path in page.locator("#chart-network svg path").all():
        b = path.bounding_box()
        if not b or b["width"] < 6 or b["width"] > 60 or b["height"] > 60:
            continue
        if not (box["x"] <= b["x"] <= box["x"] + box["width"]):
            continue
        path.click(force=True)
        page.wait_for_timeout(300)
        if "/persons/" in page.url:
            break
    assert "/persons/" in page.url


def test_kinds_off_and_neighbourhood_and_english(tmp_path, live, page):
    base = live(_db(tmp_path))
    page.goto(base + "/networks")
    # switch every kind off but co-accused: a pair is not a group, so no group remains
    for cb in page.locator("#kinds-form input[type=checkbox]").all():
        if cb.get_attribute("value") != "co_accused":
            cb.uncheck()
    page.click("#kinds-form button")
    page.wait_for_load_state()
    assert "kinds=co_accused" in page.url
    assert page.locator("#networks-empty").count() == 1
    # a person's neighbourhood
    page.goto(base + "/networks?person=A")
    assert page.locator("#graph-title").inner_text() == "Vecindario de la persona"
    page.wait_for_selector("#chart-network[data-rendered]")
    # English keeps the view
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Criminal organizations")
    assert "person=A" in page.url
