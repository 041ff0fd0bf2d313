"""Text keys for matching agency labels: accents, case, spacing and mangled encodings removed.

Agencies write the same label many ways: ``ROBO A CASA HABITACIÓN`` and ``ROBO A CASA HABITACION``,
``Tláhuac`` and ``TLAHUAC``, and, from exports that decoded UTF-8 bytes as latin-1 / cp1252,
``TlÃ¡huac``. Some of those exports were then written by R, which turned the C1 control characters
into the literal text ``<U+0093>`` (``VIOLACIÃ<U+0093>N``). :func:`fix_mojibake` undoes both;
:func:`label_key` gives the matching key used by every mapping table in this package.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_R_ESCAPE = re.compile(r"<U\+([0-9A-Fa-f]{4})>")
_SPACES = re.compile(r"\s+")
_DASH = re.compile(r"\s*-\s*")
_MOJIBAKE_HINT = re.compile("[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252/latin-1 (once), and R's ``<U+XXXX>`` escapes.

    >>> fix_mojibake("TlÃ¡huac")
    'Tláhuac'
    >>> fix_mojibake("VIOLACIÃ<U+0093>N")
    'VIOLACIÓN'
    """
    if "<U+" in text:
        text = _R_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if not _MOJIBAKE_HINT.search(text):
        return text
    raw = bytearray()
    for ch in text:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: latin-1 keeps them as bytes
            raw += ch.encode("latin-1") if ord(ch) < 256 else ch.encode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # a byte was lost on the way (e.g. 'TRÃNSITO' without its 0x81): decode what decodes,
        # and let a lone lead byte become the bare vowel it most likely was
        return raw.decode("utf-8", errors="replace").replace("\ufffd", "")


def label_key(text: object) -> str:
    """The matching key of a label: mojibake fixed, accents removed, upper case, single spaces,
    no spaces around hyphens. Ñ becomes N (keys are for matching, not for display)."""
    if text is None:
        return ""
    s = str(text)
    if s != s:  # NaN
        return ""
    s = unidecode(fix_mojibake(s)).upper()
    s = _SPACES.sub(" ", s).strip()
    return _DASH.sub("-", s)
