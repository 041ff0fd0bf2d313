"""Machinery shared by the nine internal-agency adapters (SSC, FGJ imputados, TSJ, prisons, CJM, SSA, UIF,
security commissions, communications).

Each adapter declares its schema with `schema()` and writes its `normalize` as a sequence of typed column
reads on a `Rows` object. A read that fails validation (missing key, duplicate key, impossible date,
unparsable number, coordinates outside the city…) records one `Rejection` per line, naming the line, the
column, the raw value and the reason; a line is rejected at most once (its first problem). `Rows.events()` and
`Rows.mentions()` assemble the canonical frames (`EVENT_COLUMNS`, `MENTION_COLUMNS`) without the rejected
lines. Everything is vectorized: extracts reach 10^6 rows.

The value-level normalization (dates, names, sexes, phones, case keys, places, crimes) is not here: it is the
shared `sources.normalize`, `sources.casekeys`, `geo` and `taxonomy` helpers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..base import EVENT_COLUMNS, MENTION_COLUMNS, Adapter, Normalized, Rejection, SchemaVersion

_ACCENTS = str.maketrans("ÁÉÍÓÚÜÀÈÌÒÙÂÊÎÔÛÄËÏÖáéíóúüàèìòùâêîôûäëïö", "AEIOUUAEIOUAEIOUAEIOaeiouuaeiouaeiouaeio")

# Forms of Mexican legal persons (after punctuation is removed): S.A. de C.V., S. de R.L., S.C., A.C., SAPI, …
_LEGAL_FORM = (r"(?:^|\s)(?:S\s?A(?:\s?P\s?I)?(?:\s?B)?(?:\s?DE\s?C\s?V)?|S\s?DE\s?R\s?L(?:\s?DE\s?C\s?V)?"
               r"|S\s?C(?:\s?DE\s?(?:R\s?L|C\s?V))?|A\s?C|S\s?C\s?L|S\s?N\s?C|S\s?A\s?S|SOFOM(?:\s?E\s?N\s?R)?"
               r"|I\s?A\s?P|S\s?P\s?R(?:\s?DE\s?R\s?L)?)$")
_LEGAL_WORDS = (r"\b(?:SOCIEDAD|COMERCIALIZADORA|CONSTRUCTORA|INMOBILIARIA|INDUSTRIAS|CORPORATIVO|GRUPO"
                r"|SERVICIOS|ASOCIACION|FUNDACION|DISTRIBUIDORA|IMPORTADORA|EXPORTADORA|BANCO|CASA DE CAMBIO"
                r"|CONSULTORES|CONSULTORIA|TRANSPORTES|INVERSIONES|HOLDING|LOGISTICA)\b")


def schema(name: str, columns: str) -> SchemaVersion:
    """A version whose header is `columns` (comma-separated, as in formats/README.md); key = first column."""
    cols = tuple(c.strip() for c in columns.split(",") if c.strip())
    return SchemaVersion(name=name, required=frozenset(cols), columns=cols, key=cols[0])


def none_if_empty(s: pd.Series) -> pd.Series:
    """Object series with "" / NaN / None turned into None."""
    s = s.astype(object)
    return s.where(s.notna() & (s != ""), None)


def per_distinct(s: pd.Series, fn) -> pd.Series:
    """Apply a vectorized string function to the distinct values of `s` only, then spread the result back
    (agency columns hold few distinct values: 10^6 rows, a few hundred labels)."""
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype=object)
    codes, uniques = pd.factorize(s if s.dtype == object else s.astype(object), use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object).astype(str)
    if (codes < 0).any():  # NaN / None count as ""
        u = pd.concat([u, pd.Series([""], dtype=object)], ignore_index=True)
        codes = np.where(codes < 0, len(u) - 1, codes)
    done = np.asarray(fn(u), dtype=object)
    return pd.Series(done[codes], index=s.index, dtype=object)


def _category_distinct(u: pd.Series) -> pd.Series:
    out = u.str.upper().str.translate(_ACCENTS).str.replace(r"\s+", " ", regex=True).str.strip()
    return out.where(out != "", None)


def category(s: pd.Series) -> pd.Series:
    """A categorical value as the contract writes them: upper case, accents removed (Ñ kept), single spaces."""
    return per_distinct(s, _category_distinct)


def text(s: pd.Series) -> pd.Series:
    """Free text kept as written, trimmed, None when empty."""
    return none_if_empty(per_distinct(s, lambda u: u.str.strip()))


def split_list(s: pd.Series, sep: str = "|") -> pd.Series:
    """'A|B| c' -> ['A', 'B', 'C'] (normalized as `category`), None when empty."""
    items = s.fillna("").astype(str).str.split(sep, regex=False).explode()
    norm = category(items)
    lists = norm.dropna().groupby(level=0).agg(list)
    return lists.reindex(s.index).astype(object).where(lambda x: x.notna(), None)


def is_business_name(name: pd.Series, rfc: pd.Series | None = None) -> pd.Series:
    """Legal persons: a normalized name ending in a company form (SA DE CV, S DE RL, AC…) or holding a word only
    companies use, or a 12-character RFC (persons morales; natural persons have 13)."""
    n = name.fillna("").astype(str)
    out = n.str.contains(_LEGAL_FORM, regex=True) | n.str.contains(_LEGAL_WORDS, regex=True)
    if rfc is not None:
        r = rfc.fillna("").astype(str).str.replace(r"[\s-]", "", regex=True)
        out |= r.str.fullmatch(r"[A-Z&Ñ]{3}\d{6}[A-Z0-9]{3}")
    return out.fillna(False).astype(bool)


def business_name(name: pd.Series) -> pd.Series:
    """A company's name in `name_upper` form with its legal form's letters joined again
    ("S. A. de C. V." -> "SA DE CV", "S. de R.L." -> "S DE RL") so both spellings compare equal."""
    return none_if_empty(name.fillna("").astype(str).str.replace(r"\b([A-Z]) (?=[A-Z]\b)", r"\1", regex=True))


def age_at(birth: pd.Series, when: pd.Series) -> pd.Series:
    """Whole years between two datetime series (Int64; <NA> where either is missing)."""
    b = pd.to_datetime(birth, errors="coerce")
    w = pd.to_datetime(when, errors="coerce")
    years = w.dt.year - b.dt.year
    before_birthday = (w.dt.month < b.dt.month) | ((w.dt.month == b.dt.month) & (w.dt.day < b.dt.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


def join_labels(*parts: pd.Series) -> pd.Series:
    """'|'-join of per-row labels: each part is an object series holding a label or None."""
    if not parts:
        raise ValueError("no label series")
    out = pd.Series("", index=parts[0].index, dtype=object)
    for part in parts:
        v = part.astype(object).where(part.notna(), "").astype(str)
        out = out.where(v == "", out.where(out == "", out + "|") + v)
    return none_if_empty(out)


def vaw_crime(codes: pd.Series) -> pd.Series:
    """True where the canonical crime code belongs to a gender-violence group (`taxonomy`)."""
    from ... import taxonomy

    lookup = {c: taxonomy.is_gender_violence(c) for c in codes.dropna().unique()}
    return codes.map(lookup).fillna(False).astype(bool)


def label(mask: pd.Series, name: str) -> pd.Series:
    return pd.Series(np.where(mask.fillna(False).astype(bool), name, None), index=mask.index, dtype=object)


def as_date(s: pd.Series) -> pd.Series:
    """datetime64 -> python `date` objects (None where missing), for DATE columns."""
    d = pd.to_datetime(s, errors="coerce")
    return pd.Series(d.dt.date, index=s.index, dtype=object).where(d.notna(), None)


def iso_date(s: pd.Series) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    return d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), None)


def attrs_json(columns: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """One JSON object per row from the given attribute series (dates already ISO strings; None -> null)."""
    frame = pd.DataFrame({k: v.astype(object).where(v.notna(), None) for k, v in columns.items()}, index=index)
    if frame.empty:
        return pd.Series([], index=index, dtype=object)
    # pandas escapes "/" as "\/" (valid JSON, but noisy): undo it; an escaped backslash stays escaped.
    lines = (frame.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n")
             .replace("\\/", "/").split("\n"))
    return pd.Series(lines, index=index, dtype=object)


@lru_cache(maxsize=1)
def _colonia_tables() -> tuple[dict[str, str], dict[str, str]]:
    """('alcaldia|NAME' -> colonia_cve, 'NAME' -> colonia_cve) for names that identify one colonia."""
    from ... import geo
    from .. import normalize

    props, _ = geo.layer("colonias")
    names = pd.Series(normalize.name_upper(props["name"].astype(str)).to_numpy(), dtype=object)
    cve = props["colonia"].astype(str).to_numpy()
    within = pd.Series(cve, index=props["alcaldia"].astype(str).to_numpy() + "|" + names.fillna("").to_numpy())
    citywide = pd.Series(cve, index=names.fillna("").to_numpy())
    return (within[~within.index.duplicated(keep=False)].to_dict(),
            citywide[~citywide.index.duplicated(keep=False)].to_dict())


class Rows:
    """The frame of one file being normalized, with typed reads that reject what does not validate."""

    def __init__(self, frame: pd.DataFrame, version: SchemaVersion, source: str):
        self.frame = frame
        self.version = version
        self.source = source
        self.index = frame.index
        self._cols = {str(c).strip().lower(): c for c in frame.columns}
        self._raw: dict[str, pd.Series] = {}
        if "_line" in frame.columns:
            self.line = pd.to_numeric(frame["_line"], errors="coerce").fillna(0).astype("int64")
        else:
            self.line = pd.Series(np.arange(2, len(frame) + 2), index=frame.index, dtype="int64")
        self.bad = pd.Series(False, index=frame.index)
        self.rejections: list[Rejection] = []

    # -- raw access and rejections ---------------------------------------------------------------------
    def raw(self, name: str) -> pd.Series:
        """The column as trimmed strings ("" when missing or absent from the file)."""
        col = self._cols.get(name.lower())
        if col is None:
            return pd.Series("", index=self.index, dtype=object)
        if col not in self._raw:
            self._raw[col] = per_distinct(self.frame[col], lambda u: u.str.strip()).astype(object)
        return self._raw[col]

    def reject(self, mask: pd.Series, column: str | None, reason: str | pd.Series,
               values: pd.Series | None = None) -> None:
        """Reject the lines in `mask` not rejected yet; `reason` is one text or a text per row; `values`
        defaults to the raw column."""
        mask = mask.fillna(False).astype(bool) & ~self.bad
        if not mask.any():
            return
        vals = values if values is not None else (self.raw(column) if column else pd.Series("", index=self.index))
        reasons = (reason[mask].astype(str).tolist() if isinstance(reason, pd.Series)
                   else [reason] * int(mask.sum()))
        for line, value, why in zip(self.line[mask].tolist(), vals[mask].astype(str).tolist(), reasons,
                                    strict=True):
            self.rejections.append(Rejection(line=int(line), column=column, value=value, reason=why))
        self.bad |= mask

    # -- typed reads -------------------------------------------------------------------------------------
    def key(self) -> pd.Series:
        """The agency's key (first column): required and unique within the file."""
        name = self.version.key
        k = self.raw(name)
        self.reject(k == "", name, "missing key")
        present = k != ""
        dup = k.duplicated(keep="first") & present
        if dup.any():
            first_line = self.line.groupby(k).transform("min")
            self.reject(dup, name, "duplicate key within file (first at line " + first_line.astype(str) + ")")
        return k

    def date(self, name: str, required: bool = False) -> pd.Series:
        """A date column as datetime64 (NaT when missing); impossible or unreadable dates are rejected."""
        from .. import normalize

        raw = self.raw(name)
        parsed, bad = normalize.parse_dates(raw)
        self.reject(bad, name, "impossible or unreadable date")
        if required:
            self.reject(raw == "", name, "missing required date")
        return parsed

    def datetime(self, date_col: str, time_col: str | None, required: bool = False) -> pd.Series:
        """Date (+ optional time) as naive datetime64; an unreadable time is rejected (missing time = 00:00)."""
        from .. import normalize

        d = self.date(date_col, required=required)
        if time_col is None:
            return d
        t, bad = normalize.parse_times(self.raw(time_col))
        self.reject(bad, time_col, "unreadable time")
        return normalize.combine_datetime(d, t).where(d.notna())

    def integer(self, name: str, lo: int | None = None, hi: int | None = None, what: str = "integer"
                ) -> pd.Series:
        from .. import normalize

        raw = self.raw(name)
        v = pd.Series(normalize.parse_int(raw), index=self.index).astype("Int64")
        self.reject((raw != "") & v.isna(), name, f"unreadable {what}")
        if lo is not None:
            self.reject(v.notna() & (v < lo), name, f"{what} out of range")
        if hi is not None:
            self.reject(v.notna() & (v > hi), name, f"{what} out of range")
        return v

    def age(self, name: str) -> pd.Series:
        return self.integer(name, lo=0, hi=120, what="age")

    def number(self, name: str, lo: float | None = None) -> pd.Series:
        from .. import normalize

        raw = self.raw(name)
        v = pd.to_numeric(pd.Series(normalize.parse_float(raw), index=self.index), errors="coerce")
        self.reject((raw != "") & v.isna(), name, "unreadable number")
        if lo is not None:
            self.reject(v.notna() & (v < lo), name, "negative amount")
        return v.astype("float64")

    def coords(self, lat_col: str = "latitud", lon_col: str = "longitud") -> tuple[pd.Series, pd.Series]:
        """Coordinates (float, NaN when absent). Exact (0, 0) is an empty coordinate; a pair written
        longitude first whose swap falls in the city is swapped back. Unreadable, half-given or outside the
        city are rejected. "In the city" is the one rule of `sources.places.city_mask` (the outline plus
        `places.EDGE_TOLERANCE_M`), the same the open-data adapters and the framework apply."""
        from .. import normalize
        from ..places import city_mask

        raw_lat, raw_lon = self.raw(lat_col), self.raw(lon_col)
        lat = normalize.parse_float(raw_lat)
        lon = normalize.parse_float(raw_lon)
        self.reject((raw_lat != "") & lat.isna(), lat_col, "unreadable coordinate")
        self.reject((raw_lon != "") & lon.isna(), lon_col, "unreadable coordinate")
        zero = (lat == 0) & (lon == 0)
        lat, lon = lat.mask(zero), lon.mask(zero)
        self.reject(lat.isna() & lon.notna(), lat_col, "only one of latitude/longitude given")
        self.reject(lon.isna() & lat.notna(), lon_col, "only one of latitude/longitude given")
        both = lat.notna() & lon.notna() & ~self.bad
        if both.any():
            inside = pd.Series(False, index=self.index)
            inside[both] = city_mask(lat[both].to_numpy(), lon[both].to_numpy())
            out = both & ~inside
            if out.any():
                swapped = pd.Series(False, index=self.index)
                swapped[out] = city_mask(lon[out].to_numpy(), lat[out].to_numpy())
                lat, lon = lat.where(~swapped, lon), lon.where(~swapped, lat)
                inside |= swapped
            self.reject(both & ~inside, lat_col, "coordinates outside the city", values=raw_lat + "," + raw_lon)
        ok = lat.notna() & lon.notna() & ~self.bad
        return lat.where(ok).astype("float64"), lon.where(ok).astype("float64")

    def names(self, given: str, surname_1: str, surname_2: str) -> pd.DataFrame:
        """Split name columns -> given_names, surname_1, surname_2 (normalized, None when empty)."""
        from .. import normalize

        return pd.DataFrame({
            "given_names": none_if_empty(normalize.name_upper(self.raw(given))),
            "surname_1": none_if_empty(normalize.name_upper(self.raw(surname_1))),
            "surname_2": none_if_empty(normalize.name_upper(self.raw(surname_2))),
        }, index=self.index)

    def name(self, name: str) -> pd.Series:
        """One name column (e.g. given names only) in `name_upper` form."""
        from .. import normalize

        return none_if_empty(normalize.name_upper(self.raw(name)))

    def whole_name(self, name: str, order: str) -> pd.DataFrame:
        """A whole-name column split by `normalize.split_full_name` (order 'given_first' | 'surname_first')."""
        from .. import normalize

        given, s1, s2 = normalize.split_full_name(self.raw(name), order=order)
        return pd.DataFrame({"given_names": given, "surname_1": s1, "surname_2": s2}, index=self.index)

    def surnames(self, name: str) -> tuple[pd.Series, pd.Series]:
        """An `apellidos` column -> (surname_1, surname_2)."""
        from .. import normalize

        return normalize.split_surnames(self.raw(name))

    def alias(self, name: str) -> pd.Series:
        """An alias ("el Chino", "“EL CHINO”") in `name_upper` form."""
        from .. import normalize

        return none_if_empty(normalize.name_upper(self.raw(name)))

    def sex(self, name: str) -> pd.Series:
        from .. import normalize

        return none_if_empty(pd.Series(normalize.parse_sex(self.raw(name)), index=self.index))

    def yes_no(self, name: str) -> pd.Series:
        """SI/NO -> True/False/None (object)."""
        from .. import normalize

        v = pd.Series(normalize.parse_bool_si_no(self.raw(name)), index=self.index)
        return v.astype(object).where(v.notna(), None)

    def phone(self, name: str) -> pd.Series:
        from .. import normalize

        return none_if_empty(pd.Series(normalize.normalize_phone(self.raw(name)), index=self.index))

    def curp(self, name: str) -> pd.Series:
        from .. import normalize

        return none_if_empty(pd.Series(normalize.normalize_curp(self.raw(name)), index=self.index))

    def rfc(self, name: str) -> pd.Series:
        return none_if_empty(self.raw(name).str.upper().str.replace(r"[\s-]", "", regex=True))

    def address(self, name: str) -> pd.Series:
        from .. import normalize

        return none_if_empty(pd.Series(normalize.address_norm(self.raw(name)), index=self.index))

    def alcaldia(self, name: str) -> pd.Series:
        """An alcaldía name column -> INEGI code (None when unknown)."""
        from ... import geo

        return none_if_empty(pd.Series(geo.alcaldia_codes(self.raw(name)), index=self.index))

    def colonia(self, name: str, alcaldia: pd.Series) -> pd.Series:
        """A colonia written by name -> its `colonia_cve` (contract), matched on the normalized name within the
        alcaldía (or citywide when the alcaldía is unknown and the name is unique); None when no single match."""
        from .. import normalize

        names = normalize.name_upper(self.raw(name))
        if names.isna().all():
            return pd.Series(None, index=self.index, dtype=object)
        within, citywide = _colonia_tables()
        key = alcaldia.fillna("").astype(str) + "|" + names.fillna("")
        code = key.map(within)
        code = code.where(code.notna() | alcaldia.notna(), names.map(citywide))
        return none_if_empty(code.where(names.notna()))

    def carpeta(self, name: str) -> tuple[pd.Series, pd.Series]:
        """(as written, canonical key) of a carpeta column."""
        from .. import casekeys

        raw = self.raw(name)
        return none_if_empty(raw), none_if_empty(pd.Series(casekeys.carpeta_key(raw), index=self.index))

    def causa(self, name: str) -> tuple[pd.Series, pd.Series]:
        from .. import casekeys

        raw = self.raw(name)
        return none_if_empty(raw), none_if_empty(pd.Series(casekeys.causa_key(raw), index=self.index))

    def crime(self, raw: pd.Series) -> pd.Series:
        """Canonical crime codes for raw labels (taxonomy of this source)."""
        from ... import taxonomy

        return none_if_empty(pd.Series(taxonomy.map_series(self.source, raw), index=self.index))

    def crime_pairs(self, raw: pd.Series, qualifier: pd.Series, fn) -> pd.Series:
        """Codes from `fn(raw, qualifier)` computed once per distinct pair (e.g. CJM type + modality)."""
        pair = raw.fillna("").astype(str) + "\x1f" + qualifier.fillna("").astype(str)
        lookup = {p: fn(*p.split("\x1f")) for p in pair.unique()}
        return none_if_empty(pair.map(lookup))

    def crime_ssa(self, intent: pd.Series, violence: pd.Series, external: pd.Series
                  ) -> tuple[pd.Series, pd.Series]:
        """(code, raw label) of an ER attention from intentionality, type of violence and ICD-10 external cause."""
        from ... import taxonomy

        raw = (intent.fillna("") + "|" + violence.fillna("") + "|" + external.fillna(""))
        raw = none_if_empty(raw.where(raw != "||", ""))
        return none_if_empty(pd.Series(taxonomy.map_series(self.source, raw), index=self.index)), raw

    def place(self, lat: pd.Series, lon: pd.Series) -> pd.DataFrame:
        """alcaldia / colonia / cuadrante of each point (None where no point)."""
        from ... import geo

        out = pd.DataFrame({"alcaldia": None, "colonia": None, "cuadrante": None}, index=self.index, dtype=object)
        has = lat.notna() & lon.notna()
        if has.any():
            pts = pd.DataFrame({"lat": lat[has], "lon": lon[has]})
            uniq = pts.drop_duplicates()
            found = pd.DataFrame(geo.locate(uniq["lat"].to_numpy(), uniq["lon"].to_numpy())).reset_index(drop=True)
            pos = pd.MultiIndex.from_frame(uniq).get_indexer(pd.MultiIndex.from_frame(pts))
            for c in out.columns:
                if c in found:
                    vals = found[c].to_numpy(dtype=object)[pos]
                    out.loc[has, c] = none_if_empty(pd.Series(vals, index=pts.index)).to_numpy()
        return out

    # -- assembly --------------------------------------------------------------------------------------
    def event_ids(self, key: pd.Series) -> pd.Series:
        return self.source + ":" + key

    def events(self, key: pd.Series, kind: str, **cols) -> pd.DataFrame:
        """The event frame (EVENT_COLUMNS) of the lines not rejected; unspecified columns are None."""
        data = {"event_id": self.event_ids(key), "kind": kind, "source_key": key}
        data.update(cols)
        data["_line"] = self.line
        frame = pd.DataFrame(index=self.index)
        for c in EVENT_COLUMNS:
            v = data.get(c)
            frame[c] = v if v is not None else None
        for c in ("lat", "lon"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
        return frame.loc[~self.bad].reset_index(drop=True)

    def mentions(self, key: pd.Series, role: str, keep: pd.Series | None = None, n: int | pd.Series = 1,
                 **cols) -> pd.DataFrame:
        """Mention rows (MENTION_COLUMNS) of one role, for the lines not rejected (and `keep`)."""
        event_id = self.event_ids(key)
        n_str = n.astype(str) if isinstance(n, pd.Series) else str(n)
        data = {"mention_id": event_id + ":" + role + ":" + n_str, "event_id": event_id, "source_key": key,
                "role": role, "is_legal_person": False}
        data.update(cols)
        data["_line"] = self.line
        frame = pd.DataFrame(index=self.index)
        for c in MENTION_COLUMNS:
            v = data.get(c)
            if isinstance(v, pd.Series):
                v = v.reindex(self.index)
            frame[c] = v if v is not None else None
        frame["is_legal_person"] = frame["is_legal_person"].fillna(False).astype(bool)
        frame["age"] = pd.to_numeric(frame["age"], errors="coerce").astype("Int64")
        for c in ("lat", "lon"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
        mask = ~self.bad if keep is None else (~self.bad & keep.reindex(self.index).fillna(False).astype(bool))
        return frame.loc[mask].reset_index(drop=True)

    def result(self, events: pd.DataFrame, *mention_frames: pd.DataFrame) -> Normalized:
        frames = [m for m in mention_frames if len(m)]
        if frames:
            mentions = pd.concat(frames, ignore_index=True)[MENTION_COLUMNS]
        else:
            mentions = pd.DataFrame({c: pd.Series(dtype=object) for c in MENTION_COLUMNS})
        self.rejections.sort(key=lambda r: r.line)
        return Normalized(events=events[EVENT_COLUMNS], mentions=mentions, rejections=self.rejections)


class InternalAdapter(Adapter):
    """An internal-agency adapter: `normalize` wraps `build(rows)` with the shared `Rows` machinery."""

    def normalize(self, frame: pd.DataFrame, version: SchemaVersion) -> Normalized:
        return self.build(Rows(frame, version, self.source))

    def build(self, rows: Rows) -> Normalized:
        raise NotImplementedError
