"""The small generated city (tests/conftest.py: scale 0.02, linked) exported once as a Parquet exchange."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def city_exchange(city_db, tmp_path_factory):
    from traceability.engine.exchange import export_warehouse
    from traceability.warehouse import Warehouse

    out = tmp_path_factory.mktemp("exchange")
    with Warehouse(city_db, read_only=True) as wh:
        rows = export_warehouse(wh, out)
    assert rows["event"] > 0 and rows["person_membership"] > 0
    return out


def check_against_reference(city_db, exchange, results) -> dict:
    """Every stage output under `results` equals the figures of the ordinary modules; returns sizes."""
    from traceability.engine import reference as R
    from traceability.engine.exchange import read_parquet_sql
    from traceability.warehouse import Warehouse

    with Warehouse(city_db, read_only=True) as wh:
        def got(name):
            return wh.df(read_parquet_sql(results / name))

        rs = got("repeat_summary")
        assert R.canonical_repeat(rs) == R.reference_repeat(wh)
        pairs = {(k, g): int(n) for k, g, n in zip(rs["kind"], rs["crime_group"], rs["pairs_within_window"],
                                                   strict=True) if n}
        assert pairs == R.reference_repeat_pairs(wh)
        pts = wh.df(read_parquet_sql(exchange / "nr_point"))
        nr = R.canonical_near_repeat(got("near_repeat_counts"))
        assert (nr == R.reference_near_repeat(pts)).all()
        assoc = R.canonical_associations(got("association_edges"))
        assert assoc == R.reference_associations(wh)
        chains = R.canonical_chain_keys(got("chain_key_links"))
        assert chains == R.reference_chain_keys(wh)
    return {"repeat_rows": len(rs), "repeat_pairs": sum(pairs.values()), "nr_pairs": int(nr.sum()),
            "edges": len(assoc), "chain_links": len(chains)}
