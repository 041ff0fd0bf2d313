"""taxonomy.load_into / unmapped and `traceability taxonomy unmapped` on a tiny warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd

from traceability import taxonomy
from traceability.warehouse import Warehouse


def _events(rows):
    df = pd.DataFrame(rows, columns=["source", "source_key", "crime_raw"])
    df["event_id"] = df.source + ":" + df.source_key
    df["kind"] = "test"
    df["batch_id"] = 1
    df["source_row"] = range(2, len(df) + 2)
    df["row_hash"] = "h"
    df["crime"] = taxonomy.map_series("fgj_carpetas", df.crime_raw)
    c5 = df.source == "c5_911"
    df.loc[c5, "crime"] = taxonomy.map_series("c5_911", df.crime_raw[c5])
    return df


def _build(path):
    wh = Warehouse(path)
    df = _events([
        ("fgj_carpetas", "1", "ROBO A CASA HABITACION SIN VIOLENCIA"),
        ("fgj_carpetas", "2", "DELITO DESCONOCIDO"),
        ("fgj_carpetas", "3", "DELITO DESCONOCIDO"),
        ("fgj_carpetas", "4", None),
        ("c5_911", "5", "Robo-Marciano"),
        ("c5_911", "6", "Falsa Alarma"),
    ])
    wh.insert_frame("event", df, columns=["event_id", "kind", "source", "source_key", "batch_id", "source_row",
                                          "crime", "crime_raw", "row_hash"])
    return wh


def test_unmapped_and_load_into(tmp_path):
    wh = _build(tmp_path / "t.duckdb")
    try:
        assert taxonomy.unmapped(wh) == [
            {"source": "fgj_carpetas", "label": "DELITO DESCONOCIDO", "count": 2},
            {"source": "c5_911", "label": "Robo-Marciano", "count": 1},
        ]
        assert taxonomy.load_into(wh) == len(taxonomy.codes())
        assert taxonomy.load_into(wh) == len(taxonomy.codes())  # replaces, no duplicates
        n, groups, harm = wh.query("SELECT count(*), count(DISTINCT crime_group), "
                                   "max(harm_days) FILTER (WHERE code = 'VIOLACION') FROM crime_code")[0]
        assert n == len(taxonomy.codes()) and groups == len(taxonomy.groups()) and harm == taxonomy.harm_days("VIOLACION")
        assert wh.scalar("SELECT DISTINCT version FROM crime_code") == taxonomy.VERSION
    finally:
        wh.close()


def _cli(*args):
    env = dict(os.environ)
    env.pop("TRACEABILITY_DB", None)
    return subprocess.run([sys.executable, "-m", "traceability.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_cli_taxonomy_unmapped(tmp_path):
    db = tmp_path / "t.duckdb"
    _build(db).close()
    p = _cli("taxonomy", "unmapped", "--db", str(db), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == [
        {"source": "fgj_carpetas", "label": "DELITO DESCONOCIDO", "count": 2},
        {"source": "c5_911", "label": "Robo-Marciano", "count": 1},
    ]
    p = _cli("taxonomy", "unmapped", "--db", str(db))
    assert p.returncode == 0 and "DELITO DESCONOCIDO" in p.stdout
    p = _cli("taxonomy", "unmapped", "--db", str(tmp_path / "none.duckdb"))
    assert p.returncode != 0 and "does not exist" in p.stderr and "Traceback" not in p.stderr
    p = _cli("taxonomy", "unmapped", "--db", str(db), "--format", "xml")
    assert p.returncode != 0 and "unknown --format" in p.stderr
