"""The graph as rows: whole, now or as it stood at a time (merged again from the facts of the
imports current then), or the part of it around one node."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from lineage.store.connection import Connection
from lineage.store.merge import MERGE_ORDER, merge_edge_facts, merge_node_facts
from lineage.store.rows import (
    EDGE_SELECT,
    GRAPH_EDGE_SELECT,
    GRAPH_NODE_SELECT,
    NODE_SELECT,
    EdgeRow,
    NodeRow,
    edge_dict,
    node_dict,
)  # fmt: skip
from lineage.store.units import EdgeKey

NEARBY_NODES = GRAPH_NODE_SELECT + " WHERE id IN (SELECT id FROM temp.nearby)"  # noqa: S608 (constants)
# From each nearby id by the edges' primary key (source first): `source IN (...) AND target IN
# (...)` let SQLite probe every pair, quadratic in the ids (minutes at 20k).
NEARBY_EDGES = (
    "SELECT e.source, e.target, e.kind, e.weight, e.declared, e.observed"
    " FROM temp.nearby n CROSS JOIN edges e ON e.source = n.id"
    " WHERE +e.target IN (SELECT id FROM temp.nearby)"  # `+`: no (source, target IN ...) probes
)
# The next hop from the ids in temp.frontier, downstream and upstream: one query a hop, so a walk
# keeps a visited set (a recursive CTE walks a cycle once per hop asked: depth 10^9 never ends).
NEXT_HOP = {
    direction: f"SELECT DISTINCT e.{there} FROM temp.frontier f CROSS JOIN edges e ON e.{here} = f.id"  # noqa: S608
    for direction, here, there in (("down", "source", "target"), ("up", "target", "source"))
}
# The facts of the imports in temp.as_of_imports, in the merge order.
AS_OF_NODE_FACTS = f"""SELECT f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,
              f.deprecated_on, f.deprecation_reason, f.attributes, f.reference
       FROM node_facts f JOIN imports i ON i.id = f.import_id
       WHERE f.import_id IN (SELECT id FROM temp.as_of_imports)
       ORDER BY f.node_id, {MERGE_ORDER}"""  # noqa: S608 (constants)
AS_OF_EDGE_FACTS = f"""SELECT f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes
       FROM edge_facts f JOIN imports i ON i.id = f.import_id
       WHERE f.import_id IN (SELECT id FROM temp.as_of_imports)
       ORDER BY f.source, f.target, f.kind, {MERGE_ORDER}"""  # noqa: S608 (constants)


def _graph_node(r: Sequence[Any]) -> NodeRow:
    """The graph row of a merged node row (the columns of the nodes table)."""
    return NodeRow(r[0], r[1], r[2], r[3], r[4], r[5], r[7], r[8], r[11], json.loads(r[10]).get("current"))


class Snapshots(Connection):
    """The graph's rows, and the history of flags."""

    def graph_rows(self, as_of: str | None = None) -> tuple[Iterable[NodeRow], Iterable[EdgeRow]]:
        """(node rows, edge rows) of the graph now, or as it stood at ``as_of`` (ISO time).

        Node rows: :class:`NodeRow` (id, kind, name, namespace, owner, team, status,
        deprecated_on, declared, current), where ``declared`` says some source declares the node
        (not only names it) and ``current`` is its ``current`` attribute (False for a model
        version no longer served), or None. Edge rows: :class:`EdgeRow` (source, target, kind,
        weight, declared, observed). Both are tuples in that order.
        """
        conn = self.db.conn
        if as_of is None:  # read as they are iterated
            current = map(NodeRow._make, conn.execute(GRAPH_NODE_SELECT))
            return current, map(EdgeRow._make, conn.execute(GRAPH_EDGE_SELECT))
        node_rows, edge_rows = self._fact_rows_at(as_of)
        nodes = [_graph_node(r) for r in merge_node_facts(node_rows)]
        edges = [EdgeRow._make(r[:6]) for r in merge_edge_facts(edge_rows)]
        return nodes, edges

    def nearby_rows(self, start: str, depth: int, *, upstream: bool = False) -> tuple[list[NodeRow], list[EdgeRow]]:
        """Rows as :meth:`graph_rows` gives them, of the nodes within ``depth`` hops downstream
        of ``start`` (and upstream with ``upstream``) and the edges among them, read with
        recursive queries: a bounded question about a large graph without loading all of it.

        BFS distances up to ``depth`` only depend on these nodes, so analyses of the subgraph
        these rows build answer exactly as they would on the whole graph.
        """
        conn = self.db.conn
        # The ids go through temporary tables (SQLite's json_each would cut a name at NUL);
        # their rows open a transaction on this connection only, closed again below.
        idle = not conn.in_transaction
        ids = {start}
        for direction in ("down", "up") if upstream else ("down",):
            ids |= self._reach(start, depth, direction)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS nearby(id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.nearby")
        conn.executemany("INSERT INTO temp.nearby VALUES (?)", ((i,) for i in ids))
        nodes = [NodeRow._make(r) for r in conn.execute(NEARBY_NODES).fetchall()]
        edges = [EdgeRow._make(r) for r in conn.execute(NEARBY_EDGES).fetchall()]
        if idle:
            conn.commit()
        return nodes, edges

    def _reach(self, start: str, depth: int, direction: str) -> set[str]:
        """The ids within ``depth`` hops of ``start``: breadth first, each node visited once,
        so the cost is what is reached, whatever ``depth`` asks."""
        conn = self.db.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS frontier(id TEXT PRIMARY KEY)")
        seen, frontier = {start}, [start]
        for _ in range(depth):
            conn.execute("DELETE FROM temp.frontier")
            conn.executemany("INSERT INTO temp.frontier VALUES (?)", ((i,) for i in frontier))
            frontier = [r[0] for r in conn.execute(NEXT_HOP[direction]) if r[0] not in seen]
            if not frontier:
                break
            seen.update(frontier)
        return seen

    def snapshot(self, as_of: str | None = None) -> tuple[dict[str, dict[str, Any]], dict[EdgeKey, dict[str, Any]]]:
        """Every node and edge, in full (attributes included), now or as of ``as_of``."""
        conn = self.db.conn
        if as_of is None:
            nodes = {r[0]: node_dict(r) for r in conn.execute(NODE_SELECT)}
            edges = {(r[0], r[1], r[2]): edge_dict(r) for r in conn.execute(EDGE_SELECT)}
            return nodes, edges
        node_rows, edge_rows = self._fact_rows_at(as_of)
        nodes = {r[0]: node_dict(r) for r in merge_node_facts(node_rows)}
        edges = {(r[0], r[1], r[2]): edge_dict(r) for r in merge_edge_facts(edge_rows)}
        return nodes, edges

    def flag_history(self, as_of: str | None = None) -> list[tuple[str, str, str, frozenset[str]]]:
        """(flag, source, valid_at, targets) for every generation that declared a flag."""
        rows = self.db.conn.execute(
            """SELECT nf.node_id, i.source, i.valid_at, i.id, ef.target
               FROM node_facts nf JOIN imports i ON i.id = nf.import_id
               LEFT JOIN edge_facts ef ON ef.import_id = nf.import_id
                 AND ef.source = nf.node_id AND ef.kind = 'configures'
               WHERE nf.kind = 'flag' AND nf.reference = 0 AND i.valid_at <= ?
               ORDER BY nf.node_id, i.valid_at, i.id""",
            (as_of or "9999",),
        )
        generations: dict[tuple[str, int], tuple[str, str, set[str]]] = {}
        for flag, source, valid_at, import_id, target in rows:
            entry = generations.setdefault((flag, import_id), (source, valid_at, set()))
            if target is not None:
                entry[2].add(target)
        return [
            (flag, source, valid_at, frozenset(targets))
            for (flag, _), (source, valid_at, targets) in generations.items()
        ]

    def _fact_rows_at(self, as_of: str) -> tuple[list[Any], list[Any]]:
        conn = self.db.conn
        current = self._imports_current_at(as_of)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS as_of_imports (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.as_of_imports")
        conn.executemany("INSERT INTO temp.as_of_imports VALUES (?)", ((i,) for i in current))
        return conn.execute(AS_OF_NODE_FACTS).fetchall(), conn.execute(AS_OF_EDGE_FACTS).fetchall()

    def _imports_current_at(self, as_of: str) -> list[int]:
        rows = self.db.conn.execute(
            """SELECT id FROM (
                 SELECT id, row_number() OVER
                   (PARTITION BY source ORDER BY valid_at DESC, id DESC) AS nth
                 FROM imports WHERE valid_at <= ?)
               WHERE nth = 1""",
            (as_of,),
        )
        return [r[0] for r in rows]
