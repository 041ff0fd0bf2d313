"""What every source adapter is: a declared schema per version, and a vectorized normalizer.

The ingest framework (`sources/ingest.py`) reads a file into a DataFrame of strings (every column `str`,
missing = ""), with a column `_line` holding the file line number (header = line 1), detects the adapter
and version by the header, and calls `adapter.normalize(frame, version)`. The adapter returns a
`Normalized`: canonical event rows, person-mention rows, and the rejections. The framework quarantines
every rejected line (removing its event and mentions), adds provenance (source, batch_id, source_row,
row_hash) and upserts by source_key.

Adapters register with `register(adapter)`; the built-ins are registered in `sources/registry.py` the same
way a 13th agency's adapter would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

EVENT_COLUMNS = ["event_id", "kind", "source_key", "occurred_at", "reported_at", "crime", "crime_raw",
                 "category_raw", "lat", "lon", "alcaldia", "colonia", "cuadrante", "address_norm", "case_key",
                 "case_key_norm", "attrs", "sensitivity", "_line"]
MENTION_COLUMNS = ["mention_id", "event_id", "source_key", "role", "given_names", "surname_1", "surname_2",
                   "alias", "sex", "birth_date", "age", "curp", "rfc", "phone", "address_norm", "colonia",
                   "alcaldia", "lat", "lon", "is_legal_person", "business_name", "event_date", "sensitivity",
                   "_line"]


@dataclass(frozen=True)
class SchemaVersion:
    """One header layout of a source. A file matches when its header holds every `required` column.

    `columns` is the full expected header (for the message when nothing matches); `key` is the column
    with the agency's own identifier (None when the file has none and the line number stands in).
    """

    name: str
    required: frozenset[str]
    columns: tuple[str, ...]
    key: str | None


@dataclass
class Rejection:
    line: int
    column: str | None
    value: str | None
    reason: str


@dataclass
class Normalized:
    events: pd.DataFrame                 # EVENT_COLUMNS
    mentions: pd.DataFrame               # MENTION_COLUMNS
    rejections: list[Rejection] = field(default_factory=list)


class Adapter:
    """Base class: subclasses set `source`, `kind`, `versions` and implement `normalize`."""

    source: str = ""
    kind: str = ""
    versions: tuple[SchemaVersion, ...] = ()

    def detect(self, header: list[str]) -> SchemaVersion | None:
        """The most specific version whose required columns the header holds."""
        cols = {h.strip().lower() for h in header}
        best = None
        for v in self.versions:
            if {c.lower() for c in v.required} <= cols and (best is None or len(v.required) > len(best.required)):
                best = v
        return best

    def normalize(self, frame: pd.DataFrame, version: SchemaVersion) -> Normalized:
        raise NotImplementedError


_REGISTRY: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    if adapter.source in _REGISTRY:
        raise ValueError(f"source {adapter.source!r} registered twice")
    _REGISTRY[adapter.source] = adapter
    return adapter


def registry() -> dict[str, Adapter]:
    return _REGISTRY


def line_keys(frame: pd.DataFrame) -> pd.Series:
    """`source_key`s for a file without a key column: `<first 12 hex of the file's sha256>-<line>`.

    The ingest framework puts the file's sha256 in `frame.attrs["file_sha"]`; the same file again is
    skipped by its sha256, and two different files of the same source never collide."""
    prefix = str(frame.attrs.get("file_sha", "nosha"))[:12]
    return prefix + "-" + frame["_line"].astype("int64").astype(str)
