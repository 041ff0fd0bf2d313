"""Run every benchmark module `bench/bench_*.py` and print a table of figures.

Each module defines `run(results)` and appends dicts {stage, engine, scale, rows, seconds, rows_per_s,
peak_mb, ...}. Timings live here, never in unit tests.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    only = set(argv)
    results: list[dict] = []
    for mod in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not mod.name.startswith("bench_") or (only and mod.name not in only):
            continue
        module = importlib.import_module(f"bench.{mod.name}")
        print(f"== {mod.name}", flush=True)
        module.run(results)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"{'stage':32} {'engine':8} {'scale':>6} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'peak MB':>9}  note")
    for r in results:
        print(f"{r.get('stage', ''):32} {r.get('engine', ''):8} {r.get('scale', ''):>6} {r.get('rows', ''):>12} "
              f"{r.get('seconds', 0):>9.2f} {r.get('rows_per_s', ''):>12} {r.get('peak_mb', ''):>9}  {r.get('note', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
