"""Registers the built-in adapters: every module in `sources/adapters/` that defines `ADAPTER`."""

from __future__ import annotations

import importlib
import pkgutil

from .base import Adapter, register, registry

_loaded = False


def load_builtin() -> dict[str, Adapter]:
    global _loaded
    if not _loaded:
        from . import adapters as pkg

        for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{pkg.__name__}.{mod.name}")
            adapter = getattr(module, "ADAPTER", None)
            if adapter is not None and adapter.source not in registry():
                register(adapter)
        _loaded = True
    return registry()
