"""Networks: association build, graph build, Leiden and the whole analysis on a generated, linked city.

Scale from $TRACEABILITY_BENCH_SCALE (default 1.0: the issue asks for it; generation, ingest and person
linkage of a scale-1.0 city dominate the run). $TRACEABILITY_BENCH_NETWORKS_DB points at an already
linked warehouse to time only this stage (its scale is then reported as given in
$TRACEABILITY_BENCH_SCALE).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.measure import measured


def _stage(results: list, db: Path, scale) -> None:
    from traceability.analysis.networks import Networks, load_edges
    from traceability.analysis.networks import graph as G
    from traceability.linkage.associations import build_associations
    from traceability.warehouse import Warehouse

    with Warehouse(db) as wh:
        with measured(results, "networks.build_associations", scale=scale) as rec:
            summary = build_associations(wh)
            rec["rows"] = summary["edges"]
            rec["note"] = ", ".join(f"{k} {v:,}" for k, v in summary.items() if k != "edges")
        edges = load_edges(wh)
        with measured(results, "networks.graph_build", engine="igraph", scale=scale) as rec:
            g = G.build_graph(edges)
            rec["rows"] = g.ecount()
            rec["note"] = f"{g.vcount():,} nodes, {g.ecount():,} ties"
        with measured(results, "networks.leiden", engine="leidenalg", scale=scale) as rec:
            membership, q = G.leiden(g, 1.0, 7)
            rec["rows"] = g.vcount()
            rec["note"] = f"{len(set(membership)):,} communities, modularity {q:.3f}"
        with measured(results, "networks.betweenness", engine="igraph", scale=scale) as rec:
            G.betweenness(g)
            rec["rows"] = g.vcount()
        with measured(results, "networks.analysis", engine="igraph", scale=scale) as rec:
            t0 = time.perf_counter()
            res = Networks.from_warehouse(wh)
            s = res.summary()
            rec["rows"] = s["nodes"]
            rec["note"] = (f"{s['groups']:,} groups ({s['growing_groups']} growing), {len(res.key_players)} key "
                           f"players, {len(res.brokers)} brokers in {time.perf_counter() - t0:.1f} s")


def run(results: list) -> None:
    scale = float(os.environ.get("TRACEABILITY_BENCH_SCALE", "1.0"))
    given = os.environ.get("TRACEABILITY_BENCH_NETWORKS_DB")
    if given:
        _stage(results, Path(given), scale)
        return
    from traceability.errors import TraceabilityError

    with tempfile.TemporaryDirectory() as d:
        try:
            from traceability.linkage import link_warehouse
            from traceability.sources import ingest_paths
            from traceability.synth import generate_city
            from traceability.warehouse import Warehouse

            city = Path(d) / "city"
            generate_city(city, scale=scale, years=1, seed=7)
            db = Path(d) / "w.duckdb"
            with Warehouse(db) as wh:
                ingest_paths(wh, [city], log=lambda *a, **k: None)
                link_warehouse(wh)
        except TraceabilityError as e:
            results.append({"stage": "networks", "scale": scale, "note": f"skipped: {e}"})
            return
        _stage(results, db, scale)
