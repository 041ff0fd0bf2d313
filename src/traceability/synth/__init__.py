"""The synthetic city: a simulated Mexico City that emits every agency's extracts and plants the truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def generate_city(out: Path, scale: float = 1.0, years: int = 1, start: date = date(2023, 1, 1), seed: int = 7,
                  progress=None) -> dict:
    from ..errors import TraceabilityError

    raise TraceabilityError("the synthetic city generator is not built yet")
