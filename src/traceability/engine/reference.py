"""The figures of each stage as the ordinary (DuckDB + pandas) modules compute them, in the shape of the
engine outputs, so tests and benchmarks can check that an engine gives the same answer.

Each ``reference_<stage>(wh)`` reads a linked warehouse; each ``canonical_<stage>(frame)`` turns an engine
output (pandas) into the same shape (sorted records of plain Python values).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .stages import STAGES, near_repeat_edges


def _records(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    out = []
    for row in df[cols].itertuples(index=False):
        out.append(tuple(None if (v is None or (not isinstance(v, str | list) and pd.isna(v)))
                         else (v.item() if isinstance(v, np.generic) else v) for v in row))
    return sorted(out, key=lambda r: tuple("" if v is None else str(v) for v in r))


# -- repeat victimization ---------------------------------------------------------------------------------
REPEAT_COLS = ["kind", "crime_group", "victims", "repeat_victims", "crimes", "repeat_crimes"]


def reference_repeat(wh, window_days: int = 365) -> list[tuple]:
    """The analysis' own core (`RepeatVictimization`) over the crimes attached by a `same` match.

    The memberships are filtered before the case de-duplication, as the stage does. (`prepare` de-duplicates
    by case across `same` and `near` rows with an unstable sort, so a `same` crime whose case also has a
    `near` row can be dropped or not depending on the sort: reported to the analysis owner.)
    """
    from ..analysis.victimization import RepeatVictimization, load_events

    ev = load_events(wh)
    rv = RepeatVictimization(ev[ev["match"].fillna("same") == "same"], window_days=window_days)
    rows = [r for r in rv.by_kind_crime if r["crime_group"] != "ALL"]
    return _records(pd.DataFrame(rows), REPEAT_COLS)


def canonical_repeat(frame: pd.DataFrame) -> list[tuple]:
    return _records(frame, REPEAT_COLS)


def reference_repeat_pairs(wh, window_days: int = 365) -> dict[tuple, int]:
    """Pairs of crimes of one target and group at most `window_days` apart, counted in pandas."""
    from ..analysis.victimization import load_events, prepare

    ev = load_events(wh)
    ev = prepare(ev[ev["match"].fillna("same") == "same"])
    out: dict[tuple, int] = {}
    for (kind, group, _tid), g in ev.groupby(["kind", "crime_group", "target_id"]):
        d = np.sort(g["date"].to_numpy().astype("datetime64[D]").astype(np.int64))
        n = int(sum(np.searchsorted(d, d[i] + window_days, side="right") - i - 1 for i in range(len(d))))
        if n:
            out[(kind, group)] = out.get((kind, group), 0) + n
    return out


# -- near repeat --------------------------------------------------------------------------------------------
def reference_near_repeat(points: pd.DataFrame, params: dict | None = None) -> np.ndarray:
    """KnoxTest observed counts (distance bands × time bands) over the exported `nr_point` table."""
    from ..analysis.near_repeat import KnoxTest

    p = {**STAGES["near_repeat"].defaults, **(params or {})}
    k = KnoxTest(points["x"].to_numpy(), points["y"].to_numpy(), points["t"].to_numpy(dtype=float),
                 distance_bands=p["distance_bands"], time_bands=p["time_bands"], permutations=1, seed=0,
                 same_location=bool(p.get("same_location")))
    return k.observed


def canonical_near_repeat(frame: pd.DataFrame, params: dict | None = None) -> np.ndarray:
    p = {**STAGES["near_repeat"].defaults, **(params or {})}
    d, t = near_repeat_edges(p)
    out = np.zeros((len(d) - 1, len(t) - 1), dtype=np.int64)
    for a, b, n in zip(frame["dband"], frame["tband"], frame["observed"], strict=True):
        out[int(a), int(b)] = int(n)
    return out


# -- associations -------------------------------------------------------------------------------------------
ASSOC_KINDS = ("co_accused", "co_detained", "shared_address", "shared_phone")
ASSOC_COLS = ["node_a", "node_b", "kind", "first_date", "last_date", "n", "evidence", "sensitivity"]


def reference_associations(wh) -> list[tuple]:
    kinds = ", ".join(f"'{k}'" for k in ASSOC_KINDS)
    df = wh.df(f"SELECT {', '.join(ASSOC_COLS)} FROM association WHERE kind IN ({kinds})")
    df["evidence"] = df["evidence"].map(lambda s: "|".join(json.loads(s)) if isinstance(s, str) else None)
    return canonical_associations(df)


def canonical_associations(frame: pd.DataFrame) -> list[tuple]:
    from ..linkage.associations import MAX_EVIDENCE

    f = frame.copy()
    for c in ("first_date", "last_date"):
        f[c] = pd.to_datetime(f[c]).dt.strftime("%Y-%m-%d")
    f["n"] = f["n"].astype("int64")
    f["evidence"] = f["evidence"].map(lambda s: "|".join(s.split("|")[:MAX_EVIDENCE]) if isinstance(s, str) else s)
    return _records(f, ASSOC_COLS)


# -- chains -------------------------------------------------------------------------------------------------
CHAIN_KINDS = ("call_detention", "detention_carpeta", "accused_carpeta", "carpeta_causa")


def reference_chain_keys(wh) -> list[tuple]:
    kinds = ", ".join(f"'{k}'" for k in CHAIN_KINDS)
    df = wh.df(f"SELECT DISTINCT from_event, to_event, kind FROM case_link WHERE method = 'key' "
               f"AND kind IN ({kinds})")
    return _records(df, ["from_event", "to_event", "kind"])


def canonical_chain_keys(frame: pd.DataFrame) -> list[tuple]:
    return _records(frame.drop_duplicates(["from_event", "to_event", "kind"]), ["from_event", "to_event", "kind"])
