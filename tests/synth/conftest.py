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


@pytest.fixture(scope="session")
def synth_city_11(tmp_path_factory) -> Path:
    """A second, smaller city (scale 0.02, seed 11) for checks that should hold for any seed."""
    from traceability.synth import generate_city

    out = tmp_path_factory.mktemp("synth11") / "city"
    generate_city(out, scale=0.02, years=1, seed=11)
    return out
