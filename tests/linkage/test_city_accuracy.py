"""Person linkage against the planted truth of the small generated city (fixtures `city_db`, `city_dir`:
scale 0.02, seed 7, ingested and linked at the default threshold 0.9).

Issue 5 asks, at scale 0.2: pairwise precision >= 0.99, recall >= 0.95, B-cubed F1 >= 0.97. Measured
(commit of this test; `bench/bench_link.py` gives the figures at 0.2 and 1.0):

- scale 0.02 (16,370 mentions, 7,268 true pairs) at 0.9: pairwise P 0.9993 R 0.9311, B-cubed F1 0.9907;
  at 0.5: P 0.9832 R 0.9481 (B-cubed 0.9904); at 0.99: P 0.9997 R 0.9066 (B-cubed 0.9878);
- scale 0.2 (164k mentions, full-name comparison and the extra blocking rules) at 0.5 / 0.8 / 0.9 / 0.95 /
  0.99: P 0.9821 / 0.9966 / 0.9989 / 0.9996 / 0.9999, R 0.9700 / 0.9635 / 0.9592 / 0.9551 / 0.9398, B-cubed
  F1 0.9875 / 0.9901 / 0.9898 / 0.9890 / 0.9869 (link 75 s on a busy machine). The 911 callers remain the
  weak pairs: at 0.9 c5|fgj_victimas R 0.76, c5|ssa_lesiones 0.67, c5|c5 0.76.

A small city has few true pairs per source pair, and the pairs that cannot be linked by design weigh
more: mentions with an alias only (security commissions) stay singletons, legal-person victims are not
linked to natural-person callers. The thresholds below leave about one point of margin under the
measured figures; per source pair only the big, identifier-rich pairs (detention, prosecution, courts)
are held to the issue's targets.
"""

from __future__ import annotations

import pytest

from traceability.linkage.evaluate import city_report, format_table
from traceability.warehouse import Warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stored(city_db, city_dir):
    with Warehouse(city_db, read_only=True) as wh:
        rep = city_report(wh, city_dir / "truth" / "person_mentions.csv")["stored"]
    print(format_table(rep, min_true_pairs=20))
    return rep


def test_overall(stored):
    assert stored["items"] > 1000
    assert stored["pairwise"]["precision"] >= 0.99
    assert stored["pairwise"]["recall"] >= 0.91
    assert stored["bcubed"]["f1"] >= 0.975


@pytest.mark.parametrize("pair", ["fgj_imputados|ssc_detenciones", "fgj_imputados|tsj_causas",
                                  "ssc_detenciones|tsj_causas", "fgj_imputados|fgj_imputados"])
def test_justice_sources(stored, pair):
    s = stored["by_source"][pair]
    assert s["true_pairs"] >= 20
    assert s["precision"] >= 0.99 and s["recall"] >= 0.95, (pair, s)


def test_every_role_pair_precise(stored):
    """No role pair with a meaningful number of predicted pairs is mostly wrong."""
    for g, s in stored["by_role"].items():
        if s["predicted_pairs"] >= 50:
            assert s["precision"] >= 0.95, (g, s)


def test_threshold_moves_precision_and_recall(city_db, city_dir, tmp_path):
    """Raising the threshold never lowers precision and never raises recall (same scores, guarded
    clustering on fewer edges)."""
    import shutil

    db = tmp_path / "c.duckdb"
    shutil.copy(city_db, db)  # clusters_at writes the feature table
    with Warehouse(db) as wh:
        rep = city_report(wh, city_dir / "truth" / "person_mentions.csv", (0.5, 0.9, 0.99))
    p = [rep[t]["pairwise"]["precision"] for t in (0.5, 0.9, 0.99)]
    r = [rep[t]["pairwise"]["recall"] for t in (0.5, 0.9, 0.99)]
    print({t: (round(rep[t]["pairwise"]["precision"], 4), round(rep[t]["pairwise"]["recall"], 4),
               round(rep[t]["bcubed"]["f1"], 4)) for t in rep})
    assert p[0] <= p[1] + 1e-9 <= p[2] + 2e-9
    assert r[0] + 1e-9 >= r[1] >= r[2] - 1e-9


def test_training_on_a_sample_keeps_accuracy(city_db, city_dir, tmp_path, monkeypatch):
    """Large extracts train EM on a repeatable sample of records (`model.training_table`: at scale 1.0 the
    surname-pair session alone is 257 M pairs); prediction still covers every record. Forced here on the
    small city by capping training at 6,000 of its ~16,000 records: the same accuracy floor holds."""
    import shutil

    from traceability.linkage import model, persons

    db = tmp_path / "s.duckdb"
    shutil.copy(city_db, db)
    monkeypatch.setenv("TRACEABILITY_TRAIN_RECORDS", "6000")
    with Warehouse(db) as wh:
        n = int(wh.scalar(f"SELECT count(*) FROM {persons.FEATURE_TABLE}"))
        t1, n1, _ = model.training_table(wh, persons.FEATURE_TABLE, n)
        first = {r[0] for r in wh.query(f"SELECT unique_id FROM {t1}")}
        t2, n2, _ = model.training_table(wh, persons.FEATURE_TABLE, n)
        assert t1 == t2 == model.TRAIN_TABLE and n1 == n2 == len(first)
        assert {r[0] for r in wh.query(f"SELECT unique_id FROM {t2}")} == first  # the same sample each time
        assert 0.25 * n < n1 < 0.5 * n
        summary = persons.resolve(wh, full=True)
        assert summary["training"][0].startswith("trained on a sample of")
        assert not wh.table_exists(model.TRAIN_TABLE)
        assert summary["scored"] == n
        rep = city_report(wh, city_dir / "truth" / "person_mentions.csv")["stored"]
    print(summary["training"][0], rep["pairwise"], rep["bcubed"])
    assert rep["pairwise"]["precision"] >= 0.99
    assert rep["pairwise"]["recall"] >= 0.91
    assert rep["bcubed"]["f1"] >= 0.975
