"""The violence-against-women page in Chromium: counts for everyone, women by pseudonym only for holders of the
`vaw` label, names only with a stated purpose, every timeline view audited, the map drawn offline (the `page`
fixture fails the test on any request leaving 127.0.0.1 or any JS error)."""

from __future__ import annotations

from pathlib import Path

from tests.analysis.test_vaw import ER_PLAIN, _event, _mention, build_hand
from traceability.warehouse import Warehouse


def build_vaw_db(path: Path) -> Path:
    with Warehouse(path) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) "
                   "VALUES (1, 'ssa_lesiones', 'x.csv', 'x', 'done')")
        build_hand(wh)
        # P7: a weapon and separation from the aggressor: two flags, on the follow-up list
        _event(wh, "ssa_lesiones:SSA-7", "er_attention", "2023-06-01", "VIOLENCIA_FAMILIAR", alcaldia="09015",
               attrs={**ER_PLAIN, "agente_lesion": "OBJETO PUNZOCORTANTE", "relacion_agresor": "EXPAREJA"})
        _mention(wh, "ssa_lesiones:SSA-7", "patient", "P7", "M", given="ROSA")
        wh.execute("INSERT INTO person (person_id, n_mentions) SELECT DISTINCT person_id, 1 FROM person_membership")
    return path


def _wait_drawn(page):
    page.wait_for_function("document.getElementById('vaw-map').dataset.ready !== undefined", timeout=20000)
    assert page.locator("#vaw-map").get_attribute("data-ready") == "1"
    assert page.locator("#vaw-trend").get_attribute("data-ready") == "1"


def test_vaw_page_with_label(tmp_path, live, page):
    db = build_vaw_db(tmp_path / "v.duckdb")
    base = live(db, role="analyst", labels=("vaw",))
    page.goto(base + "/vaw")
    assert page.locator("h1").inner_text() == "Violencia contra las mujeres"
    assert page.locator("#vaw-women").inner_text() == "5"
    assert page.locator("#vaw-hidden").inner_text() == "2"  # P2's attention and P7's
    assert page.locator("#vaw-pseudonyms").is_visible()
    assert "Turner" in page.locator("#vaw-caveat").inner_text()
    rows = page.locator("#vaw-follow tbody tr")
    assert rows.count() == 1
    link = rows.first.locator("a")
    assert link.inner_text().startswith("P-") and "ROSA" not in page.content()
    assert page.locator("#vaw-fem tbody tr").count() == 1  # P1's femicide, with her prior contacts
    _wait_drawn(page)
    link.click()
    page.wait_for_url("**/vaw/women/P-*")
    assert page.locator("#vaw-audited").inner_text().startswith("Esta consulta quedó registrada")
    assert page.locator("#vaw-timeline tbody tr").count() == 1
    assert "ssa_lesiones:SSA-7" in page.locator("#vaw-flags").inner_text()
    from traceability.governance import audit
    from traceability.governance.state import engine_for

    views = audit.search(engine_for(db), username="analyst", action="person_view")
    assert [v["target"] for v in views] == ["P7"]


def test_vaw_page_without_label_counts_only(tmp_path, live, page):
    db = build_vaw_db(tmp_path / "v.duckdb")
    base = live(db, role="analyst")
    page.goto(base + "/vaw?lang=en")
    notice = page.locator("#vaw-restricted").inner_text()
    assert "counts only" in notice and "CJM coordination" in notice
    assert page.locator("#vaw-women").inner_text() == "5"
    assert page.locator("#vaw-follow").count() == 0 and page.locator("#vaw-fem").count() == 0
    html = page.content()
    assert "P-" not in html.replace("P-1", "")  # no pseudonyms ("P-1" would be part of an ISO date)
    assert "ROSA" not in html and "ANA" not in html
    _wait_drawn(page)
    r = page.request.get(base + "/api/vaw/women/P7")
    assert r.status == 403
    page.goto(base + "/vaw/women/P7")
    assert page.locator("#vaw-restricted").is_visible()


def test_vaw_names_with_purpose(tmp_path, live, page):
    from tests.webutil import add_user
    from traceability.governance.accounts import new_session, state_purpose
    from traceability.governance.state import engine_for

    db = build_vaw_db(tmp_path / "v.duckdb")
    base = live(db, login=False)
    add_user(db, "inv", "investigator", ("vaw",))
    token, _ = new_session(engine_for(db), "inv")
    state_purpose(engine_for(db), token, "seguimiento de protección", "CI-123")
    page.context.add_cookies([{"name": "tr_session", "value": token, "url": base}])
    page.goto(base + "/vaw")
    assert page.locator("#vaw-identified").is_visible()
    assert "ROSA PEREZ" in page.locator("#vaw-follow").inner_text()
    page.goto(base + "/vaw/women/P1")
    assert page.locator("#vaw-who").inner_text().startswith("ANA PEREZ")
    assert "JUAN PEREZ" in page.locator("#vaw-aggressors").inner_text()
    from traceability.governance import audit

    views = audit.search(engine_for(db), username="inv", action="person_view")
    assert views[0]["target"] == "P1" and views[0]["case_number"] == "CI-123"
