"""Materialized analysis results, stamped with the data version and parameters that produced them.

Costly analyses are computed once (after ingest/link, by `materialize_all`) and pages read them
instantly; when the stamp does not match the current data version, pages compute live and say so.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def params_hash(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]


def save(wh, name: str, params: dict, result: dict) -> None:
    h = params_hash(params)
    wh.execute("DELETE FROM analysis_result WHERE name = ? AND params_hash = ?", [name, h])
    wh.execute("INSERT INTO analysis_result (name, params_hash, params, data_version, result) VALUES (?, ?, ?, ?, ?)",
               [name, h, json.dumps(params, default=str), wh.data_version(), json.dumps(result, default=str)])


def load(wh, name: str, params: dict) -> dict[str, Any] | None:
    """The stored result for these parameters if it was computed on the current data, else None."""
    rows = wh.query("SELECT result, data_version, created_at FROM analysis_result WHERE name = ? AND params_hash = ?",
                    [name, params_hash(params)])
    if not rows or rows[0][1] != wh.data_version():
        return None
    out = json.loads(rows[0][0])
    out.setdefault("_materialized_at", str(rows[0][2]))
    return out
