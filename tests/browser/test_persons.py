"""The persons pages in Chromium: search by pseudonym, the 360° view, the weakest-link waterfall."""

from __future__ import annotations

import pytest

from tests.linkage.persons_population import population


@pytest.fixture(scope="module")
def persons_db(tmp_path_factory):
    from traceability.linkage import persons
    from traceability.warehouse import Warehouse

    path = tmp_path_factory.mktemp("persons_web") / "p.duckdb"
    people, _ = population(300, seed=5)
    with Warehouse(path) as wh:
        wh.insert_frame("person_mention", people)
        persons.resolve(wh)
    return path


@pytest.mark.browser
@pytest.mark.slow
def test_search_and_person_view(live, page, persons_db):
    url = live(persons_db)
    page.goto(f"{url}/persons")
    assert page.locator("h1").inner_text() == "Personas vinculadas"
    first = page.locator("#persons-table tbody tr th a").first
    pseudo = first.inner_text()
    assert pseudo.startswith("P-")
    # analysts search by pseudonym, never by name
    page.fill("#q", "HERNANDEZ")
    page.click("#person-search button")
    page.wait_for_selector("#persons-none")
    page.fill("#q", pseudo)
    page.click("#person-search button")
    page.wait_for_selector("#persons-table")
    assert page.locator("#persons-table tbody tr").count() == 1
    page.click(f"#persons-table a >> text={pseudo}")
    page.wait_for_url(f"**/persons/{pseudo}")
    assert pseudo in page.locator("#person-title").inner_text()
    n = int(page.locator("#n-records").inner_text())
    assert page.locator("#timeline tbody tr").count() == n and n > 1
    page.wait_for_selector("#chart-waterfall svg")
    from traceability.linkage.model import comparisons

    # one bar for the prior, one per comparison of the model
    assert page.locator("#waterfall-table tbody tr").count() == 1 + len(comparisons())
    assert "HERNANDEZ" not in page.locator("#timeline").inner_text()
    page.goto(f"{url}/persons/{pseudo}?lang=en")
    assert page.locator("h2").first.inner_text() == "Every record, in time order"


def test_persons_api(persons_db):
    from tests.webutil import authed_client

    c = authed_client(persons_db, role="analyst", username="api_analyst")
    try:
        d = c.get("/api/persons").json()
        p = d["persons"][0]
        assert "person_id" not in p and "name" not in p
        v = c.get(f"/api/persons/{p['key']}").json()
        assert v["pseudonym"] == p["key"] and "person_id" not in v
        w = v["weakest_link"]
        e = c.get("/api/persons/explain", params={"a": w["mention_a"], "b": w["mention_b"]}).json()
        assert e["match_probability"] == pytest.approx(w["match_probability"], rel=1e-6)
        assert c.get("/api/persons/P-NOPE-NOPE").status_code == 404
        assert c.get("/api/persons/explain", params={"a": "x", "b": "y"}).status_code == 404
    finally:
        c.__exit__(None, None, None)
