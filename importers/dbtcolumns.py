"""dbt's column lineage, inferred from each model's compiled SQL (a manifest carries the SQL but
no column lineage): sqlglot traces every output column to the columns of the sources, seeds
and models it reads (:mod:`._kit.sqlcolumns`), in the adapter's dialect, with ``catalog.json``
beside the manifest (``dbt docs generate``) for the columns of each table (``select *``).

Each output column and each column it is made of is a field (:mod:`lineage.fields`); the edge
between them is marked ``inferred``, with how (OpenLineage's transformation words), and says
where: the model's SQL file (``original_file_path``, as the manifest gives it) at the line that
names the column. A model sqlglot cannot parse or resolve is reported, as a warning at its
``compiled_code``, and gets no column lineage: nothing is guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lineage.fields import Fields
from lineage.records import EdgeRecord, Location, NodeRecord, Notice, Problem

from ._kit.sqlcolumns import SqlLineageError, column_lineage, dialect_of
from ._kit.structured import location, pointer_join

TRACED = ("model", "snapshot")  # the nodes whose SQL makes their table
MAX_SQL = 1_000_000  # characters: a model's compiled SQL is a few thousand; sqlglot takes seconds a megabyte


def json_beside(path: Path, what: str) -> tuple[dict | None, Problem | None]:
    """The JSON object of a file dbt writes beside the manifest (``run_results.json``,
    ``catalog.json``): None where there is none; a problem, and None, where it cannot be read,
    is no object, or links out of the manifest's folder."""
    if not path.is_file():
        return None, None
    if not path.resolve().is_relative_to(path.parent.resolve()):  # a symbolic link out of the folder
        return None, Problem(Location(str(path)), "not read: it links outside the manifest's folder")
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        return None, Problem(Location(str(path), line=exc.lineno), f"invalid JSON: {exc.msg}")
    except (UnicodeDecodeError, OSError) as exc:
        return None, Problem(Location(str(path)), f"cannot read: {exc}")
    if not isinstance(data, dict):
        return None, Problem(Location(str(path), line=1), f"{what} must be a JSON object")
    return data, None


def read_catalog(path: Path) -> tuple[dict[str, dict[str, dict]], Problem | None]:
    """unique_id -> column -> {"type": ...} from ``catalog.json`` beside the manifest, if any."""
    data, problem = json_beside(path, "a dbt catalog")
    out: dict[str, dict[str, dict]] = {}
    for section in ("nodes", "sources"):
        for unique_id, node in ((data or {}).get(section) or {}).items():
            columns = node.get("columns") if isinstance(node, dict) else None
            if isinstance(columns, dict):
                out[unique_id] = {name: {"type": c.get("type")} for name, c in columns.items()
                                  if isinstance(c, dict)}  # fmt: skip
    return out, problem


def table_key(node: dict) -> tuple[str, str, str]:
    """(database, schema, table) of a dbt node, lowercased, as SQL names its table."""
    table = node.get("identifier") or node.get("alias") or node.get("name") or ""
    return (str(node.get("database") or "").lower(), str(node.get("schema") or "").lower(), str(table).lower())


def columns_of(unique_id: str, node: dict, catalog: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """A node's columns: the catalog's (the warehouse's), else those its YAML documents."""
    if unique_id in catalog:
        return catalog[unique_id]
    return {name: {"type": c.get("data_type")} for name, c in (node.get("columns") or {}).items()
            if isinstance(c, dict)}  # fmt: skip


def column_line(raw_sql: str, column: str) -> int:
    """The line of a model's SQL that names ``column``: where it is given as an alias
    (``... as column``), else where it first appears, else the first line.

    >>> column_line("select\\n  id,\\n  amount / 100 as amount\\nfrom x", "amount")
    3
    >>> column_line("select id from x", "missing")
    1
    """
    quoted = rf"""[`"\[]?{re.escape(column)}[`"\]]?"""
    for pattern in (rf"\bas\s+{quoted}(?![\w])", rf"(?<![\w.]){re.escape(column)}(?![\w])"):
        found = re.search(pattern, raw_sql, re.IGNORECASE)
        if found:
            return raw_sql.count("\n", 0, found.start()) + 1
    return 1


def column_records(
    file: str, lines: Any, manifest: dict, datasets: dict[str, NodeRecord], adapter: str,
    catalog: dict[str, dict[str, dict]],
) -> Iterator[NodeRecord | EdgeRecord | Notice]:  # fmt: skip
    """The fields and the column lineage of every model of ``manifest`` that has compiled SQL;
    ``datasets`` are the dataset records of its nodes (unique_id -> record)."""
    dialect = dialect_of(adapter)
    described = {**(manifest.get("sources") or {}), **(manifest.get("nodes") or {})}
    by_table = {table_key(n): uid for uid, n in described.items() if uid in datasets and isinstance(n, dict)}
    schema: dict[str, Any] = {}
    for uid, node in described.items():
        if uid in datasets and isinstance(node, dict):
            database, db, table = table_key(node)
            types = {c: str(v.get("type") or "UNKNOWN") for c, v in columns_of(uid, node, catalog).items()}
            if types:
                schema.setdefault(database, {}).setdefault(db, {})[table] = types
    fields = Fields()
    edges: list[EdgeRecord] = []
    unread: list[Notice] = []
    for uid, node in (manifest.get("nodes") or {}).items():
        if uid not in datasets or not isinstance(node, dict) or node.get("resource_type") not in TRACED:
            continue
        sql = node.get("compiled_code") or node.get("compiled_sql")
        if not isinstance(sql, str) or not sql.strip():
            continue
        at = location(file, lines, pointer_join(pointer_join("/nodes", uid), "compiled_code"))
        if dialect is None:
            yield Notice(at, f"no column lineage: sqlglot has no dialect for the adapter {adapter!r}")
            return
        if len(sql) > MAX_SQL:
            unread.append(Notice(at, f"{uid}: no column lineage (its SQL is {len(sql):,} characters, over "
                                     f"{MAX_SQL:,}: too long to trace)"))  # fmt: skip
            continue
        try:
            traced = column_lineage(sql, dialect, schema, catalog=str(node.get("database") or "") or None,
                                    db=str(node.get("schema") or "") or None)  # fmt: skip
        except SqlLineageError as exc:
            unread.append(Notice(at, f"{uid}: no column lineage (sqlglot could not read its SQL: {exc})"))
            continue
        sql_file = str(node.get("original_file_path") or file)
        raw = str(node.get("raw_code") or node.get("raw_sql") or "")
        for column, sources in traced.items():
            where = Location(sql_file, line=column_line(raw, column)) if raw else at
            target = _field(fields, edges, datasets[uid], column, columns_of(uid, node, catalog), where)
            for source in sources:
                upstream = by_table.get(tuple(part.lower() for part in source.table))  # type: ignore[arg-type]
                if upstream is None:
                    continue  # a table the manifest does not describe
                origin = _field(fields, edges, datasets[upstream], source.column,
                                columns_of(upstream, described[upstream], catalog), where)  # fmt: skip
                how = {"type": source.type, "subtype": source.subtype}
                edges.append(EdgeRecord(origin, target, "derives", location=where,
                                        attributes={"transformations": [how], "inferred": True}))  # fmt: skip
    if unread and not catalog:  # most likely the columns of `select *`: one word for them all
        first = unread[0]
        yield Notice(first.location, f"no column lineage for {len(unread)} of the models: no catalog.json beside "
                     f"the manifest (dbt docs generate writes it) to give their tables' columns; the first, "
                     f"{first.message}")  # fmt: skip
    else:
        yield from unread
    yield from fields.nodes.values()
    yield from edges


def _field(fields: Fields, edges: list[EdgeRecord], dataset: NodeRecord, column: str,
           columns: dict[str, dict], where: Location) -> str:  # fmt: skip
    """The id of ``column``'s field of ``dataset`` (made once, with its ``has_field`` edge)."""
    fid, edge = fields.add((dataset.kind, dataset.name, dataset.namespace), column, aliases=dataset.aliases,
                           attributes=columns.get(column), location=where)  # fmt: skip
    if edge is not None:
        edges.append(edge)
    return fid
