"""Linkage: person mentions → persons; places → targets; events → case chains; persons → associations.

`link_warehouse` runs the steps in order; each lives in its own module:
`persons.resolve` (Splink), `targets.build_targets`, `chains.build_chains`, `associations.build_associations`.
"""

from __future__ import annotations

import importlib
import os

# DuckDB takes up to 80 % of the machine by default; during linkage Python holds the mentions, the pairs and
# the clusters besides, so DuckDB is capped (it spills to disk above the cap) and the whole step stays within
# what the issue allows on this machine (8 GB at scale 1.0).
LINK_MEMORY = "4GB"


def link_memory() -> str:
    return os.environ.get("TRACEABILITY_LINK_MEMORY", LINK_MEMORY)

STEPS = [
    ("persons", "resolve"),
    ("targets", "build_targets"),
    ("chains", "build_chains"),
    ("associations", "build_associations"),
]


def link_warehouse(wh, threshold: float | None = None, full: bool = False, progress=None) -> dict:
    """Run every linkage step present; returns {step: summary}."""
    from ..errors import TraceabilityError

    report: dict = {}
    before = wh.scalar("SELECT current_setting('memory_limit')")
    wh.execute(f"SET memory_limit = '{link_memory()}'")
    try:
        ran = _run_steps(wh, report, threshold, full, progress)
    finally:
        wh.execute(f"SET memory_limit = '{before}'")
    if not ran:
        raise TraceabilityError("linkage is not built yet")
    return report


def _run_steps(wh, report: dict, threshold, full: bool, progress) -> int:
    ran = 0
    for i, (module_name, fn_name) in enumerate(STEPS):
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{module_name}":
                report[module_name] = "not available"
                continue
            raise
        fn = getattr(module, fn_name)
        kwargs = {"progress": progress}
        if module_name == "persons":
            kwargs.update(threshold=threshold, full=full)
        report[module_name] = fn(wh, **kwargs)
        ran += 1
        if progress:
            progress(0, description=f"linked: {module_name} ({i + 1}/{len(STEPS)})")
    return ran
