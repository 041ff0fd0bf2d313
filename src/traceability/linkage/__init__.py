"""Linkage: person mentions → persons; places → targets; events → case chains."""

from __future__ import annotations


def link_warehouse(wh, threshold=None, full=False, progress=None):
    from ..errors import TraceabilityError

    raise TraceabilityError("linkage is not built yet")
