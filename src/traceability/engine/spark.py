"""A Spark session in local mode for tests and this machine, or on a real cluster with `master`.

Local mode (DEPENDENCIES.md): ``local[2]``, driver bound to 127.0.0.1, UI off, few shuffle partitions,
session time zone UTC (the warehouse's timestamps are naive local times and must come back unchanged),
Splink's bundled similarity jar on the class path (``jaro_winkler`` etc.) and a checkpoint directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import TraceabilityError

DEFAULT_MASTER = "local[2]"


def pyspark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def spark_session(master: str | None = None, app_name: str = "traceability", shuffle_partitions: int | None = None,
                  driver_memory: str = "2g", work_dir: str | Path | None = None, extra_conf: dict | None = None):
    """A (shared) SparkSession. `master` None means ``local[2]`` on 127.0.0.1 with the UI off.

    On a cluster pass its URL (``spark://host:7077``, ``yarn``, ``k8s://...``); the jar goes with the job.
    """
    if not pyspark_available():
        raise TraceabilityError("the Spark engine needs pyspark: pip install -e '.[spark]' (and Java 17)")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    master = master or DEFAULT_MASTER
    local = master.startswith("local")
    work = Path(work_dir) if work_dir else Path(tempfile.gettempdir()) / "traceability-spark"
    work.mkdir(parents=True, exist_ok=True)
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    b = (SparkSession.builder.master(master).appName(app_name)
         .config("spark.jars", similarity_jar_location())
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.shuffle.partitions", str(shuffle_partitions or (4 if local else 200)))
         .config("spark.sql.warehouse.dir", str(work / "spark-warehouse"))
         .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
         .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
         .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
         .config("spark.sql.ansi.enabled", "false"))
    if local:
        b = (b.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", driver_memory)
             .config("spark.ui.showConsoleProgress", "false"))
    for k, v in (extra_conf or {}).items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(work / "checkpoints"))
    return spark
