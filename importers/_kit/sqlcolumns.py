"""Column lineage of one SQL statement, inferred with sqlglot (its ``lineage``): for each column
the statement outputs, the table columns its value is made of and how (a copy, a transformation,
an aggregation; a column only in a CASE condition is indirect). What sqlglot cannot parse or
resolve raises :class:`SqlLineageError`: the caller reports it and infers nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope
from sqlglot.schema import MappingSchema

# dbt adapter -> sqlglot dialect, where the names differ (most are the same).
DIALECTS = {"databricks": "databricks", "spark": "spark", "sqlserver": "tsql", "synapse": "tsql", "fabric": "tsql",
            "athena": "athena", "glue": "spark", "trino": "trino", "materialize": "postgres",
            "clickhouse": "clickhouse", "duckdb": "duckdb", "postgres": "postgres", "redshift": "redshift",
            "snowflake": "snowflake", "bigquery": "bigquery", "mysql": "mysql", "sqlite": "sqlite",
            "oracle": "oracle", "teradata": "teradata"}  # fmt: skip


class SqlLineageError(ValueError):
    """The statement could not be parsed, or its columns not resolved."""


@dataclass(frozen=True)
class Source:
    """A table column an output column is made of, and how (OpenLineage's words)."""

    table: tuple[str, str, str]  # catalog, schema, name, as the statement names the table
    column: str
    type: str  # DIRECT, or INDIRECT (the column only decides a CASE)
    subtype: str  # IDENTITY, TRANSFORMATION, AGGREGATION, or CONDITIONAL (indirect)


def dialect_of(adapter: str) -> str | None:
    """The sqlglot dialect of a dbt adapter, or None for one sqlglot does not know.

    >>> dialect_of("duckdb"), dialect_of("sqlserver"), dialect_of("nosuch")
    ('duckdb', 'tsql', None)
    """
    return DIALECTS.get(adapter)


def column_lineage(sql: str, dialect: str, schema: dict[str, Any], *, catalog: str | None = None,
                   db: str | None = None) -> dict[str, list[Source]]:  # fmt: skip
    """Output column -> the table columns it is made of (each once, in the order found).
    ``schema`` is ``{catalog: {schema: {table: {column: type}}}}`` (sqlglot's mapping): it
    expands ``select *`` and places unqualified columns; ``catalog`` and ``db`` are where the
    statement's unqualified tables live.

    >>> sql = "select id as user_id, upper(name) as name, count(*) as n from raw.users group by 1, 2"
    >>> found = column_lineage(sql, "duckdb", {"db": {"raw": {"users": {"id": "int", "name": "text"}}}}, catalog="db")
    >>> [(c, s.column, s.subtype) for c, sources in found.items() for s in sources]
    [('user_id', 'id', 'IDENTITY'), ('name', 'name', 'TRANSFORMATION')]
    >>> column_lineage("select * from raw.users", "duckdb", {})  # no schema: no guess at its columns
    Traceback (most recent call last):
    ...
    lineage_importers._kit.sqlcolumns.SqlLineageError: a * over a table whose columns are not known
    >>> column_lineage("select from where", "duckdb", {})
    Traceback (most recent call last):
    ...
    lineage_importers._kit.sqlcolumns.SqlLineageError: ...
    """
    try:
        parsed = sqlglot.parse(sql, dialect=dialect)
        statements = [s for s in parsed if s is not None]
        if len(statements) != 1:
            raise SqlLineageError(f"{len(statements)} statements, not one")
        mapping = MappingSchema(schema, dialect=dialect)
        query = qualify(statements[0], schema=mapping, dialect=dialect, catalog=catalog, db=db,
                        validate_qualify_columns=True)  # fmt: skip
        if not isinstance(query, exp.Query):
            raise SqlLineageError("not a query (no columns to trace)")
        scope = build_scope(query)
        if scope is None:
            raise SqlLineageError("not a query (no columns to trace)")
        # Every output column at once, on the query qualified above: one walk, shared work.
        roots = lineage(None, query, schema=mapping, dialect=dialect, scope=scope, trim_selects=False, copy=False)
        assert isinstance(roots, dict)
        out: dict[str, list[Source]] = {}
        for name, root in roots.items():
            found: dict[tuple, Source] = {}
            for source in _sources(root):
                found.setdefault((source.table, source.column), source)
            # In a fixed order: sqlglot's walk may visit sources in any (its sets are hash-ordered).
            out[name] = sorted(found.values(), key=lambda s: (s.table, s.column))
        if "*" in out or any(s.column == "*" for sources in out.values() for s in sources):
            raise SqlLineageError("a * over a table whose columns are not known")
        return out
    except SqlLineageError:
        raise
    except (SqlglotError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise SqlLineageError(_first_line(exc)) from None


def _sources(root: Node) -> list[Source]:
    """The leaves (table columns) under ``root``, each with how the path from it to the output
    column changes its value."""
    out = []
    stack: list[tuple[Node, list[Node]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if not node.downstream:
            if isinstance(node.expression, exp.Table) and path:
                table = node.expression
                out.append(Source((table.catalog, table.db, table.name), exp.to_column(node.name).name,
                                  *_how([*path, node])))  # fmt: skip
            continue
        for child in reversed(node.downstream):
            stack.append((child, [*path, node]))
    return out


def _how(path: list[Node]) -> tuple[str, str]:
    """(type, subtype) of a path from the output column (first) down to a table column (last)."""
    made = [n.expression for n in path[:-1]]
    if any(_only_in_conditions(parent.expression, child.name) for parent, child in zip(path, path[1:], strict=False)):
        return "INDIRECT", "CONDITIONAL"
    if any(e.find(exp.AggFunc) for e in made):
        return "DIRECT", "AGGREGATION"
    if all(isinstance(_unaliased(e), exp.Column) for e in made):
        return "DIRECT", "IDENTITY"
    return "DIRECT", "TRANSFORMATION"


def _unaliased(expression: exp.Expr) -> exp.Expr:
    return expression.this if isinstance(expression, exp.Alias) else expression


def _only_in_conditions(expression: exp.Expr, name: str) -> bool:
    """Whether every reference to column ``name`` (``table.column``) in ``expression`` is in a
    CASE's WHEN condition: it decides which value, but no value is taken from it."""
    wanted = exp.to_column(name)
    table = wanted.table if isinstance(wanted, exp.Column) else ""
    refs = [c for c in expression.find_all(exp.Column)
            if c.name == wanted.name and (not table or c.table == table)]  # fmt: skip
    return bool(refs) and all(_in_condition(c, expression) for c in refs)


def _in_condition(node: exp.Expr, top: exp.Expr) -> bool:
    child, parent = node, node.parent
    while parent is not None and child is not top:
        if isinstance(parent, exp.If) and parent.args.get("this") is child:
            return True
        child, parent = parent, parent.parent
    return False


def _first_line(exc: BaseException) -> str:
    """The error's first line, short, and printable (SQL may hold a lone surrogate a JSON escape
    spelt, which no terminal or UTF-8 file can hold)."""
    text = str(exc).strip().splitlines()
    line = text[0][:300] if text else type(exc).__name__
    return line.encode("utf-8", "backslashreplace").decode("utf-8")
