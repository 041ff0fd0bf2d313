"""Crime taxonomy: canonical crime codes, every agency's raw labels mapped to them, harm weights.

Each source names crimes its own way (FGJ ``delito``, C5 ``incidente_c4``, SSC ``motivo``, the ER
form's intentionality plus ICD-10 external-cause codes, CJM violence types, commission topics).
This package maps every raw label to one canonical code of ``data/crime_codes.csv``; analyses compare
crime *types* by ``crime_group`` (violent and non-violent variants share a group). A label with no
mapping gives ``None`` and is reported by :func:`unmapped`, never guessed.

The mappings and weights are data, not code: ``data/labels_<source>.csv`` and
``data/crime_codes.csv`` (harm weights versioned in ``data/VERSION``); ``data/README.md`` explains them.

Public calls
------------
``map_label(source, raw) -> code | None``, ``map_series(source, series) -> Series``,
``crime_group(code)``, ``harm_days(code)``, ``codes() -> DataFrame``, ``groups()``,
``load_into(wh)``, ``unmapped(wh)``, ``GENDER_VIOLENCE_GROUPS``, ``BURGLARY_GROUP``, ``VERSION``.

Notes
-----
The harm weight follows the Cambridge Crime Harm Index :cite:`sherman2016cambridge`: the minimum
prison term (days) the Mexico City penal code sets for the basic offence, fines converted to days
(one *día multa* = one day), non-crimes 0.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

from ..errors import UsageError
from .normalize import fix_mojibake, label_key

DATA = Path(__file__).parent / "data"
VERSION = (DATA / "VERSION").read_text(encoding="utf-8").strip()

GENDER_VIOLENCE_GROUPS = frozenset({"FEMINICIDIO", "VIOLACION", "ABUSO_SEXUAL", "VIOLENCIA_FAMILIAR", "TRATA"})
BURGLARY_GROUP = "ROBO_CASA_HABITACION"

# source id -> label files tried in order (the source's own vocabulary first). Internal extracts of
# the prosecutor, courts and prisons write FGJ-style `delito` labels; police may write either.
_FGJ = ("labels_fgj.csv", "labels_ssc_detenciones.csv")
SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "fgj_carpetas": _FGJ,
    "fgj_victimas": _FGJ,
    "fgj_imputados": _FGJ,
    "tsj_causas": _FGJ,
    "penitenciario": _FGJ,
    "fgj_categoria": ("labels_fgj_categoria.csv",),
    "c5_911": ("labels_c5_911.csv",),
    "ssc_detenciones": ("labels_ssc_detenciones.csv", "labels_fgj.csv"),
    "comisiones_seguridad": ("labels_comisiones_seguridad.csv",),
    "cjm_casos": ("labels_cjm_casos.csv",),
    "ssa_lesiones": ("labels_ssa_lesiones.csv",),
}
SOURCES = tuple(SOURCE_TABLES)

__all__ = [
    "BURGLARY_GROUP", "GENDER_VIOLENCE_GROUPS", "SOURCES", "VERSION", "codes", "crime_group", "fix_mojibake",
    "groups", "harm_days", "is_gender_violence", "label_key", "load_into", "map_cjm", "map_label", "map_series",
    "unmapped",
]


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _codes() -> dict[str, dict]:
    out = {}
    for r in _read_csv("crime_codes.csv"):
        r["harm_days"] = int(r["harm_days"])
        r["high_impact"] = r["high_impact"].strip().lower() == "true"
        out[r["code"]] = r
    return out


@cache
def _table(name: str) -> dict[str, str | None]:
    """label key -> code ('' in the file means: known label, deliberately no code)."""
    known = _codes()
    out: dict[str, str | None] = {}
    for r in _read_csv(name):
        code = (r.get("code") or "").strip() or None
        if code is not None and code not in known:
            raise ValueError(f"{name}: label {r['label']!r} maps to unknown code {code!r}")
        out[label_key(r["label"])] = code
    return out


def codes():
    """The canonical codes as a DataFrame (``code, crime_group, name_es, name_en, inegi_class,
    high_impact, high_impact_category, harm_days, article, note, version``)."""
    import pandas as pd

    df = pd.DataFrame(list(_codes().values()))
    df["version"] = VERSION
    return df


def groups() -> list[str]:
    """Every crime_group, in file order."""
    return list(dict.fromkeys(r["crime_group"] for r in _codes().values()))


def _row(code: str) -> dict:
    try:
        return _codes()[code]
    except KeyError:
        raise UsageError(f"unknown crime code {code!r}: see taxonomy/data/crime_codes.csv") from None


def crime_group(code: str | None) -> str | None:
    """The crime_group of a code (``None`` for ``None``)."""
    return None if code is None else _row(code)["crime_group"]


def harm_days(code: str | None) -> int | None:
    """Harm weight of a code: minimum prison term in days (``None`` for ``None``)."""
    return None if code is None else _row(code)["harm_days"]


def is_gender_violence(code: str | None) -> bool:
    return code is not None and crime_group(code) in GENDER_VIOLENCE_GROUPS


# -- the ER rule table ----------------------------------------------------------------------------------
_ICD = re.compile(r"^([A-Z])(\d{2})(?:\.?(\d))?")


def _icd_value(code: str) -> float | None:
    """'Y07.0' -> ord('Y')*1000 + 70.0; comparable for ranges such as 'X85-Y09'."""
    m = _ICD.match(code.replace(" ", "").upper())
    if not m:
        return None
    return ord(m.group(1)) * 1000 + int(m.group(2)) * 10 + (int(m.group(3)) if m.group(3) else 0) / 10


def _icd_matches(pattern: str, code: str) -> bool:
    if pattern == "*":
        return True
    if not code:
        return False
    v = _icd_value(code)
    if v is None:
        return False
    if "-" in pattern:
        lo, hi = pattern.split("-")
        lo_v, hi_v = _icd_value(lo), _icd_value(hi)
        hi_v = hi_v + 9.9 if "." not in hi else hi_v  # 'Y09' covers Y09.0..Y09.9
        return lo_v <= v <= hi_v
    p = _icd_value(pattern)
    if "." in pattern:
        return abs(v - p) < 1e-9
    return p <= v < p + 10


@lru_cache(maxsize=1)
def _ssa_rules() -> list[tuple[str, str, str, str]]:
    known = _codes()
    rules = []
    for r in _read_csv("labels_ssa_lesiones.csv"):
        if r["code"] not in known:
            raise ValueError(f"labels_ssa_lesiones.csv: unknown code {r['code']!r}")
        rules.append((label_key(r["label"]), label_key(r["tipo_violencia"]), r["cie10_causa_externa"].strip(),
                      r["code"]))
    return rules


def _map_ssa(raw: str) -> str | None:
    parts = [p.strip() for p in str(raw).split("|")] + ["", ""]
    intent, tipo, icd = label_key(parts[0]), label_key(parts[1]), parts[2].replace(" ", "").upper()
    for r_intent, r_tipo, r_icd, code in _ssa_rules():
        if r_intent != "*" and r_intent != intent:
            continue
        if r_tipo != "*" and r_tipo != tipo:
            continue
        if not _icd_matches(r_icd, icd):
            continue
        if r_intent == "*" and r_tipo == "*" and r_icd == "*":
            continue
        return code
    return None


# -- CJM: several violence types joined by '|' -------------------------------------------------------------
@lru_cache(maxsize=1)
def _cjm() -> dict[str, tuple[int, str, str]]:
    return {label_key(r["label"]): (int(r["severity_rank"]), r["code"], r["code_no_familiar"])
            for r in _read_csv("labels_cjm_casos.csv")}


_FAMILY_MODALITIES = {"", "FAMILIAR", "PAREJA"}


def map_cjm(tipo_violencia: str | None, modalidad: str | None = None) -> str | None:
    """Code of a CJM case from its violence types (``'FISICA|SEXUAL'``): the most severe type decides.
    With ``modalidad`` COMUNITARIA, LABORAL or DIGITAL (violence outside family and partner), the
    non-family code of that type is used (e.g. FISICA -> LESIONES_DOLOSAS)."""
    if tipo_violencia is None:
        return None
    table = _cjm()
    found = [table[k] for k in (label_key(t) for t in str(tipo_violencia).split("|")) if k in table]
    if not found:
        return None
    _, code, code_other = min(found)
    return code if label_key(modalidad) in _FAMILY_MODALITIES else code_other


# -- the public mapping -----------------------------------------------------------------------------------
def _check_source(source: str) -> tuple[str, ...]:
    try:
        return SOURCE_TABLES[source]
    except KeyError:
        raise UsageError(f"no crime labels for source {source!r}: known sources are {', '.join(SOURCES)}") from None


def map_label(source: str, raw: object) -> str | None:
    """The canonical code of a raw crime label of ``source``, or ``None`` when unknown or empty.

    Matching ignores accents, case, spacing and double-encoded UTF-8. For ``ssa_lesiones`` the raw
    value is ``'INTENCIONALIDAD|TIPO_VIOLENCIA|CIE10_CAUSA_EXTERNA'`` (the last parts may be
    empty or absent); for ``cjm_casos`` it is the ``tipo_violencia`` field (``'FISICA|SEXUAL'``).
    """
    tables = _check_source(source)
    key = label_key(raw)
    if not key:
        return None
    if source == "ssa_lesiones":
        return _map_ssa(str(raw))
    if source == "cjm_casos":
        return map_cjm(str(raw))
    for name in tables:
        t = _table(name)
        if key in t:
            return t[key]
    return None


def map_series(source: str, raw):
    """Vectorized :func:`map_label` over a pandas Series (each distinct label is mapped once)."""
    import pandas as pd

    _check_source(source)
    s = pd.Series(raw)
    uniq = pd.unique(s.dropna())
    lookup = {u: map_label(source, u) for u in uniq}
    return s.map(lookup).astype(object).where(s.notna(), None)


# -- warehouse --------------------------------------------------------------------------------------------
def load_into(wh) -> int:
    """Write (replace) table ``crime_code`` in the warehouse; returns the number of codes."""
    df = codes()
    wh.execute(
        "CREATE OR REPLACE TABLE crime_code (code VARCHAR PRIMARY KEY, crime_group VARCHAR NOT NULL, "
        "name_es VARCHAR, name_en VARCHAR, inegi_class VARCHAR, high_impact BOOLEAN, "
        "high_impact_category VARCHAR, harm_days INTEGER NOT NULL, article VARCHAR, note VARCHAR, "
        "version VARCHAR NOT NULL)")
    return wh.insert_frame("crime_code", df)


def unmapped(wh) -> list[dict]:
    """Raw crime labels seen in ``event.crime_raw`` whose event has no ``crime`` code:
    ``[{source, label, count}]``, most frequent first."""
    rows = wh.query(
        "SELECT source, crime_raw, count(*) AS n FROM event "
        "WHERE crime IS NULL AND crime_raw IS NOT NULL AND trim(crime_raw) <> '' "
        "GROUP BY source, crime_raw ORDER BY n DESC, source, crime_raw")
    return [{"source": s, "label": lab, "count": int(n)} for s, lab, n in rows]
