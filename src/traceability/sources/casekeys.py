"""Canonical keys for case numbers, so the same carpeta or causa written by different agencies matches.

A carpeta de investigación is written `CI-FIAO/AO-4/UI-1 S/D/01234/08-2024`:
`CI` (carpeta de investigación) - fiscalía (`FIAO`) / agencia (`AO-4`) / unidad (`UI-1`) with or without
detenido (`S/D`, `C/D`) / consecutive number / month-year. Other agencies copy it with spaces instead of
slashes, dashes, without the `CI-` or fiscalía prefix, without `S/D`, or with another zero padding.

The canonical key keeps what identifies the carpeta and drops what copies lose:
``<agencia><unidad>/<number>/<yyyy>-<mm>``, e.g. ``AO4UI1/1234/2024-08``:
- the leading `CI` and a fiscalía token (`FI...`) are dropped; `S/D` / `C/D` are dropped;
- numbers lose leading zeros; a two-digit year becomes 20YY;
- a bare number (the portal's `idCarpeta`, also written `8324870.0`) stays that number: `8324870`;
- anything else is reduced to its upper-case letters and digits, so at least spacing and punctuation
  differences still match.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .normalize import clean

_TOKENS = re.compile(r"[A-Z]+|\d+")
_FLOATLIKE = re.compile(r"^\d+(\.0+)?$")


def _ascii_upper(v: str) -> str:
    v = unicodedata.normalize("NFKD", v.upper())
    return "".join(ch for ch in v if not unicodedata.combining(ch))


def _year(tok: str) -> int | None:
    y = int(tok)
    if len(tok) <= 2:
        return 2000 + y
    if 1900 <= y <= 2100:
        return y
    return None


def carpeta_key_one(raw: str | None) -> str | None:
    """The canonical key of one carpeta number (see the module docstring); None when empty."""
    if raw is None:
        return None
    v = raw.strip()
    if not v:
        return None
    if _FLOATLIKE.match(v):
        return str(int(v.split(".")[0]))
    up = _ascii_upper(v)
    tokens = _TOKENS.findall(up)
    if not tokens:
        return None
    # number / month / year at the end
    if (len(tokens) >= 3 and tokens[-1].isdigit() and tokens[-2].isdigit() and tokens[-3].isdigit()
            and 1 <= int(tokens[-2]) <= 12 and _year(tokens[-1]) is not None):
        number, month, year = int(tokens[-3]), int(tokens[-2]), _year(tokens[-1])
        prefix = tokens[:-3]
        if prefix and prefix[0] == "CI":
            prefix = prefix[1:]
        elif prefix and prefix[0].startswith("CI") and prefix[0][2:].startswith("FI"):
            prefix = [prefix[0][2:]] + prefix[1:]
        if prefix and prefix[0].startswith("FI") and len(prefix) > 1:
            prefix = prefix[1:]
        # drop S/D, C/D (con / sin detenido) and a glued "SD"/"CD"
        out: list[str] = []
        i = 0
        while i < len(prefix):
            t = prefix[i]
            if t in ("S", "C") and i + 1 < len(prefix) and prefix[i + 1] == "D":
                i += 2
                continue
            if t in ("SD", "CD"):
                i += 1
                continue
            out.append(str(int(t)) if t.isdigit() else t)
            i += 1
        return f"{''.join(out)}/{number}/{year:04d}-{month:02d}"
    return "".join(str(int(t)) if t.isdigit() else t for t in tokens)


def causa_key_one(raw: str | None) -> str | None:
    """A causa penal `0123/2024` (also `CP 123/24`, `123-2024`) -> `123/2024`; else letters and digits."""
    if raw is None:
        return None
    v = raw.strip()
    if not v:
        return None
    tokens = _TOKENS.findall(_ascii_upper(v))
    if not tokens:
        return None
    if len(tokens) >= 2 and tokens[-1].isdigit() and tokens[-2].isdigit() and _year(tokens[-1]) is not None:
        return f"{int(tokens[-2])}/{_year(tokens[-1]):04d}"
    return "".join(str(int(t)) if t.isdigit() else t for t in tokens)


def _apply(series: pd.Series, fn) -> pd.Series:
    s = clean(series)
    codes, uniques = pd.factorize(s)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    codes = np.where(codes < 0, len(mapped) - 1, codes)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def carpeta_key(series: pd.Series) -> pd.Series:
    """Canonical carpeta keys for a column (None where empty)."""
    return _apply(series, carpeta_key_one)


def causa_key(series: pd.Series) -> pd.Series:
    """Canonical causa penal keys for a column (None where empty)."""
    return _apply(series, causa_key_one)
