"""Measure a stage: wall time and peak memory of the process (RSS high-water mark)."""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@contextmanager
def measured(results: list, stage: str, engine: str = "duckdb", scale=None, **extra):
    rec = {"stage": stage, "engine": engine, "scale": scale, **extra}
    t0 = time.perf_counter()
    yield rec
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    rows = rec.get("rows")
    if rows:
        rec["rows_per_s"] = int(rows / max(rec["seconds"], 1e-9))
    rec["peak_mb"] = round(peak_rss_mb(), 1)
    results.append(rec)
