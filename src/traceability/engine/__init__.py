"""The engine switch: the heavy stages on DuckDB (one machine) or Apache Spark (a cluster), one definition each.

An `Engine` reads tables from a Parquet exchange directory (one sub-directory of Parquet files per table,
`exchange.export_warehouse`), runs a stage's SQL — written once in DuckDB's dialect in `stages.py` and
transpiled for Spark by sqlglot (`dialect.to_dialect`) — and writes the stage's outputs back as Parquet,
which DuckDB reads for the web app (`exchange.load_results`).

    with get_engine("spark", master="spark://host:7077") as eng:
        eng.run_stage("near_repeat", exchange_dir, out_dir)

`DuckDBEngine` runs on an in-memory `Warehouse` over the Parquet files; `SparkEngine` on a SparkSession
(`spark.spark_session`: ``local[2]`` on 127.0.0.1 by default).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ..errors import TraceabilityError, UsageError
from .dialect import ENGINES, to_dialect
from .stages import STAGES, Stage

__all__ = ["ENGINES", "STAGES", "DuckDBEngine", "Engine", "SparkEngine", "get_engine", "to_dialect"]


def _quote_path(p: Path | str) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def table_dir(root: Path | str, name: str) -> Path:
    return Path(root) / name


class Engine:
    """What every engine offers: load Parquet tables, run DuckDB-dialect SQL, write Parquet, fetch frames."""

    name = "base"

    def load(self, name: str, path: Path) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def create(self, name: str, sql: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def write(self, name: str, path: Path) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def frame(self, name: str):  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sql_of(self, sql: str) -> str:
        """The stage SQL as this engine runs it."""
        return to_dialect(sql, self.name)

    def run_stage(self, stage: str | Stage, inputs: Path | str, out: Path | str, params: dict | None = None) -> dict:
        """Run one stage over the exchange directory `inputs`, writing its outputs under `out`.

        Returns {"stage", "engine", "seconds", "rows": {output: rows}}.
        """
        st = STAGES.get(stage) if isinstance(stage, str) else stage
        if st is None:
            raise UsageError(f"unknown stage {stage!r}: choose among {', '.join(STAGES)}")
        inputs, out = Path(inputs), Path(out)
        t0 = time.perf_counter()
        for t in st.inputs:
            d = table_dir(inputs, t)
            if not d.is_dir():
                raise TraceabilityError(f"table {t} missing in {inputs}: export the warehouse first "
                                        "(`traceability pipeline export`)")
            self.load(t, d)
        for name, sql in st.steps(params):
            self.create(name, sql)
        rows = {}
        for o in st.outputs:
            rows[o] = self.write(o, table_dir(out, o))
        return {"stage": st.name, "engine": self.name, "seconds": round(time.perf_counter() - t0, 3), "rows": rows}


class DuckDBEngine(Engine):
    """DuckDB over the Parquet exchange (an in-memory `Warehouse`: SQL still runs only through it)."""

    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        from ..warehouse import Warehouse

        self.wh = Warehouse(":memory:", migrate=False)
        if threads:
            self.wh.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.wh.execute(f"SET memory_limit = {_quote_path(memory_limit)}")

    def load(self, name: str, path: Path) -> None:
        from ..warehouse import ident
        from .exchange import read_parquet_sql

        self.wh.execute(f"CREATE OR REPLACE VIEW {ident(name)} AS {read_parquet_sql(path)}")

    def create(self, name: str, sql: str) -> None:
        from ..warehouse import ident

        self.wh.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS {sql}")

    def write(self, name: str, path: Path) -> int:
        from ..warehouse import ident

        path = Path(path)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        self.wh.execute(f"COPY (SELECT * FROM {ident(name)}) TO {_quote_path(path / 'part-00000.parquet')} "
                        "(FORMAT parquet)")
        return int(self.wh.scalar(f"SELECT count(*) FROM {ident(name)}"))

    def frame(self, name: str):
        from ..warehouse import ident

        return self.wh.df(f"SELECT * FROM {ident(name)}")

    def close(self) -> None:
        self.wh.close()


class SparkEngine(Engine):
    """Spark SQL over the Parquet exchange; the stage SQL is transpiled from DuckDB's dialect by sqlglot.

    Intermediate steps are temporary views; a step used more than once is cached (``persist``) so Spark
    does not recompute it.
    """

    name = "spark"

    def __init__(self, master: str | None = None, spark=None, shuffle_partitions: int | None = None):
        from .spark import spark_session

        self.spark = spark or spark_session(master, shuffle_partitions=shuffle_partitions)
        self._own = spark is None
        self._cached: list = []

    def load(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def create(self, name: str, sql: str) -> None:
        df = self.spark.sql(self.sql_of(sql)).persist()
        self._cached.append(df)
        df.createOrReplaceTempView(name)

    def write(self, name: str, path: Path) -> int:
        df = self.spark.table(name)
        df.write.mode("overwrite").parquet(str(path))
        return int(self.spark.read.parquet(str(path)).count())

    def frame(self, name: str):
        return self.spark.table(name).toPandas()

    def close(self) -> None:
        for df in self._cached:
            try:
                df.unpersist()
            except Exception:  # noqa: BLE001 - cleanup only
                pass
        self._cached.clear()
        # a session we created is left running for the next engine in this process (start-up is 5-30 s);
        # `stop_spark()` ends it.


def stop_spark() -> None:
    """Stop the process's SparkSession, if any."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    s = SparkSession.getActiveSession()
    if s is not None:
        s.stop()


def get_engine(name: str = "duckdb", master: str | None = None, **kw) -> Engine:
    """`duckdb` (default) or `spark` (``master``: a cluster URL; default ``local[2]``)."""
    if name == "duckdb":
        if master:
            raise UsageError("--spark-master applies only with --engine spark")
        return DuckDBEngine(**kw)
    if name == "spark":
        return SparkEngine(master=master, **kw)
    raise UsageError(f"unknown engine {name!r}: use --engine duckdb or --engine spark")
