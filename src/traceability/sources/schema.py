"""The declared schema of the canonical rows every adapter returns, checked with pandera (vectorized).

Each adapter's own column checks (a date that does not parse, a number that is not one) happen in its
`normalize` and come back as `Rejection`s; this schema is the common contract on its *output*, so a row
that would put an impossible value in the warehouse (a date in 1850 or next year, a latitude of 190, an
alcaldía code that is not one of the 16, a sex other than H/M, a phone that is not 10 digits) is
quarantined with the column, the value and the name of the failed check.
"""

from __future__ import annotations

import pandas as pd

ALCALDIA_CODES = [f"090{n:02d}" for n in range(2, 18)]


def _schemas():
    import pandera.pandas as pa

    now = pd.Timestamp.now() + pd.Timedelta(days=2)
    lo = pd.Timestamp("1900-01-01")
    ts = dict(nullable=True, coerce=False)
    events = pa.DataFrameSchema(
        {
            # ids: present and unique are checked by the framework before (cheaper than here)
            "occurred_at": pa.Column("datetime64[ns]", [pa.Check.ge(lo), pa.Check.le(now)], **ts),
            "reported_at": pa.Column("datetime64[ns]", [pa.Check.ge(lo), pa.Check.le(now)], **ts),
            "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
            "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
            "alcaldia": pa.Column(object, pa.Check.isin(ALCALDIA_CODES), nullable=True),
        },
        strict=False,
    )
    mentions = pa.DataFrameSchema(
        {
            "role": pa.Column(object, nullable=False),
            "sex": pa.Column(object, pa.Check.isin(["H", "M"]), nullable=True),
            "phone": pa.Column(object, pa.Check.str_matches(r"^\d{10}$"), nullable=True),
            "age": pa.Column("Int64", pa.Check.in_range(0, 120), nullable=True, coerce=True),
            "birth_date": pa.Column("datetime64[ns]", [pa.Check.ge(lo), pa.Check.le(now)], nullable=True),
        },
        strict=False,
    )
    return events, mentions


def validate(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    """Failures of `frame` against the event or mention schema, as rows (index, column, value, check).

    `frame` is coerced in place where the schema coerces (ids to str, age to Int64)."""
    import pandera.errors as pe

    events, mentions = _schemas()
    schema = events if which == "event" else mentions
    cols = [c for c in schema.columns if c in frame.columns]
    sub = frame[cols]
    schema = schema.select_columns(cols) if hasattr(schema, "select_columns") else schema
    try:
        schema.validate(sub, lazy=True)
        return pd.DataFrame(columns=["index", "column", "value", "check"])
    except pe.SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna()] if "index" in fc else fc
        return pd.DataFrame({
            "index": fc["index"].astype("int64") if len(fc) else pd.Series([], dtype="int64"),
            "column": fc["column"].astype(str),
            "value": fc["failure_case"].astype(str),
            "check": fc["check"].astype(str),
        })
