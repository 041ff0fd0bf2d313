"""Run every benchmark module `bench/bench_*.py` (or those named) and print a table of figures.

Each module defines `run(results)` and appends dicts {stage, engine, scale, rows, seconds, rows_per_s,
peak_mb, ...}. Timings live here, never in unit tests. Results accumulate in `bench/results.json` (a
module's earlier records are replaced by its new ones) and `bench/results.md` (the readable table).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
COLUMNS = ("stage", "engine", "scale", "rows", "seconds", "rows_per_s", "us_per_row", "peak_mb", "note")


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v).replace("|", "/")


def table(results: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        lines.append("| " + " | ".join(_cell(r.get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    only = set(argv)
    results: list[dict] = []
    for mod in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not mod.name.startswith("bench_") or (only and mod.name not in only):
            continue
        module = importlib.import_module(f"bench.{mod.name}")
        print(f"== {mod.name}", flush=True)
        start = len(results)
        module.run(results)
        for r in results[start:]:
            r.setdefault("bench", mod.name)
    path = HERE / "results.json"
    def key(r: dict) -> tuple:
        return r.get("bench"), r.get("stage"), r.get("engine"), str(r.get("scale"))

    fresh = {key(r) for r in results}
    try:  # earlier records stay unless this run measured the same stage, engine and scale again
        kept = [r for r in json.loads(path.read_text()) if r.get("bench") and key(r) not in fresh]
    except (OSError, ValueError):
        kept = []
    everything = kept + results
    path.write_text(json.dumps(everything, indent=2, default=str))
    (HERE / "results.md").write_text("# Benchmark results (`make bench`)\n\n" + table(everything))
    print(f"{'stage':34} {'engine':8} {'scale':>6} {'rows':>12} {'seconds':>9} {'rows/s':>10} {'us/row':>8} "
          f"{'peak MB':>9}  note")
    for r in results:
        print(f"{r.get('stage', ''):34} {r.get('engine', ''):8} {_cell(r.get('scale')):>6} {_cell(r.get('rows')):>12} "
              f"{r.get('seconds') or 0:>9.2f} {_cell(r.get('rows_per_s')):>10} {_cell(r.get('us_per_row')):>8} "
              f"{_cell(r.get('peak_mb')):>9}  {r.get('note', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
