"""Source adapters: one per agency format; each detects its file, validates and normalizes rows."""

from __future__ import annotations

SOURCES: dict[str, object] = {}


def ingest_paths(wh, paths, source=None, progress=None, log=print):
    from ..errors import TraceabilityError

    raise TraceabilityError("ingestion is not built yet")


def watch_folder(wh, folder, interval=5.0, source=None, log=print):
    from ..errors import TraceabilityError

    raise TraceabilityError("ingestion is not built yet")
