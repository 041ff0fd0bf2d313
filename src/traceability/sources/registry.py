"""Registers the built-in adapters: every module in `sources/adapters/` that defines `ADAPTER`.

A module that fails to import does not stop the others: its error is kept in `load_errors` (and shown by
`ingest`), so one broken adapter cannot make the whole ingest unusable.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Adapter, register, registry

_loaded = False
load_errors: dict[str, str] = {}


def load_builtin() -> dict[str, Adapter]:
    global _loaded
    if not _loaded:
        from . import adapters as pkg

        for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            try:
                module = importlib.import_module(f"{pkg.__name__}.{mod.name}")
            except Exception as e:  # keep going: report it instead
                load_errors[mod.name] = f"{type(e).__name__}: {e}"
                continue
            adapter = getattr(module, "ADAPTER", None)
            if adapter is not None and adapter.source not in registry():
                register(adapter)
        _loaded = True
    return registry()
