"""Login, audit search and user administration pages in Chromium."""

from tests.webutil import PASSWORD, add_user
from traceability.governance import audit
from traceability.governance.state import engine_for


def test_login_page_signs_in_and_out(db_file, live, page):
    base = live(db_file, login=False)
    add_user(db_file, "lucia", "analyst")
    page.goto(base + "/")
    assert "/login" in page.url  # authenticated by default
    page.fill("input[name=username]", "lucia")
    page.fill("input[name=password]", "not-the-password")
    page.click("#login-form button[type=submit]")
    assert page.locator("#login-error").is_visible()
    page.fill("input[name=username]", "lucia")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(base + "/")
    assert "lucia" in page.locator(".who").inner_text()
    page.click("#logout")
    page.wait_for_url("**/login")
    page.goto(base + "/")
    assert "/login" in page.url


def test_audit_page_searches_and_shows_chain_state(db_file, live, page):
    eng = engine_for(db_file)
    audit.append(eng, "pedro", "person_view", target="P-1")
    audit.append(eng, "pedro", "export", target="offenders.csv")
    base = live(db_file, role="auditor", username="aud")
    page.goto(base + "/audit")
    assert "Cadena íntegra" in page.locator("#chain-status").inner_text()
    page.select_option("select[name=action]", "export")
    page.click("#audit-search button[type=submit]")
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() == 1 and "offenders.csv" in rows.first.inner_text()


def test_user_admin_page_creates_and_changes_roles(db_file, live, page):
    base = live(db_file, role="admin", username="jefa")
    page.goto(base + "/admin/users")
    page.fill("#new-user input[name=username]", "nuevo.analista")
    page.fill("#new-user input[name=password]", PASSWORD)
    page.select_option("#new-user select[name=role]", "investigator")
    page.check("#new-user input[value=vaw]")
    page.click("#new-user button[type=submit]")
    row = page.locator("#users-table tbody tr", has_text="nuevo.analista")
    assert row.count() == 1
    assert row.locator("select[name=role]").input_value() == "investigator"
    assert row.locator("input[value=vaw]").is_checked()
    row.locator("select[name=role]").select_option("analyst")
    row.locator("button", has_text="Guardar").click()
    row = page.locator("#users-table tbody tr", has_text="nuevo.analista")
    assert row.locator("select[name=role]").input_value() == "analyst"
    actions = [e["action"] for e in audit.search(engine_for(db_file), username="jefa")]
    assert "user_create" in actions and "role_change" in actions


def test_analyst_cannot_open_admin_pages(db_file, live, page):
    base = live(db_file)
    r = page.goto(base + "/admin/users")
    assert r.status == 403
    assert page.locator("nav a[href='/audit']").count() == 0
