"""Mexican names for person linkage: normalization, nicknames, a Spanish phonetic key.

Mexican names carry two surnames (paternal, maternal), either of which may be missing or recorded in the
other order; compound given names (MARÍA GUADALUPE, JOSÉ LUIS) are often shortened to their distinctive
part (GUADALUPE, LUIS) or to a nickname (LUPE, PEPE, CHEMA). The helpers here turn a name into the keys the
Splink model compares:

- `name_upper`: upper case, accents removed, Ñ kept, punctuation removed, single spaces (the contract's
  canonical form, re-applied so linkage does not depend on each adapter having done it);
- `given_tokens`: the distinctive canonical given names — nicknames expanded from
  `data/nicknames_es.csv` (BETO is ALBERTO, ROBERTO or HUMBERTO: every option is kept), particles dropped,
  and the devotional first names MARÍA/JOSÉ dropped when another name follows;
- `phonetic`: a Spanish-aware phonetic key (B/V, S/Z/C before E,I, LL/Y, silent H, X/J, QU/K, G before
  E,I/J, doubled letters), token by token.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources

PARTICLES = {"DE", "LA", "DEL", "LOS", "LAS", "Y", "E", "VDA", "VIUDA"}
DEVOTIONAL = {"MARIA", "MA", "JOSE", "J", "MA.", "MARIA DE"}
_PUNCT = re.compile(r"[^A-ZÑ0-9 ]+")
_SPACES = re.compile(r"\s+")


def name_upper(value) -> str | None:
    """Canonical upper-case form of a name (None for empty)."""
    if value is None:
        return None
    s = str(value).strip().upper()
    if not s:
        return None
    s = s.replace("Ñ", "\0")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.replace("\0", "Ñ")
    s = _PUNCT.sub(" ", s)
    s = _SPACES.sub(" ", s).strip()
    return s or None


@lru_cache(maxsize=1)
def nicknames() -> dict[str, tuple[str, ...]]:
    """nickname -> canonical given names (one or more options), from data/nicknames_es.csv."""
    out: dict[str, list[str]] = {}
    text = resources.files("traceability.linkage").joinpath("data/nicknames_es.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        nick = name_upper(row["nickname"])
        canon = name_upper(row["canonical"])
        if nick and canon and nick != canon:
            out.setdefault(nick, []).append(canon)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=200_000)
def given_tokens(given_names: str | None) -> tuple[str, ...]:
    """Distinctive canonical given names, in order (empty tuple when none).

    >>> given_tokens("MARIA GUADALUPE")
    ('GUADALUPE',)
    >>> given_tokens("LUPE")
    ('GUADALUPE',)
    >>> given_tokens("BETO")
    ('ALBERTO', 'ROBERTO', 'HUMBERTO')
    """
    g = name_upper(given_names)
    if not g:
        return ()
    expanded: list[str] = []
    for tok in g.split(" "):
        if tok in PARTICLES:
            continue
        options = nicknames().get(tok)
        if options:
            # a nickname of a compound name (CHEMA = JOSE MARIA) expands to its tokens
            for opt in options:
                expanded.extend(opt.split(" "))
        else:
            expanded.append(tok)
    distinctive = [t for t in expanded if t not in DEVOTIONAL]
    toks = distinctive or expanded
    seen: list[str] = []
    for t in toks:
        if t not in seen:
            seen.append(t)
    return tuple(seen)


def name_tokens(*parts: str | None) -> tuple[str, ...]:
    """The distinct tokens of a whole name, whatever field each part was written in (particles dropped).

    >>> name_tokens("JUAN", "CARLOS", "PEREZ") == name_tokens("JUAN CARLOS", "PEREZ", None)
    True
    """
    out: list[str] = []
    for part in parts:
        s = name_upper(part) if isinstance(part, str) else None
        for tok in (s.split(" ") if s else ()):
            if tok not in PARTICLES and tok not in out:
                out.append(tok)
    return tuple(out)


def given_key(given_names: str | None) -> str | None:
    """The first distinctive canonical given name (the blocking and matching key for given names)."""
    toks = given_tokens(given_names)
    return toks[0] if toks else None


_PHON_RULES = [
    (re.compile(r"Ñ"), "N"),
    (re.compile(r"CH"), "1"),          # keep CH apart from C/K
    (re.compile(r"LL"), "Y"),
    (re.compile(r"PH"), "F"),
    (re.compile(r"QU(?=[EI])"), "K"),
    (re.compile(r"GU(?=[EI])"), "G"),   # GUE/GUI: hard G
    (re.compile(r"G(?=[EI])"), "J"),
    (re.compile(r"C(?=[EI])"), "S"),
    (re.compile(r"[CQK]"), "K"),
    (re.compile(r"Z"), "S"),
    (re.compile(r"X"), "J"),           # MEXICO, XAVIER
    (re.compile(r"V"), "B"),
    (re.compile(r"W"), "U"),
    (re.compile(r"H"), ""),            # silent H
    (re.compile(r"Y(?=[^AEIOU]|$)"), "I"),
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=200_000)
def phonetic_token(token: str) -> str:
    s = token
    for pat, rep in _PHON_RULES:
        s = pat.sub(rep, s)
    return s.replace("1", "CH")


def phonetic(value: str | None) -> str | None:
    """Spanish phonetic key of a name, token by token (particles dropped).

    >>> phonetic("HERNANDEZ") == phonetic("HERNANDES") == phonetic("ERNANDEZ")
    True
    >>> phonetic("VILLA") == phonetic("BIYA")
    True
    """
    s = name_upper(value)
    if not s:
        return None
    toks = [phonetic_token(t) for t in s.split(" ") if t not in PARTICLES]
    return " ".join(t for t in toks if t) or None


def split_surnames(surname_1: str | None, surname_2: str | None) -> tuple[str | None, str | None]:
    """Normalize a surname pair; a lone maternal surname moves to the first position."""
    s1, s2 = name_upper(surname_1), name_upper(surname_2)
    if not s1 and s2:
        return s2, None
    return s1, s2
