"""One definition per stage: the DuckDB SQL transpiles to Spark, and the person model's levels too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traceability.engine import STAGES, get_engine, to_dialect
from traceability.engine.exchange import export_frame


def test_spark_fixups_for_the_person_model_functions():
    sql = to_dialect("len(list_intersect(a_l, a_r)) >= 1 AND jaro_winkler_similarity(b_l, b_r) >= 0.92", "spark")
    assert sql == "SIZE(ARRAY_INTERSECT(a_l, a_r)) >= 1 AND JARO_WINKLER(b_l, b_r) >= 0.92"
    assert to_dialect("SELECT 1", "duckdb") == "SELECT 1"
    with pytest.raises(ValueError):
        to_dialect("SELECT 1", "postgres")


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_stage_transpiles_to_spark(stage):
    for name, sql in STAGES[stage].steps():
        out = to_dialect(sql, "spark")
        assert out and "list_intersect" not in out.lower(), name
        assert "date_diff('day'" not in out  # written as Spark's DATEDIFF(DAY, a, b)


def test_person_settings_transpile_every_level():
    from traceability.engine.persons import spark_settings, to_duckdb_model
    from traceability.linkage import model

    duck = model.settings_dict()
    spark = spark_settings(duck)
    assert spark["sql_dialect"] == "spark"
    conds = [lvl["sql_condition"] for c in spark["comparisons"] for lvl in c["comparison_levels"]]
    assert not any("jaro_winkler_similarity" in c.lower() for c in conds)
    assert any("JARO_WINKLER(" in c for c in conds)
    assert any("SIZE(ARRAY_INTERSECT(" in c for c in conds)
    assert len(spark["blocking_rules_to_generate_predictions"]) == len(model.BLOCKING_RULES)
    # parameters trained on Spark go back into the DuckDB settings level by level
    spark["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.123
    back = to_duckdb_model(spark, duck)
    assert back["comparisons"][0]["comparison_levels"][1]["m_probability"] == 0.123
    assert back["comparisons"][0]["comparison_levels"][1]["sql_condition"] == \
        duck["comparisons"][0]["comparison_levels"][1]["sql_condition"]


def test_near_repeat_grid_join_equals_knox_on_hand_made_points(tmp_path, wh):
    """Points on band edges, in neighbouring grid cells and across the time-bucket boundary."""
    from traceability.engine.reference import canonical_near_repeat, reference_near_repeat

    rng = np.random.default_rng(3)
    base = pd.DataFrame({"event_id": [f"e{i:03d}" for i in range(8)],
                         "x": [0.0, 0.0, 100.0, 399.9, 400.0, 799.0, 0.0, 1200.0],
                         "y": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 300.0, 0.0],
                         "t": [0.0, 6.99, 7.0, 27.5, 28.0, 30.0, 55.9, 1.0]})
    extra = pd.DataFrame({"event_id": [f"r{i:03d}" for i in range(300)], "x": rng.uniform(-900, 900, 300),
                          "y": rng.uniform(-900, 900, 300), "t": rng.integers(0, 120, 300).astype(float)})
    pts = pd.concat([base, extra], ignore_index=True)
    export_frame(wh, pts, tmp_path / "in" / "nr_point")
    with get_engine("duckdb") as eng:
        eng.run_stage("near_repeat", tmp_path / "in", tmp_path / "out")
        got = canonical_near_repeat(eng.frame("near_repeat_counts"))
    assert (got == reference_near_repeat(pts)).all()
    assert got.sum() > 50
