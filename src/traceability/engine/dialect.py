"""SQL written once, in DuckDB's dialect, and transpiled per engine by sqlglot (STYLE.md §3).

The stage SQL of `stages.py` and the comparison levels of the person model (`linkage/model.py`) are written
for DuckDB. `to_dialect(sql, "spark")` parses them as DuckDB and writes Spark SQL. sqlglot's Spark writer
covers almost everything; what it cannot know is held here, in one place, per engine:

* Splink's Spark similarity jar registers ``jaro_winkler`` (DuckDB: ``jaro_winkler_similarity``);
* DuckDB's ``len(list)`` is a string ``LENGTH`` for sqlglot: on an array it is Spark's ``SIZE``;
* DuckDB's ``list_intersect`` is Spark's ``array_intersect``.
"""

from __future__ import annotations

import sqlglot
from sqlglot import expressions as exp

ENGINES = ("duckdb", "spark")
_LIST_FUNCS = {"LIST_INTERSECT": exp.ArrayIntersect}


def _spark_fixups(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in _LIST_FUNCS:
        return _LIST_FUNCS[str(node.this).upper()](expressions=list(node.expressions))
    if isinstance(node, exp.Length) and (
            isinstance(node.this, exp.ArrayIntersect | exp.Array)
            or (isinstance(node.this, exp.Anonymous) and str(node.this.this).upper() in _LIST_FUNCS)):
        return exp.ArraySize(this=_spark_fixups(node.this))
    return node


def to_dialect(sql: str, engine: str) -> str:
    """`sql` (DuckDB dialect) as the SQL of `engine` (duckdb: unchanged)."""
    if engine == "duckdb":
        return sql
    if engine != "spark":
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    trees = sqlglot.parse(sql, read="duckdb")
    out = []
    for tree in trees:
        if tree is None:
            continue
        tree = tree.transform(_spark_fixups)
        # Spark sorts NULLs first in ascending order; DuckDB last. sqlglot writes the DuckDB order out.
        out.append(tree.sql(dialect="spark"))
    return ";\n".join(out)
