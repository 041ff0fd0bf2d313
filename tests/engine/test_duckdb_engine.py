"""The engine's SQL on DuckDB gives the figures of the ordinary modules on the generated city."""

from __future__ import annotations

import pytest

from tests.engine.conftest import check_against_reference
from traceability.engine import STAGES, get_engine


@pytest.mark.slow
def test_all_stages_on_duckdb_equal_the_modules(city_db, city_exchange, tmp_path):
    with get_engine("duckdb") as eng:
        for st in STAGES:
            r = eng.run_stage(st, city_exchange, tmp_path)
            assert all(n >= 0 for n in r["rows"].values())
    sizes = check_against_reference(city_db, city_exchange, tmp_path)
    # non-trivial figures: the comparison means something
    assert sizes["repeat_pairs"] > 100 and sizes["edges"] > 500 and sizes["chain_links"] > 500
    assert sizes["nr_pairs"] > 0


@pytest.mark.slow
def test_pipeline_cli_duckdb_loads_results_back(city_db, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from traceability.cli.main import app
    from traceability.warehouse import Warehouse

    db = tmp_path / "copy.duckdb"
    shutil.copy(city_db, db)
    res = CliRunner().invoke(app, ["pipeline", "run", "--engine", "duckdb", "--db", str(db), "--out",
                                   str(tmp_path / "out"), "--stage", "associations", "--stage", "chain_keys",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    with Warehouse(db, read_only=True) as wh:
        assert wh.scalar("SELECT count(*) FROM engine_association_edges") == \
            wh.scalar("SELECT count(*) FROM association WHERE kind IN ('co_accused', 'co_detained', "
                      "'shared_address', 'shared_phone')")
        assert wh.scalar("SELECT count(*) FROM engine_chain_key_links") > 0


def test_unknown_engine_and_stage_are_usage_errors(tmp_path):
    from traceability.engine.pipeline import run_pipeline
    from traceability.errors import UsageError

    with pytest.raises(UsageError, match="--engine"):
        get_engine("flink")
    with pytest.raises(UsageError, match="spark-master"):
        get_engine("duckdb", master="spark://x:7077")
    with pytest.raises(UsageError, match="unknown stage"):
        run_pipeline(stages=["nope"], input_dir=tmp_path)
    with pytest.raises(UsageError, match="--db"):
        run_pipeline(stages=["persons"], input_dir=tmp_path)
