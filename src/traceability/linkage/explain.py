"""Why two mentions are (or are not) the same person: the match-weight waterfall.

`explain(wh, a, b)` scores the pair with the model saved by the latest link run (`link_run.model_json`),
on a private in-memory DuckDB (so it works on the read-only warehouse the web app opens), with the
term frequencies of the whole warehouse (`person_link_features`). The result lists, in order: the prior
(log2 of the odds that two random mentions match), then per comparison the level reached, its weight
log2(m/u) and the term-frequency adjustment; the sum is the match weight, and
probability = 2^w / (1 + 2^w).
"""

from __future__ import annotations

import json
import math

from ..errors import TraceabilityError
from .persons import FEATURE_TABLE, quiet_splink

TF_COLUMNS = ["given_names", "given_key", "surnames", "surname_1", "phone", "address_norm", "alias"]


def latest_model(wh) -> dict | None:
    mj = wh.scalar("SELECT model_json FROM link_run WHERE model_json IS NOT NULL AND finished_at IS NOT NULL "
                   "ORDER BY run_id DESC LIMIT 1")
    return json.loads(mj) if mj else None


def _records(wh, a: str, b: str) -> list[dict]:
    if not wh.table_exists(FEATURE_TABLE):
        raise TraceabilityError("persons are not linked yet: run `traceability link`")
    rows = wh.query_dicts(f"SELECT * FROM {FEATURE_TABLE} WHERE unique_id IN (?, ?)", [a, b])
    by_id = {r["unique_id"]: r for r in rows}
    missing = [m for m in (a, b) if m not in by_id]
    if missing:
        raise TraceabilityError(f"mention {missing[0]} is not scored by the person model (unknown, a legal "
                                "person, or alias only)")
    total = {}
    for c in TF_COLUMNS:
        total[c] = wh.scalar(f'SELECT count("{c}") FROM {FEATURE_TABLE}') or 1
    out = []
    for m in (a, b):
        r = dict(by_id[m])
        for c in TF_COLUMNS:
            v = r.get(c)
            if v is None:
                r[f"tf_{c}"] = None
            else:
                n = wh.scalar(f'SELECT count(*) FROM {FEATURE_TABLE} WHERE "{c}" = ?', [v]) or 1
                r[f"tf_{c}"] = n / total[c]
        out.append(r)
    return out


def _level_labels(settings: dict) -> dict[str, dict[int, str]]:
    labels = {}
    for comp in settings["comparisons"]:
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        lab = {-1: "null"}
        for i, lv in enumerate(non_null):
            lab[len(non_null) - 1 - i] = lv.get("label_for_charts") or lv["sql_condition"]
        labels[comp["output_column_name"]] = lab
    return labels


def explain(wh, a: str, b: str, settings: dict | None = None) -> dict:
    """The waterfall of match weights for mentions a and b."""
    import duckdb
    from splink import DuckDBAPI, Linker

    settings = settings or latest_model(wh)
    if settings is None:
        raise TraceabilityError("no person model yet: run `traceability link`")
    ra, rb = _records(wh, a, b)
    settings = dict(settings)
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    quiet_splink()
    con = duckdb.connect()
    try:
        import pandas as pd

        frame = pd.DataFrame([ra, rb])
        sdf = DuckDBAPI(con).register(frame, dataset_display_name="pair")
        linker = Linker(sdf, settings, log_level=None)
        row = linker.inference.score_pair(ra, rb).as_pandas_dataframe().iloc[0].to_dict()
    finally:
        con.close()
    lam = settings["probability_two_random_records_match"]
    prior = math.log2(lam / (1 - lam))
    labels = _level_labels(settings)
    from .model import comparisons

    described = {c["output_column_name"]: c["comparison_description"] for c in comparisons()}
    steps = [{"comparison": "prior", "level": "prior", "weight": prior, "tf_adjustment": 0.0}]
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        gamma = int(row[f"gamma_{name}"])
        w = float(row.get(f"mw_{name}") or 0.0)
        tf = row.get(f"mw_tf_adj_{name}")
        tf = 0.0 if tf is None or (isinstance(tf, float) and math.isnan(tf)) else float(tf)
        steps.append({"comparison": name, "description": described.get(name, name), "gamma": gamma,
                      "level": labels[name].get(gamma, str(gamma)), "weight": w, "tf_adjustment": tf})
    total = sum(s["weight"] + s["tf_adjustment"] for s in steps)
    return {"a": a, "b": b, "steps": steps, "match_weight": total,
            "match_probability": 2 ** total / (1 + 2 ** total) if total < 1000 else 1.0,
            "splink_match_weight": float(row["match_weight"]),
            "splink_match_probability": float(row["match_probability"])}


def weakest_link(wh, person_id: str) -> dict | None:
    """The weakest edge that holds a person's cluster together (None for a single mention)."""
    from .persons import EDGE_TABLE

    if not wh.table_exists(EDGE_TABLE):
        return None
    rows = wh.query_dicts(
        f"SELECT e.mention_a, e.mention_b, e.match_probability, e.match_weight FROM {EDGE_TABLE} e "
        "JOIN person_membership p ON p.mention_id = e.mention_a WHERE p.person_id = ? "
        "ORDER BY e.match_probability, e.match_weight NULLS LAST LIMIT 1", [person_id])
    return rows[0] if rows else None
