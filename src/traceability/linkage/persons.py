"""Person resolution: every person mention of every agency → one `person_id` per real person.

`resolve(wh, threshold=None, full=False, progress=None)` is the linkage step the orchestrator calls.

What is linked, and how
-----------------------
- **Natural persons with a name or an identifier** (given names, a surname, CURP, RFC or phone): scored by
  the Splink model of `model.py` (Fellegi–Sunter, EM-trained on the data themselves, term-frequency
  adjusted) over all sources at once, on the warehouse's DuckDB connection.
- **Legal persons** (`is_legal_person`, FGJ victims that are businesses): not scored by the person model,
  whose comparisons are about people. They are grouped deterministically on the RFC (when it has an
  RFC's shape) or else the normalized business name (legal-form suffixes such as S.A. DE C.V. removed),
  with match probability 1.0.
- **Mentions with an alias only** (the security commissions' `mentioned` role) or with nothing to compare:
  left as singletons. An alias alone ("EL CHINO") is shared by too many people to pass any sensible
  threshold; the networks step uses aliases as their own evidence.

Clustering guarded against chaining
-----------------------------------
Pairs at or above the threshold are merged strongest first (Kruskal order); a merge is refused when the
merged cluster would hold two different valid CURPs or two sexes in records the model did not link directly,
or birth dates that are not one typo apart (birth years more than 3 apart) in more such records than there
are direct links between the two parts (one record with a wrong birth date, linked directly to most of its
person's records, joins them). The weakest edges are therefore the ones left out, and a cluster that
chaining would have built across two people stays split. The edges used (a maximum spanning forest) are
kept in `person_link_edge`, so each cluster's weakest link can be shown and explained.

Stable identifiers
------------------
A full run maps its clusters to the previous `person_id`s by largest overlap (each old id to at most one
cluster); a cluster drawing on several old ids records a `merge`, an old id spread over several clusters a
`split`. An incremental run (the default once a model exists) scores only pairs that involve a mention
not yet linked, against everything, with the saved model; existing clusters stay as they are and new
mentions join them or form new persons (a new mention bridging two persons records a `merge`).
Changed source rows keep their mention_id; re-link with `full=True` after a re-load that corrects names.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import defaultdict

import pandas as pd

from . import model
from .curp import rfc_key
from .names import name_upper

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.9
MAX_YOB_SPREAD = 3
EDGE_TABLE = "person_link_edge"
FEATURE_TABLE = "person_link_features"
_LEGAL_FORMS = re.compile(r"\b(S ?A ?B? ?DE ?C ?V|S ?DE ?R ?L( DE C ?V)?|S ?C|A ?C|S ?A ?P ?I|S ?A|SAPI|SC|AC)\b")


class _SplinkToDebug(logging.Handler):
    """Re-emits Splink's records (training chatter such as "Level … not observed in dataset, unable to
    train m value") at DEBUG on our own logger `traceability.linkage.splink`: the CLI shows only our
    progress, and the messages stay available to whoever configures logging at DEBUG."""

    target = logging.getLogger("traceability.linkage.splink")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = " ".join(record.getMessage().replace("WARNING:", "").split())
        except Exception:  # a malformed record must not break linkage
            return
        if msg:
            self.target.debug("%s", msg)


def quiet_splink() -> None:
    """Route the `splink` logger through `_SplinkToDebug` only (idempotent). Pass `log_level=None` to
    `Linker` afterwards, or it installs its own stderr handler again."""
    splink_logger = logging.getLogger("splink")
    for h in list(splink_logger.handlers):
        if not isinstance(h, _SplinkToDebug):
            splink_logger.removeHandler(h)
    if not any(isinstance(h, _SplinkToDebug) for h in splink_logger.handlers):
        splink_logger.addHandler(_SplinkToDebug())
    splink_logger.propagate = False
    splink_logger.setLevel(logging.INFO if _SplinkToDebug.target.isEnabledFor(logging.DEBUG) else logging.ERROR)


def _progress(progress, text: str) -> None:
    if progress:
        progress(0, description=f"persons: {text}")


def _nn(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def business_key(name, rfc, address=None, alcaldia=None) -> str | None:
    """The grouping key of a legal person: its RFC; else its normalized name at its address.

    A business name alone is not an identity: "ABARROTES RAMIREZ" or "CREMERIA CRUZ" are many shops
    (measured on the synthetic city at scale 0.2: grouping on the name alone put 8,356 pairs together of
    which 630 were the same business; name + address, 630 of 630). So the normalized address (else the
    alcaldía) is part of the key when the record has one.
    """
    k = rfc_key(rfc)
    if k:
        return "RFC:" + k
    n = name_upper(name)
    if not n:
        return None
    n = _LEGAL_FORMS.sub(" ", n)
    n = " ".join(n.split())
    if not n:
        return None
    where = name_upper(_nn(address)) or (("ALC " + str(alcaldia)) if _nn(alcaldia) else None)
    return "BN:" + n + ("@" + where if where else "")


# -- clustering ----------------------------------------------------------------------------------
class _Clusters:
    """Union-find over mentions whose components carry what must stay consistent."""

    def __init__(self, attrs: dict[str, tuple], direct: set | None = None):
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}
        self.info: dict[str, list] = {}
        self.members: dict[str, list[str]] = {}
        self.attrs = attrs
        self.direct = direct or set()

    def add(self, node: str) -> None:
        if node in self.parent:
            return
        self.parent[node] = node
        self.size[node] = 1
        curp, sex, yob, bdate = self.attrs.get(node, (None, None, None, None))
        self.info[node] = [{curp} - {None}, {sex} - {None}, yob, yob, {bdate} - {None}]
        self.members[node] = [node]

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    @staticmethod
    def _dates_compatible(a: set, b: set) -> bool:
        for x in a:
            for y in b:
                if x != y and sum(c1 != c2 for c1, c2 in zip(x, y, strict=False)) > 1:
                    return False
        return True

    def _summary_consistent(self, a: list, b: list) -> bool:
        if len(a[0] | b[0]) > 1 or len(a[1] | b[1]) > 1:
            return False
        lo = [v for v in (a[2], b[2]) if v is not None]
        hi = [v for v in (a[3], b[3]) if v is not None]
        if lo and hi and max(hi) - min(lo) > MAX_YOB_SPREAD:
            return False
        return self._dates_compatible(a[4], b[4])

    def _pair_conflict(self, x: str, y: str) -> int:
        """0 none; 1 birth (dates more than a typo, or years more than 3, apart); 2 CURP or sex."""
        ax, ay = self.attrs.get(x), self.attrs.get(y)
        if ax is None or ay is None:
            return 0
        (cx, sx, yx, bx), (cy, sy, yy, by) = ax, ay
        if cx and cy and cx != cy:
            return 2
        if sx and sy and sx != sy:
            return 2
        if yx is not None and yy is not None and abs(yx - yy) > MAX_YOB_SPREAD:
            return 1
        return int(bool(bx and by and not self._dates_compatible({bx}, {by})))

    def consistent(self, ra: str, rb: str) -> bool:
        """May these components merge? A conflicting pair that the model did not link directly blocks the
        merge: the guard stops chaining, it does not overrule the model's own pairwise decisions. A
        different CURP or sex always blocks; conflicting birth dates block unless outvoted, i.e. the two
        components have more direct links between them than such conflicting pairs (one record of a
        person with a wrong birth date, linked directly to most of the person's other records on
        everything else, is not a chain across two people)."""
        if self._summary_consistent(self.info[ra], self.info[rb]):
            return True
        if len(self.info[ra][0] | self.info[rb][0]) > 1:
            return False  # two valid CURPs are two people, whatever else agrees
        ma, mb = self.members[ra], self.members[rb]
        if len(ma) * len(mb) > 20_000:
            return False
        soft = links = 0
        for x in ma:
            for y in mb:
                if (min(x, y), max(x, y)) in self.direct:
                    links += 1
                    continue
                c = self._pair_conflict(x, y)
                if c == 2:
                    return False
                soft += c
        return soft == 0 or soft < links

    def union(self, a: str, b: str, guard: bool = True) -> str | None:
        """Merge the components of a and b; None when refused (guard) or already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if guard and not self.consistent(ra, rb):
            return None
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        ia, ib = self.info[ra], self.info.pop(rb)
        ia[0] |= ib[0]
        ia[1] |= ib[1]
        ia[2] = min(v for v in (ia[2], ib[2], 10**9) if v is not None)
        ia[3] = max(v for v in (ia[3], ib[3], -(10**9)) if v is not None)
        if ia[2] == 10**9:
            ia[2] = ia[3] = None
        ia[4] |= ib[4]
        self.members[ra].extend(self.members.pop(rb))
        return ra

    def components(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for n in self.parent:
            out[self.find(n)].append(n)
        return out


def cluster_edges(nodes, edges: pd.DataFrame, attrs: dict, threshold: float,
                  groups: dict[str, list[str]] | None = None):
    """Guarded clustering. `edges` has unique_id_l, unique_id_r, match_probability, match_weight.

    `groups` are clusters fixed beforehand (existing persons, legal persons): joined without a guard.
    Returns (components {root: [members]}, spanning edges list, number of refused merges).
    """
    strong = edges[edges["match_probability"] >= threshold] if len(edges) else edges
    direct = ({(min(a, b), max(a, b)) for a, b in zip(strong["unique_id_l"], strong["unique_id_r"], strict=True)}
              if len(strong) else set())
    uf = _Clusters(attrs, direct)
    for n in nodes:
        uf.add(n)
    for members in (groups or {}).values():
        for m in members:
            uf.add(m)
        for m in members[1:]:
            uf.union(members[0], m, guard=False)
    span: list[tuple] = []
    refused = 0
    if len(edges):
        e = edges[edges["match_probability"] >= threshold].sort_values(
            ["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True])
        for a, b, p, w in zip(e["unique_id_l"], e["unique_id_r"], e["match_probability"], e["match_weight"],
                              strict=True):
            uf.add(a)
            uf.add(b)
            ra, rb = uf.find(a), uf.find(b)
            if ra == rb:
                continue
            if uf.union(a, b) is None:
                refused += 1
            else:
                span.append((a, b, float(p), float(w)))
    return uf.components(), span, refused


def _membership_probability(components, edges: pd.DataFrame, threshold: float) -> dict[str, float]:
    """Per mention, the strongest pair (≥ threshold) it has inside its own cluster; 1.0 for singletons."""
    where = {m: root for root, ms in components.items() for m in ms}
    best: dict[str, float] = {}
    if len(edges):
        e = edges[edges["match_probability"] >= threshold]
        for a, b, p in zip(e["unique_id_l"], e["unique_id_r"], e["match_probability"], strict=True):
            if where.get(a) is not None and where.get(a) == where.get(b):
                if p > best.get(a, 0.0):
                    best[a] = float(p)
                if p > best.get(b, 0.0):
                    best[b] = float(p)
    return best


# -- stable ids ----------------------------------------------------------------------------------
def _next_person_number(wh) -> int:
    n = wh.scalar("SELECT max(TRY_CAST(substr(person_id, 2) AS BIGINT)) FROM person WHERE person_id LIKE 'P%'")
    return int(n or 0) + 1


def _assign_ids(components: dict[str, list[str]], old_of: dict[str, str], next_no: int):
    """Map clusters to previous person_ids by largest overlap. Returns ({root: person_id}, history, next)."""
    overlaps = []
    old_sizes: dict[str, int] = defaultdict(int)
    for pid in old_of.values():
        old_sizes[pid] += 1
    for root, members in components.items():
        counts: dict[str, int] = defaultdict(int)
        for m in members:
            if m in old_of:
                counts[old_of[m]] += 1
        for pid, n in counts.items():
            overlaps.append((n, pid, root))
    overlaps.sort(key=lambda t: (-t[0], t[1], t[2]))
    taken_old: set[str] = set()
    ids: dict[str, str] = {}
    for _n, pid, root in overlaps:
        if root in ids or pid in taken_old:
            continue
        ids[root] = pid
        taken_old.add(pid)
    history = []
    for root, members in sorted(components.items(), key=lambda kv: min(kv[1])):
        if root not in ids:
            ids[root] = f"P{next_no:08d}"
            next_no += 1
            olds = sorted({old_of[m] for m in members if m in old_of})
            if olds:
                for o in olds:
                    history.append(("split", o, ids[root], json.dumps({"moved": sum(
                        1 for m in members if old_of.get(m) == o)})))
            else:
                history.append(("new", ids[root], None, json.dumps({"mentions": len(members)})))
        else:
            pid = ids[root]
            for o in sorted({old_of[m] for m in members if m in old_of} - {pid}):
                history.append(("merge", pid, o, json.dumps({"absorbed": sum(
                    1 for m in members if old_of.get(m) == o)})))
    return ids, history, next_no


# -- the step ------------------------------------------------------------------------------------
def _ensure_tables(wh) -> None:
    wh.execute(f"CREATE TABLE IF NOT EXISTS {EDGE_TABLE} (run_id BIGINT, mention_a VARCHAR, mention_b VARCHAR, "
               "match_probability DOUBLE, match_weight DOUBLE)")


def _save_features(wh, feats: pd.DataFrame) -> None:
    wh.con.register("_tr_person_feats", feats)
    try:
        wh.execute(f"CREATE OR REPLACE TABLE {FEATURE_TABLE} AS SELECT * FROM _tr_person_feats")
    finally:
        wh.con.unregister("_tr_person_feats")


def _predict(wh, feats_table: str, settings: dict | str, train: bool, threshold: float, n: int,
             only_new: bool):
    """Run Splink on the warehouse connection; returns (edges frame, model json, training notes)."""
    from splink import DuckDBAPI, Linker

    quiet_splink()  # its training chatter is not ours to print
    from . import link_memory

    # DuckDB would take up to 80 % of the machine for the pair joins; cap it and let it spill to disk
    wh.execute(f"SET memory_limit = '{link_memory()}'")
    db_api = DuckDBAPI(wh.con)
    sdf = db_api.register(feats_table, dataset_display_name="mentions")
    if isinstance(settings, str):
        settings = json.loads(settings)
    if only_new:
        settings = dict(settings)
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": f"({r}) AND (l.is_new OR r.is_new)", "sql_dialect": "duckdb"}
            for r in model.BLOCKING_RULES]
    if train:
        def linker_for(table, s):
            d = sdf if table == feats_table else db_api.register(table, dataset_display_name="training_sample")
            return Linker(d, s, log_level=None)

        linker, notes = model.fit(wh, feats_table, n, settings, linker_for)
    else:
        linker, notes = Linker(sdf, settings, log_level=None), ["model of the previous run"]
    preds = linker.inference.predict(threshold_match_probability=min(0.5, threshold))
    edges = wh.df(f"SELECT unique_id_l, unique_id_r, match_probability, match_weight "
                  f"FROM {preds.physical_name}")
    mj = model.model_json(linker)
    if only_new:  # store the model with its ordinary rules
        d = json.loads(mj)
        d["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": r, "sql_dialect": "duckdb"} for r in model.BLOCKING_RULES]
        mj = json.dumps(d)
    try:
        linker.table_management.delete_tables_created_by_splink_from_db()
    except Exception:  # cleanup only
        pass
    return edges, mj, notes


def load_mentions(wh):
    """(mentions, model features of the scored ones, guard attributes, legal-person groups)."""
    mentions = wh.df(model.MENTION_SQL)
    legal = mentions["is_legal_person"].fillna(False).astype(bool)
    nat = mentions[~legal]
    feats = model.features(nat)
    has_evidence = feats[["given_key", "surname_1", "curp", "rfc10", "phone"]].notna().any(axis=1)
    feats = feats[has_evidence].reset_index(drop=True)
    attrs = {u: ((_nn(c) if v else None), _nn(s), (int(y) if pd.notna(y) else None), _nn(b))
             for u, c, v, s, y, b in zip(feats["unique_id"], feats["curp"], feats["curp_valid"], feats["sex"],
                                         feats["yob"], feats["birth_date"], strict=True)}
    # legal persons: deterministic groups
    legal_groups: dict[str, list[str]] = defaultdict(list)
    lg = mentions[legal]
    for mid, bn, rfc, addr, alc in zip(lg["mention_id"], lg["business_name"], lg["rfc"], lg["address_norm"],
                                       lg["alcaldia"], strict=True):
        k = business_key(bn, rfc, addr, alc)
        if k:
            legal_groups[k].append(str(mid))
    return mentions, feats, attrs, legal_groups


def clusters_at(wh, thresholds, model_json: str | None = None) -> dict[float, dict[str, str]]:
    """Re-cluster with the saved model at several thresholds without writing anything.

    Scores every candidate pair once (at the lowest threshold, with the model of the latest run or
    `model_json`), then runs the guarded clustering per threshold. Returns {threshold: {mention_id:
    cluster}}; used to report how accuracy moves with the threshold.
    """
    thresholds = sorted(float(t) for t in thresholds)
    if model_json is None:
        row = wh.query("SELECT model_json FROM link_run WHERE finished_at IS NOT NULL AND model_json IS NOT NULL "
                       "ORDER BY run_id DESC LIMIT 1")
        if not row:
            from ..errors import TraceabilityError

            raise TraceabilityError("no person model yet: run `traceability link`")
        model_json = row[0][0]
    mentions, feats, attrs, legal_groups = load_mentions(wh)
    _save_features(wh, feats)
    edges, _, _ = _predict(wh, FEATURE_TABLE, model_json, False, thresholds[0], len(feats), only_new=False)
    groups = {k: v for k, v in legal_groups.items() if len(v) > 1}
    nodes = list(mentions["mention_id"].astype(str))
    out = {}
    for t in thresholds:
        comps, _, _ = cluster_edges(nodes, edges, attrs, t, groups)
        out[t] = {m: root for root, ms in comps.items() for m in ms}
    return out


def resolve(wh, threshold: float | None = None, full: bool = False, progress=None, predict=None) -> dict:
    """Link person mentions into persons; returns a summary for the CLI.

    `predict` scores the pairs (and trains the model): `_predict` on the warehouse's DuckDB by default, or
    anything with its signature, such as `engine.persons.SparkPredictor` for Splink on Spark.
    """
    predict = predict or _predict
    t0 = time.time()
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0 < threshold < 1:
        from ..errors import UsageError

        raise UsageError(f"--threshold {threshold} is not a probability: give a value between 0 and 1, e.g. 0.9")
    _ensure_tables(wh)
    run_id = wh.next_id("link_run", "run_id")
    prev = wh.query("SELECT run_id, model_json FROM link_run WHERE finished_at IS NOT NULL AND model_json IS "
                    "NOT NULL ORDER BY run_id DESC LIMIT 1")
    old = wh.df("SELECT mention_id, person_id, match_probability, run_id FROM person_membership")
    old_of = dict(zip(old["mention_id"], old["person_id"], strict=True))
    old_prob = dict(zip(old["mention_id"], old["match_probability"], strict=True))
    old_run = dict(zip(old["mention_id"], old["run_id"], strict=True))
    mode = "full" if (full or not prev or not old_of) else "incremental"
    wh.execute("INSERT INTO link_run (run_id, threshold, mode) VALUES (?, ?, ?)", [run_id, threshold, mode])

    stages: dict[str, float] = {}
    mark = [time.time()]

    def lap(name: str) -> None:
        now = time.time()
        stages[name] = round(now - mark[0], 2)
        mark[0] = now

    _progress(progress, "reading mentions")
    mentions, feats, attrs, legal_groups = load_mentions(wh)
    ids = list(mentions["mention_id"].astype(str))
    live = set(ids)
    n_mentions, n_scored = len(mentions), len(feats)

    if mode == "incremental":
        feats["is_new"] = ~feats["unique_id"].isin(old_of.keys())
        n_new = int(feats["is_new"].sum())
    else:
        n_new = n_scored
    _save_features(wh, feats)
    del mentions, feats  # in DuckDB now: scoring has their memory (1 to 2 GB at scale 1.0)
    lap("reading mentions and features")

    model_json = prev[0][1] if prev else None
    notes: list[str] = []
    edges = pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability", "match_weight"])
    if n_scored >= 2 and n_new > 0:
        _progress(progress, f"scoring {n_new:,} mentions ({mode})")
        if mode == "full":
            edges, model_json, notes = predict(wh, FEATURE_TABLE, model.settings_dict(), True, threshold,
                                               n_scored, only_new=False)
        else:
            edges, model_json, notes = predict(wh, FEATURE_TABLE, model_json, False, threshold, n_scored,
                                               only_new=True)
    elif model_json is None:
        model_json = json.dumps(model.settings_dict())

    lap("features and scoring")
    _progress(progress, "clustering")
    all_nodes = list(ids)
    if mode == "full":
        groups = {k: v for k, v in legal_groups.items() if len(v) > 1}
        comps, span, refused = cluster_edges(all_nodes, edges, attrs, threshold, groups)
        for members in groups.values():
            span.extend((members[0], m, 1.0, float("inf")) for m in members[1:])
        pids, history, _ = _assign_ids(comps, {m: p for m, p in old_of.items() if m in live},
                                       _next_person_number(wh))
        best = _membership_probability(comps, edges, threshold)
        changed = set(all_nodes)
    else:
        existing: dict[str, list[str]] = defaultdict(list)
        for m, p in old_of.items():
            if m in live:
                existing["old:" + p].append(m)
        # new legal-person mentions join their business group (and the person holding it)
        new_legal_edges = []
        for members in legal_groups.values():
            known = [m for m in members if m in old_of]
            fresh = [m for m in members if m not in old_of]
            anchor = known[0] if known else (fresh[0] if fresh else None)
            new_legal_edges += [(anchor, m) for m in fresh if m != anchor]
        legal_df = pd.DataFrame(new_legal_edges, columns=["unique_id_l", "unique_id_r"])
        legal_df["match_probability"] = 1.0
        legal_df["match_weight"] = float("inf")
        all_edges = pd.concat([edges, legal_df], ignore_index=True) if len(legal_df) else edges
        comps, span, refused = cluster_edges(all_nodes, all_edges, attrs, threshold, existing)
        pids, history = {}, []
        next_no = _next_person_number(wh)
        for root, members in sorted(comps.items(), key=lambda kv: min(kv[1])):
            olds = sorted({old_of[m] for m in members if m in old_of},
                          key=lambda p: (-sum(1 for m in members if old_of.get(m) == p), p))
            if olds:
                pids[root] = olds[0]
                for o in olds[1:]:
                    history.append(("merge", olds[0], o, json.dumps({"absorbed": sum(
                        1 for m in members if old_of.get(m) == o)})))
            else:
                pids[root] = f"P{next_no:08d}"
                next_no += 1
                history.append(("new", pids[root], None, json.dumps({"mentions": len(members)})))
        best = _membership_probability(comps, all_edges, threshold)
        changed = {m for m in all_nodes if m not in old_of}
        for members in comps.values():
            if len({old_of.get(m) for m in members if m in old_of}) > 1:
                changed.update(members)
        edges = all_edges

    lap("clustering")
    _progress(progress, "writing persons")
    rows = []
    for root, members in comps.items():
        pid = pids[root]
        for m in members:
            if len(members) == 1:
                p = 1.0
            elif m in best:
                p = best[m]
            else:
                p = float(old_prob.get(m, 1.0)) if m not in changed else 1.0
            rows.append((m, pid, p, run_id if (m in changed or m not in old_of or old_of[m] != pid)
                         else int(old_run.get(m) or run_id)))
    membership = pd.DataFrame(rows, columns=["mention_id", "person_id", "match_probability", "run_id"])
    created = wh.df("SELECT person_id, created_run FROM person")
    wh.execute("BEGIN TRANSACTION")
    try:
        wh.execute("DELETE FROM person_membership")
        wh.insert_frame("person_membership", membership)
        wh.execute("DELETE FROM person")
        wh.con.register("_tr_created", created)
        try:
            wh.execute(
                "INSERT INTO person (person_id, created_run, n_mentions, first_seen, last_seen, sensitivity) "
                "SELECT pm.person_id, coalesce(any_value(c.created_run), ?), count(*), min(m.event_date), "
                "max(m.event_date), nullif(array_to_string(list_sort(list_distinct(list_filter(flatten("
                "list(string_split(coalesce(m.sensitivity, ''), '|'))), lambda x: x <> ''))), '|'), '') "
                "FROM person_membership pm JOIN person_mention m USING (mention_id) "
                "LEFT JOIN _tr_created c ON c.person_id = pm.person_id GROUP BY pm.person_id", [run_id])
        finally:
            wh.con.unregister("_tr_created")
        if mode == "full":
            wh.execute(f"DELETE FROM {EDGE_TABLE}")
        else:
            lap("writing persons")
            wh.execute(f"DELETE FROM {EDGE_TABLE} e WHERE NOT EXISTS (SELECT 1 FROM person_mention m WHERE "
                       "m.mention_id = e.mention_a) OR NOT EXISTS (SELECT 1 FROM person_mention m WHERE "
                       "m.mention_id = e.mention_b)")
            lap("pruning edges")
        if span:
            e = pd.DataFrame(span, columns=["mention_a", "mention_b", "match_probability", "match_weight"])
            e["match_weight"] = e["match_weight"].where(e["match_weight"] != float("inf"), None)
            e.insert(0, "run_id", run_id)
            wh.insert_frame(EDGE_TABLE, e)
        if history:
            h = pd.DataFrame(history, columns=["change", "person_id", "other_person_id", "detail"])
            h.insert(0, "run_id", run_id)
            wh.insert_frame("person_history", h)
        # (a cursor would not see this transaction's rows: count from what was written)
        n_persons = len(comps)
        wh.execute("UPDATE link_run SET finished_at = current_timestamp, n_mentions = ?, n_persons = ?, "
                   "model_json = ? WHERE run_id = ?", [n_mentions, n_persons, model_json, run_id])
        wh.execute("COMMIT")
    except Exception:
        wh.execute("ROLLBACK")
        raise
    lap("writing")
    counts = defaultdict(int)
    for change, *_ in history:
        counts[change] += 1
    summary = {
        "run_id": run_id, "mode": mode, "threshold": threshold, "mentions": n_mentions,
        "scored": n_scored, "new_mentions": n_new, "pairs_scored_above_0_5": len(edges),
        "persons": n_persons, "refused_merges": refused, "new": counts["new"], "merges": counts["merge"],
        "splits": counts["split"], "seconds": round(time.time() - t0, 1), "stage_seconds": stages,
        "training": notes,
    }
    log.info("person linkage: %s", {k: v for k, v in summary.items() if k != "training"})
    return summary
