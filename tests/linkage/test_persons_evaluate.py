"""Linkage metrics on hand-computed cases."""

import pytest

from traceability.linkage.evaluate import bcubed, by_group, pairwise


def test_pairwise_hand_computed():
    # truth: {a,b,c} {d,e}; predicted: {a,b} {c,d,e}
    truth = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    s = pairwise(pred, truth)
    # true pairs: ab ac bc de = 4; predicted: ab cd ce de = 4; TP: ab de = 2
    assert (s.tp, s.predicted_pairs, s.true_pairs) == (2, 4, 4)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5) and s.f1 == pytest.approx(0.5)


def test_bcubed_hand_computed():
    truth = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    b = bcubed(pred, truth)
    # precision per item: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 10/15 ; recall: a 2/3, b 2/3, c 1/3, d 1, e 1
    assert b["precision"] == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert b["recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)


def test_perfect_and_singletons():
    truth = {"a": 1, "b": 2}
    s = pairwise({"a": 1, "b": 2}, truth)
    assert s.precision == 1.0 and s.recall == 1.0 and s.predicted_pairs == 0
    assert bcubed({"a": 1, "b": 1}, truth)["precision"] == pytest.approx(0.5)


def test_by_source_pair():
    truth = {"a": 1, "b": 1, "c": 1}
    pred = {"a": "x", "b": "x", "c": "y"}
    src = {"a": "ssc", "b": "fgj", "c": "fgj"}
    g = by_group(pred, truth, src)
    # true pairs: a-b (fgj|ssc), a-c (fgj|ssc), b-c (fgj|fgj); predicted: a-b only
    assert g["fgj|ssc"].true_pairs == 2 and g["fgj|ssc"].tp == 1 and g["fgj|ssc"].predicted_pairs == 1
    assert g["fgj|fgj"].true_pairs == 1 and g["fgj|fgj"].tp == 0
