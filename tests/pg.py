"""A real PostgreSQL server for the tests: Debian's cluster, started if needed, stopped if we started it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time

PASSWORD = "traceability-test-pw"
DB = "traceability_test"
USER = "traceability"


def _run(cmd: list[str], check=True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=60)


def _psql(sql: str, check=True) -> subprocess.CompletedProcess:
    """Run SQL as the postgres superuser (peer authentication), fed on stdin so no shell sees it."""
    return subprocess.run(["su", "postgres", "-c", "psql -q -v ON_ERROR_STOP=1"], input=sql, capture_output=True,
                          text=True, check=check, timeout=60)


def available() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/postgres")) and shutil.which("pg_ctlcluster") is not None \
        and os.geteuid() == 0


def start() -> tuple[str, bool]:
    """Start the cluster if it is down; returns (SQLAlchemy URL, whether we started it)."""
    clusters = _run(["pg_lsclusters", "--no-header"]).stdout.split()
    if not clusters:
        raise RuntimeError("no PostgreSQL cluster: `make test` installs the postgresql package")
    version, name, port, status = clusters[0], clusters[1], clusters[2], clusters[3]
    started = False
    if status != "online":
        _run(["pg_ctlcluster", version, name, "start"])
        started = True
        for _ in range(50):
            if _run(["pg_isready", "-h", "127.0.0.1", "-p", port], check=False).returncode == 0:
                break
            time.sleep(0.2)
    sql = (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{USER}') THEN "
           f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'; END IF; END $$;")
    _psql(sql)
    _psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE);")
    _psql(f"CREATE DATABASE {DB} OWNER {USER};")
    return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/{DB}", started


def stop() -> None:
    clusters = _run(["pg_lsclusters", "--no-header"]).stdout.split()
    _psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DB}';", check=False)
    _run(["pg_ctlcluster", clusters[0], clusters[1], "stop"], check=False)
