"""The warehouse: the one place that runs SQL against the DuckDB file.

Other layers hand it SQL written in code (never assembled from user input) and bind every value
a user supplies as a parameter. Long writes go through one read-write `Warehouse`; the web app
opens read-only ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from ..errors import DatabaseBusyError, TraceabilityError

MIGRATIONS_PACKAGE = "traceability.warehouse.migrations"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    out = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        m = re.match(r"^(\d{4})_(.+)\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out)


def ident(name: str) -> str:
    """Quote an identifier that code (not a user) chose; refuse anything unusual."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _crypto_extension() -> str | None:
    """DuckDB writes encrypted files securely only with OpenSSL from its httpfs extension, which we take from
    the `duckdb-extension-httpfs` wheel (no download at run time)."""
    try:
        import duckdb_extension_httpfs
    except ImportError:
        return None
    base = Path(duckdb_extension_httpfs.__file__).parent
    found = sorted(base.glob(f"extensions/v{duckdb.__version__}/httpfs.duckdb_extension"))
    return str(found[0]) if found else None


def _connect_encrypted(path: Path, key: str, read_only: bool):
    """Open the warehouse file encrypted at rest (AES-GCM) with the key from TRACEABILITY_DB_KEY."""
    ext = _crypto_extension()
    if ext is None:
        raise TraceabilityError(
            f"TRACEABILITY_DB_KEY is set but DuckDB {duckdb.__version__} has no secure crypto module here: "
            "install the package with its pinned duckdb and duckdb-extension-httpfs (pip install -e .)")
    con = duckdb.connect(":memory:")
    con.execute(f"LOAD '{ext}'")
    quoted_key = key.replace("'", "''")
    opts = f"ENCRYPTION_KEY '{quoted_key}'" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS warehouse ({opts})")
    except duckdb.Error as e:
        con.close()
        msg = str(e).splitlines()[0]
        if "lock" in msg.lower():
            raise duckdb.IOException(msg) from None
        raise TraceabilityError(f"cannot open encrypted database {path}: wrong TRACEABILITY_DB_KEY or not an "
                                "encrypted warehouse") from None
    con.execute("USE warehouse")
    return con


class Warehouse:
    """A DuckDB warehouse file, migrated to the latest schema on open (read-write)."""

    def __init__(self, path: str | Path, read_only: bool = False, migrate: bool = True,
                 upto: int | None = None):
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise TraceabilityError(
                f"database {self.path} does not exist: build it first with `traceability ingest` "
                "or `traceability demo`")
        if not read_only:
            parent = self.path.parent if str(self.path.parent) else Path(".")
            if not parent.exists():
                raise TraceabilityError(f"cannot create database {self.path}: folder {parent} does not exist")
        try:
            key = os.environ.get("TRACEABILITY_DB_KEY")
            self.encrypted = bool(key)
            self.con = _connect_encrypted(self.path, key, read_only) if key else \
                duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            msg = str(e)
            if "lock" in msg.lower():
                raise DatabaseBusyError(
                    f"database {self.path} is in use by another process (a running `traceability serve` "
                    "or ingest); stop it or use another --db") from None
            raise TraceabilityError(f"cannot open database {self.path}: {msg.splitlines()[0]}") from None
        except duckdb.Error as e:
            raise TraceabilityError(f"cannot open database {self.path}: {str(e).splitlines()[0]}") from None
        if migrate and not read_only:
            self.migrate(upto=upto)

    # -- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.table_exists("schema_migrations"):
            return 0
        return self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")

    def migrate(self, upto: int | None = None) -> list[int]:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, "
            "applied_at TIMESTAMP DEFAULT current_timestamp)")
        current = self.schema_version()
        applied = []
        for version, name, sql in available_migrations():
            if version <= current or (upto is not None and version > upto):
                continue
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
                self.con.execute("COMMIT")
            except Exception:
                self.con.execute("ROLLBACK")
                raise
            applied.append(version)
        return applied

    def table_exists(self, name: str) -> bool:
        return bool(self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))

    def tables(self) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]

    def columns(self, table: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table])]

    # -- running SQL ----------------------------------------------------------------------
    def _cursor(self):
        cur = self.con.cursor()
        if self.encrypted:  # a cursor starts in the default (in-memory) catalog
            cur.execute("USE warehouse")
        return cur

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        # A cursor per call: a half-read result never blocks the next query (DuckDB 2 trap).
        cur = self._cursor()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            cur.close()

    def query_dicts(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        cur = self._cursor()
        try:
            res = cur.execute(sql, params or [])
            cols = [d[0] for d in res.description]
            return [dict(zip(cols, row, strict=True)) for row in res.fetchall()]
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def df(self, sql: str, params: Sequence[Any] | dict | None = None):
        cur = self._cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        self.con.execute(sql, params or [])

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.con.executemany(sql, list(rows))

    def insert_frame(self, table: str, frame, columns: Sequence[str] | None = None) -> int:
        """Append a pandas/arrow frame to `table` by column name; returns rows inserted."""
        cols = list(columns) if columns is not None else list(frame.columns)
        col_sql = ", ".join(ident(c) for c in cols)
        self.con.register("_tr_insert_frame", frame)
        try:
            self.con.execute(f"INSERT INTO {ident(table)} ({col_sql}) SELECT {col_sql} FROM _tr_insert_frame")
        finally:
            self.con.unregister("_tr_insert_frame")
        return len(frame)

    def next_id(self, table: str, column: str) -> int:
        return int(self.scalar(f"SELECT coalesce(max({ident(column)}), 0) + 1 FROM {ident(table)}"))

    # -- summaries ------------------------------------------------------------------------
    def row_counts(self) -> dict[str, int]:
        return {t: int(self.scalar(f"SELECT count(*) FROM {ident(t)}")) for t in self.tables()}

    def counts_by_source(self) -> list[tuple[str, str, int]]:
        """(table, source, rows) for the tables that carry provenance."""
        out = []
        for t in ("event", "person_mention", "quarantine", "batch"):
            for source, n in self.query(f"SELECT source, count(*) FROM {ident(t)} GROUP BY 1 ORDER BY 1"):
                out.append((t, source, int(n)))
        return out

    def data_version(self) -> str:
        """Changes whenever a batch is loaded or persons are re-linked: stamps materialized results."""
        b = self.scalar("SELECT coalesce(max(batch_id), 0) FROM batch WHERE status = 'done'")
        r = self.scalar("SELECT coalesce(max(run_id), 0) FROM link_run WHERE finished_at IS NOT NULL")
        return f"b{b}.r{r}"

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:
            pass

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
