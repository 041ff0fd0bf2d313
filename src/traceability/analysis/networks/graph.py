"""Graph measures for the association network: the weighted graph, Leiden groups, centralities,
key-player fragmentation and brokers.

References
----------
Traag, Waltman & van Eck (2019), From Louvain to Leiden: guaranteeing well-connected communities,
*Scientific Reports* 9:5233. Borgatti (2006), Identifying sets of key players in a social network,
*Computational and Mathematical Organization Theory* 12:21–34 (fragmentation F). Guimerà & Amaral (2005),
Functional cartography of complex metabolic networks, *Nature* 433:895–900 (participation coefficient).
Freeman (1977) betweenness; Bonacich (1972) eigenvector centrality.
"""

from __future__ import annotations

import math

import igraph as ig
import numpy as np
import pandas as pd

# How much one kind of tie counts towards a group (community detection only; centralities are unweighted).
# Prison co-location and shared addresses link people who may never have acted together: they count less.
KIND_WEIGHT = {"co_accused": 1.0, "co_detained": 1.0, "shared_address": 0.5, "shared_phone": 1.0, "family": 0.5,
               "financial": 1.0, "communication": 1.0, "commission": 1.0, "prison": 0.25}


def pair_weights(edges: pd.DataFrame) -> pd.DataFrame:
    """One row per node pair: weight = sum over kinds of kind weight x (1 + ln n); kinds '|'-joined."""
    if edges.empty:
        return pd.DataFrame(columns=["node_a", "node_b", "weight", "kinds", "n"])
    w = edges["kind"].map(KIND_WEIGHT).fillna(1.0) * (1.0 + np.log(edges["n"].clip(lower=1).astype(float)))
    e = edges.assign(w=w)
    return (e.groupby(["node_a", "node_b"], sort=True)
             .agg(weight=("w", "sum"), kinds=("kind", lambda s: "|".join(sorted(set(s)))), n=("n", "sum"))
             .reset_index())


def build_graph(edges: pd.DataFrame) -> ig.Graph:
    """An undirected simple igraph graph named by node id, with edge attributes weight, kinds and n."""
    pw = pair_weights(edges)
    names = sorted(set(pw["node_a"]) | set(pw["node_b"]))
    index = {n: i for i, n in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b in zip(pw["node_a"], pw["node_b"],
                                                                            strict=True)])
    g.vs["name"] = names
    g.es["weight"] = pw["weight"].astype(float).tolist()
    g.es["kinds"] = pw["kinds"].tolist()
    g.es["n"] = pw["n"].astype(int).tolist()
    return g


def leiden(g: ig.Graph, resolution: float = 1.0, seed: int = 7) -> tuple[list[int], float]:
    """Leiden communities maximising modularity with a resolution parameter (seeded).

    ``leidenalg.RBConfigurationVertexPartition`` is modularity with resolution γ (γ=1: Newman–Girvan
    modularity). Not CPM, which is igraph's default and puts every node alone at γ=1.
    Returns the membership list and the (γ=1) weighted modularity.
    """
    if g.vcount() == 0:
        return [], float("nan")
    import leidenalg as la

    part = la.find_partition(g, la.RBConfigurationVertexPartition, weights="weight",
                             resolution_parameter=float(resolution), seed=int(seed), n_iterations=-1)
    membership = list(part.membership)
    q = g.modularity(membership, weights="weight") if g.ecount() else float("nan")
    return membership, float(q)


def degree(g: ig.Graph) -> np.ndarray:
    """Number of distinct neighbours."""
    return np.asarray(g.degree(), dtype=int)


def betweenness(g: ig.Graph) -> np.ndarray:
    """Freeman betweenness, unweighted, normalized as networkx does for undirected graphs:
    2 / ((n-1)(n-2)) with n the number of nodes of the whole graph."""
    n = g.vcount()
    if n < 3:
        return np.zeros(n)
    b = np.asarray(g.betweenness(directed=False), dtype=float)
    return b * 2.0 / ((n - 1) * (n - 2))


def eigenvector(g: ig.Graph) -> np.ndarray:
    """Eigenvector centrality computed within each connected component, scaled so each component's
    most central node has 1 (otherwise every node outside the largest component would score 0)."""
    out = np.zeros(g.vcount())
    for comp in g.connected_components():
        if len(comp) == 1:
            continue
        if len(comp) == 2:
            out[comp] = 1.0
            continue
        sub = g.induced_subgraph(comp)
        v = np.abs(np.asarray(sub.eigenvector_centrality(), dtype=float))
        m = v.max()
        out[comp] = v / m if m > 0 else 0.0
    return out


def fragmentation(sizes) -> float:
    """Borgatti's fragmentation F: the share of ordered pairs of nodes that cannot reach each other,
    ``1 - sum_k s_k (s_k - 1) / (n (n - 1))`` over component sizes s_k."""
    sizes = [int(s) for s in sizes]
    n = sum(sizes)
    if n < 2:
        return 0.0
    return 1.0 - sum(s * (s - 1) for s in sizes) / (n * (n - 1))


def removal_fragmentation(g: ig.Graph, members: list[int]) -> dict[int, float]:
    """For each vertex of a group: F of the group once that vertex is removed, minus F before.

    Only articulation points of the group's subgraph can change F; others get 0.
    """
    sub = g.induced_subgraph(members)
    base = fragmentation(sub.connected_components().sizes())
    out = {v: 0.0 for v in members}
    for ap in sub.articulation_points():
        rest = sub.copy()
        rest.delete_vertices([ap])
        out[members[ap]] = round(fragmentation(rest.connected_components().sizes()) - base, 6)
    return out


def participation(g: ig.Graph, membership: list) -> tuple[np.ndarray, np.ndarray]:
    """Participation coefficient P_i = 1 - sum_s (k_is / k_i)^2 and the number of distinct groups among a
    node's neighbours and itself (Guimerà & Amaral 2005)."""
    n = g.vcount()
    p = np.zeros(n)
    k_groups = np.zeros(n, dtype=int)
    for v in range(n):
        nb = g.neighbors(v)
        if not nb:
            k_groups[v] = 1
            continue
        counts: dict = {}
        for u in nb:
            counts[membership[u]] = counts.get(membership[u], 0) + 1
        k = len(nb)
        p[v] = 1.0 - sum((c / k) ** 2 for c in counts.values())
        k_groups[v] = len(set(counts) | {membership[v]})
    return p, k_groups


def adjusted_rand_index(a, b) -> float:
    """Hubert & Arabie (1985) adjusted Rand index of two labelings of the same items."""
    a = pd.factorize(pd.Series(list(a)))[0]
    b = pd.factorize(pd.Series(list(b)))[0]
    n = len(a)
    if n < 2:
        return float("nan")
    table = pd.crosstab(a, b).to_numpy()

    def c2(x):
        x = np.asarray(x, dtype=float)
        return (x * (x - 1) / 2).sum()

    s_ij = c2(table)
    s_a = c2(table.sum(axis=1))
    s_b = c2(table.sum(axis=0))
    expected = s_a * s_b / (n * (n - 1) / 2)
    top = 0.5 * (s_a + s_b)
    if top == expected:
        return 1.0
    return float((s_ij - expected) / (top - expected))


def normalized_mutual_information(a, b) -> float:
    """NMI with the arithmetic-mean normalization (sklearn's default): I(A;B) / ((H(A) + H(B)) / 2)."""
    a = pd.factorize(pd.Series(list(a)))[0]
    b = pd.factorize(pd.Series(list(b)))[0]
    n = len(a)
    if n == 0:
        return float("nan")
    t = pd.crosstab(a, b).to_numpy().astype(float) / n
    pa = t.sum(axis=1)
    pb = t.sum(axis=0)
    nz = t > 0
    mi = float((t[nz] * np.log(t[nz] / np.outer(pa, pb)[nz])).sum())
    ha = -float((pa[pa > 0] * np.log(pa[pa > 0])).sum())
    hb = -float((pb[pb > 0] * np.log(pb[pb > 0])).sum())
    if ha + hb == 0:
        return 1.0
    return mi / ((ha + hb) / 2)


def safe(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))) else float(x)
