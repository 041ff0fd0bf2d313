"""Every CLI error path: one line naming what is wrong, non-zero exit, no traceback unless --debug."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from traceability.warehouse import Warehouse


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.pop("TRACEABILITY_DB", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "traceability.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=e, timeout=120)


def assert_one_line_error(p: subprocess.CompletedProcess, *needles: str) -> None:
    assert p.returncode != 0
    err = p.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    for n in needles:
        assert n in err, err


def test_help_lists_commands():
    p = run("--help")
    assert p.returncode == 0
    for cmd in ["generate", "ingest", "link", "analyze", "export", "serve", "demo", "db"]:
        assert cmd in p.stdout


def test_missing_file(tmp_path):
    p = run("ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"))
    assert_one_line_error(p, "nope.csv", "no such file")


def test_unknown_source(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n")
    p = run("ingest", str(f), "--source", "no_such_agency", "--db", str(tmp_path / "w.duckdb"))
    assert_one_line_error(p, "no_such_agency", "known sources")


def test_unwritable_db(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n")
    p = run("ingest", str(f), "--db", str(tmp_path / "no" / "such" / "dir" / "w.duckdb"))
    assert_one_line_error(p, "cannot create database", "does not exist")


def test_db_missing_for_readers(tmp_path):
    p = run("db", "info", "--db", str(tmp_path / "absent.duckdb"))
    assert_one_line_error(p, "absent.duckdb", "does not exist")
    p = run("serve", "--db", str(tmp_path / "absent.duckdb"))
    assert_one_line_error(p, "does not exist")


def test_port_in_use(tmp_path):
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = run("serve", "--db", str(db), "--port", str(port))
    assert_one_line_error(p, f"port {port}", "in use")


def test_db_busy(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok',flush=True); time.sleep(60)",
                               str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        p = run("db", "migrate", "--db", str(db))
        assert_one_line_error(p, "in use")
    finally:
        holder.kill()


def test_bad_option_values(tmp_path):
    p = run("generate", "--out", str(tmp_path / "c"), "--start", "25/11/2026")
    assert_one_line_error(p, "--start", "YYYY-MM-DD")
    p = run("generate", "--out", str(tmp_path / "c"), "--scale", "0")
    assert_one_line_error(p, "--scale")


def test_debug_shows_traceback(tmp_path):
    p = run("--debug", "db", "info", "--db", str(tmp_path / "absent.duckdb"))
    assert p.returncode != 0
    assert "Traceback" in p.stderr


def test_db_info_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256) VALUES (1, 'c5_911', 'a.csv', 'x')")
        wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, row_hash) "
                   "VALUES ('c5_911:1', 'call_911', 'c5_911', '1', 1, 2, 'h')")
    p = run("db", "info", "--db", str(db), "--format", "json")
    assert p.returncode == 0, p.stderr
    import json

    d = json.loads(p.stdout)
    assert d["tables"]["event"] == 1
    assert {"table": "event", "source": "c5_911", "rows": 1} in d["by_source"]


def test_env_db_default(tmp_path):
    db = tmp_path / "env.duckdb"
    Warehouse(db).close()
    p = run("db", "info", "--format", "json", env={"TRACEABILITY_DB": str(db)})
    assert p.returncode == 0, p.stderr
    assert str(db) in p.stdout


@pytest.mark.parametrize("fmt", ["xml"])
def test_bad_format(tmp_path, fmt):
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    p = run("db", "info", "--db", str(db), "--format", fmt)
    assert_one_line_error(p, "--format")
