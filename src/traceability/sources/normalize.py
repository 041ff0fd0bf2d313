"""Vectorized normalizers shared by every adapter.

Every helper takes a pandas Series of strings (as `ingest` reads them: `str`, missing = "") and returns
Series aligned on the same index. Helpers that can fail on a value return `(parsed, bad_mask)`, where
`bad_mask` is True where the raw value was present but could not be parsed (an empty value is missing,
not bad); the adapter turns `bad_mask` into `Rejection`s or simply leaves the field NULL.

Speed: the costly work runs once per *distinct* value (`_per_unique`): a 1.3M-row file has a few thousand
distinct dates, so parsing costs milliseconds, and names cost one Python call per distinct name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

# -- basics ------------------------------------------------------------------------------------------

def clean(series: pd.Series) -> pd.Series:
    """Strings, stripped; NaN/None become ""."""
    s = series if series.dtype == object else series.astype(object)
    return s.where(s.notna(), "").astype(str).str.strip()


def present(series: pd.Series) -> pd.Series:
    """True where the raw value is not empty (after stripping)."""
    return clean(series) != ""


# Export artifacts that mean "no value": pandas' NaT/nan (also "NaT:00" from a time column), NULL, None.
_MISSING_RE = re.compile(r"^(?:NaT|nan|NaN|None|NULL|null|N/A|NA)(?::00)*$")


def drop_missing_tokens(series: pd.Series) -> pd.Series:
    """Stripped strings with export artifacts meaning "no value" (`NaT`, `nan`, `NULL`, `NaT:00`) -> ""."""
    s = clean(series)
    return _per_unique(s, lambda u: u.where(~u.astype(str).str.match(_MISSING_RE), ""), dtype=object)


def blank_to_none(series: pd.Series) -> pd.Series:
    """Stripped strings with "" turned into None (NULL in the warehouse)."""
    s = clean(series)
    return s.where(s != "", None)


def _distinct(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct values) of a column: codes -1 where NaN/None."""
    s = series if series.dtype == object else series.astype(object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype=object)


def _spread(codes: np.ndarray, values: pd.Series, index: pd.Index, fill, dtype) -> pd.Series:
    """Values computed per distinct value spread back to the rows (`fill` where the code is -1)."""
    arr = np.asarray(values.to_numpy(), dtype=dtype) if len(values) else np.empty(0, dtype=dtype)
    if (codes < 0).any():
        pad = np.array(["NaT"], dtype=dtype) if fill is pd.NaT else np.array([fill], dtype=dtype)
        arr = np.concatenate([arr, pad])
        codes = np.where(codes < 0, len(arr) - 1, codes)
    return pd.Series(arr[codes], index=index, dtype=dtype)


def _on_distinct(fn: Callable[[pd.Series], pd.Series | tuple], series: pd.Series):
    """`fn` (a vectorized, value-by-value normalizer) run on the distinct values of `series` only and
    spread back to its rows; NaN/None reach `fn` as "". `fn` may return a Series or a tuple of them."""
    codes, u = _distinct(series)
    if (codes < 0).any():
        u = pd.concat([u, pd.Series([""], dtype=object)], ignore_index=True)
        codes = np.where(codes < 0, len(u) - 1, codes)
    res = fn(u)

    def spread(r) -> pd.Series:
        arr = r.to_numpy() if isinstance(r, pd.Series) else np.asarray(r)
        return pd.Series(arr[codes] if len(arr) else arr[:0], index=series.index, dtype=arr.dtype)

    return tuple(spread(r) for r in res) if isinstance(res, tuple) else spread(res)


def _per_unique(series: pd.Series, fn: Callable[[pd.Series], pd.Series | np.ndarray], dtype=None) -> pd.Series:
    """Apply a vectorized `fn` to the distinct values only, then spread the result back."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) == 0:
        out = pd.Series([None] * len(series), index=series.index, dtype=dtype if dtype else object)
        return out
    res = fn(pd.Series(uniques, dtype=object))
    res = pd.Series(res).reset_index(drop=True)
    if (codes < 0).any():
        res = pd.concat([res, pd.Series([None], dtype=object)], ignore_index=True)
        if res.dtype == object and dtype is not None:
            res = res.astype(dtype)
        codes = np.where(codes < 0, len(res) - 1, codes)
    out = res.take(codes)
    out.index = series.index
    if dtype is not None and out.dtype != dtype:
        out = out.astype(dtype)
    return out


_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc]")


def _fix_one(v: str) -> str:
    if not isinstance(v, str) or not _MOJIBAKE.search(v):
        return v
    for enc in ("cp1252", "latin-1"):
        try:
            return v.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return v


def fix_mojibake(series: pd.Series) -> pd.Series:
    """Undo UTF-8 text that was decoded as latin-1/cp1252 once (`TlÃ¡huac` -> `Tláhuac`)."""
    s = clean(series)
    mask = s.str.contains(_MOJIBAKE, regex=True)
    if not mask.any():
        return s
    s = s.copy()
    s[mask] = _per_unique(s[mask], lambda u: u.map(_fix_one))
    return s


# -- dates and times ---------------------------------------------------------------------------------

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d", "%d-%m-%Y", "%Y%m%d", "%Y-%m-%dT%H:%M",
)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_RE = re.compile(r"^\d{4,5}(\.\d+)?$")
_ISO_TAIL = re.compile(r"(?<=\d{2}:\d{2}:\d{2})\.\d+")


def _parse_dates_unique(u: pd.Series, formats: Sequence[str], excel: bool) -> pd.Series:
    s = u.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    # ISO with T/Z: drop fractional seconds; Z (UTC) converted to local (naive) time below.
    is_utc = s.str.endswith("Z")
    s = s.str.replace(_ISO_TAIL, "", regex=True).str.replace(r"(Z|[+-]00:?00)$", "", regex=True)
    todo = s != ""
    for fmt in formats:
        if not todo.any():
            break
        p = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = p.notna()
        out.loc[p.index[ok]] = p[ok].astype("datetime64[ns]")
        todo.loc[p.index[ok]] = False
    if excel and todo.any():
        cand = s[todo]
        cand = cand[cand.str.match(_EXCEL_RE)]
        if len(cand):
            num = pd.to_numeric(cand, errors="coerce")
            num = num[(num >= 10000) & (num < 80000)]   # 1927 .. 2119: never a year, never a count
            out.loc[num.index] = EXCEL_EPOCH + pd.to_timedelta(num, unit="D").round("s")
    if is_utc.any():
        utc = out[is_utc & out.notna()]
        if len(utc):
            try:
                local = utc.dt.tz_localize("UTC").dt.tz_convert("America/Mexico_City").dt.tz_localize(None)
                out.loc[local.index] = local
            except Exception:  # no tz database: keep UTC wall time
                pass
    return out


def parse_dates(series: pd.Series, formats: Sequence[str] | None = None, excel: bool = True,
                min_year: int = 1900, max_year: int = 2100) -> tuple[pd.Series, pd.Series]:
    """Parse dates or timestamps written in any agency habit.

    Accepts `YYYY-MM-DD`, `DD/MM/YYYY`, `YYYY-MM-DD HH:MM:SS` (also `... 00:00:00`), ISO 8601 with `T`,
    fractional seconds and `Z` (UTC, converted to Mexico City local time), and Excel serial day numbers
    (`45123`, `45123.5`; only when `excel`). An impossible date (`2024-02-30`) or a year outside
    [min_year, max_year] is bad.

    Returns
    -------
    parsed : Series[datetime64[ns]] (NaT where missing or bad)
    bad_mask : Series[bool], True where a value was present but not a valid date
    """
    fmts = tuple(formats) if formats else DATE_FORMATS
    codes, u = _distinct(series)
    raw = drop_missing_tokens(u)
    parsed = pd.Series(pd.to_datetime(_parse_dates_unique(raw, fmts, excel)), index=raw.index)
    out_of_range = parsed.notna() & ((parsed.dt.year < min_year) | (parsed.dt.year > max_year))
    parsed = parsed.mask(out_of_range)
    bad = (raw != "") & parsed.isna()
    return (_spread(codes, parsed, series.index, pd.NaT, "datetime64[ns]"),
            _spread(codes, bad, series.index, False, bool))


_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.:]\d+)*)?\s*(?:(AM|PM|A\.M\.|P\.M\.))?$", re.I)
_SECONDS_RE = re.compile(r"^\d+(\.\d+)?$")


def _parse_times_unique(u: pd.Series) -> pd.Series:
    s = u.astype(str).str.strip().str.upper()
    out = pd.Series(pd.NaT, index=s.index, dtype="timedelta64[ns]")
    m = s.str.extract(_TIME_RE)
    hh = pd.to_numeric(m[0], errors="coerce")
    mm = pd.to_numeric(m[1], errors="coerce")
    ss = pd.to_numeric(m[2], errors="coerce").fillna(0)
    ampm = m[3].fillna("").str.replace(".", "", regex=False)
    hh = hh.where(~((ampm == "PM") & (hh < 12)), hh + 12)
    hh = hh.where(~((ampm == "AM") & (hh == 12)), 0)
    ok = hh.notna() & (hh < 24) & (mm < 60) & (ss < 60)
    secs = hh * 3600 + mm * 60 + ss
    out[ok] = pd.to_timedelta(secs[ok], unit="s")
    num_mask = ~ok & s.str.match(_SECONDS_RE)
    if num_mask.any():
        num = pd.to_numeric(s[num_mask], errors="coerce")
        num = num[(num >= 0) & (num < 86400)]
        out.loc[num.index] = pd.to_timedelta(num.round(), unit="s")
    return out


def parse_times(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a time of day: `HH:MM`, `HH:MM:SS`, `06:30:00:00` (extra `:00` ignored), `1:05 PM`, and seconds
    since midnight (`70200.0` -> 19:30). Returns (timedelta since midnight, bad_mask).

    A full timestamp (`2024-11-11T03:40:00.000Z`) is *not* a time of day and comes back bad: some exports
    put the export time there, so the adapter decides what it means.
    """
    codes, u = _distinct(series)
    raw = drop_missing_tokens(u)
    parsed = pd.Series(pd.to_timedelta(_parse_times_unique(raw)), index=raw.index)
    bad = (raw != "") & parsed.isna()
    return (_spread(codes, parsed, series.index, pd.NaT, "timedelta64[ns]"),
            _spread(codes, bad, series.index, False, bool))


def combine_datetime(dates: pd.Series, times: pd.Series) -> pd.Series:
    """A date plus a time of day. Where the time is missing the date is kept as is (so a date that already
    carries a time keeps it); where the time is present it replaces the date's own time."""
    d = pd.to_datetime(dates)
    t = pd.to_timedelta(times)
    return d.where(t.isna(), d.dt.normalize() + t)


# -- names ---------------------------------------------------------------------------------------------

_N_TILDE = "\ue000"


def _name_upper_unique(u: pd.Series, keep_digits: bool = True, keep: str = "") -> pd.Series:
    s = u.astype(str).map(_fix_one)
    s = s.str.replace("ñ", _N_TILDE, regex=False).str.replace("Ñ", _N_TILDE, regex=False)
    s = s.str.upper().str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    s = s.str.replace(_N_TILDE, "Ñ", regex=False)
    s = s.str.replace(r"['`´’]", "", regex=True)
    allowed = "A-Z0-9Ñ" if keep_digits else "A-ZÑ"
    s = s.str.replace(f"[^{allowed}{re.escape(keep)} ]", " ", regex=True)
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    return s.where(s != "", None)


def name_upper(series: pd.Series) -> pd.Series:
    """Names in the canonical form: upper case, accents removed, Ñ kept, punctuation removed, single spaces.
    Double-encoded UTF-8 is repaired first. Empty -> None."""
    return _on_distinct(lambda u: _name_upper_unique(clean(u)), series)


PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "DA", "DI", "DO", "DOS", "VAN", "VON", "MC", "MAC"})
# Words that, second in a three-word "given-first" name, are almost always part of a compound given name
# (JOSE LUIS PEREZ: given JOSE LUIS) rather than a paternal surname.
SECOND_GIVEN = frozenset({
    "LUIS", "GUADALUPE", "MARIA", "JOSE", "ANTONIO", "MANUEL", "ANGEL", "FERNANDA", "ISABEL", "ALEJANDRO",
    "EDUARDO", "FRANCISCO", "JAVIER", "ALBERTO", "ARMANDO", "CARLOS", "DANIEL", "DAVID", "ENRIQUE", "GABRIEL",
    "IGNACIO", "JESUS", "JUAN", "MIGUEL", "PABLO", "RAFAEL", "RAMON", "RICARDO", "ROBERTO", "ALFREDO",
    "ANDREA", "ELENA", "EUGENIA", "ESTHER", "FERNANDO", "GUILLERMO", "LUISA", "PATRICIA", "TERESA", "JOSEFINA",
    "CONCEPCION", "DOLORES", "SOLEDAD", "VICTORIA", "ALEJANDRA", "CRISTINA", "GABRIELA", "MARGARITA",
})


def _units_from_right(tokens: list[str]) -> list[str]:
    """Group surname particles with the word they precede: [..., 'DE', 'LA', 'CRUZ'] -> [..., 'DE LA CRUZ']."""
    units: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        j = i
        while j - 1 >= 0 and tokens[j - 1] in PARTICLES:
            j -= 1
        units.insert(0, " ".join(tokens[j:i + 1]))
        i = j - 1
    return units


def _units_from_left(tokens: list[str], n: int) -> tuple[list[str], list[str]]:
    """Take up to `n` surname units from the left (particles attach to the following word)."""
    units: list[str] = []
    i = 0
    while i < len(tokens) and len(units) < n:
        j = i
        while j < len(tokens) - 1 and tokens[j] in PARTICLES:
            j += 1
        units.append(" ".join(tokens[i:j + 1]))
        i = j + 1
    return units, tokens[i:]


def _split_given_first(name: str | None) -> tuple[str | None, str | None, str | None]:
    if not name:
        return None, None, None
    tokens = name.split(" ")
    if len(tokens) == 1:
        return tokens[0], None, None
    units = _units_from_right(tokens)
    # Particles at the very start belong to the given names (DE JESUS is rare first; keep it simple).
    if len(units) == 2:
        return units[0], units[1], None
    if len(units) == 3 and len(tokens) == 3 and tokens[1] in SECOND_GIVEN:
        return f"{tokens[0]} {tokens[1]}", tokens[2], None
    given = " ".join(units[:-2])
    return given or None, units[-2], units[-1]


def _split_surname_first(name: str | None) -> tuple[str | None, str | None, str | None]:
    if not name:
        return None, None, None
    tokens = name.split(" ")
    if len(tokens) == 1:
        return None, tokens[0], None
    if len(tokens) == 2:
        return tokens[1], tokens[0], None
    (s1, *rest), given = _units_from_left(tokens, 2)
    s2 = rest[0] if rest else None
    if not given:  # "PEREZ DE LA CRUZ" with no given name left: the last unit was the given name
        given_tokens = (s2 or "").split(" ")
        return given_tokens[-1] or None, s1, " ".join(given_tokens[:-1]) or None
    return " ".join(given), s1, s2


def split_full_name(series: pd.Series, order: str = "given_first") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Split a whole-name column into (given_names, surname_1, surname_2), all in `name_upper` form.

    `order="given_first"`: "MARIA GUADALUPE PEREZ DE LA CRUZ" -> ("MARIA GUADALUPE", "PEREZ", "DE LA CRUZ").
    `order="surname_first"`: "PEREZ DE LA CRUZ MARIA GUADALUPE" -> same. Particles (DE, DEL, DE LA, DE LOS,
    ...) stay with the surname that follows them. A three-word given-first name whose middle word is a
    common second given name (JOSE LUIS PEREZ) is read as compound given name + one surname.
    """
    if order not in ("given_first", "surname_first"):
        raise ValueError(f"order must be 'given_first' or 'surname_first', not {order!r}")
    norm = name_upper(series)
    fn = _split_given_first if order == "given_first" else _split_surname_first
    codes, uniques = pd.factorize(norm, use_na_sentinel=True)
    parts = [fn(u) for u in uniques] + [(None, None, None)]
    arr = np.empty((len(parts), 3), dtype=object)
    for i, p in enumerate(parts):
        arr[i] = p
    codes = np.where(codes < 0, len(parts) - 1, codes)
    taken = arr[codes]
    idx = series.index
    return (pd.Series(taken[:, 0], index=idx, dtype=object), pd.Series(taken[:, 1], index=idx, dtype=object),
            pd.Series(taken[:, 2], index=idx, dtype=object))


def split_surnames(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split an `apellidos` column ("PEREZ DE LA CRUZ") into (surname_1, surname_2)."""
    norm = name_upper(series)

    def one(v):
        if not v:
            return (None, None)
        units, rest = _units_from_left(v.split(" "), 1)
        return (units[0], " ".join(rest) or None)

    codes, uniques = pd.factorize(norm, use_na_sentinel=True)
    parts = [one(u) for u in uniques] + [(None, None)]
    arr = np.empty((len(parts), 2), dtype=object)
    for i, p in enumerate(parts):
        arr[i] = p
    codes = np.where(codes < 0, len(parts) - 1, codes)
    taken = arr[codes]
    return (pd.Series(taken[:, 0], index=series.index, dtype=object),
            pd.Series(taken[:, 1], index=series.index, dtype=object))


# -- categorical values ----------------------------------------------------------------------------

_SEX = {"H": "H", "HOMBRE": "H", "MASCULINO": "H", "MASC": "H", "VARON": "H", "HOMBRES": "H",
        "M": "M", "MUJER": "M", "FEMENINO": "M", "FEM": "M", "F": "M", "MUJERES": "M"}


def parse_sex(series: pd.Series) -> pd.Series:
    """H/M, HOMBRE/MUJER, Masculino/Femenino (any case, accents) -> "H" / "M"; anything else -> None.

    `M` means mujer (the H/M convention of the agencies); `F` is read as femenino."""
    norm = name_upper(series)
    return norm.map(_SEX).astype(object).where(lambda x: x.notna(), None)


_TRUE = {"SI", "S", "YES", "Y", "TRUE", "VERDADERO", "1", "1.0"}
_FALSE = {"NO", "N", "FALSE", "FALSO", "0", "0.0"}


def parse_bool_si_no(series: pd.Series) -> pd.Series:
    """SI/SÍ/S/TRUE/1 -> True, NO/N/FALSE/0 -> False, else <NA> (pandas "boolean" dtype)."""
    norm = name_upper(series).fillna("")
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[norm.isin(_TRUE)] = True
    out[norm.isin(_FALSE)] = False
    return out


# -- numbers -------------------------------------------------------------------------------------------

def parse_float(series: pd.Series) -> pd.Series:
    """Numbers as float64 (NaN where missing or not a number). Thousands commas and `$` are removed;
    a decimal comma (`19,4326`) is read as a decimal point when there is no dot. Each distinct text is
    parsed once."""
    codes, u = _distinct(series)
    return _spread(codes, _parse_float_unique(u), series.index, np.nan, "float64")


def _parse_float_unique(u: pd.Series) -> pd.Series:
    s = clean(u)
    filled = s != ""
    try:  # plain numbers (the usual case): one C-level conversion
        out = np.full(len(s), np.nan)
        out[filled.to_numpy()] = s[filled].to_numpy().astype("float64")
        return pd.Series(out, index=s.index)
    except (ValueError, TypeError):
        pass
    if s.str.contains(r"[,$\s]", regex=True).any():
        s = s.str.replace("$", "", regex=False).str.replace(" ", "", regex=False)
        decimal_comma = ~s.str.contains(".", regex=False) & s.str.match(r"^-?\d+,\d+$")
        s = s.where(~decimal_comma, s.str.replace(",", ".", regex=False))
        s = s.str.replace(",", "", regex=False)
    return pd.to_numeric(s.where(s != "", None), errors="coerce").astype("float64")


def parse_int(series: pd.Series) -> pd.Series:
    """Integers (pandas Int64), also when written as floats ("8324870.0"). A non-integral number or a
    non-number gives <NA>; use `bad_mask(series, result)` to find them."""
    f = parse_float(series)
    integral = f.notna() & np.isfinite(f) & (f == np.floor(f)) & (f.abs() < 2**62)
    return f.where(integral).astype("Int64")


def bad_mask(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """True where a raw value was present but its parse failed."""
    return present(raw) & pd.Series(parsed, index=raw.index).isna()


def int_text(series: pd.Series) -> pd.Series:
    """An identifier written as a number, as canonical text: "8324870.0" -> "8324870"; other text kept."""
    s = clean(series)
    m = s.str.match(r"^-?\d+\.0+$")
    s = s.where(~m, s.str.replace(r"\.0+$", "", regex=True))
    return s.where(s != "", None)


# -- contact, identity, places ------------------------------------------------------------------------

def normalize_phone(series: pd.Series) -> pd.Series:
    """Digits only, the last 10 (drops +52, 044, 01...). Fewer than 10 digits -> None."""
    def one(u: pd.Series) -> pd.Series:
        s = clean(u).str.replace(r"\.0+$", "", regex=True).str.replace(r"\D", "", regex=True)
        s = s.str[-10:]
        return s.where(s.str.len() == 10, None)

    return _on_distinct(one, series)


def normalize_curp(series: pd.Series) -> pd.Series:
    """CURP/RFC: upper case, no spaces or punctuation; kept even when invalid (linkage validates)."""
    def one(u: pd.Series) -> pd.Series:
        s = clean(u).str.upper().str.replace(r"[\s\-\.]", "", regex=True)
        return s.where(s != "", None)

    return _on_distinct(one, series)


def parse_geopoint(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A `geopoint` column "lat,lon" (also "(lat, lon)" or "lat lon") -> (lat, lon) float64."""
    def one(u: pd.Series) -> tuple[pd.Series, pd.Series]:
        s = clean(u).str.strip("()[] ")
        plain = s.str.fullmatch(r"-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?")
        if len(s) and plain.all():  # the usual "19.43,-99.13": split once, convert in C
            lat, lon = s.str.partition(",")[[0, 2]].to_numpy().astype("float64").T
            return pd.Series(lat, index=s.index), pd.Series(lon, index=s.index)
        parts = s.str.extract(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")
        return (pd.to_numeric(parts[0], errors="coerce").astype("float64"),
                pd.to_numeric(parts[1], errors="coerce").astype("float64"))

    return _on_distinct(one, series)


_ADDRESS_ABBREV = [
    (r"\bAV\b|\bAVE\b|\bAVDA\b", "AVENIDA"), (r"\bCDA\b", "CERRADA"), (r"\bPRIV\b|\bPRIVA\b", "PRIVADA"),
    (r"\bCALZ\b", "CALZADA"), (r"\bCOL\b", "COLONIA"), (r"\bBLVD\b", "BOULEVARD"), (r"\bAND\b", "ANDADOR"),
    (r"\bPROL\b", "PROLONGACION"), (r"\bNUM\b|\bNO\b|\bNUMERO\b", ""), (r"\bS N\b|\bSN\b", "SN"),
    (r"\bMZ\b|\bMZA\b", "MANZANA"), (r"\bLT\b", "LOTE"), (r"\bINT\b", "INTERIOR"), (r"\bEDIF\b", "EDIFICIO"),
    (r"\bDEPTO\b|\bDPTO\b", "DEPARTAMENTO"), (r"\bC\b(?= [A-Z])", "CALLE"),
]


def _address_unique(u: pd.Series) -> pd.Series:
    s = _name_upper_unique(u).fillna("")
    for pat, rep in _ADDRESS_ABBREV:
        s = s.str.replace(pat, rep, regex=True)
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    return s.where(s != "", None)


def address_norm(series: pd.Series) -> pd.Series:
    """An address for comparison: `name_upper` form with the usual abbreviations expanded
    (AV. -> AVENIDA, CDA -> CERRADA, COL. -> COLONIA, No. dropped, S/N -> SN, MZ/LT -> MANZANA/LOTE)."""
    return _on_distinct(lambda u: _address_unique(clean(u)), series)


def join_nonempty(*cols: pd.Series, sep: str = " ") -> pd.Series:
    """Join several string columns, skipping empty parts (e.g. calle_hechos + calle_hechos2)."""
    parts = [clean(c) for c in cols]
    out = parts[0]
    for p in parts[1:]:
        out = out.where(p == "", (out + sep + p).where(out != "", p))
    return out.where(out != "", None)
