"""Export of the person resolution: one row per mention."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import TraceabilityError

COLUMNS = ["source", "source_key", "role", "person_id", "match_probability"]


def export_persons(wh, out: Path) -> int:
    rows = wh.query(
        "SELECT m.source, m.source_key, m.role, p.person_id, p.match_probability "
        "FROM person_mention m LEFT JOIN person_membership p USING (mention_id) "
        "ORDER BY m.source, m.source_key, m.role, m.mention_id")
    try:
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLUMNS)
            w.writerows(rows)
    except OSError as e:
        raise TraceabilityError(f"cannot write {out}: {e.strerror}") from None
    return len(rows)
