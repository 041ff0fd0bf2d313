"""Map warehouse persons to the generator's true persons, and score recovered groups against planted ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def true_person_of(wh, truth_dir: Path) -> dict[str, int]:
    """person_id → the true person most of its mentions belong to (truth/person_mentions.csv)."""
    t = pd.read_csv(Path(truth_dir) / "person_mentions.csv", dtype={"source_key": str})
    t["n"] = t.groupby(["source", "source_key", "role"]).cumcount() + 1
    t["mention_id"] = t["source"] + ":" + t["source_key"] + ":" + t["role"] + ":" + t["n"].astype(str)
    pm = wh.df("SELECT mention_id, person_id FROM person_membership")
    m = pm.merge(t[["mention_id", "true_person_id"]], on="mention_id")
    best = m.groupby(["person_id", "true_person_id"]).size().rename("k").reset_index()
    best = best.sort_values(["person_id", "k"], ascending=[True, False]).drop_duplicates("person_id")
    return dict(zip(best["person_id"], best["true_person_id"].astype(int), strict=True))


def recovery(res, wh, truth_dir: Path) -> dict:
    """ARI and NMI between planted groups and the recovered communities, over the planted members that
    appear in the graph (a member outside any reported group counts as its own singleton)."""
    from traceability.analysis.networks.graph import adjusted_rand_index, normalized_mutual_information

    tp = true_person_of(wh, truth_dir)
    groups = pd.read_csv(Path(truth_dir) / "groups.csv")
    planted = dict(zip(groups["true_person_id"], groups["group_id"], strict=True))
    node_group = res.group_members()
    # a true person may be split over several person_ids: take the first in a group, else any
    by_true: dict = {}
    for node in res.nodes["node_id"]:
        t = tp.get(node)
        if t in planted:
            g = node_group.get(node)
            if t not in by_true or (by_true[t] is None and g is not None):
                by_true[t] = g
    items = sorted(by_true)
    truth = [planted[t] for t in items]
    pred = [by_true[t] if by_true[t] is not None else f"single:{t}" for t in items]
    return {"planted_members": len(planted), "in_graph": len(items),
            "in_groups": sum(by_true[t] is not None for t in items),
            "ari": adjusted_rand_index(truth, pred), "nmi": normalized_mutual_information(truth, pred)}
