"""Settings read from the environment. Nothing here is computed at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "traceability.duckdb"


def default_db_path() -> Path:
    return Path(os.environ.get("TRACEABILITY_DB") or DEFAULT_DB)


def shared_dir() -> Path | None:
    """The project's shared data folder (real open data of the city), if present.

    Looked up from TRACEABILITY_SHARED, then ../shared beside the checkout or the working directory.
    """
    env = os.environ.get("TRACEABILITY_SHARED")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for base in [Path.cwd(), *here.parents]:
        cand = base.parent / "shared"
        if (cand / "data").is_dir():
            return cand
    return None


@dataclass(frozen=True)
class Settings:
    db_path: Path
    secret: str
    lang: str = "es"

    @classmethod
    def from_env(cls, db_path: Path | None = None) -> Settings:
        return cls(
            db_path=Path(db_path) if db_path else default_db_path(),
            secret=os.environ.get("TRACEABILITY_SECRET", "dev-secret-change-me"),
            lang=os.environ.get("TRACEABILITY_LANG", "es"),
        )
