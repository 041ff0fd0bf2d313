"""Interface strings in Spanish (es-MX, the default) and English.

Each area keeps its strings in `locales/<area>.json` as {"key": {"es": "...", "en": "..."}};
each string is written once in each language, by hand.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

LANGS = ("es", "en")
DEFAULT_LANG = "es"
LOCALES = Path(__file__).parent / "locales"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for f in sorted(LOCALES.glob("*.json")):
        for key, texts in json.loads(f.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (second time in {f.name})")
            missing = [lang for lang in LANGS if not texts.get(lang)]
            if missing:
                raise ValueError(f"message key {key!r} in {f.name} lacks {', '.join(missing)}")
            merged[key] = texts
    return merged


class Translator:
    def __init__(self, lang: str = DEFAULT_LANG):
        self.lang = lang if lang in LANGS else DEFAULT_LANG

    @classmethod
    def for_request(cls, request) -> Translator:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or DEFAULT_LANG
        return cls(lang)

    def __call__(self, key: str, **kw) -> str:
        texts = catalog().get(key)
        if texts is None:
            return key  # visible, so a missing string is noticed in tests
        s = texts[self.lang]
        return s.format(**kw) if kw else s

    # es-MX: thousands with commas, dates dd/mm/yyyy
    def num(self, v, digits: int = 0) -> str:
        if v is None:
            return "—"
        try:
            return f"{v:,.{digits}f}"
        except (TypeError, ValueError):
            return str(v)

    def pct(self, v, digits: int = 1) -> str:
        return "—" if v is None else f"{100 * v:.{digits}f} %"

    def date(self, v) -> str:
        if v is None:
            return "—"
        if isinstance(v, str):
            try:
                v = datetime.fromisoformat(v)
            except ValueError:
                return v
        if isinstance(v, datetime | date):
            return v.strftime("%d/%m/%Y") if self.lang == "es" else v.strftime("%Y-%m-%d")
        return str(v)
