"""Load a lineage store into a networkx graph.

The graph is a :class:`networkx.DiGraph` in the direction data flows. Node attributes:
``kind``, ``name``, ``namespace``, ``owner``, ``team``, ``status``, ``deprecated_on``,
``declared`` (some source
declares the node rather than only naming it) and ``current`` (False for a model version that
is no longer served, else None or True). Edge attributes:
``kinds`` (a sorted tuple: two sources may relate the same pair of nodes differently),
``weight`` (the largest given, or None), ``declared`` and ``observed`` (booleans). Edges with
equal attributes share their attribute dict (see :func:`build_graph`): copy a graph to change it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import networkx as nx

from lineage.analyses.columns import ColumnFact, ColumnHistory
from lineage.analyses.flags import FlagGeneration
from lineage.analyses.impact import Impact, Reach, reach_of
from lineage.store import EdgeRow, NodeRow, Store

PROGRESS_EVERY = 50_000  # rows read between two calls of a load's ``progress``


def load_graph(store: Store, *, as_of: str | None = None, progress: Callable[[int], None] | None = None) -> nx.DiGraph:
    """The current graph of ``store``, or the graph as it stood at ``as_of`` (UTC ISO time).

    ``progress(rows)`` is called with the number of node and edge rows read so far, every
    ``PROGRESS_EVERY`` rows (for a progress bar; an exception it raises stops the load)."""
    with _collector_paused():
        node_rows, edge_rows = store.graph_rows(as_of)
        if progress is not None:
            counted = _counted(progress)
            node_rows, edge_rows = counted(node_rows), counted(edge_rows)
        return build_graph(node_rows, edge_rows)


def _counted(progress: Callable[[int], None]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """A wrapper of row iterators that reports the rows all of them have yielded so far."""
    done = 0

    def rows(source: Iterable[Any]) -> Iterator[Any]:
        nonlocal done
        for row in source:
            done += 1
            if not done % PROGRESS_EVERY:
                progress(done)
            yield row

    return rows


def load_nearby(store: Store, start: str, depth: int | None = None, *, upstream: bool = False) -> nx.DiGraph:
    """The current graph of the nodes within ``depth`` hops downstream of ``start`` (and
    upstream with ``upstream``; every hop with ``depth`` None): what ``impact`` of ``start``
    reads, answered without loading the whole graph (see :meth:`lineage.store.Store.nearby_rows`)."""
    with _collector_paused():
        return build_graph(*store.nearby_rows(start, depth, upstream=upstream))


def load_around(store: Store, start: str, hops: int) -> nx.DiGraph:
    """The current graph of the nodes within ``hops`` hops of ``start``, whichever way each edge
    points, and the edges among them (see :meth:`lineage.store.Store.around_rows`): what the
    explorer's neighbourhood of ``start`` reads, without loading the whole graph."""
    with _collector_paused():
        return build_graph(*store.around_rows(start, hops))


def impact_in_store(
    store: Store, start: str, depth: int | None = None, *, upstream: bool = False, with_attrs: bool = False
) -> tuple[Impact, dict[str, dict[str, Any]]] | None:
    """``impact(load_nearby(store, start, depth, upstream=upstream), start, ...)`` walked in SQL
    (see :meth:`lineage.store.Store.reach_rows`), without building a graph, and (with
    ``with_attrs``) the attributes of the start and of every node it reaches, by id (what its
    JSON prints of each): the ``impact`` command's answer. None if a walk met an edge to a node
    the store lacks (ask :func:`load_nearby` then)."""
    with store.reading():
        down = store.reach_rows(start, depth, full=with_attrs)
        up = store.reach_rows(start, depth, upstream=True, full=with_attrs) if upstream else None
    if down is None or (upstream and up is None):
        return None
    owner, team = (4, 5) if with_attrs else (2, 3)

    def reach(levels: list[list[str]], rows: dict[str, tuple[Any, ...]]) -> Reach:
        data = [rows[n] for level in levels[1:] for n in level]
        return reach_of(levels[1:], [r[1] for r in data], [r[owner] or r[team] for r in data])

    result = Impact(node=start, depth=depth, downstream=reach(*down), upstream=reach(*up) if up is not None else None)
    attrs: dict[str, dict[str, Any]] = {}
    if with_attrs:
        keys = ("kind", "name", "namespace", "owner", "team", "status")
        for _, rows in (down, *([up] if up is not None else [])):
            attrs.update((r[0], dict(zip(keys, r[1:], strict=True))) for r in rows.values())
    return result, attrs


def load_between(store: Store, source: str, target: str) -> nx.DiGraph:
    """The current graph of the nodes a path from ``source`` to ``target`` can pass: what
    ``trace`` reads (see :meth:`lineage.store.Store.between_rows`)."""
    with _collector_paused():
        return build_graph(*store.between_rows(source, target))


def load_removal(store: Store, remove: Iterable[str], remove_edges: Iterable[tuple[str, str]] = ()) -> nx.DiGraph:
    """The current graph of what removing ``remove`` and ``remove_edges`` reaches, with every
    input of it: what ``simulate`` reads, but for the count of the nodes it leaves alone, which
    this graph does not hold (see :meth:`lineage.store.Store.simulation_rows`)."""
    with _collector_paused():
        return build_graph(*store.simulation_rows(remove, [v for _, v in remove_edges]))


def load_column_history(store: Store, graph: nx.DiGraph, *, as_of: str | None = None) -> ColumnHistory:
    """What the column findings read of the store's history: the columns features are made of,
    every fact said of them, and when each model that reads those features was first stated
    (nothing at all, in a few indexed reads, where no feature is made of a column)."""
    pairs, facts = store.column_history(as_of)
    models = {m for _, feature in pairs if feature in graph
              for m in graph._succ[feature] if graph._node[m].get("kind") == "model"}  # fmt: skip
    return ColumnHistory(
        pairs,
        {f: [ColumnFact(at, i, not reference, kind) for at, i, reference, kind in rows] for f, rows in facts.items()},
        store.first_stated(sorted(models)),
    )


def load_flag_history(store: Store, *, as_of: str | None = None) -> list[FlagGeneration]:
    """What every generation of every source said each flag configures (for the flag findings)."""
    return [FlagGeneration(*row) for row in store.flag_history(as_of)]


def build_graph(node_rows: Iterable[NodeRow], edge_rows: Iterable[EdgeRow]) -> nx.DiGraph:
    """Build the graph from store rows (see :meth:`lineage.store.Store.graph_rows`; plain tuples
    in the same order do as well).

    Edges whose attributes are equal share one attribute dict (a million-node graph has a few
    thousand distinct ones, and this halves its memory): treat a built graph's edge data as
    read-only, and copy the graph (``graph.copy()`` copies each dict) to change it.

    >>> g = build_graph(
    ...     [("feature:f", "feature", "f", "", None, None, "active", None, 1, None),
    ...      ("model:m", "model", "m", "", None, None, "active", None, 1, None),
    ...      ("model:n", "model", "n", "", None, None, "active", None, 1, None)],
    ...     [("feature:f", "model:m", "reads", 0.5, 1, 0),
    ...      ("feature:f", "model:m", "derives", None, 0, 1),
    ...      ("feature:f", "model:n", "reads", None, 1, 0),
    ...      ("feature:f", "model:n", "derives", 0.5, 0, 1)])
    >>> g.edges["feature:f", "model:m"]
    {'kinds': ('derives', 'reads'), 'weight': 0.5, 'declared': True, 'observed': True}
    >>> g.edges["feature:f", "model:m"] is g.edges["feature:f", "model:n"]
    True
    """
    graph = nx.DiGraph()
    known, succ, pred = graph._node, graph._succ, graph._pred
    # The rows' strings are new objects each: the few values repeated on every node (kinds,
    # namespaces, owners, statuses) are kept once.
    common: dict[Any, Any] = {}
    once = common.setdefault
    # Each node put in as add_nodes_from puts it (a node said again keeps its place, its
    # attributes updated), without its call per node.
    for nid, kind, name, namespace, owner, team, status, since, declared, current in node_rows:
        attrs = {"kind": once(kind, kind), "name": name, "namespace": once(namespace, namespace),
                 "owner": once(owner, owner), "team": once(team, team), "status": once(status, status),
                 "deprecated_on": once(since, since), "declared": bool(declared),
                 "current": None if current is None else bool(current)}  # fmt: skip
        if nid in known:
            known[nid].update(attrs)
        else:
            known[nid] = attrs
    # Apart, not in the loop above: the three dicts grow at the same node, and each growth
    # holds the interpreter (25 ms at 700,000 nodes); one after another in one loop step, they
    # would stall a thread waiting for it (the explorer's window) three times as long.
    for nid in known:
        succ[nid] = {}
    for nid in known:
        pred[nid] = {}
    # An edge row's ids are new strings too: the adjacency keys them by the nodes' own.
    ids = {nid: nid for nid in known}
    edge_data = _shared_edge_data()
    # One edge per pair, whatever its kinds, its attributes merged: put in the adjacency as
    # add_edge puts it (the same dict both ways, in the order first said), at a fraction of
    # add_edges_from's cost, which copies every attribute dict into a new one.
    for source_row, target_row, kind, weight, declared, observed in edge_rows:
        source, target = ids.get(source_row), ids.get(target_row)
        if source is None or target is None:
            continue
        out = succ[source]
        data = out.get(target)
        if data is None:
            out[target] = pred[target][source] = edge_data((kind,), weight, bool(declared), bool(observed))
        else:  # a shared dict is never changed: the merged attributes are another one
            if weight is None or (data["weight"] is not None and weight <= data["weight"]):
                weight = data["weight"]
            out[target] = pred[target][source] = edge_data(
                tuple(sorted({*data["kinds"], kind})),
                weight,
                data["declared"] or bool(declared),
                data["observed"] or bool(observed),
            )
    return graph


def _shared_edge_data() -> Callable[[tuple[str, ...], Any, bool, bool], dict[str, Any]]:
    """A maker of edge attribute dicts that gives equal attributes the same dict."""
    made: dict[tuple[Any, ...], dict[str, Any]] = {}

    def edge_data(kinds: tuple[str, ...], weight: Any, declared: bool, observed: bool) -> dict[str, Any]:
        key = (kinds, weight, type(weight), declared, observed)  # 1 and 1.0 stay apart
        data = made.get(key)
        if data is None:
            data = made[key] = {"kinds": kinds, "weight": weight, "declared": declared, "observed": observed}
        return data

    return edge_data


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading and building a graph makes objects that all live on: the garbage collector,
    set off by every so many new ones, would only walk them again and again (a third of the
    time), so it waits until the graph is built."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
