"""Precompute every analysis that offers `materialize(wh)`: modules in `traceability.analysis`."""

from __future__ import annotations

import importlib
import pkgutil


def materialize_all(wh, log=print) -> list[str]:
    from .. import analysis as pkg

    done = []
    for mod in sorted(pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."), key=lambda m: m.name):
        module = importlib.import_module(mod.name)
        fn = getattr(module, "materialize", None)
        if callable(fn):
            fn(wh)
            done.append(mod.name.rsplit(".", 1)[-1])
            log(f"materialized {mod.name}")
    return done
