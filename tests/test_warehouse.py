from traceability.warehouse import Warehouse, available_migrations


def _schema(wh):
    return {t: wh.columns(t) for t in wh.tables() if t != "schema_migrations"}


def test_fresh_and_upgraded_databases_agree(tmp_path):
    assert len(available_migrations()) >= 2, "an upgrade test needs at least two migrations"
    fresh = Warehouse(tmp_path / "fresh.duckdb")
    old = Warehouse(tmp_path / "old.duckdb", upto=1)
    assert old.schema_version() == 1
    assert "analysis_result" not in old.tables()
    old.close()
    upgraded = Warehouse(tmp_path / "old.duckdb")
    assert upgraded.schema_version() == fresh.schema_version() == available_migrations()[-1][0]
    assert _schema(upgraded) == _schema(fresh)
    fresh.close()
    upgraded.close()


def test_migrate_is_idempotent(tmp_path):
    w = Warehouse(tmp_path / "a.duckdb")
    assert w.migrate() == []
    w.close()
    w = Warehouse(tmp_path / "a.duckdb")
    assert w.schema_version() == available_migrations()[-1][0]
    w.close()


def test_canonical_tables_exist(wh):
    tables = set(wh.tables())
    for t in ["batch", "quarantine", "event", "person_mention", "person", "person_membership",
              "person_history", "target", "target_membership", "case_link", "association"]:
        assert t in tables
    cols = dict(wh.columns("event"))
    for c in ["event_id", "kind", "occurred_at", "crime", "crime_raw", "lat", "lon", "alcaldia", "colonia",
              "cuadrante", "case_key", "case_key_norm", "source", "batch_id", "source_row", "source_key"]:
        assert c in cols


def test_counts_by_source(wh):
    wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256) VALUES (1, 'c5_911', 'a.csv', 'x')")
    wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, row_hash) "
               "VALUES ('c5_911:1', 'call_911', 'c5_911', '1', 1, 2, 'h'), ('c5_911:2', 'call_911', 'c5_911', '2', 1, 3, 'h')")
    assert ("event", "c5_911", 2) in wh.counts_by_source()
    assert wh.row_counts()["event"] == 2


def test_read_only_refuses_missing_file(tmp_path):
    import pytest

    from traceability.errors import TraceabilityError

    with pytest.raises(TraceabilityError, match="does not exist"):
        Warehouse(tmp_path / "nope.duckdb", read_only=True)


def test_encrypted_at_rest(tmp_path, monkeypatch):
    """With TRACEABILITY_DB_KEY the file is encrypted: no plain text inside, unreadable without the key."""
    import duckdb
    import pytest

    from traceability.errors import TraceabilityError

    monkeypatch.setenv("TRACEABILITY_DB_KEY", "una-clave-de-prueba-larga")
    path = tmp_path / "enc.duckdb"
    with Warehouse(path) as w:
        assert w.encrypted
        w.execute("INSERT INTO batch (batch_id, source, file_name, sha256) VALUES (1, 'c5_911', 'GUADALUPE.csv', 'x')")
    with Warehouse(path, read_only=True) as w:
        assert w.scalar("SELECT file_name FROM batch") == "GUADALUPE.csv"
    assert b"GUADALUPE" not in path.read_bytes()
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(path)).execute("SELECT * FROM batch").fetchall()
    monkeypatch.setenv("TRACEABILITY_DB_KEY", "otra-clave")
    with pytest.raises(TraceabilityError, match="wrong TRACEABILITY_DB_KEY"):
        Warehouse(path, read_only=True)
