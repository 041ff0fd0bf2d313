"""CURP (Clave Única de Registro de Población): building, check digit and validation.

The 18 characters, after RENAPO's *Instructivo normativo para la asignación de la CURP*:

====  ==========================================================================
1-2   first letter and first inner vowel of the first surname
3     first letter of the second surname (X when there is none)
4     first letter of the given name (the second one when the first is MARÍA or JOSÉ)
5-10  birth date YYMMDD
11    sex H / M
12-13 state of birth (DF for Mexico City, NE born abroad)
14-16 first inner consonant of first surname, second surname, given name
17    differentiator: 0-9 born before 2000, A-Z from 2000
18    check digit
====  ==========================================================================

Ñ is written X; particles (DE, LA, DEL, …) are skipped; "inconvenient" words get an X in position 2.

The check digit: each of the first 17 characters takes its index in ``0-9 A-N Ñ O-Z`` (0 … 36), weighted
18, 17, …, 2; the digit is ``(10 - sum mod 10) mod 10``. ``curp_check_digit`` and ``is_valid_curp`` are
pure functions linkage can reuse.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(CURP_ALPHABET)}
CURP_RE = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX]"
                     r"(AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)"
                     r"[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$")
STATES = ("AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS",
          "NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE")
_PARTICLES = {"DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS", "LE", "LES", "MAC",
              "MC", "VAN", "VON", "Y"}
_SKIP_FIRST = {"MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."}
_INCONVENIENT = set(
    "BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO FALO FETO GETA "
    "GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO "
    "LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO "
    "PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY".split())
_VOWELS = set("AEIOU")


def curp_check_digit(first17: str) -> str:
    """The 18th character of a CURP from its first 17 (raises ValueError on a character outside the alphabet)."""
    s = first17.upper()
    if len(s) != 17:
        raise ValueError("a CURP check digit needs exactly 17 characters")
    total = 0
    for i, c in enumerate(s):
        if c not in _VALUE:
            raise ValueError("character outside the CURP alphabet")
        total += _VALUE[c] * (18 - i)
    return str((10 - total % 10) % 10)


def is_valid_curp(curp: str | None) -> bool:
    """True when ``curp`` has the CURP structure, a real birth date and the right check digit."""
    if not curp:
        return False
    s = str(curp).strip().upper()
    if len(s) != 18 or not CURP_RE.match(s):
        return False
    yy, mm, dd = int(s[4:6]), int(s[6:8]), int(s[8:10])
    century = 2000 if s[16].isalpha() else 1900
    try:
        date(century + yy, mm, dd)
    except ValueError:
        return False
    return curp_check_digit(s[:17]) == s[17]


def curp_birth_date(curp: str) -> date | None:
    """The birth date a valid CURP carries, else None."""
    if not is_valid_curp(curp):
        return None
    s = curp.upper()
    century = 2000 if s[16].isalpha() else 1900
    return date(century + int(s[4:6]), int(s[6:8]), int(s[8:10]))


def _plain(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.upper().replace("Ñ", "X"))
    return "".join(c for c in s if not unicodedata.combining(c) and (c.isalpha() or c == " "))


@lru_cache(maxsize=65536)
def _word(name: str, skip_first: bool = False) -> str:
    parts = [p for p in _plain(name or "").split() if p not in _PARTICLES]
    if skip_first and len(parts) > 1 and parts[0] in _SKIP_FIRST:
        parts = parts[1:]
    return parts[0] if parts else ""


def _inner(word: str, vowels: bool) -> str:
    for c in word[1:]:
        if (c in _VOWELS) == vowels:
            return c
    return "X"


def build_curp(given_names: str, surname_1: str, surname_2: str | None, birth: date, sex: str,
               state: str = "DF", differentiator: str = "0") -> str:
    """A CURP for these data, with its check digit (``differentiator`` is position 17)."""
    s1, s2, g = _word(surname_1), _word(surname_2 or ""), _word(given_names, skip_first=True)
    s1 = s1 or "X"
    head = s1[0] + _inner(s1, True) + (s2[0] if s2 else "X") + (g[0] if g else "X")
    if head in _INCONVENIENT:
        head = head[0] + "X" + head[2:]
    body = (head + f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}" + sex + state
            + _inner(s1, False) + (_inner(s2, False) if s2 else "X") + (_inner(g, False) if g else "X")
            + differentiator)
    return body + curp_check_digit(body)
