"""The web shell through the real app (TestClient)."""


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    d = r.json()
    assert d["status"] == "ok"
    assert d["database"]["schema_version"] >= 2


def test_health_degraded_without_db(tmp_path):
    from fastapi.testclient import TestClient

    from traceability.web.app import create_app

    with TestClient(create_app(tmp_path / "absent.duckdb")) as c:
        d = c.get("/api/health").json()
    assert d["status"] == "degraded"


def test_overview_spanish_by_default_and_english_switch(client):
    r = client.get("/")
    assert r.status_code == 200
    assert 'lang="es-MX"' in r.text
    assert "Resumen del almacén de datos" in r.text
    r = client.get("/?lang=en")
    assert 'lang="en"' in r.text
    assert "Warehouse overview" in r.text
    # the choice sticks (cookie)
    assert "Warehouse overview" in client.get("/").text


def test_overview_counts(tmp_path):
    from tests.webutil import authed_client
    from traceability.warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES (1, 'c5_911', 'a', 'x', 'done')")
        wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, row_hash) VALUES "
                   "('c5_911:1','call_911','c5_911','1',1,2,'2024-01-05','h'),"
                   "('c5_911:2','call_911','c5_911','2',1,3,'2024-01-20','h'),"
                   "('c5_911:3','call_911','c5_911','3',1,4,'2024-02-02','h')")
    c = authed_client(db)
    if True:
        d = c.get("/api/overview").json()
        assert d["months"] == ["2024-01", "2024-02"]
        assert d["sources"][0]["by_month"] == {"2024-01": 2, "2024-02": 1}
        d = c.get("/api/overview?from=2024-02-01").json()
        assert d["sources"][0]["events"] == 1
        assert c.get("/api/overview?from=notadate").status_code == 422


def test_openapi_and_security_headers(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    assert "/api/health" in r.json()["paths"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert client.get("/api/docs").status_code == 200


def test_static_vendored(client):
    for path in ["/static/vendor/echarts/echarts.min.js", "/static/vendor/maplibre/maplibre-gl.js", "/static/app.css"]:
        assert client.get(path).status_code == 200


def test_every_message_has_both_languages():
    from traceability.web.i18n import catalog

    cat = catalog()
    assert cat and all(set(v) >= {"es", "en"} for v in cat.values())


def test_pages_need_login(db_file):
    from fastapi.testclient import TestClient

    from traceability.web.app import create_app

    with TestClient(create_app(db_file), base_url="https://testserver") as c:
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert c.get("/api/overview").status_code == 401
        assert c.get("/api/health").status_code == 200
