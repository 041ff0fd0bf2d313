"""CURP and RFC validation: structure, check digit, embedded birth date and sex.

A CURP (Clave Única de Registro de Población, RENAPO) has 18 characters:
``AAAA YYMMDD S EE CCC D V`` — four letters from the names, the birth date, the sex (H/M, X since 2023),
the two-letter birth state (NE for born abroad), three internal consonants, a differentiator (a digit for
births up to 1999, a letter from 2000) and a check digit over the first 17 characters
(alphabet ``0-9 A-N Ñ O-Z``, weights 18..2, ``(10 - sum mod 10) mod 10``).

An RFC (SAT) of a person has 13 characters (four letters, YYMMDD, a three-character homoclave); of a
company 12 (three letters). Linkage compares the first 10 characters of a personal RFC, which do not
depend on the homoclave that SAT assigns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
STATES = {
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT",
    "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
}
_CURP = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$")
_RFC_PERSON = re.compile(r"^[A-ZÑ&]{4}\d{6}[A-Z0-9]{3}$")
_RFC_COMPANY = re.compile(r"^[A-ZÑ&]{3}\d{6}[A-Z0-9]{3}$")


@dataclass(frozen=True)
class Curp:
    """A CURP that passed validation, with what it says about its holder."""

    value: str
    birth_date: date
    sex: str  # H | M | X
    state: str


def check_digit(first17: str) -> int:
    """The CURP check digit of its first 17 characters."""
    total = 0
    for i, ch in enumerate(first17):
        total += ALPHABET.index(ch) * (18 - i)
    return (10 - total % 10) % 10


def parse_curp(value) -> Curp | None:
    """A validated CURP, or None when the structure, state, date or check digit is wrong."""
    if value is None:
        return None
    s = str(value).strip().upper().replace(" ", "")
    if len(s) != 18 or not _CURP.match(s):
        return None
    if s[11:13] not in STATES:
        return None
    try:
        if check_digit(s[:17]) != int(s[17]):
            return None
    except ValueError:
        return None
    yy, mm, dd = int(s[4:6]), int(s[6:8]), int(s[8:10])
    century = 1900 if s[16].isdigit() else 2000
    try:
        born = date(century + yy, mm, dd)
    except ValueError:
        return None
    return Curp(value=s, birth_date=born, sex=s[10], state=s[11:13])


def is_valid_curp(value) -> bool:
    return parse_curp(value) is not None


def with_check_digit(first17: str) -> str:
    """Complete 17 characters into a CURP (used to build test data)."""
    return first17 + str(check_digit(first17))


def rfc_key(value) -> str | None:
    """The comparable part of an RFC: the first 10 characters of a personal RFC, the whole RFC of a
    company; None when it does not have an RFC's shape."""
    if value is None:
        return None
    s = str(value).strip().upper().replace(" ", "").replace("-", "")
    if _RFC_PERSON.match(s):
        return s[:10]
    if _RFC_COMPANY.match(s):
        return s
    if len(s) >= 10 and _RFC_PERSON.match(s[:10] + "XXX"):
        return s[:10]  # an RFC recorded without its homoclave
    return None
