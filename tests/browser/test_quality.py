"""The /quality page in Chromium: per-source counts, completeness, quarantine reasons, languages; and the API."""

from __future__ import annotations

from traceability.sources import ingest_paths
from traceability.warehouse import Warehouse

HDR = ("folio,fecha_creacion,hora_creacion,dia_semana,categoria_incidente_c4,incidente_c4,anio_creacion,"
       "mes_creacion,fecha_cierre,hora_cierre,anio_cierre,mes_cierre,codigo_cierre,clas_con_f_alarma,"
       "tipo_entrada,alcaldia_inicio,colonia,alcaldia_cierre,manzana,latitud,longitud")


def row(folio, fecha="2024-03-01", incidente="Robo-Transeúnte C/V"):
    return (f"{folio},{fecha},10:00:00,Viernes,Delito,{incidente},2024,Marzo,{fecha},11:00:00,2024,Marzo,"
            f"A,DELITO,LLAMADA DEL 911,CUAUHTEMOC,CENTRO,CUAUHTEMOC,,19.4326,-99.1332")


def _db(tmp_path):
    f = tmp_path / "c5.csv"
    f.write_text("\n".join([HDR, row("Q1"), row("Q2", fecha="2024-04-02"), row("Q3", fecha="2024-02-31"),
                            row("Q4", incidente="Algo nunca visto")]) + "\n", encoding="utf-8")
    (tmp_path / "odd.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    db = tmp_path / "q.duckdb"
    with Warehouse(db) as wh:
        ingest_paths(wh, [f, tmp_path / "odd.csv"], log=lambda *a: None)
    return db


def test_quality_page(tmp_path, live, page):
    base = live(_db(tmp_path))
    page.goto(base + "/quality")
    assert page.locator("h1").inner_text().startswith("Calidad")
    src = page.locator("#sources-table tr[data-source='c5_911'] td")
    assert [src.nth(i).inner_text() for i in range(4)] == ["1", "4", "3", "1"]
    assert page.locator("#completeness-table tr[data-source='c5_911'] td").nth(3).inner_text() == "100.0 %"
    assert "fecha_creacion" in page.locator("#reasons-table").inner_text()
    assert "Algo nunca visto" in page.locator("#unmapped-table").inner_text()
    assert "odd.csv" in page.locator("#refused-table").inner_text()
    assert page.locator("#month-table thead th").count() == 3      # source + 2024-03 + 2024-04
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Quality")
    api = page.request.get(base + "/api/quality").json()
    c5 = [s for s in api["sources"] if s["source"] == "c5_911"][0]
    assert (c5["rows_read"], c5["rows_loaded"], c5["rows_quarantined"]) == (4, 3, 1)
