"""Exports of a `Networks` result: GraphML, GEXF (networkx writers) and entity/link CSV for link-charting
tools such as i2 Analyst's Notebook (one entities file, one links file; the import specification maps
``entity_id``/``type``/``label`` and ``from_id``/``to_id``/``link_type``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx

from ...linkage.associations import KINDS

FORMATS = ("graphml", "gexf", "i2csv")


def to_networkx(res, label=None) -> nx.Graph:
    """A simple networkx graph of the result; ``label(node_id) -> str`` names nodes (default: the id)."""
    label = label or (lambda n: n)
    g = nx.Graph()
    if len(res.nodes):
        for r in res.nodes.itertuples(index=False):
            g.add_node(r.node_id, label=label(r.node_id), kind=r.kind, group_id=r.group_id or "",
                       degree=int(r.degree), betweenness=float(r.betweenness), eigenvector=float(r.eigenvector),
                       fragmentation=float(r.fragmentation), participation=float(r.participation))
    for (a, b), f in res.edges.groupby(["node_a", "node_b"], sort=True):
        attrs = {"kinds": "|".join(sorted(set(f["kind"]))), "n": int(f["n"].sum()),
                 "first_date": str(min(f["first_date"].dropna(), default="")),
                 "last_date": str(max(f["last_date"].dropna(), default="")),
                 "sensitivity": "|".join(sorted({x for s in f["sensitivity"].dropna() for x in s.split("|") if x})),
                 "evidence": json.dumps(sorted({x for ev in f["evidence"].dropna() for x in json.loads(ev)}))}
        for k in KINDS:
            attrs[f"n_{k}"] = int(f.loc[f["kind"] == k, "n"].sum())
        eid = res.graph.get_eid(res.graph.vs.find(name=a).index, res.graph.vs.find(name=b).index)
        attrs["weight"] = float(res.graph.es[eid]["weight"])
        g.add_edge(a, b, **attrs)
    return g


def write(res, fmt: str, path: Path, label=None) -> list[Path]:
    """Write the result in ``fmt``; returns the files written. For i2csv, ``path`` is a directory
    (created) or a ``.csv`` name whose stem prefixes ``_entities.csv`` and ``_links.csv``."""
    path = Path(path)
    if fmt == "graphml":
        nx.write_graphml(to_networkx(res, label), path)
        return [path]
    if fmt == "gexf":
        nx.write_gexf(to_networkx(res, label), path)
        return [path]
    if fmt != "i2csv":
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if path.suffix.lower() == ".csv":
        ent, lnk = path.with_name(path.stem + "_entities.csv"), path.with_name(path.stem + "_links.csv")
    else:
        path.mkdir(parents=True, exist_ok=True)
        ent, lnk = path / "entities.csv", path / "links.csv"
    label = label or (lambda n: n)
    with open(ent, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["entity_id", "type", "label", "group_id", "degree", "betweenness", "eigenvector",
                    "fragmentation"])
        for r in res.nodes.itertuples(index=False):
            w.writerow([r.node_id, "Telefono" if r.kind == "phone" else "Persona", label(r.node_id),
                        r.group_id or "", int(r.degree), f"{r.betweenness:.6f}", f"{r.eigenvector:.6f}",
                        f"{r.fragmentation:.6f}"])
    with open(lnk, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["link_id", "from_id", "to_id", "link_type", "first_date", "last_date", "count", "sensitivity",
                    "evidence"])
        for i, r in enumerate(res.edges.itertuples(index=False), start=1):
            w.writerow([f"L{i}", r.node_a, r.node_b, r.kind, r.first_date or "", r.last_date or "", int(r.n),
                        r.sensitivity or "", " ".join(json.loads(r.evidence)) if r.evidence else ""])
    return [ent, lnk]
