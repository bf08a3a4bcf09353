"""The whole graph, loaded off the UI thread: :func:`load_whole` reads everything the explorer
keeps of a database (the graph, the imports, the search's completion and facet values) from one
snapshot, on a connection of its own, reporting its progress.

On a large database this takes a while (20 seconds at a million nodes), so the window shows
at once and draws its first view from SQL (:func:`lineage.views.scenes.explore_from_store`)
while this runs on a worker thread; a small one is loaded before the window shows, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from lineage.analyses.engine import loading_whole_graph
from lineage.graph import load_graph
from lineage.store import Store
from lineage.views.search import facet_values

# Up to this many nodes the whole graph is loaded before the window shows (0.15 s at 5,000
# nodes): the first view and the default focus then come from the graph, as always. Past it the
# window shows at once (at 10,000 nodes, loading first kept it away for 1.7 s).
LOAD_AT_ONCE = 5_000


# The search box completes ids and names up to this many nodes. Past it, sorting them would hold
# the interpreter (and so the window) for a second at a million nodes, and a completer scanning
# millions of names on each key would too: the matches listed under the box, from the search
# index, are the completion then.
COMPLETE_AT_MOST = 20_000


class LoadCancelled(Exception):
    """The load was asked to stop (another database opened, the window closed)."""


@dataclass(frozen=True)
class Loaded:
    """What the explorer keeps of a database, read from one snapshot."""

    graph: nx.DiGraph
    imports: list[dict[str, Any]]
    last_import_id: int
    names: list[str]  # for the search box's completion: every id and name, sorted (none when large)
    facets: dict[str, list[str]]  # each facet's values (see lineage.views.search.facet_values)
    counts: dict[str, int]  # nodes and edges of the graph
    as_of: str | None = None  # the moment the graph is of (None: now)


def read_loaded(store: Store, progress: Callable[[int], None] | None = None, *, as_of: str | None = None) -> Loaded:
    """Everything :class:`Loaded` holds, read from ``store`` in one snapshot (``progress`` as
    :func:`lineage.graph.load_graph` calls it); the graph as it was at the moment ``as_of``
    (None: now), the imports all of them (the history to move in)."""
    with store.reading():
        graph = load_graph(store, as_of=as_of, progress=progress)
        counts = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
        names = []
        if counts["nodes"] <= COMPLETE_AT_MOST:
            names = sorted({*graph.nodes, *(name for _, name in graph.nodes(data="name") if name)})
        facets = facet_values(store, graph)
        return Loaded(graph, store.imports(), store.last_import_id(), names, facets, counts, as_of)


def load_whole(
    db_path: str, progress: Callable[[int], None], cancelled: Callable[[], bool], as_of: str | None = None
) -> Loaded:
    """:func:`read_loaded` of the database at ``db_path``, on a connection of its own (this runs
    on a worker thread), calling ``progress(rows)`` as it reads and stopping with
    :class:`LoadCancelled` once ``cancelled()`` says so.

    The collector stays off until what was read is frozen (:func:`gc.freeze`): every object made
    while it was off would otherwise be walked by the next collection, in whichever thread
    makes it, a stall of the UI of a second or more at a million nodes. A frozen graph is never
    collected, so the graph a reload replaces is released (:func:`release`) and freed as it is let go."""

    def report(rows: int) -> None:
        if cancelled():
            raise LoadCancelled
        progress(rows)

    with loading_whole_graph(thaw_earlier=False), Store.open(db_path) as store:
        return read_loaded(store, report, as_of=as_of)


def release(graph: nx.DiGraph) -> None:
    """Let a replaced graph be freed as soon as nothing holds it. Frozen, it is never walked by
    the collector, so it must not be kept alive by a cycle: networkx caches views in the graph
    that point back at it (``edges``, ``degree``, …); dropped here, they are made again if asked.

    >>> g = nx.DiGraph([(1, 2)]); _ = g.edges, g.degree, g.nodes
    >>> release(g); sorted(k for k in vars(g) if not k.startswith("_") and k != "graph")
    []
    """
    for name in [k for k in vars(graph) if not k.startswith("_") and k != "graph"]:
        del vars(graph)[name]
