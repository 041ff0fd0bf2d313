"""Run one pipeline stage in a child process and measure it there: seconds, rows and the child's own peak
memory (RSS high-water mark from `os.wait4`), so stages measured one after another do not inherit each
other's peaks.

    python -m bench.child generate OUT SCALE      # rows = rows written
    python -m bench.child ingest CITY DB          # rows = rows read
    python -m bench.child link DB                 # rows = person mentions; parts = seconds per step
    python -m bench.child analyses DB             # rows = events; parts = seconds per analysis

The child prints one JSON line last: {"seconds", "rows", "parts": {name: seconds}, "note"}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure_child(*args: str, env: dict | None = None) -> dict:
    """Run `python -m bench.child ARGS` and return its JSON plus `peak_mb` (the child's own) and `wall_s`."""
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "bench.child", *args], stdout=out, stderr=subprocess.DEVNULL,
                             cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        lines = [ln for ln in out.read().splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"error": f"exit {p.returncode}", "wall_s": round(wall, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}
    rec = json.loads(lines[-1])
    rec["wall_s"] = round(wall, 2)
    rec["peak_mb"] = round(usage.ru_maxrss / 1024, 1)  # kilobytes on Linux
    return rec


def _generate(out: str, scale: str) -> dict:
    from traceability.synth import generate_city

    summary = generate_city(Path(out), scale=float(scale), years=1, seed=7)
    rows = sum(summary["files"].values())
    for st in (summary.get("states") or {}).values():  # national runs: the other states
        rows += sum(st["files"].values())
    return {"rows": rows, "note": f"{len(summary['files'])} files"}


def _ingest(city: str, db: str) -> dict:
    from traceability.sources import ingest_paths
    from traceability.warehouse import Warehouse

    with Warehouse(db) as wh:
        reps = ingest_paths(wh, [city], log=lambda *a, **k: None)
    read = sum(r.rows_read for r in reps)
    return {"rows": read, "note": f"{sum(r.rows_loaded for r in reps):,} loaded, "
                                  f"{sum(r.rows_quarantined for r in reps):,} quarantined"}


def _link(db: str) -> dict:
    from traceability.linkage import STEPS, link_warehouse
    from traceability.warehouse import Warehouse

    parts: dict[str, float] = {}
    mark = [time.perf_counter()]

    def progress(_n, description=""):
        # link_warehouse reports "linked: <step> (i/n)" after each step
        if description.startswith("linked: "):
            now = time.perf_counter()
            parts[description.split()[1]] = round(now - mark[0], 2)
            mark[0] = now

    with Warehouse(db) as wh:
        report = link_warehouse(wh, full=True, progress=progress)
        rows = int(wh.scalar("SELECT count(*) FROM person_mention"))
    p = report.get("persons") or {}
    note = (f"{p.get('persons', 0):,} persons, {p.get('pairs_scored_above_0_5', 0):,} pairs >= 0.5; persons: "
            + ", ".join(f"{k} {v:g} s" for k, v in (p.get("stage_seconds") or {}).items()))
    assert set(parts) <= {s for s, _ in STEPS}
    return {"rows": rows, "parts": parts, "note": note}


def _analyses(db: str) -> dict:
    import importlib
    import pkgutil

    from traceability import analysis as pkg
    from traceability.warehouse import Warehouse

    parts: dict[str, float] = {}
    with Warehouse(db) as wh:
        for mod in sorted(pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."), key=lambda m: m.name):
            fn = getattr(importlib.import_module(mod.name), "materialize", None)
            if callable(fn):
                t = time.perf_counter()
                fn(wh)
                parts[mod.name.split(".", 2)[-1]] = round(time.perf_counter() - t, 2)
        rows = int(wh.scalar("SELECT count(*) FROM event"))
    return {"rows": rows, "parts": parts}


STAGES = {"generate": _generate, "ingest": _ingest, "link": _link, "analyses": _analyses}


def main(argv: list[str]) -> int:
    stage, *args = argv
    t0 = time.perf_counter()
    rec = STAGES[stage](*args)
    rec["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(rec, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
