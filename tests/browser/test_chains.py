"""The attrition funnel page and the case chain page, in the browser and through their JSON APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.test_chains import add_event, link


def _build(path: Path) -> Path:
    from traceability.warehouse import Warehouse

    with Warehouse(path) as wh:
        add_event(wh, "fgj_carpetas:A", "carpeta_crime", "2024-01-01 10:00", "ROBO_NEGOCIO_CV", "KA",
                  reported="2024-01-01 12:00")
        add_event(wh, "c5_911:C5/240101/0001", "call_911", "2024-01-01 10:05")
        add_event(wh, "fgj_imputados:1", "accused_record", "2024-01-01 11:00", attrs={"detenido": True})
        wh.execute("INSERT INTO person_mention (mention_id, event_id, source, source_key, batch_id, source_row, "
                   "role, given_names, surname_1, row_hash) VALUES ('fgj_imputados:1:accused:1', "
                   "'fgj_imputados:1', 'fgj_imputados', '1', 1, 1, 'accused', 'JUAN', 'PEREZ', 'h')")
        add_event(wh, "tsj_causas:1", "court_case", "2024-01-05 12:00",
                  attrs={"vinculacion_proceso": True, "sentido": "CONDENATORIA", "fecha_resolucion": "2024-03-05"})
        add_event(wh, "penitenciario:1", "prison_admission", "2024-03-10",
                  attrs={"fecha_egreso": "2024-09-06", "motivo_egreso": "LIBERTAD"})
        add_event(wh, "fgj_carpetas:B", "carpeta_crime", "2024-02-01 09:00", "HOMICIDIO_DOLOSO", "KB",
                  alcaldia="09007")
        add_event(wh, "fgj_carpetas:V", "carpeta_crime", "2024-02-03 09:00", "VIOLENCIA_FAMILIAR", "KV")
        wh.execute("UPDATE event SET sensitivity = 'vaw' WHERE event_id = 'fgj_carpetas:V'")
        link(wh, "c5_911:C5/240101/0001", "fgj_carpetas:A", "call_carpeta", "probabilistic", 0.83)
        link(wh, "fgj_imputados:1", "fgj_carpetas:A", "accused_carpeta")
        link(wh, "fgj_carpetas:A", "tsj_causas:1", "carpeta_causa", "key_fuzzy", 0.9)
        link(wh, "tsj_causas:1", "penitenciario:1", "causa_admission")
    return path


@pytest.fixture
def chains_db(tmp_path) -> Path:
    return _build(tmp_path / "chains.duckdb")


def test_funnel_and_chain_apis(chains_db):
    from tests.webutil import authed_client

    c = authed_client(chains_db, role="analyst")
    try:
        d = c.get("/api/chains/funnel").json()
        assert d["n_carpetas"] == 3 and d["counts"]["prison"] == 1
        assert d["stage_labels"]["court_case"] == "Causa penal"
        assert c.get("/api/chains/funnel?alcaldia=09007").json()["n_carpetas"] == 1
        assert c.get("/api/chains/funnel?alcaldia=99999").status_code == 422
        ch = c.get("/api/chains/c5_911:C5/240101/0001").json()  # folios carry slashes
        kinds = [n["kind"] for n in ch["nodes"]]
        assert kinds == ["call_911", "carpeta_crime", "accused_record", "court_case", "prison_admission"]
        acc = next(n for n in ch["nodes"] if n["kind"] == "accused_record")
        assert acc["persons"][0]["label"].startswith("P-") and "person_id" not in acc["persons"][0]
        assert "JUAN" not in str(ch)
        assert c.get("/api/chains/nope:1").status_code == 404
        v = c.get("/api/chains/fgj_carpetas:V").json()
        assert v["nodes"][0]["restricted"] and v["nodes"][0]["crime"] is None  # analyst lacks the vaw label
        r = c.get("/chains/?event=fgj_carpetas:A", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/chains/fgj_carpetas:A"
    finally:
        c.__exit__(None, None, None)


@pytest.mark.browser
def test_funnel_page(live, page, chains_db):
    url = live(chains_db)
    page.goto(f"{url}/chains")
    assert page.locator("h1").inner_text() == "Trazabilidad y desgaste de los casos"
    assert page.locator("#n-carpetas").inner_text() == "3"
    page.wait_for_selector("#chart-sankey svg")
    assert page.locator("#chart-sankey svg path").count() > 0
    assert page.locator("#funnel-table tbody tr").count() == 7
    assert page.locator("#by-crime tbody tr").count() == 3
    # the common filter bar narrows the funnel and stays in the URL
    page.select_option("select[name=alcaldia]", "09007")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**alcaldia=09007**")
    assert page.locator("#n-carpetas").inner_text() == "1"
    page.goto(f"{url}/chains?lang=en")
    assert page.locator("h1").inner_text() == "Case traceability and attrition"


@pytest.mark.browser
def test_case_chain_page(live, page, chains_db):
    url = live(chains_db)
    page.goto(f"{url}/chains")
    page.fill("#event-id", "penitenciario:1")
    page.click("#open-case button")
    page.wait_for_url("**/chains/penitenciario:1")
    items = page.locator("#chain li")
    assert items.count() == 5
    assert "Llamada al 911" in items.nth(0).inner_text()
    assert "Ingreso a prisión" in items.nth(4).inner_text()
    table = page.locator("#links-table").inner_text()
    assert "probabilístico" in table and "83 %" in table and "número aproximado" in table
    assert "LIBERTAD" in page.locator("#releases").inner_text()
    assert "JUAN" not in page.content()
    page.click("#links-table a >> text=c5_911:C5/240101/0001")
    page.wait_for_url("**/chains/c5_911:C5/240101/0001")
    assert page.locator("#chain li").count() == 5
