"""Synthetic city generation: wall time and peak memory at scale 0.05 and 1.0."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.measure import measured


def run(results: list) -> None:
    from traceability.synth import generate_city

    for scale in (0.05, 1.0):
        with tempfile.TemporaryDirectory() as d, measured(results, "synth.generate_city", engine="numpy",
                                                          scale=scale) as rec:
            summary = generate_city(Path(d) / "city", scale=scale, years=1, seed=7)
            rec["rows"] = sum(summary["files"].values())
            rec["note"] = f"{summary['truth']['carpetas']} carpetas, {summary['truth']['calls_911']} 911 calls"
