"""Places pages in Chromium: repeat victims, the Knox heat table, and the map drawn offline from the city's
own polygons (the `page` fixture fails the test on any request leaving 127.0.0.1 or any JS error)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from traceability.warehouse import Warehouse


def build_places_db(path, n_houses: int = 120, seed: int = 3):
    """A small warehouse: burglaries of households around the Zócalo and in Iztapalapa, some repeated and
    some near repeats, linked to household and person targets."""
    rng = np.random.default_rng(seed)
    events, targets, members = [], [], []
    centres = [(19.4326, -99.1332, "09015", "C-1.1.1"), (19.3574, -99.0671, "09007", "O-2.1.1")]
    k = 0
    for h in range(n_houses):
        lat0, lon0, alc, cuad = centres[h % 2]
        lat, lon = lat0 + rng.normal(0, 0.01), lon0 + rng.normal(0, 0.01)
        tid = f"household:{h}"
        targets.append({"target_id": tid, "kind": "household", "label": f"CALLE {h}", "person_id": None,
                        "address_norm": f"CALLE {h}", "lat": lat, "lon": lon, "alcaldia": alc, "cuadrante": cuad})
        first = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
        dates = [first] + ([first + pd.Timedelta(days=int(rng.integers(1, 40)))] if h % 3 == 0 else [])
        for d in dates:
            k += 1
            eid = f"fgj_carpetas:{k}"
            events.append({"event_id": eid, "kind": "carpeta_crime", "source": "fgj_carpetas", "source_key": str(k),
                           "batch_id": 1, "source_row": k + 1, "occurred_at": d, "crime": "ROBO_CASA_HABITACION_SV",
                           "lat": lat, "lon": lon, "alcaldia": alc, "cuadrante": cuad, "case_key_norm": f"CI-{k}",
                           "row_hash": "h"})
            members.append({"target_id": tid, "event_id": eid, "match": "same"})
    for p in range(10):  # persons robbed in the street, two of them twice
        tid = f"person:{p}"
        targets.append({"target_id": tid, "kind": "person", "label": None, "person_id": f"P{p:04d}",
                        "address_norm": None, "lat": None, "lon": None, "alcaldia": "09015", "cuadrante": "C-1.1.1"})
        for r in range(2 if p < 2 else 1):
            k += 1
            eid = f"fgj_carpetas:{k}"
            events.append({"event_id": eid, "kind": "carpeta_crime", "source": "fgj_carpetas", "source_key": str(k),
                           "batch_id": 1, "source_row": k + 1,
                           "occurred_at": pd.Timestamp("2024-10-01") + pd.Timedelta(days=10 * r + p),
                           "crime": "ROBO_TRANSEUNTE_CV", "lat": 19.43, "lon": -99.14, "alcaldia": "09015",
                           "cuadrante": "C-1.1.1", "case_key_norm": f"CI-{k}", "row_hash": "h"})
            members.append({"target_id": tid, "event_id": eid, "match": "same"})
    with Warehouse(path) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) "
                   "VALUES (1, 'fgj_carpetas', 'c.csv', 'x', 'done')")
        wh.insert_frame("event", pd.DataFrame(events))
        wh.insert_frame("target", pd.DataFrame(targets))
        wh.insert_frame("target_membership", pd.DataFrame(members))
    return path


def test_victims_page(tmp_path, live, page):
    base = live(build_places_db(tmp_path / "p.duckdb"))
    page.goto(base + "/victims")
    assert page.locator("h1").inner_text().startswith("Revictimización")
    rows = page.locator("#victims-table tbody tr")
    assert rows.count() >= 3
    assert "ROBO_CASA_HABITACION" in page.locator("#victims-table").inner_text()
    assert "Datos del" in page.locator("#victims-provenance").inner_text()
    page.wait_for_selector("#chart-time-course svg")
    # persons at risk appear by pseudonym, never by their id
    risk = page.locator("#at-risk-table").inner_text()
    assert "P-" in risk and "P0001" not in risk
    api = page.request.get(base + "/api/victims").json()
    row = api["by_kind_crime"][0]
    assert {"victims", "repeat_victims", "crimes", "repeat_crimes", "time_course"} <= set(row)
    assert set(row["time_course"]) >= {"within_7", "within_30", "within_90", "within_365"}
    assert api["params"]["window_days"] == 365
    assert all("person_id" not in t for t in api["at_risk"]["targets"])
    page.fill("input[name=window]", "30")
    page.click("form[aria-label='Parámetros de revictimización'] button")
    page.wait_for_load_state()
    assert "window=30" in page.url


def test_near_repeat_heat_table(tmp_path, live, page):
    base = live(build_places_db(tmp_path / "p.duckdb"))
    page.goto(base + "/near-repeat?distance_bands=0,500,1000&time_bands=0,14,28&permutations=19")
    table = page.locator("#knox-table")
    assert table.locator("tbody tr").count() == 3  # same location + two bands
    assert table.locator("thead th").nth(1).inner_text().startswith("[0, 14)")
    assert "[500, 1000) m" in table.inner_text()
    # significance marked in text, not colour alone
    assert "*" in page.locator("#knox-table caption").inner_text()
    assert page.locator("#nr-provenance").inner_text().count("19 permutaciones") == 1
    api = page.request.get(base + "/api/near-repeat?distance_bands=0,500,1000&time_bands=0,14,28"
                                  "&permutations=19").json()
    assert len(api["bands"]) == 6 and api["bands"][2]["distance_from"] == 0.001
    assert page.request.get(base + "/api/near-repeat?distance_bands=0,x").status == 422


def test_map_renders_offline(tmp_path, live, page):
    base = live(build_places_db(tmp_path / "p.duckdb"))
    page.goto(base + "/map?layer=alcaldias&permutations=99")
    page.wait_for_function("document.getElementById('map').dataset.ready", timeout=30_000)
    assert page.locator("#map").get_attribute("data-ready") == "1", page.locator("#map-status").inner_text()
    assert page.locator("#map canvas.maplibregl-canvas").count() == 1
    # the canvas holds drawn pixels (not one flat colour)
    colours = page.evaluate("""() => {
        const c = window.tracMap.getCanvas();
        const gl = c.getContext('webgl2') || c.getContext('webgl');
        const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
        const px = new Uint8Array(w * h * 4);
        gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
        const seen = new Set();
        for (let i = 0; i < px.length; i += 4 * 997) seen.add(px[i] + ',' + px[i + 1] + ',' + px[i + 2]);
        return seen.size;
    }""")
    assert colours > 3
    assert page.locator("#legend-counts li").count() == 5
    # hover on a polygon shows its count
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("document.getElementById('map-tip').style.display === 'block'", timeout=5000)
    assert re.search(r": \d[\d,]* ", page.locator("#map-tip").inner_text()), page.locator("#map-tip").inner_text()
    # points on demand, still from 127.0.0.1 only
    page.check("#toggle-points")
    page.wait_for_function("window.tracMap.getLayer('points') !== undefined")
