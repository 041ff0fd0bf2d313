"""Criminal organizations: the association graph, its groups, key players and brokers.

``Networks.from_warehouse(wh, date_from=None, date_to=None, kinds=None, resolution=1.0, seed=7, ...)`` reads
table ``association`` (built by ``linkage.associations``) within a time window, keeps the edge kinds asked
for (and, for a user, only the edges whose sensitivity labels the user holds), finds groups by Leiden
(modularity with a resolution, seeded), and measures every node.

Attributes of a result
----------------------
edges : DataFrame
    The association rows used (node_a, node_b, kind, first_date, last_date, n, evidence, sensitivity).
graph : igraph.Graph
    Simple undirected graph, one edge per node pair, ``weight`` = sum over kinds of kind weight x (1 + ln n).
nodes : DataFrame
    One row per node: node_id, kind (person/phone), group_id (None outside a group), community, degree,
    betweenness, eigenvector, fragmentation, participation, n_groups.
groups : list of dict
    Communities of at least ``min_group_size`` nodes, largest first: group_id, members, size, n_edges,
    density, crimes, alcaldias, cuadrantes, timeline, first_date, last_date, growth, growing, records
    (each member's legal record summary across FGJ, SSC, courts and prison), key_players.
key_players : list of dict
    The ``top`` nodes in groups by betweenness, then degree: node_id, group_id, degree, betweenness,
    eigenvector, fragmentation.
brokers : list of dict
    Nodes with ties into at least two groups, by participation coefficient.
modularity : float
hidden_edges : dict
    Edges left out because the user lacks their label, per label.

Notes
-----
Groups are Leiden communities (Traag, Waltman & van Eck 2019) of the weighted graph; key-player
fragmentation is Borgatti's (2006) F of the group after removing the node, minus F before; brokers by
Guimerà & Amaral's (2005) participation coefficient. Centralities are computed on the unweighted graph:
degree = distinct neighbours; betweenness normalized as networkx; eigenvector within each connected
component, scaled to max 1. A group is *growing* when members whose first tie inside the group falls in
the second half of the window number at least 2 and at least a quarter of the members present before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ...linkage.associations import KINDS
from . import graph as G

RESULT_NAME = "networks"
DEFAULT_PARAMS = {"date_from": None, "date_to": None, "kinds": list(KINDS), "resolution": 1.0, "seed": 7,
                  "min_group_size": 3, "min_offenders": 2, "top": 50, "labels": None}
OFFENDER_ROLES = ("accused", "detainee", "defendant", "inmate")
LIVE_LIMIT = 20_000  # associations above which `groups(wh)` waits for the materialized result


def _iso(d) -> str | None:
    if d is None or (isinstance(d, float) and np.isnan(d)) or d is pd.NaT:
        return None
    try:
        if pd.isna(d):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(d).date().isoformat()


def parse_kinds(kinds) -> list[str]:
    """A list or comma-separated string of edge kinds → validated list (ValueError names the bad one)."""
    if kinds is None or kinds == "" or kinds == []:
        return list(KINDS)
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ValueError(f"unknown edge kind {bad[0]!r}: use any of {', '.join(KINDS)}")
    return [k for k in KINDS if k in kinds]


def load_edges(wh, date_from=None, date_to=None, kinds=None) -> pd.DataFrame:
    """Association rows of the given kinds whose [first_date, last_date] overlaps the window."""
    kinds = parse_kinds(kinds)
    sql = ("SELECT node_a, node_b, kind, first_date, last_date, n, evidence, sensitivity FROM association "
           "WHERE list_contains(?, kind)")
    params: list = [kinds]
    if date_from is not None:
        sql += " AND coalesce(last_date, first_date) >= ?"
        params.append(date_from)
    if date_to is not None:
        sql += " AND coalesce(first_date, last_date) <= ?"
        params.append(date_to)
    return wh.df(sql + " ORDER BY node_a, node_b, kind", params)


def visible(edges: pd.DataFrame, labels) -> tuple[pd.DataFrame, dict]:
    """Edges a holder of ``labels`` may see, and the count hidden per missing label."""
    if labels is None or edges.empty:
        return edges, {}
    from ...governance.roles import may_see, parse_labels

    labels = set(labels)
    ok = edges["sensitivity"].map(lambda s: may_see(labels, s if isinstance(s, str) else None))
    hidden: dict = {}
    for s in edges.loc[~ok, "sensitivity"]:
        for lab in sorted(parse_labels(s) - labels):
            hidden[lab] = hidden.get(lab, 0) + 1
    return edges[ok].reset_index(drop=True), hidden


@dataclass
class Networks:
    """The association network of a window: groups, key players and brokers (see the module docstring)."""

    edges: pd.DataFrame
    date_from: date | None = None
    date_to: date | None = None
    kinds: list = field(default_factory=lambda: list(KINDS))
    resolution: float = 1.0
    seed: int = 7
    min_group_size: int = 3
    top: int = 50
    labels: tuple | None = None
    min_offenders: int = 2
    hidden_edges: dict = field(default_factory=dict)
    data_version: str | None = None

    def __post_init__(self) -> None:
        self.graph = G.build_graph(self.edges)
        g = self.graph
        names = g.vs["name"] if g.vcount() else []
        self.membership, self.modularity = G.leiden(g, self.resolution, self.seed)
        sizes = pd.Series(self.membership).value_counts() if names else pd.Series(dtype=int)
        # groups: communities of at least min_group_size, largest first (ties by smallest member id)
        comms: dict[int, list[int]] = {}
        for v, c in enumerate(self.membership):
            comms.setdefault(c, []).append(v)
        big = [c for c in comms if sizes[c] >= self.min_group_size]
        big.sort(key=lambda c: (-len(comms[c]), min(names[v] for v in comms[c])))
        self.group_of_comm = {c: f"G{i + 1}" for i, c in enumerate(big)}
        deg = G.degree(g)
        btw = G.betweenness(g)
        eig = G.eigenvector(g)
        frag = np.zeros(len(names))
        for c in big:
            for v, f in G.removal_fragmentation(g, comms[c]).items():
                frag[v] = f
        part, n_groups = G.participation(g, self.membership)
        self.nodes = pd.DataFrame({
            "node_id": names,
            "kind": ["phone" if str(n).startswith("phone:") else "person" for n in names],
            "group_id": [self.group_of_comm.get(c) for c in self.membership],
            "community": self.membership, "degree": deg, "betweenness": btw, "eigenvector": eig,
            "fragmentation": frag, "participation": part, "n_groups": n_groups,
        })
        self._comms = {self.group_of_comm[c]: [names[v] for v in comms[c]] for c in big}
        self.groups: list[dict] = []
        self.key_players: list[dict] = []
        self.brokers: list[dict] = []

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def from_edges(cls, edges: pd.DataFrame, **params) -> Networks:
        """Groups and measures only (no warehouse records): for an edge frame built elsewhere."""
        obj = cls(edges.reset_index(drop=True), **params)
        obj._finish(records=None)
        return obj

    @classmethod
    def from_warehouse(cls, wh, date_from=None, date_to=None, kinds=None, resolution: float = 1.0,
                       seed: int = 7, min_group_size: int = 3, top: int = 50, labels=None,
                       min_offenders: int = 2) -> Networks:
        """Read table `association` in the window and compute everything.

        Parameters
        ----------
        date_from, date_to : date, optional
            Keep edges whose dates overlap [date_from, date_to]; group records are cut to the window too.
        kinds : list or comma-separated str, optional
            Edge kinds to use (default all of ``linkage.associations.KINDS``).
        resolution : float
            Leiden modularity resolution γ (higher: smaller groups).
        seed : int
            Leiden seed.
        min_group_size : int
            Smallest community reported as a group.
        min_offenders : int
            Fewest members with an offender record (accused, detained, defendant, inmate) in the window for
            a community to be reported as a criminal group (a household tied by its address is not one).
        top : int
            Key players listed.
        labels : iterable of str, optional
            The sensitivity labels of the user; edges carrying another label are left out and counted in
            ``hidden_edges``. None uses every edge.
        """
        date_from = pd.Timestamp(date_from).date() if date_from else None
        date_to = pd.Timestamp(date_to).date() if date_to else None
        kinds = parse_kinds(kinds)
        edges = load_edges(wh, date_from, date_to, kinds)
        edges, hidden = visible(edges, labels)
        obj = cls(edges, date_from=date_from, date_to=date_to, kinds=kinds, resolution=resolution, seed=seed,
                  min_group_size=min_group_size, min_offenders=min_offenders, top=top, labels=tuple(sorted(labels)) if labels is not None
                  else None, hidden_edges=hidden, data_version=wh.data_version())
        obj._finish(records=obj._records(wh))
        return obj

    # -- group descriptions ------------------------------------------------------------------------
    def _records(self, wh) -> pd.DataFrame:
        """Records of the persons in groups (offender roles), within the window."""
        persons = [n for ms in self._comms.values() for n in ms if not n.startswith("phone:")]
        if not persons:
            return pd.DataFrame(columns=["person_id", "event_id", "source", "kind", "role", "d", "crime",
                                         "crime_group", "alcaldia", "cuadrante", "sentido"])
        sql = """
            SELECT pm.person_id, e.event_id, e.source, e.kind, m.role,
                   CAST(coalesce(e.occurred_at, e.reported_at) AS DATE) AS d, e.crime, cc.crime_group,
                   e.alcaldia, e.cuadrante, json_extract_string(e.attrs, '$.sentido') AS sentido
            FROM person_membership pm
            JOIN person_mention m USING (mention_id)
            JOIN event e ON e.event_id = m.event_id
            LEFT JOIN crime_code cc ON cc.code = e.crime
            WHERE pm.person_id IN (SELECT unnest(?::VARCHAR[])) AND list_contains(?, m.role)"""
        if not wh.table_exists("crime_code"):
            sql = sql.replace("cc.crime_group", "NULL AS crime_group").replace(
                "LEFT JOIN crime_code cc ON cc.code = e.crime", "")
        params: list = [persons, list(OFFENDER_ROLES)]
        if self.date_from:
            sql += " AND CAST(coalesce(e.occurred_at, e.reported_at) AS DATE) >= ?"
            params.append(self.date_from)
        if self.date_to:
            sql += " AND CAST(coalesce(e.occurred_at, e.reported_at) AS DATE) <= ?"
            params.append(self.date_to)
        return wh.df(sql, params)

    def _finish(self, records: pd.DataFrame | None) -> None:
        e = self.edges
        lo, hi = self._window()
        mid = lo + (hi - lo) / 2 if lo is not None and hi is not None else None
        node_group = {m: gid for gid, ms in self._comms.items() for m in ms}
        inner_by: dict = {}
        if len(e):
            ga = e["node_a"].map(node_group)
            inner = e[ga.notna() & (ga == e["node_b"].map(node_group))]
            inner_by = {k: f for k, f in inner.groupby(inner["node_a"].map(node_group), sort=False)}
        rec_by: dict = {}
        person_rec: dict = {}
        if records is not None and len(records):
            records = records.assign(group_id=records["person_id"].map(node_group),
                                     cg=records["crime_group"].astype(object).where(records["crime_group"].notna(),
                                                                           records["crime"].astype(object)))
            rec_by = {k: f for k, f in records.groupby("group_id", sort=False)}
            r = records
            conv = (r["role"] == "defendant") & (r["sentido"] == "CONDENATORIA")
            agg = r.assign(acc=r["role"] == "accused", det=r["role"] == "detainee", cc=r["role"] == "defendant",
                           conv=conv, pri=r["role"] == "inmate", dd=pd.to_datetime(r["d"])).groupby("person_id").agg(
                fgj_accused=("acc", "sum"), ssc_detentions=("det", "sum"), court_cases=("cc", "sum"),
                convictions=("conv", "sum"), prison_admissions=("pri", "sum"), first=("dd", "min"),
                last=("dd", "max"), crimes=("cg", lambda s: sorted(set(s.dropna().astype(str)))))
            for pid, a in agg.iterrows():
                person_rec[pid] = {"person_id": pid, **{k: int(a[k]) for k in (
                    "fgj_accused", "ssc_detentions", "court_cases", "convictions", "prison_admissions")},
                    "first_date": _iso(a["first"]), "last_date": _iso(a["last"]), "crimes": a["crimes"]}
        nodes = self.nodes.set_index("node_id") if len(self.nodes) else self.nodes
        kept: dict = {}
        for gid, members in self._comms.items():
            persons = sorted(m for m in members if not m.startswith("phone:"))
            if records is not None and sum(1 for m in persons if m in person_rec) < self.min_offenders:
                continue  # a household or a pair of neighbours, not a criminal group
            kept[gid] = members
            inner = inner_by.get(gid, e.iloc[0:0])
            first_tie: dict = {}
            for a, b, d in zip(inner["node_a"], inner["node_b"], pd.to_datetime(inner["first_date"]),
                               strict=True):
                if pd.isna(d):
                    continue
                for x in (a, b):
                    if x not in first_tie or d < first_tie[x]:
                        first_tie[x] = d
            joins = pd.Series(list(first_tie.values()), dtype="datetime64[ns]")
            timeline = []
            if len(joins):
                months = joins.dt.to_period("M").value_counts()
                edge_months = pd.to_datetime(inner["first_date"]).dt.to_period("M").value_counts()
                cm = 0
                for p in sorted(set(months.index) | set(edge_months.index)):
                    cm += int(months.get(p, 0))
                    timeline.append({"month": str(p), "new_members": int(months.get(p, 0)), "members": cm,
                                     "new_edges": int(edge_months.get(p, 0))})
            before = int((joins <= mid).sum()) if mid is not None else len(joins)
            after = int((joins > mid).sum()) if mid is not None else 0
            growth = after / before if before else None
            crimes, alcs, cuas = {}, {}, {}
            gr = rec_by.get(gid)
            if gr is not None:
                ev = gr.drop_duplicates("event_id")
                crimes = {str(k): int(v) for k, v in ev["cg"].dropna().value_counts().items()}
                alcs = {str(k): int(v) for k, v in ev["alcaldia"].dropna().value_counts().items()}
                cuas = {str(k): int(v) for k, v in ev["cuadrante"].dropna().value_counts().head(15).items()}
            rec_rows = [person_rec.get(pid) or {"person_id": pid, "fgj_accused": 0, "ssc_detentions": 0,
                                                 "court_cases": 0, "convictions": 0, "prison_admissions": 0,
                                                 "first_date": None, "last_date": None, "crimes": []}
                        for pid in persons] if records is not None else []
            kp = nodes.loc[members].sort_values(["betweenness", "degree"], ascending=False).head(3)
            size = len(members)
            pairs = len(inner[["node_a", "node_b"]].drop_duplicates()) if len(inner) else 0
            self.groups.append({
                "group_id": gid, "members": sorted(members), "size": size, "persons": len(persons),
                "phones": size - len(persons), "n_edges": int(pairs),
                "density": 2 * pairs / (size * (size - 1)) if size > 1 else 0.0,
                "edge_kinds": {str(k): int(v) for k, v in inner["kind"].value_counts().items()},
                "crimes": crimes, "alcaldias": alcs, "cuadrantes": cuas,
                "first_date": _iso(pd.to_datetime(inner["first_date"]).min()) if len(inner) else None,
                "last_date": _iso(pd.to_datetime(inner["last_date"]).max()) if len(inner) else None,
                "timeline": timeline, "members_before_mid": before, "members_after_mid": after,
                "growth": G.safe(growth) if growth is not None else None,
                "growing": bool(after >= 2 and growth is not None and growth >= 0.25),
                "records": rec_rows,
                "key_players": [self._kp_row(n, r) for n, r in kp.iterrows()],
            })
        # renumber the groups kept, largest first as before
        ren = {old: f"G{i + 1}" for i, old in enumerate(kept)}
        for g in self.groups:
            g["group_id"] = ren[g["group_id"]]
        self._comms = {ren[k]: v for k, v in kept.items()}
        self.group_of_comm = {c: ren[g] for c, g in self.group_of_comm.items() if g in ren}
        if len(self.nodes):
            self.nodes["group_id"] = [self.group_of_comm.get(c) for c in self.membership]
            nodes = self.nodes.set_index("node_id")
            for g in self.groups:
                for kp in g["key_players"]:
                    kp["group_id"] = g["group_id"]
            ing = nodes[nodes["group_id"].notna()]
            top = ing.sort_values(["betweenness", "degree", "eigenvector"], ascending=False).head(self.top)
            self.key_players = [self._kp_row(n, r) for n, r in top.iterrows()]
            touched = {n: self._touches_groups(n) for n in nodes.index[nodes["n_groups"] >= 2]}
            br = nodes.loc[[n for n, k in touched.items() if k >= 2]]
            br = br.sort_values(["participation", "betweenness"], ascending=False).head(self.top)
            self.brokers = [{**self._kp_row(n, r), "participation": round(float(r["participation"]), 6),
                             "groups_touched": touched[n]} for n, r in br.iterrows()]

    def _touches_groups(self, node: str) -> int:
        g = self.graph
        v = g.vs.find(name=node).index
        gs = {self.group_of_comm.get(self.membership[u]) for u in g.neighbors(v)}
        gs.add(self.group_of_comm.get(self.membership[v]))
        gs.discard(None)
        return len(gs)

    @staticmethod
    def _kp_row(node_id, r) -> dict:
        return {"node_id": node_id, "group_id": r["group_id"], "degree": int(r["degree"]),
                "betweenness": round(float(r["betweenness"]), 6), "eigenvector": round(float(r["eigenvector"]), 6),
                "fragmentation": round(float(r["fragmentation"]), 6)}

    def _window(self):
        e = self.edges
        lo = pd.Timestamp(self.date_from) if self.date_from else (
            pd.to_datetime(e["first_date"]).min() if len(e) else None)
        hi = pd.Timestamp(self.date_to) if self.date_to else (
            pd.to_datetime(e["last_date"]).max() if len(e) else None)
        lo = None if lo is None or pd.isna(lo) else lo
        hi = None if hi is None or pd.isna(hi) else hi
        return lo, hi

    # -- outputs -----------------------------------------------------------------------------------
    @property
    def params(self) -> dict:
        return {"date_from": _iso(self.date_from), "date_to": _iso(self.date_to), "kinds": list(self.kinds),
                "resolution": self.resolution, "seed": self.seed, "min_group_size": self.min_group_size,
                "min_offenders": self.min_offenders,
                "top": self.top, "labels": list(self.labels) if self.labels is not None else None}

    def group_members(self) -> dict[str, str]:
        """node_id → group_id for every node in a group."""
        return {m: gid for gid, ms in self._comms.items() for m in ms}

    def call_in(self, per_group: int = 5) -> list[dict]:
        """Focused-deterrence call-in list: each group with its most active members (most records in
        the window, then betweenness). Phones are left out: a call-in is for persons."""
        nodes = self.nodes.set_index("node_id") if len(self.nodes) else self.nodes
        out = []
        for g in self.groups:
            recs = {r["person_id"]: r for r in g["records"]}
            ranked = []
            for m in g["members"]:
                if m.startswith("phone:"):
                    continue
                r = recs.get(m, {})
                n_rec = sum(int(r.get(k, 0)) for k in ("fgj_accused", "ssc_detentions", "court_cases",
                                                       "prison_admissions"))
                ranked.append((-n_rec, -float(nodes.loc[m, "betweenness"]), m, n_rec, r))
            ranked.sort()
            for rank, (_, _, m, n_rec, r) in enumerate(ranked[:per_group], start=1):
                out.append({"group_id": g["group_id"], "group_size": g["size"], "rank": rank, "person_id": m,
                            "records": n_rec, "fgj_accused": r.get("fgj_accused", 0),
                            "ssc_detentions": r.get("ssc_detentions", 0), "court_cases": r.get("court_cases", 0),
                            "prison_admissions": r.get("prison_admissions", 0),
                            "degree": int(nodes.loc[m, "degree"]),
                            "betweenness": round(float(nodes.loc[m, "betweenness"]), 6),
                            "last_date": r.get("last_date"),
                            "crimes": "|".join(r.get("crimes", []))})
        return out

    def data_window(self) -> dict:
        lo, hi = self._window()
        return {"from": _iso(lo), "to": _iso(hi), "data_version": self.data_version}

    def summary(self) -> dict:
        return {"nodes": int(self.graph.vcount()), "edges": int(self.graph.ecount()),
                "associations": int(len(self.edges)),
                "persons": int((self.nodes["kind"] == "person").sum()) if len(self.nodes) else 0,
                "phones": int((self.nodes["kind"] == "phone").sum()) if len(self.nodes) else 0,
                "by_kind": {str(k): int(v) for k, v in self.edges["kind"].value_counts().items()}
                if len(self.edges) else {},
                "groups": len(self.groups), "in_groups": int(sum(g["size"] for g in self.groups)),
                "growing_groups": int(sum(g["growing"] for g in self.groups)),
                "modularity": G.safe(self.modularity)}

    def to_dict(self) -> dict:
        return {"params": self.params, "data_window": self.data_window(), "summary": self.summary(),
                "groups": self.groups, "key_players": self.key_players, "brokers": self.brokers,
                "hidden_edges": self.hidden_edges}

    def rows(self) -> list[dict]:
        """One table row per group."""
        return [{"group_id": g["group_id"], "size": g["size"], "persons": g["persons"], "phones": g["phones"],
                 "edges": g["n_edges"], "crimes": ", ".join(list(g["crimes"])[:3]),
                 "alcaldias": ", ".join(list(g["alcaldias"])[:3]), "growth": g["growth"],
                 "growing": g["growing"], "key_player": g["key_players"][0]["node_id"] if g["key_players"] else None}
                for g in self.groups]

    def to_networkx(self):
        """networkx Graph: node attributes (kind, group_id, centralities), edge attributes (kinds, weight,
        n, first/last date, sensitivity, per-kind counts, evidence)."""
        from .export import to_networkx

        return to_networkx(self)


def compute(wh, params: dict | None = None) -> dict:
    """The JSON of `Networks` for stored-parameter dicts (as the web layer and `materialize` use)."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    res = Networks.from_warehouse(wh, date_from=p["date_from"], date_to=p["date_to"], kinds=p["kinds"],
                                  resolution=p["resolution"], seed=p["seed"], min_group_size=p["min_group_size"],
                                  min_offenders=p["min_offenders"], top=p["top"], labels=p["labels"])
    return res.to_dict()


def materialize(wh) -> None:
    """Store the default result (all edges) and the one without labelled edges (what analysts see)."""
    from .. import store

    if not wh.table_exists("association"):
        return
    for labels in (None, []):
        p = {**DEFAULT_PARAMS, "labels": labels}
        store.save(wh, RESULT_NAME, p, compute(wh, p))


def groups(wh) -> list[dict] | None:
    """The default groups [{group_id, members}] for other analyses (focused-deterrence lists): the stored
    result if current, else computed when the warehouse is small, else None."""
    from .. import store

    d = store.load(wh, RESULT_NAME, DEFAULT_PARAMS)
    if d is None:
        # computed here only on small warehouses; large ones rely on `materialize` (run after link)
        n = wh.scalar("SELECT count(*) FROM association") if wh.table_exists("association") else 0
        if not n or n > LIVE_LIMIT:
            return None
        d = compute(wh, DEFAULT_PARAMS)
    return [{"group_id": g["group_id"], "members": [m for m in g["members"] if not m.startswith("phone:")]}
            for g in d["groups"]]


__all__ = ["Networks", "DEFAULT_PARAMS", "RESULT_NAME", "compute", "materialize", "groups", "parse_kinds",
           "load_edges", "visible", "json"]
