"""Linkage quality against a truth mapping: pairwise precision/recall/F1 and B-cubed.

Both measures take two mappings item -> cluster (predicted, true) over the same items (items missing
from either are ignored). Pairwise counts come from the contingency table of (predicted, true) cluster
pairs, so no pair is ever enumerated: TP = Σ C(n_ij, 2), predicted pairs = Σ C(n_i., 2),
true pairs = Σ C(n_.j, 2). B-cubed (Bagga & Baldwin 1998, "Entity-based cross-document coreferencing
using the vector space model", ACL) averages, per item, |pred ∩ true| / |pred| and |pred ∩ true| / |true|.

`by_group` splits the pairwise counts by a label of each item (source, role): a pair of items with labels
(a, b) counts for the group "a|b" (sorted), so quality can be reported per source pair and per role pair.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass


def _c2(n: int) -> int:
    return n * (n - 1) // 2


@dataclass
class PairwiseScores:
    tp: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"tp": self.tp, "predicted_pairs": self.predicted_pairs, "true_pairs": self.true_pairs,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


def _common(pred: dict, truth: dict) -> list:
    return [k for k in pred if k in truth]


def pairwise(pred: dict, truth: dict) -> PairwiseScores:
    items = _common(pred, truth)
    cells = Counter((pred[k], truth[k]) for k in items)
    rows = Counter(pred[k] for k in items)
    cols = Counter(truth[k] for k in items)
    return PairwiseScores(sum(_c2(n) for n in cells.values()), sum(_c2(n) for n in rows.values()),
                          sum(_c2(n) for n in cols.values()))


def bcubed(pred: dict, truth: dict) -> dict:
    items = _common(pred, truth)
    if not items:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    cells = Counter((pred[k], truth[k]) for k in items)
    rows = Counter(pred[k] for k in items)
    cols = Counter(truth[k] for k in items)
    p = sum(cells[(pred[k], truth[k])] / rows[pred[k]] for k in items) / len(items)
    r = sum(cells[(pred[k], truth[k])] / cols[truth[k]] for k in items) / len(items)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _pairs_by_label(groups: dict, label: dict) -> Counter:
    """Σ over clusters of the pairs between label a and label b."""
    out: Counter = Counter()
    for members in groups.values():
        counts = Counter(label[m] for m in members)
        labels = sorted(counts)
        for i, a in enumerate(labels):
            out[f"{a}|{a}"] += _c2(counts[a])
            for b in labels[i + 1:]:
                out[f"{a}|{b}"] += counts[a] * counts[b]
    return out


def by_group(pred: dict, truth: dict, label: dict) -> dict[str, PairwiseScores]:
    """Pairwise scores per label pair ("a|b", sorted)."""
    items = _common(pred, truth)
    cells, rows, cols = defaultdict(list), defaultdict(list), defaultdict(list)
    for k in items:
        cells[(pred[k], truth[k])].append(k)
        rows[pred[k]].append(k)
        cols[truth[k]].append(k)
    tp, pp, tt = _pairs_by_label(cells, label), _pairs_by_label(rows, label), _pairs_by_label(cols, label)
    return {g: PairwiseScores(tp.get(g, 0), pp.get(g, 0), tt.get(g, 0))
            for g in sorted(set(pp) | set(tt)) if pp.get(g, 0) or tt.get(g, 0)}


def report(pred: dict, truth: dict, labels: dict[str, dict] | None = None) -> dict:
    """Everything at once: pairwise, B-cubed and, per label kind (e.g. source, role), pairwise by group."""
    out = {"items": len(_common(pred, truth)), "pairwise": pairwise(pred, truth).to_dict(),
           "bcubed": bcubed(pred, truth)}
    for kind, label in (labels or {}).items():
        out[f"by_{kind}"] = {g: s.to_dict() for g, s in by_group(pred, truth, label).items()}
    return out


def truth_from_city(wh, truth_csv) -> tuple[dict, dict]:
    """(predicted, truth) mappings keyed by mention_id, from a synthetic city's truth/person_mentions.csv.

    The n-th truth row of a (source, source_key, role) is the mention numbered n (file order).
    """
    import csv

    truth: dict[str, str] = {}
    seen: Counter = Counter()
    with open(truth_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["source"], row["source_key"], row["role"])
            seen[key] += 1
            truth[f"{row['source']}:{row['source_key']}:{row['role']}:{seen[key]}"] = row["true_person_id"]
    pred = dict(wh.query("SELECT mention_id, person_id FROM person_membership"))
    return pred, truth


def labels_of(mention_ids) -> dict[str, dict]:
    """Source and role of each mention, read off its id (`source:source_key:role:n`)."""
    src, role = {}, {}
    for m in mention_ids:
        parts = m.split(":")
        src[m] = parts[0]
        role[m] = parts[-2] if len(parts) >= 4 else ""
    return {"source": src, "role": role}


def city_report(wh, truth_csv, thresholds=None) -> dict:
    """Accuracy of person linkage against a synthetic city's truth.

    With `thresholds`, the saved model re-clusters at each one (`persons.clusters_at`) and the result maps
    each threshold to its `report`; without, the stored `person_membership` is measured.
    """
    pred, truth = truth_from_city(wh, truth_csv)
    labels = labels_of(k for k in pred if k in truth)
    if not thresholds:
        return {"stored": report(pred, truth, labels)}
    from .persons import clusters_at

    return {t: report(p, truth, labels) for t, p in clusters_at(wh, thresholds).items()}


def format_table(rep: dict, min_true_pairs: int = 1) -> str:
    """A plain-text table of a `report`: overall, then per source pair and per role pair."""
    lines = [f"items {rep['items']:,}  pairwise P {rep['pairwise']['precision']:.4f} "
             f"R {rep['pairwise']['recall']:.4f} F1 {rep['pairwise']['f1']:.4f}  "
             f"B3 P {rep['bcubed']['precision']:.4f} R {rep['bcubed']['recall']:.4f} F1 {rep['bcubed']['f1']:.4f}"]
    for kind in ("source", "role"):
        groups = rep.get(f"by_{kind}") or {}
        lines.append(f"  by {kind}: {'group':44} {'true':>8} {'pred':>8} {'tp':>8} {'P':>7} {'R':>7}")
        for g, s in sorted(groups.items(), key=lambda kv: -kv[1]["true_pairs"]):
            if s["true_pairs"] < min_true_pairs and s["predicted_pairs"] == s["tp"]:
                continue
            lines.append(f"  {'':{len(kind) + 4}} {g:44} {s['true_pairs']:>8} {s['predicted_pairs']:>8} "
                         f"{s['tp']:>8} {s['precision']:>7.4f} {s['recall']:>7.4f}")
    return "\n".join(lines)
