"""Linkage end to end on generated cities: person resolution (Splink), targets, chains, associations.

Per scale (default 0.2 and 1.0; `TRACEABILITY_BENCH_LINK_SCALES="0.2"` to choose) the city is generated
once into `$TMPDIR/traceability-bench-city-<scale>` (kept between runs) and ingested by the CLI in a child
process (so this process's peak memory is the linkage's own); then `link_warehouse` is measured (rows =
person mentions). Afterwards, outside the measured block, the accuracy of person linkage against the
planted truth is computed per threshold (pairwise P/R/F1 and B-cubed F1, `evaluate.city_report`) and put
in the record's note. Target at scale 1.0 (over a million mentions): under 10 minutes and 8 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import measured

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)


def _cli(*args: str) -> None:
    exe = Path(sys.executable).with_name("traceability")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "traceability.cli", *args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def city(scale: float, seed: int = 7) -> Path:
    """The generated city at `scale` (generated on first use)."""
    out = Path(tempfile.gettempdir()) / f"traceability-bench-city-{scale:g}"
    if not (out / "truth" / "person_mentions.csv").exists():
        _cli("generate", "--out", str(out), "--scale", str(scale), "--seed", str(seed))
    return out


def accuracy_note(wh, truth_csv, thresholds=THRESHOLDS) -> tuple[str, dict]:
    from traceability.linkage.evaluate import city_report

    rep = city_report(wh, truth_csv, thresholds)
    parts = []
    for t, r in rep.items():
        p, b = r["pairwise"], r["bcubed"]
        parts.append(f"t={t:g}: P {p['precision']:.4f} R {p['recall']:.4f} F1 {p['f1']:.4f} B3 {b['f1']:.4f}")
    return "; ".join(parts), rep


def run_scale(results: list, scale: float) -> None:
    from traceability.linkage import link_warehouse
    from traceability.warehouse import Warehouse

    c = city(scale)
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "w.duckdb"
        _cli("ingest", str(c), "--db", str(db))
        with Warehouse(db) as wh:
            rows = int(wh.scalar("SELECT count(*) FROM person_mention"))
            with measured(results, "link.city", scale=scale) as rec:
                report = link_warehouse(wh)
                rec["rows"] = rows
            persons = report.get("persons") or {}
            rec["persons_s"] = persons.get("seconds")
            rec["persons"] = persons.get("persons")
            note, rep = accuracy_note(wh, c / "truth" / "person_mentions.csv")
            rec["note"] = note
            rec["accuracy"] = {str(t): {"pairwise": r["pairwise"], "bcubed": r["bcubed"]} for t, r in rep.items()}


def run(results: list) -> None:
    scales = [float(s) for s in os.environ.get("TRACEABILITY_BENCH_LINK_SCALES", "0.2,1.0").split(",") if s]
    try:
        import traceability.synth  # noqa: F401
    except ImportError:
        results.append({"stage": "link.city", "note": "synth.generate_city not available"})
        return
    for s in scales:
        run_scale(results, s)
