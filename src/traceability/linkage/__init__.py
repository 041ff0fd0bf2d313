"""Linkage: person mentions → persons; places → targets; events → case chains; persons → associations.

`link_warehouse` runs the steps in order; each lives in its own module:
`persons.resolve` (Splink), `targets.build_targets`, `chains.build_chains`, `associations.build_associations`.
"""

from __future__ import annotations

import importlib

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
    if not ran:
        raise TraceabilityError("linkage is not built yet")
    return report
