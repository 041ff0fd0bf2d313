"""The filter bar's crime list, loaded by the page when the analyst first types in the crime field."""

from __future__ import annotations

from fastapi import APIRouter

from ..render import crime_options

router = APIRouter()


@router.get("/api/filters/crimes")
def crimes(lang: str = "es") -> list[dict]:
    """Canonical crime codes by name, then every agency label that maps to one (value = the code)."""
    return [{"value": code, "label": label} for code, label in crime_options("en" if lang == "en" else "es")]
