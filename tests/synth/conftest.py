"""A small synthetic city shared by the synth tests (scale 0.03, seed 7)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synth_city(tmp_path_factory) -> Path:
    from traceability.synth import generate_city

    out = tmp_path_factory.mktemp("synth") / "city"
    generate_city(out, scale=0.03, years=1, seed=7)
    return out
