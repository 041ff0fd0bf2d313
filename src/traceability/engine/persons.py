"""Person linkage on Spark: the same Splink model as `linkage/persons.py`, run by Splink's Spark backend.

The model (comparisons, blocking rules, EM sessions, prior) is `linkage.model`, written in DuckDB's
dialect. `spark_settings` transpiles every comparison level and blocking rule with `dialect.to_dialect`
(sqlglot; ``jaro_winkler`` comes from Splink's bundled similarity jar, which `spark.spark_session` puts on
the class path). `SparkPredictor` has the signature of `linkage.persons._predict`, so
``persons.resolve(wh, predict=SparkPredictor(spark))`` runs the whole person step — features, guarded
clustering, stable ids, history — with only the pair scoring (and training) on Spark.

The trained model is stored back in DuckDB's dialect (the parameters copied level by level into the
DuckDB settings), so an incremental DuckDB run, the explanation waterfall and the web app read it as usual.

Same threshold and model ⇒ same pairs: scoring with a given model is deterministic on both engines (the
probabilities agree to floating-point rounding). Training on Spark estimates u by random sampling with
Spark's sampler, which draws a different sample from DuckDB's at the same seed: the m/u values, and so a few
borderline pairs, differ (bounded in tests/engine/test_spark.py).
"""

from __future__ import annotations

import copy
import json
import logging
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from .dialect import to_dialect

_PARAMS = ("m_probability", "u_probability", "tf_minimum_u_value", "fix_m_probability", "fix_u_probability")


def _transpile_condition(sql: str) -> str:
    if sql.strip().upper() == "ELSE":
        return sql
    return to_dialect(sql, "spark")


def spark_settings(settings: dict) -> dict:
    """A DuckDB-dialect Splink settings dict (`linkage.model.settings_dict()` or a saved model) for Spark."""
    s = copy.deepcopy(settings)
    s["sql_dialect"] = "spark"
    for c in s.get("comparisons", []):
        for lvl in c.get("comparison_levels", []):
            lvl["sql_condition"] = _transpile_condition(lvl["sql_condition"])
            lvl.pop("base_dialect_str", None)
    rules = []
    for r in s.get("blocking_rules_to_generate_predictions", []):
        rule = r["blocking_rule"] if isinstance(r, dict) else r
        rules.append({"blocking_rule": to_dialect(rule, "spark"), "sql_dialect": "spark"})
    s["blocking_rules_to_generate_predictions"] = rules
    return s


def to_duckdb_model(trained: dict, duckdb_settings: dict) -> dict:
    """The DuckDB settings with the parameters a Spark run trained (same comparisons, level by level)."""
    out = copy.deepcopy(duckdb_settings)
    out["sql_dialect"] = "duckdb"
    if "probability_two_random_records_match" in trained:
        out["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    for c_out, c_in in zip(out.get("comparisons", []), trained.get("comparisons", []), strict=True):
        for l_out, l_in in zip(c_out["comparison_levels"], c_in["comparison_levels"], strict=True):
            for k in _PARAMS:
                if k in l_in:
                    l_out[k] = l_in[k]
    return out


class SparkPredictor:
    """`linkage.persons._predict` on Spark: (edges frame, model json in DuckDB dialect, training notes)."""

    def __init__(self, spark=None, master: str | None = None, work_dir: str | Path | None = None):
        if spark is None:
            from .spark import spark_session

            spark = spark_session(master)
        self.spark = spark
        self.work_dir = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="traceability-persons-"))
        self.seconds: dict[str, float] = {}

    def __call__(self, wh, feats_table: str, settings: dict | str, train: bool, threshold: float, n: int,
                 only_new: bool):
        import time

        from splink import Linker
        from splink.backends.spark import SparkAPI

        from ..linkage import model
        from .exchange import _copy, _select

        logging.getLogger("splink").setLevel(logging.ERROR)
        duck = json.loads(settings) if isinstance(settings, str) else copy.deepcopy(settings)
        duck.pop("linker_uid", None)
        if only_new:
            duck["blocking_rules_to_generate_predictions"] = [
                {"blocking_rule": f"({r}) AND (l.is_new OR r.is_new)", "sql_dialect": "duckdb"}
                for r in model.BLOCKING_RULES]
        db_api = SparkAPI(spark_session=self.spark, break_lineage_method="parquet")

        def linker_for(table: str, s: dict):
            dest = self.work_dir / table
            _copy(wh, _select(wh, table), dest, count=False)
            df = self.spark.read.parquet(str(dest))
            # a name of its own: a second run in the same session would find "mentions" taken
            sdf = db_api.register(df, dataset_display_name=f"{table}_{uuid.uuid4().hex[:8]}")
            s = s if s.get("sql_dialect") == "spark" else spark_settings(s)  # a sample's trained model is
            return Linker(sdf, s, log_level=logging.WARNING)  # already in Spark's dialect

        t1 = time.perf_counter()
        if train:
            linker, notes = model.fit(wh, feats_table, n, duck, linker_for)
        else:
            linker, notes = linker_for(feats_table, duck), ["model of the previous run"]
        self.seconds["export+train"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        preds = linker.inference.predict(threshold_match_probability=min(0.5, threshold))
        edges = preds.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]]
        edges = edges.astype({"unique_id_l": str, "unique_id_r": str}).reset_index(drop=True)
        self.seconds["predict"] = time.perf_counter() - t2
        trained = linker.misc.save_model_to_json(overwrite=True)
        base = json.loads(settings) if isinstance(settings, str) else model.settings_dict()
        mj = to_duckdb_model(trained, base)
        mj["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": r, "sql_dialect": "duckdb"} for r in model.BLOCKING_RULES]
        return edges, json.dumps(mj, default=str), notes


def predict_edges(wh, predictor, feats_table: str, settings: dict | str, threshold: float,
                  train: bool = False) -> pd.DataFrame:
    """Only the scored pairs (no clustering, nothing written): for comparing engines."""
    n = int(wh.scalar(f"SELECT count(*) FROM {feats_table}"))
    edges, _mj, _notes = predictor(wh, feats_table, settings, train, threshold, n, False)
    return edges
