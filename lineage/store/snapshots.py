"""The graph as rows: whole, now or as it stood at a time (merged again from the facts of the
imports current then), or the part of it around one node."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
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
from lineage.when import LAST_ID, split_moment

# The part of the graph a question about one node needs is walked in SQL over the current edges
# and kept in temporary tables of ids (a bound id may hold a NUL, which json_each would cut):
# temp.sub_seeds (where a walk starts), temp.sub_within (the nodes another walk reached),
# temp.sub_reach (what a walk reaches), temp.sub_hops (node, hop: a walk of at most some hops)
# and temp.sub_nodes (the nodes whose rows are read).
SUB_TABLES = {
    "sub_seeds": "CREATE TEMP TABLE IF NOT EXISTS sub_seeds (node TEXT PRIMARY KEY)",
    "sub_within": "CREATE TEMP TABLE IF NOT EXISTS sub_within (node TEXT PRIMARY KEY)",
    "sub_reach": "CREATE TEMP TABLE IF NOT EXISTS sub_reach (node TEXT PRIMARY KEY)",
    "sub_hops": "CREATE TEMP TABLE IF NOT EXISTS sub_hops (node TEXT PRIMARY KEY, hop INTEGER NOT NULL)",
    "sub_nodes": "CREATE TEMP TABLE IF NOT EXISTS sub_nodes (node TEXT PRIMARY KEY)",
    "sub_down": "CREATE TEMP TABLE IF NOT EXISTS sub_down (node TEXT PRIMARY KEY, hop INTEGER NOT NULL)",
    "sub_up": "CREATE TEMP TABLE IF NOT EXISTS sub_up (node TEXT PRIMARY KEY, hop INTEGER NOT NULL)",
}
SUB_CLEAR = {t: f"DELETE FROM temp.{t}" for t in SUB_TABLES}  # noqa: S608 (constant names)
SUB_FILL = {t: f"INSERT OR IGNORE INTO temp.{t} VALUES (?)" for t in ("sub_seeds", "sub_nodes")}  # noqa: S608
HOP_TABLES = ("sub_hops", "sub_down", "sub_up")
SUB_HOPS_INDEX = {t: f"CREATE INDEX IF NOT EXISTS temp.{t}_hop ON {t} (hop)" for t in HOP_TABLES}
# (column followed, column reached) of an edge, by direction.
STEP = {"down": ("source", "target"), "up": ("target", "source")}
# Into temp.sub_reach, everything reachable from temp.sub_seeds, the seeds included: a recursive
# CTE whose UNION is the visited set (a node already walked is not walked again), so a cycle is
# walked once and a chain of n nodes costs n steps, each one probe of the edges' primary key
# (source first) or of edges_target. By (direction, within): `within` keeps the walk inside
# temp.sub_within (`+`: each step's node is looked up in the set; without it SQLite probes the
# edges once per node of the set, quadratic).
CLOSURE = {
    (direction, within): (
        "INSERT OR IGNORE INTO temp.sub_reach (node)"  # noqa: S608 (constants)
        " WITH RECURSIVE walk(node) AS ("
        "   SELECT node FROM temp.sub_seeds"
        f"  UNION SELECT e.{there} FROM walk CROSS JOIN edges e ON e.{here} = walk.node"
        + (f" WHERE +e.{there} IN (SELECT node FROM temp.sub_within)" if within else "")  # noqa: S608
        + ") SELECT node FROM walk"
    )
    for direction, (here, there) in STEP.items()
    for within in (False, True)
}
# One hop of a bounded walk: the nodes first reached at hop :hop, from those reached at :hop - 1
# (each node is kept once, at its first hop, so the cost is what is reached, whatever the depth
# asked; a recursive CTE would walk a cycle once per hop asked).
NEXT_HOP = {
    direction: (
        "INSERT OR IGNORE INTO temp.sub_hops (node, hop)"  # noqa: S608 (constants)
        f" SELECT e.{there}, :hop FROM temp.sub_hops h CROSS JOIN edges e ON e.{here} = h.node"
        " WHERE h.hop = :hop - 1"
    )
    for direction, (here, there) in STEP.items()
}
# The explorer's default focus, read in one query: the feature with the most distinct direct
# readers (the rule lineage.views.focus uses on a large graph), else the node with the most
# distinct neighbours; ties go to the smallest id.
CENTRAL_FEATURE = (
    "SELECT e.source FROM edges e JOIN nodes n ON n.id = e.source WHERE n.kind = 'feature'"
    " GROUP BY e.source ORDER BY count(DISTINCT e.target) DESC, e.source LIMIT 1"
)
FIRST_FEATURE = "SELECT id FROM nodes WHERE kind = 'feature' ORDER BY id LIMIT 1"
# A node's distinct successors plus its distinct predecessors: networkx's degree of a DiGraph.
BUSIEST_NODE = (
    "SELECT node FROM (SELECT DISTINCT source AS node, target FROM edges"
    "  UNION ALL SELECT DISTINCT target, source FROM edges)"
    " GROUP BY node ORDER BY count(*) DESC, node LIMIT 1"
)
# Of the nodes in temp.sub_hops: the columns of a node that an impact counts (by kind, by owner
# or team), or those of its JSON NODE object (by `full`), each node looked up by id, or (by
# `scan`, past SCAN_SHARE) the node table read through, each row looked up in the set.
HOP_COLUMNS = {
    False: "n.id, n.kind, n.owner, n.team",
    True: "n.id, n.kind, n.name, n.namespace, n.owner, n.team, n.status",
}
HOP_NODES = {
    (scan, full): (
        f"SELECT {HOP_COLUMNS[full]} FROM nodes n NOT INDEXED WHERE n.id IN (SELECT node FROM temp.sub_hops)"  # noqa: S608
        if scan
        else f"SELECT {HOP_COLUMNS[full]} FROM temp.sub_hops h CROSS JOIN nodes n ON n.id = h.node"  # noqa: S608
    )
    for scan in (False, True)
    for full in (False, True)
}
# The rows of the nodes in temp.sub_nodes, and of the edges among them: from each node by the
# edges' primary key (source first), the target looked up in the set. (`source IN (...) AND
# target IN (...)` let SQLite probe every pair, quadratic in the ids: minutes at 20k; `+`
# keeps it from probing (source, target IN ...) again.) By `scan`: past a share of the graph
# (SCAN_SHARE), reading the tables through and looking each row up in the set is the faster way.
SUB_NODES = {
    False: GRAPH_NODE_SELECT + " WHERE id IN (SELECT node FROM temp.sub_nodes)",  # noqa: S608 (constants)
    True: GRAPH_NODE_SELECT + " NOT INDEXED WHERE id IN (SELECT node FROM temp.sub_nodes)",  # noqa: S608
}
SUB_EDGES = {
    False: "SELECT e.source, e.target, e.kind, e.weight, e.declared, e.observed"
    " FROM temp.sub_nodes n CROSS JOIN edges e ON e.source = n.node"
    " WHERE +e.target IN (SELECT node FROM temp.sub_nodes)",
    True: GRAPH_EDGE_SELECT + " NOT INDEXED"  # noqa: S608 (constants)
    " WHERE source IN (SELECT node FROM temp.sub_nodes) AND target IN (SELECT node FROM temp.sub_nodes)",
}
# The edges into the nodes in temp.sub_reach (by edges_target, or the table read through).
INTO_REACH = {
    False: "SELECT e.source, e.target, e.kind, e.weight, e.declared, e.observed"
    " FROM temp.sub_reach r CROSS JOIN edges e ON e.target = r.node",
    True: GRAPH_EDGE_SELECT + " NOT INDEXED WHERE target IN (SELECT node FROM temp.sub_reach)",  # noqa: S608
}
# One hop of a trace's walk down from its source (into temp.sub_down) or up from its target
# (temp.sub_up), as NEXT_HOP.
TRACE_HOP = {direction: NEXT_HOP[direction].replace("temp.sub_hops", f"temp.sub_{direction}") for direction in STEP}
# temp.sub_within: what one side of a trace's walk reached.
WITHIN_FILL = {d: f"INSERT INTO temp.sub_within SELECT node FROM temp.sub_{d}" for d in STEP}  # noqa: S608
# The share of the nodes (by the largest rowid, a look-up where count(*) reads an index
# through) past which the rows of a part of the graph are read by scanning the tables.
SCAN_SHARE = 0.15
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


# An import up to the moment (:at, :through): dated before :at, or at :at with an id up to
# :through (a plain time counts every import dated then; see lineage.when.split_moment).
UP_TO_MOMENT = "(i.valid_at < :at OR (i.valid_at = :at AND i.id <= :through))"

# The imports current at a moment: each source's newest of those up to it.
CURRENT_AT = f"""SELECT id FROM (
       SELECT i.id, row_number() OVER (PARTITION BY i.source ORDER BY i.valid_at DESC, i.id DESC) AS nth
       FROM imports i WHERE {UP_TO_MOMENT}) WHERE nth = 1"""  # noqa: S608 (constants)
# Every generation that declared a flag, up to a moment, with the flag's targets.
FLAG_HISTORY = f"""SELECT nf.node_id, i.source, i.valid_at, i.id, ef.target
       FROM node_facts nf JOIN imports i ON i.id = nf.import_id
       LEFT JOIN edge_facts ef ON ef.import_id = nf.import_id AND ef.source = nf.node_id AND ef.kind = 'configures'
       WHERE nf.kind = 'flag' AND nf.reference = 0 AND {UP_TO_MOMENT}
       ORDER BY nf.node_id, i.valid_at, i.id"""  # noqa: S608 (constants)
# The fields (columns) features are made of, as any import up to a moment said it: an index
# range on edge_facts' key, not a scan (no edges start "field:" where no column lineage is).
COLUMNS_OF_FEATURES = f"""SELECT DISTINCT ef.source, ef.target FROM edge_facts ef JOIN imports i ON i.id = ef.import_id
       WHERE ef.source >= 'field:' AND ef.source < 'field;' AND ef.kind = 'derives'
       AND ef.target >= 'feature:' AND ef.target < 'feature;' AND {UP_TO_MOMENT}
       ORDER BY ef.source, ef.target"""  # noqa: S608 (constants)
# Every fact said of one node up to a moment, in the order of history.
FACTS_OF_NODE = f"""SELECT i.valid_at, i.id, nf.reference, json_extract(nf.attributes, '$.type')
       FROM node_facts nf JOIN imports i ON i.id = nf.import_id
       WHERE nf.node_id = :node AND {UP_TO_MOMENT} ORDER BY i.valid_at, i.id"""  # noqa: S608 (constants)
# The imports after one moment up to another, in the order of history.
LATER_IMPORTS = f"""SELECT i.id FROM imports i WHERE NOT {UP_TO_MOMENT}
       AND (i.valid_at < :end_at OR (i.valid_at = :end_at AND i.id <= :end_through))
       ORDER BY i.valid_at, i.id"""  # noqa: S608 (constants)


def _moment_params(moment: str) -> dict[str, Any]:
    at, through = split_moment(moment)
    return {"at": at, "through": through}


@dataclass(frozen=True)
class Said:
    """What one import's facts name: its id, its source, the ids of its nodes."""

    import_id: int
    source: str
    nodes: frozenset[str]


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

    def nearby_rows(
        self, start: str, depth: int | None, *, upstream: bool = False
    ) -> tuple[list[NodeRow], list[EdgeRow]]:
        """Rows as :meth:`graph_rows` gives them, of the nodes within ``depth`` hops downstream
        of ``start`` (and upstream with ``upstream``; every hop with ``depth`` None) and the
        edges among them, read with recursive queries: a question about one node of a large
        graph without loading all of it.

        BFS distances up to ``depth`` only depend on these nodes, so analyses of the subgraph
        these rows build answer exactly as they would on the whole graph (``impact``: what a
        walk from ``start`` reaches, nothing else).
        """
        with self._walking():
            for direction in ("down", "up") if upstream else ("down",):
                if depth is None:
                    self._walk([start], direction)
                    self.db.conn.execute("INSERT OR IGNORE INTO temp.sub_nodes SELECT node FROM temp.sub_reach")
                else:
                    self._walk_hops(start, depth, direction)
                    self.db.conn.execute("INSERT OR IGNORE INTO temp.sub_nodes SELECT node FROM temp.sub_hops")
            return self._sub_rows()

    def around_rows(self, start: str, hops: int) -> tuple[list[NodeRow], list[EdgeRow]]:
        """Rows as :meth:`graph_rows` gives them, of the nodes within ``hops`` hops of ``start``
        whichever way each edge points (what the explorer's neighbourhood walks), and the edges
        among them: the explorer's first view of a large graph, read before the whole graph is
        loaded. Each hop is one query each way, so the cost is what is reached."""
        with self._walking():
            self._walk_hops(start, hops, "down", "up")
            self.db.conn.execute("INSERT OR IGNORE INTO temp.sub_nodes SELECT node FROM temp.sub_hops")
            return self._sub_rows()

    def central_feature(self) -> str | None:
        """The feature that the most nodes read directly (ties: the smallest id), else the first
        feature, else the node with the most neighbours, else None (an empty graph): one query where
        :func:`lineage.views.focus.default_focus` needs the whole graph (on a large graph it
        chooses by the same rule)."""
        conn = self.db.conn
        row = (conn.execute(CENTRAL_FEATURE).fetchone() or conn.execute(FIRST_FEATURE).fetchone()
               or conn.execute(BUSIEST_NODE).fetchone())  # fmt: skip
        return str(row[0]) if row else None

    def reach_rows(
        self, start: str, depth: int | None, *, upstream: bool = False, full: bool = False
    ) -> tuple[list[list[str]], dict[str, tuple[Any, ...]]] | None:
        """What a walk from ``start`` reaches, hop by hop, and the rows of those nodes: level
        ``d`` holds the ids of the nodes first reached after ``d`` hops (level 0: ``start``), in
        no particular order, no further than ``depth`` hops (every hop with None), downstream (or
        upstream with ``upstream``); a node's row is (id, kind, owner, team), or with ``full``
        (id, kind, name, namespace, owner, team, status), the columns of its JSON. None if an
        edge on the way names a node the node table lacks (a walk of the graph the rows of
        :meth:`nearby_rows` build would not pass it: ask that then).

        The walk is breadth first in SQL, each node kept once at its first hop: what
        :func:`lineage.analyses.impact` finds of the graph, without reading one edge row into
        Python (the ``impact`` command's question).
        """
        with self._walking():
            self._walk_hops(start, depth, "up" if upstream else "down")
            conn = self.db.conn
            hops = conn.execute("SELECT node, hop FROM temp.sub_hops").fetchall()
            rows = conn.execute(HOP_NODES[self._scan(len(hops)), full]).fetchall()
        if len(rows) != len(hops):
            return None
        levels: list[list[str]] = [[] for _ in range(max(hop for _, hop in hops) + 1)]
        for node, hop in hops:
            levels[hop].append(node)
        return levels, {r[0]: r for r in rows}

    def between_rows(self, source: str, target: str) -> tuple[list[NodeRow], list[EdgeRow]]:
        """Rows as :meth:`graph_rows` gives them, of ``source``, ``target`` and the nodes both
        downstream of ``source`` and upstream of ``target`` (every node a path from one to the
        other can pass), and the edges among them: what ``trace`` reads of the graph.

        A walk one way to its end, then a walk the other way that only enters nodes the first
        reached (a node on a path is reached by both, and so is every node before and after it
        on the path). The first is the way that ends first: both ways are walked breadth first,
        a hop at a time, on the side that has reached fewer nodes so far, until one side has no
        next hop (so the walk the other way costs at most about as much as the smaller one).
        """
        with self._walking():
            conn = self.db.conn
            hops, reached = {"down": 0, "up": 0}, {"down": 1, "up": 1}
            conn.execute("INSERT INTO temp.sub_down VALUES (?, 0)", (source,))
            conn.execute("INSERT INTO temp.sub_up VALUES (?, 0)", (target,))
            while True:
                side = "up" if reached["up"] <= reached["down"] else "down"
                hops[side] += 1
                added = conn.execute(TRACE_HOP[side], {"hop": hops[side]}).rowcount
                if not added:
                    break
                reached[side] += added
            then_start = source if side == "up" else target
            conn.execute("DELETE FROM temp.sub_within")
            conn.execute(WITHIN_FILL[side])
            self._walk([then_start], "down" if side == "up" else "up", within=True)
            self._fill_sub("sub_nodes", [source, target])
            conn.execute("INSERT OR IGNORE INTO temp.sub_nodes SELECT node FROM temp.sub_reach")
            return self._sub_rows()

    def simulation_rows(self, remove: Iterable[str], cut_targets: Iterable[str]) -> tuple[list[NodeRow], list[EdgeRow]]:
        """Rows as :meth:`graph_rows` gives them, of what ``simulate`` reads when it removes the
        nodes ``remove`` and edges into ``cut_targets``: everything downstream of those (them
        included), every direct input of those nodes, and every edge into them.

        ``simulate`` walks down from what is removed, and of each node it reaches reads only its
        inputs (whether each is lost, and its weight) and its outputs (reached too): the rest of
        the graph only counts (as unaffected), so the caller counts it in the store.
        """
        with self._walking():
            conn = self.db.conn
            reached = self._walk([*remove, *cut_targets], "down")
            scan = self._scan(reached)
            edges = [EdgeRow._make(r) for r in conn.execute(INTO_REACH[scan]).fetchall()]
            conn.execute("INSERT INTO temp.sub_nodes SELECT node FROM temp.sub_reach")
            conn.executemany(SUB_FILL["sub_nodes"], ((e[0],) for e in edges))
            nodes = [NodeRow._make(r) for r in conn.execute(SUB_NODES[scan]).fetchall()]
            return nodes, edges

    @contextlib.contextmanager
    def _walking(self) -> Iterator[None]:
        """One read snapshot for a walk and its rows (unless the caller holds one), with the
        walk's temporary tables created and empty."""
        conn = self.db.conn
        for table in SUB_TABLES:
            conn.execute(SUB_TABLES[table])
            conn.execute(SUB_CLEAR[table])
        for table in SUB_HOPS_INDEX:
            conn.execute(SUB_HOPS_INDEX[table])
        if conn.in_transaction:
            yield
        else:
            with self.reading():
                yield

    def _fill_sub(self, table: str, ids: Iterable[str]) -> None:
        conn = self.db.conn
        conn.execute(SUB_CLEAR[table])
        conn.executemany(SUB_FILL[table], ((i,) for i in ids))

    def _walk(self, starts: Iterable[str], direction: str, *, within: bool = False) -> int:
        """temp.sub_reach: what is reachable from ``starts`` (them included); how many."""
        self._fill_sub("sub_seeds", starts)
        self.db.conn.execute("DELETE FROM temp.sub_reach")
        count: int = self.db.conn.execute(CLOSURE[direction, within]).rowcount
        return count

    def _scan(self, count: int) -> bool:
        """Whether rows of ``count`` nodes are read faster by scanning the tables."""
        largest = self.db.conn.execute("SELECT max(rowid) FROM nodes").fetchone()[0] or 0
        return count > SCAN_SHARE * largest

    def _walk_hops(self, start: str, depth: int | None, *directions: str) -> None:
        """temp.sub_hops: the nodes within ``depth`` hops of ``start`` (every hop with None)
        following edges in ``directions`` ("down", "up", or both), breadth first, each node kept
        once at its first hop, so the cost is what is reached, whatever ``depth`` asks."""
        conn = self.db.conn
        conn.execute("DELETE FROM temp.sub_hops")
        conn.execute("INSERT INTO temp.sub_hops VALUES (?, 0)", (start,))
        hop = 1
        while depth is None or hop <= depth:
            # Each direction reads the nodes of hop - 1 only: what one adds at `hop` is not walked again.
            if not sum(conn.execute(NEXT_HOP[d], {"hop": hop}).rowcount for d in directions):
                break
            hop += 1

    def _sub_rows(self) -> tuple[list[NodeRow], list[EdgeRow]]:
        conn = self.db.conn
        scan = self._scan(conn.execute("SELECT count(*) FROM temp.sub_nodes").fetchone()[0])
        nodes = [NodeRow._make(r) for r in conn.execute(SUB_NODES[scan]).fetchall()]
        edges = [EdgeRow._make(r) for r in conn.execute(SUB_EDGES[scan]).fetchall()]
        return nodes, edges

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

    def column_history(
        self, as_of: str | None = None
    ) -> tuple[list[tuple[str, str]], dict[str, list[tuple[Any, ...]]]]:
        """The (field, feature) pairs any import up to ``as_of`` said a feature is made of a
        column, and every fact said of each of those fields: (valid_at, import id, reference,
        type), in the order of history."""
        params = _moment_params(as_of or "9999")
        conn = self.db.conn
        pairs = [(r[0], r[1]) for r in conn.execute(COLUMNS_OF_FEATURES, params)]
        facts = {field: [tuple(r) for r in conn.execute(FACTS_OF_NODE, {**params, "node": field})]
                 for field in dict.fromkeys(f for f, _ in pairs)}  # fmt: skip
        return pairs, facts

    def first_stated(self, ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        """(valid_at, import id) of the first import that states each node (not only names it)."""
        out: dict[str, tuple[str, int]] = {}
        for node in dict.fromkeys(ids):
            row = self.db.conn.execute(
                """SELECT i.valid_at, i.id FROM node_facts nf JOIN imports i ON i.id = nf.import_id
                   WHERE nf.node_id = ? AND nf.reference = 0 ORDER BY i.valid_at, i.id LIMIT 1""",
                (node,),
            ).fetchone()
            if row is not None:
                out[node] = (row[0], row[1])
        return out

    def flag_history(self, as_of: str | None = None) -> list[tuple[str, str, str, frozenset[str]]]:
        """(flag, source, valid_at, targets) for every generation that declared a flag."""
        rows = self.db.conn.execute(
            FLAG_HISTORY,
            _moment_params(as_of or "9999"),
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
        """The imports current at the moment ``as_of`` (see :func:`lineage.when.split_moment`):
        each source's newest by (valid_at, id) of those up to it."""
        rows = self.db.conn.execute(
            CURRENT_AT,
            _moment_params(as_of),
        )
        return [r[0] for r in rows]

    def generations(self) -> list[dict[str, Any]]:
        """Every import, in the order of history (valid_at, then id), oldest first: id,
        importer, source, path, valid_at, started_at, node_count, edge_count."""
        rows = self.db.conn.execute(
            """SELECT id, importer, source, path, valid_at, started_at, node_count, edge_count
               FROM imports ORDER BY valid_at, id"""
        )
        names = [c[0] for c in rows.description]
        return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]

    def said_between(self, start: str, end: str | None) -> tuple[list[Said], list[Said]]:
        """What the imports say that make the graph between two moments (``end`` None: now):
        (the imports current at ``start``, the imports after ``start`` up to ``end`` in the order
        of history), each as :class:`Said`: which nodes its facts name. What
        :func:`lineage.analyses.arrivals` needs to tell which import brought each change."""
        conn = self.db.conn
        with self.reading_once():
            current = set(self._imports_current_at(start))
            at, through = split_moment(start)
            last_at, last_through = split_moment(end) if end else ("9999", LAST_ID)
            params = {"at": at, "through": through, "end_at": last_at, "end_through": last_through}
            later = [r[0] for r in conn.execute(LATER_IMPORTS, params)]
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS as_of_imports (id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM temp.as_of_imports")
            conn.executemany("INSERT INTO temp.as_of_imports VALUES (?)", ((i,) for i in current | set(later)))
            sources = dict(
                conn.execute("SELECT id, source FROM imports WHERE id IN (SELECT id FROM temp.as_of_imports)")
            )
            nodes: dict[int, set[str]] = {i: set() for i in sources}
            for import_id, node in conn.execute(
                "SELECT import_id, node_id FROM node_facts WHERE import_id IN (SELECT id FROM temp.as_of_imports)"
            ):
                nodes[import_id].add(node)

        def said(i: int) -> Said:
            return Said(i, sources[i], frozenset(nodes[i]))

        return [said(i) for i in sorted(current)], [said(i) for i in later]
