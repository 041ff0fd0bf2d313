"""The Parquet exchange: the warehouse as a directory of Parquet tables, and results read back by DuckDB.

Layout: ``DIR/<table>/part-*.parquet`` (what Spark writes and reads natively; DuckDB writes one part).
Besides the warehouse tables a stage reads, two small derived tables are exported:

* ``crime_group`` (code, crime_group): the taxonomy's grouping, so that SQL compares crime *types*;
* ``nr_point`` (event_id, x, y, t): the near-repeat events (burglaries by default) projected to metres
  (UTM 14N) and their time in days since 1970-01-01, exactly as `analysis.near_repeat` computes them.

On a cluster the same directory lives on HDFS/S3/ADLS and the big tables are partitioned by state and
month (``partition_by``); see docs/scale.md.

JSON columns (``attrs``) travel as text (Spark reads them with ``get_json_object``); timestamps are naive
(``TIMESTAMP_NTZ`` in Spark), so a round trip leaves them unchanged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..warehouse import ident

TABLES = ("event", "person_mention", "person_membership", "target", "target_membership")


def _q(p: Path | str) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def _copy(wh, sql: str, dest: Path, partition_by: tuple[str, ...] = (), count: bool = True) -> int:
    if dest.exists():
        shutil.rmtree(dest)
    if partition_by:
        cols = ", ".join(ident(c) for c in partition_by)
        wh.execute(f"COPY ({sql}) TO {_q(dest)} (FORMAT parquet, PARTITION_BY ({cols}))")
    else:
        dest.mkdir(parents=True)
        wh.execute(f"COPY ({sql}) TO {_q(dest / 'part-00000.parquet')} (FORMAT parquet)")
    return int(wh.scalar(f"SELECT count(*) FROM ({sql}) x")) if count else -1


def _select(wh, table: str) -> str:
    cols = []
    for name, typ in wh.columns(table):
        cols.append(f"CAST({ident(name)} AS VARCHAR) AS {ident(name)}" if typ.upper() == "JSON" else ident(name))
    return f"SELECT {', '.join(cols)} FROM {ident(table)}"


def crime_groups(wh) -> pd.DataFrame:
    from ..analysis import _places

    codes = [r[0] for r in wh.query("SELECT DISTINCT crime FROM event WHERE crime IS NOT NULL ORDER BY 1")]
    return pd.DataFrame({"code": codes, "crime_group": [_places.crime_group(c) for c in codes]},
                        dtype="string")


def near_repeat_points(wh, crime_group: str | None = None) -> pd.DataFrame:
    """The events of the near-repeat stage: event_id, x, y (metres), t (days), as `KnoxTest.from_warehouse`."""
    from ..analysis import _places, near_repeat

    ev = near_repeat.load_events(wh, crime_group or near_repeat.DEFAULT_CRIME_GROUP)
    x, y = _places.to_metric(ev["lat"].to_numpy(), ev["lon"].to_numpy())
    t = _places.days(ev["occurred_at"].to_numpy()) if len(ev) else []
    out = pd.DataFrame({"event_id": ev["event_id"].astype("string"), "x": x, "y": y, "t": t})
    ok = np.isfinite(out[["x", "y", "t"]].to_numpy(dtype=float)).all(axis=1)
    return out[ok].reset_index(drop=True)


def export_frame(wh, frame: pd.DataFrame, dest: Path) -> int:
    wh.con.register("_tr_export", frame)
    try:
        _copy(wh, "SELECT * FROM _tr_export", Path(dest), count=False)  # a cursor would not see the frame
    finally:
        wh.con.unregister("_tr_export")
    return len(frame)


def export_warehouse(wh, out: Path | str, tables=TABLES, derived: bool = True,
                     partition_by: dict[str, tuple[str, ...]] | None = None) -> dict[str, int]:
    """Write the warehouse tables (and the derived ones) as Parquet under `out`; returns rows per table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for t in tables:
        if wh.table_exists(t):
            rows[t] = _copy(wh, _select(wh, t), out / t, (partition_by or {}).get(t, ()))
    if derived:
        rows["crime_group"] = export_frame(wh, crime_groups(wh), out / "crime_group")
        rows["nr_point"] = export_frame(wh, near_repeat_points(wh), out / "nr_point")
    return rows


def read_parquet_sql(path: Path | str) -> str:
    """DuckDB SQL reading a Parquet table directory written by either engine (Hive partitions included)."""
    return f"SELECT * FROM read_parquet({_q(Path(path) / '**' / '*.parquet')}, hive_partitioning = true)"


def load_results(wh, out: Path | str, names, prefix: str = "engine_") -> dict[str, int]:
    """Read stage outputs from `out` into warehouse tables ``<prefix><name>`` (for the web app)."""
    rows = {}
    for n in names:
        d = Path(out) / n
        if not d.is_dir():
            continue
        wh.execute(f"CREATE OR REPLACE TABLE {ident(prefix + n)} AS {read_parquet_sql(d)}")
        rows[prefix + n] = int(wh.scalar(f"SELECT count(*) FROM {ident(prefix + n)}"))
    return rows
