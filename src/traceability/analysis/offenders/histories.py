"""Offender histories from linked records.

Definitions (DESIGN.md §6, Repeat offenders)
---------------------------------------------
*Offender record*: a person mention with role ``detainee`` (SSC detention), ``accused`` (FGJ imputado),
``defendant`` (TSJ causa) or ``inmate`` (prison admission). The person is the linked
``person_membership.person_id``; a mention the linkage has not resolved counts as its own person
(``"m:" + mention_id``), so nothing is silently dropped before linkage runs.

*Offence*: one carpeta per person. All records of one person that carry the same carpeta
(``case_key_norm``) are one offence, whatever their roles: a detention, the imputado record, the court case
and the prison admission of one carpeta are one offence seen at four stages. Court cases and prison
admissions without a carpeta number are joined to a carpeta through the causa penal (``attrs.causa_norm``)
of a court case that has one; failing that, records sharing a causa are one offence. A detention (or any
record) with neither carpeta nor causa is an offence of its own.

An offence carries flags by stage: ``detained`` (an SSC detention), ``accused`` (an imputado record or a court
case), ``defendant`` (a court case), ``convicted`` (a court case whose ``attrs.sentido`` is CONDENATORIA),
``imprisoned`` (a prison admission), and ``detention_only`` (detained, never accused).

*Date* of an offence: the earliest ``occurred_at`` of its records; an imputado record with NULL
``occurred_at`` takes the date of its carpeta (the earliest ``carpeta_crime`` / ``victim_record`` event with the
same ``case_key_norm``). *Crime*: the most harmful canonical code among its records (or the carpeta's).
*Alcaldía*: of the earliest record that has one, else of the carpeta.

*Harm*: ``taxonomy.harm_days(code)`` (minimum prison term in days, Cambridge Crime Harm Index style,
Sherman, Neyroud & Neyroud 2016); when the taxonomy is not installed yet, the table ``crime_code`` of the
warehouse; when neither exists, every offence weighs 1 and ``harm_source`` says so.

*Civic detentions* (put at the disposal of a juez cívico, ``attrs.autoridad_disposicion = JUEZ CIVICO``, or
recorded with a non-crime code, crime group ``NO_DELITO``) are administrative infractions, not crimes: they are
left out of offences (``civic_excluded`` counts them) unless ``include_civic=True``.

*Bases*: ``detentions`` counts offences with a detention, ``accusations`` offences with an imputado record or
court case, ``convictions`` offences with a conviction; ``all`` counts every offence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

ROLES = ("detainee", "accused", "defendant", "inmate")
BASES = ("accusations", "convictions", "detentions", "all")

_SQL_RECORDS = """
WITH carpeta AS (
    SELECT case_key_norm,
           min(occurred_at) AS c_date,
           arg_min(alcaldia, occurred_at) FILTER (WHERE alcaldia IS NOT NULL) AS c_alcaldia,
           arg_min(crime, occurred_at) FILTER (WHERE crime IS NOT NULL) AS c_crime
    FROM event
    WHERE kind IN ('carpeta_crime', 'victim_record') AND case_key_norm IS NOT NULL
    GROUP BY 1
),
causa AS (
    SELECT json_extract_string(attrs, '$.causa_norm') AS causa_norm, min(case_key_norm) AS case_key_norm
    FROM event
    WHERE kind = 'court_case' AND case_key_norm IS NOT NULL
      AND json_extract_string(attrs, '$.causa_norm') IS NOT NULL
    GROUP BY 1
),
rec AS (
    SELECT m.mention_id,
           coalesce(pm.person_id, 'm:' || m.mention_id) AS person_id,
           pm.person_id IS NOT NULL AS linked,
           m.role, e.event_id, e.kind, e.source,
           e.occurred_at, e.crime, e.alcaldia,
           json_extract_string(e.attrs, '$.causa_norm') AS causa_norm,
           json_extract_string(e.attrs, '$.sentido') AS sentido,
           json_extract_string(e.attrs, '$.fecha_egreso') AS fecha_egreso,
           json_extract_string(e.attrs, '$.pena_prision_meses') AS pena_prision_meses,
           json_extract_string(e.attrs, '$.autoridad_disposicion') AS autoridad,
           coalesce(e.case_key_norm, ca.case_key_norm) AS carpeta_key,
           m.sex, m.age, m.birth_date, m.event_date, m.alcaldia AS residence_alcaldia
    FROM person_mention m
    JOIN event e ON e.event_id = m.event_id
    LEFT JOIN person_membership pm ON pm.mention_id = m.mention_id
    LEFT JOIN causa ca ON e.case_key_norm IS NULL
                      AND ca.causa_norm = json_extract_string(e.attrs, '$.causa_norm')
    WHERE m.role IN ('detainee', 'accused', 'defendant', 'inmate')
)
SELECT r.*,
       coalesce(r.occurred_at, c.c_date) AS date,
       coalesce(r.crime, c.c_crime) AS crime_final,
       coalesce(r.alcaldia, c.c_alcaldia) AS alcaldia_final
FROM rec r LEFT JOIN carpeta c ON c.case_key_norm = r.carpeta_key
"""


# -- taxonomy (harm weights and crime groups), with fallbacks while the taxonomy lands ---------------------
def harm_lookup(wh=None) -> tuple[callable, str]:
    """A function code -> harm weight (days), and where the weights came from."""
    try:
        from ...taxonomy import harm_days  # type: ignore[attr-defined]

        harm_days("HOMICIDIO_DOLOSO")

        def f(code):
            if code is None:
                return 1.0
            try:
                v = harm_days(code)
            except Exception:  # noqa: BLE001 — an unknown code weighs the minimum, and is reported as such
                return 1.0
            return float(v) if v is not None and v == v and v > 0 else 1.0

        return f, "taxonomy.harm_days"
    except Exception:  # noqa: BLE001 — taxonomy not installed yet
        pass
    if wh is not None and wh.table_exists("crime_code"):
        cols = {c for c, _ in wh.columns("crime_code")}
        if {"code", "harm_days"} <= cols:
            table = {r[0]: float(r[1]) for r in wh.query(
                "SELECT code, harm_days FROM crime_code WHERE harm_days IS NOT NULL")}
            return (lambda code: table.get(code, 1.0) if table.get(code, 0) > 0 else 1.0), "crime_code table"
    return (lambda code: 1.0), "none (every offence weighs 1: taxonomy harm weights not available)"


def group_lookup(wh=None) -> callable:
    """A function code -> crime_group; the code itself when no taxonomy is available."""
    try:
        from ...taxonomy import crime_group  # type: ignore[attr-defined]

        crime_group("HOMICIDIO_DOLOSO")

        def f(code):
            if code is None:
                return None
            try:
                return crime_group(code) or code
            except Exception:  # noqa: BLE001
                return code

        return f
    except Exception:  # noqa: BLE001
        pass
    if wh is not None and wh.table_exists("crime_code"):
        cols = {c for c, _ in wh.columns("crime_code")}
        if {"code", "crime_group"} <= cols:
            table = dict(wh.query("SELECT code, crime_group FROM crime_code"))
            return lambda code: table.get(code, code)
    return lambda code: code


def _parse_date(v) -> pd.Timestamp:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return pd.NaT
    return pd.to_datetime(str(v)[:10], errors="coerce")


def basis_mask(offences: pd.DataFrame, basis: str) -> pd.Series:
    """Rows of `offences` that count under `basis` (see the module docstring)."""
    if basis == "detentions":
        return offences["detained"]
    if basis == "accusations":
        return offences["accused"]
    if basis == "convictions":
        return offences["convicted"]
    if basis == "all":
        return pd.Series(True, index=offences.index)
    from ...errors import UsageError

    raise UsageError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")


@dataclass
class OffenderHistories:
    """Per-person offending histories built from the warehouse's linked records.

    Attributes
    ----------
    records : DataFrame
        One row per offender mention (role, event, date, crime, alcaldía, carpeta key, offence key).
    offences : DataFrame
        One row per (person, offence): ``person_id, offence_key, date, year, crime, crime_group, harm,
        alcaldia, detained, accused, defendant, convicted, imprisoned, detention_only, n_records``.
    persons : DataFrame
        One row per person: counts by stage, harm, first/last dates, crime groups, alcaldías,
        co-offenders, and the recorded attributes used only by the fairness check (sex, age, residence).
    co_offending : DataFrame
        Pairs ``person_a < person_b`` sharing an offence (a carpeta or a detention event), with ``n``.
    prison_terms : DataFrame
        ``person_id, event_id, offence_key, admission, release, crime, crime_group`` (release NaT while
        still in prison).
    harm_source : str
        Where the harm weights came from.
    """

    records: pd.DataFrame
    offences: pd.DataFrame
    persons: pd.DataFrame
    co_offending: pd.DataFrame
    prison_terms: pd.DataFrame
    harm_source: str
    data_window: dict = field(default_factory=dict)
    civic_excluded: int = 0

    @classmethod
    def from_warehouse(cls, wh, harm=None, group=None, include_civic: bool = False) -> OffenderHistories:
        """Build from the warehouse; `harm` / `group` (code -> value) override the taxonomy (for tests)."""
        records = wh.df(_SQL_RECORDS)
        if harm is None:
            harm, harm_source = harm_lookup(wh)
        else:
            harm_source = "given"
        group = group or group_lookup(wh)
        return cls.from_records(records, harm, group, harm_source, include_civic=include_civic)

    @classmethod
    def from_records(cls, records: pd.DataFrame, harm=lambda c: 1.0, group=lambda c: c,
                     harm_source: str = "given", include_civic: bool = False) -> OffenderHistories:
        r = records.copy()
        civic = pd.Series(False, index=r.index)
        if len(r):
            grp = r["crime_final"].map(lambda c: group(c) if isinstance(c, str) else None)
            civic = r["role"].eq("detainee") & (r.get("autoridad", pd.Series(None, index=r.index)).eq("JUEZ CIVICO")
                                                | grp.eq("NO_DELITO"))
        civic_excluded = int(civic.sum())
        if not include_civic:
            r = r[~civic]
        if r.empty:
            r = pd.DataFrame(columns=["mention_id", "person_id", "linked", "role", "event_id", "kind", "source",
                                      "date", "crime_final", "alcaldia_final", "carpeta_key", "causa_norm",
                                      "sentido", "fecha_egreso", "sex", "age", "birth_date", "event_date",
                                      "residence_alcaldia"])
        # offences are dated to the day: hours differ between agencies for one event
        r["date"] = pd.to_datetime(r["date"], errors="coerce").dt.normalize()
        r["crime"] = r["crime_final"]
        r["alcaldia"] = r["alcaldia_final"]
        r["offence_key"] = np.where(
            r["carpeta_key"].notna(), "carpeta:" + r["carpeta_key"].astype(str),
            np.where(r["causa_norm"].notna(), "causa:" + r["causa_norm"].astype(str), "event:" + r["event_id"]))
        codes = pd.unique(r["crime"].dropna())
        harm_of = {c: float(harm(c) or 1.0) for c in codes}
        group_of = {c: group(c) for c in codes}
        r["harm"] = r["crime"].map(harm_of).fillna(1.0)
        r["crime_group"] = r["crime"].map(group_of)
        r["is_detention"] = r["role"].eq("detainee")
        r["is_accused"] = r["role"].isin(["accused", "defendant"])
        r["is_defendant"] = r["role"].eq("defendant")
        r["is_convicted"] = r["is_defendant"] & r["sentido"].fillna("").str.upper().eq("CONDENATORIA")
        r["is_inmate"] = r["role"].eq("inmate")
        r = r.sort_values(["person_id", "offence_key", "date"], kind="mergesort")

        offences = cls._offences(r)
        prison_terms = cls._prison_terms(r)
        co = cls._co_offending(r)
        persons = cls._persons(r, offences, co)
        dates = offences["date"].dropna()
        window = {"first": dates.min().date().isoformat() if len(dates) else None,
                  "last": dates.max().date().isoformat() if len(dates) else None}
        out = cls(r, offences, persons, co, prison_terms, harm_source, window)
        out.civic_excluded = 0 if include_civic else civic_excluded
        return out

    # -- building blocks --------------------------------------------------------------------------------
    @staticmethod
    def _offences(r: pd.DataFrame) -> pd.DataFrame:
        if r.empty:
            return pd.DataFrame(columns=["person_id", "offence_key", "date", "year", "crime", "crime_group", "harm",
                                         "alcaldia", "detained", "accused", "defendant", "convicted",
                                         "imprisoned", "detention_only", "n_records"])
        # the most harmful record names the offence's crime
        by_harm = r.sort_values(["person_id", "offence_key", "harm"], ascending=[True, True, False], kind="mergesort")
        top = by_harm.drop_duplicates(["person_id", "offence_key"])[
            ["person_id", "offence_key", "crime", "crime_group", "harm"]]
        first_alc = (r.dropna(subset=["alcaldia"]).drop_duplicates(["person_id", "offence_key"])
                     [["person_id", "offence_key", "alcaldia"]])
        g = r.groupby(["person_id", "offence_key"], sort=True)
        agg = g.agg(date=("date", "min"), detained=("is_detention", "any"), accused=("is_accused", "any"),
                    defendant=("is_defendant", "any"), convicted=("is_convicted", "any"),
                    imprisoned=("is_inmate", "any"), n_records=("mention_id", "size")).reset_index()
        off = agg.merge(top, on=["person_id", "offence_key"], how="left").merge(
            first_alc, on=["person_id", "offence_key"], how="left")
        off["detention_only"] = off["detained"] & ~off["accused"]
        off["year"] = off["date"].dt.year.astype("Int64")
        return off[["person_id", "offence_key", "date", "year", "crime", "crime_group", "harm", "alcaldia",
                    "detained", "accused", "defendant", "convicted", "imprisoned", "detention_only", "n_records"]]

    @staticmethod
    def _prison_terms(r: pd.DataFrame) -> pd.DataFrame:
        p = r[r["is_inmate"]].copy()
        if p.empty:
            return pd.DataFrame(columns=["person_id", "event_id", "offence_key", "admission", "release", "crime",
                                         "crime_group"])
        p["admission"] = p["date"]
        p["release"] = p["fecha_egreso"].map(_parse_date)
        return p[["person_id", "event_id", "offence_key", "admission", "release", "crime",
                  "crime_group"]].reset_index(drop=True)

    @staticmethod
    def _co_offending(r: pd.DataFrame) -> pd.DataFrame:
        # persons sharing a carpeta, or a detention event (a detention of several people without carpeta)
        # (a detention that has a carpeta is counted through the carpeta, not twice)
        det = r["is_detention"] & r["carpeta_key"].isna()
        keys = pd.concat([
            r.loc[r["carpeta_key"].notna(), ["person_id"]].assign(k="carpeta:" + r["carpeta_key"].dropna()),
            r.loc[det, ["person_id"]].assign(k="event:" + r.loc[det, "event_id"]),
        ]).drop_duplicates()
        if keys.empty:
            return pd.DataFrame(columns=["person_a", "person_b", "n"])
        pairs = keys.merge(keys, on="k")
        pairs = pairs[pairs["person_id_x"] < pairs["person_id_y"]]
        out = (pairs.groupby(["person_id_x", "person_id_y"]).k.nunique().reset_index()
               .rename(columns={"person_id_x": "person_a", "person_id_y": "person_b", "k": "n"}))
        return out

    @staticmethod
    def _persons(r: pd.DataFrame, off: pd.DataFrame, co: pd.DataFrame) -> pd.DataFrame:
        if off.empty:
            return pd.DataFrame(columns=["person_id", "offences", "detentions", "accusations", "court_cases",
                                         "convictions", "imprisonments", "detention_only", "harm", "first_date",
                                         "last_date", "crime_groups", "alcaldias", "alcaldia", "co_offenders",
                                         "sex", "age", "residence_alcaldia"])
        g = off.groupby("person_id")
        p = g.agg(offences=("offence_key", "size"), detentions=("detained", "sum"), accusations=("accused", "sum"),
                  court_cases=("defendant", "sum"), convictions=("convicted", "sum"),
                  imprisonments=("imprisoned", "sum"), detention_only=("detention_only", "sum"),
                  harm=("harm", "sum"), first_date=("date", "min"), last_date=("date", "max")).reset_index()
        p["crime_groups"] = p["person_id"].map(
            g["crime_group"].agg(lambda s: sorted({x for x in s if isinstance(x, str)})))
        p["alcaldias"] = p["person_id"].map(g["alcaldia"].agg(lambda s: sorted({x for x in s if isinstance(x, str)})))
        p["alcaldia"] = p["person_id"].map(_mode(off, "alcaldia"))
        both = pd.concat([co.rename(columns={"person_a": "p", "person_b": "o"}),
                          co.rename(columns={"person_b": "p", "person_a": "o"})])
        p["co_offenders"] = p["person_id"].map(both.groupby("p")["o"].agg(lambda s: sorted(set(s)))).apply(
            lambda v: v if isinstance(v, list) else [])
        # recorded attributes: for the fairness check only, never for ranking
        p["sex"] = p["person_id"].map(_mode(r, "sex"))
        ages = r.copy()
        bd = pd.to_datetime(ages["birth_date"], errors="coerce")
        derived = ((ages["date"] - bd).dt.days / 365.25).floordiv(1)
        ages["age_at"] = pd.to_numeric(ages["age"], errors="coerce").fillna(derived)
        last_age = ages.dropna(subset=["age_at"]).sort_values("date").groupby("person_id")["age_at"].last()
        p["age"] = p["person_id"].map(last_age)
        p["residence_alcaldia"] = p["person_id"].map(_mode(r, "residence_alcaldia"))
        for c in ("detentions", "accusations", "court_cases", "convictions", "imprisonments", "detention_only"):
            p[c] = p[c].astype(int)
        return p

    # -- views ------------------------------------------------------------------------------------------
    def select(self, *, basis: str = "all", crime: str | None = None, alcaldia: str | None = None,
               date_from: date | None = None, date_to: date | None = None) -> pd.DataFrame:
        """Offences counting under `basis`, filtered by crime (code or crime_group), alcaldía and window."""
        o = self.offences
        m = basis_mask(o, basis).astype(bool)
        if crime:
            m &= o["crime"].eq(crime) | o["crime_group"].eq(crime)
        if alcaldia:
            m &= o["alcaldia"].eq(alcaldia)
        if date_from:
            m &= o["date"] >= pd.Timestamp(date_from)
        if date_to:
            m &= o["date"] < pd.Timestamp(date_to) + pd.Timedelta(days=1)
        return o[m]

    def person_rows(self, person_ids=None) -> list[dict]:
        p = self.persons if person_ids is None else self.persons[self.persons["person_id"].isin(person_ids)]
        out = []
        for row in p.to_dict("records"):
            row["first_date"] = _iso(row["first_date"])
            row["last_date"] = _iso(row["last_date"])
            out.append(row)
        return out

    def summary(self) -> dict:
        o = self.offences
        return {"persons": int(self.persons.shape[0]), "offences": int(o.shape[0]),
                "records": int(self.records.shape[0]),
                "unlinked_mentions": int((~self.records["linked"].astype(bool)).sum()) if len(self.records) else 0,
                "by_stage": {k: int(o[k].sum()) for k in ("detained", "accused", "defendant", "convicted",
                                                           "imprisoned", "detention_only")},
                "civic_detentions_excluded": self.civic_excluded,
                "harm_source": self.harm_source, "data_window": self.data_window}


def _mode(frame: pd.DataFrame, col: str) -> pd.Series:
    d = frame.dropna(subset=[col])
    if d.empty:
        return pd.Series(dtype=object)
    counts = d.groupby(["person_id", col]).size().reset_index(name="n")
    counts = counts.sort_values(["person_id", "n", col], ascending=[True, False, True], kind="mergesort")
    return counts.drop_duplicates("person_id").set_index("person_id")[col]


def _iso(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    return pd.Timestamp(v).date().isoformat() if not pd.isna(v) else None
