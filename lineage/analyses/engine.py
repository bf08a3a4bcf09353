"""A compiled index of a lineage graph for whole-graph work (rustworkx).

networkx is the clearer API, and the analyses are written in it; but on a whole graph of 100k
nodes and more, its strongly connected components, condensation and descendants are 6-60x
slower than a compiled engine. :class:`GraphIndex` holds the same graph as a rustworkx
``PyDiGraph`` (node ``i`` is ``ids[i]``, in the networkx graph's node order; its edges in the
graph's edge order) beside the networkx graph it was built from, which keeps the attributes.

The analyses that do whole-graph work take either: ``feedback_loops(graph)`` runs in networkx,
``feedback_loops(GraphIndex(graph))`` runs the same steps compiled, with the same result.
:func:`lineage.analyses.find_all` indexes a large graph itself (once for every finding). An
index is a snapshot: a networkx graph changed after it was indexed must be indexed again.

>>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("d", "c")])
>>> index = GraphIndex(g)
>>> sorted(index.descendants("a")), sorted(index.ancestors("b"))
(['b', 'c'], ['a', 'c', 'd'])
>>> sorted(sorted(c) for c in index.components())
[['a'], ['b', 'c'], ['d']]
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TypeAlias

import networkx as nx
import rustworkx as rx

INDEX_FROM = 1_000  # nodes: find_all indexes a graph this large (below, networkx is as quick)


class GraphIndex:
    """``graph`` as a rustworkx ``PyDiGraph``, with the maps between node ids and indices."""

    def __init__(self, graph: nx.DiGraph) -> None:
        self.graph = graph
        self.ids: list[str] = list(graph)
        self.index: dict[str, int] = dict(zip(self.ids, range(len(self.ids)), strict=True))
        index = self.index
        # Each node's successors as indices, in the networkx graph's adjacency order.
        self.successors: list[list[int]] = [[index[v] for v in succ] for succ in graph._succ.values()]
        edges = [(i, j) for i, succ in enumerate(self.successors) for j in succ]  # graph.edges order
        self.rx = rx.PyDiGraph(node_count_hint=len(self.ids), edge_count_hint=len(edges))
        self.rx.add_nodes_from(range(len(self.ids)))  # a node's payload is its own index
        self.rx.add_edges_from_no_data(edges)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __repr__(self) -> str:
        return f"GraphIndex({len(self.ids)} nodes, {self.rx.num_edges()} edges)"

    def names(self, indices: Iterable[int]) -> set[str]:
        ids = self.ids
        return {ids[i] for i in indices}

    def descendants(self, node: str) -> set[str]:
        """What lies downstream of ``node``, itself left out (like :func:`networkx.descendants`)."""
        return self.names(rx.descendants(self.rx, self.index[node]))

    def ancestors(self, node: str) -> set[str]:
        """What lies upstream of ``node``, itself left out (like :func:`networkx.ancestors`)."""
        return self.names(rx.ancestors(self.rx, self.index[node]))

    def components(self) -> list[set[str]]:
        """The strongly connected components, in no particular order."""
        return [self.names(c) for c in rx.strongly_connected_components(self.rx)]

    def cycles(self) -> list[set[str]]:
        """The strongly connected components that hold a cycle: two nodes or more, or one with
        an edge to itself (in no particular order).

        >>> sorted(sorted(c) for c in GraphIndex(nx.DiGraph([("a", "b"), ("b", "a"), ("c", "c"), ("c", "d")])).cycles())
        [['a', 'b'], ['c']]
        """
        loops = {u for u, v in self.rx.edge_list() if u == v}
        found = [c for c in rx.strongly_connected_components(self.rx) if len(c) > 1 or c[0] in loops]
        return [self.names(c) for c in found]

    @cached_property
    def reversed(self) -> rx.PyDiGraph:
        """The same graph with every edge turned around (for reaches against the flow)."""
        back = self.rx.copy()
        back.reverse()
        return back

    def reach(self, sources: Iterable[str], *, upstream: bool = False) -> set[str]:
        """Every node reachable from any of ``sources`` (downstream, or upstream), sources included.

        >>> sorted(GraphIndex(nx.DiGraph([("a", "b"), ("c", "d"), ("e", "f")])).reach(["b", "d"], upstream=True))
        ['a', 'b', 'c', 'd']
        """
        return {node for level in self.levels(sources, upstream=upstream) for node in level}

    def levels(self, sources: Iterable[str], *, upstream: bool = False) -> list[list[str]]:
        """The nodes first reached at each hop from ``sources`` (level 0: the sources), each level
        in no particular order.

        >>> [sorted(level) for level in GraphIndex(nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])).levels(["a"])]
        [['a'], ['b', 'c']]
        """
        starts = list(dict.fromkeys(self.index[s] for s in sources))
        if not starts:
            return []
        ids = self.ids
        graph = self.reversed if upstream else self.rx
        return [[ids[i] for i in level] for level in rx.digraph_bfs_layers(graph, starts)]

    def components_in_networkx_order(self) -> list[list[int]]:
        """The strongly connected components as :func:`networkx.strongly_connected_components`
        yields them (the same depth-first search, on indices): an order some results depend on.

        >>> g = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a"), ("d", "d")])
        >>> i = GraphIndex(g)
        >>> [sorted(i.ids[n] for n in c) for c in i.components_in_networkx_order()]
        [['a', 'b'], ['c'], ['d']]
        >>> [sorted(c) for c in nx.strongly_connected_components(g)]
        [['a', 'b'], ['c'], ['d']]
        """
        adjacency = self.successors
        n = len(adjacency)
        preorder = [0] * n  # 0: not visited yet
        lowlink = [0] * n
        found = [False] * n
        cursor = [0] * n  # the next successor to look at, like networkx's iterators
        scc_queue: list[int] = []
        components: list[list[int]] = []
        counter = 0
        for source in range(n):
            if found[source]:
                continue
            queue = [source]
            while queue:
                v = queue[-1]
                if not preorder[v]:
                    counter += 1
                    preorder[v] = counter
                done = True
                succ = adjacency[v]
                at = cursor[v]
                while at < len(succ):
                    w = succ[at]
                    at += 1
                    if not preorder[w]:
                        queue.append(w)
                        done = False
                        break
                cursor[v] = at
                if done:
                    low = preorder[v]
                    for w in succ:
                        if not found[w]:
                            low = min(low, lowlink[w] if preorder[w] > preorder[v] else preorder[w])
                    lowlink[v] = low
                    queue.pop()
                    if low == preorder[v]:
                        component = [v]
                        while scc_queue and preorder[scc_queue[-1]] > preorder[v]:
                            component.append(scc_queue.pop())
                        for k in component:
                            found[k] = True
                        components.append(component)
                    else:
                        scc_queue.append(v)
        return components

    def condensation(self, components: list[list[int]] | None = None) -> tuple[list[int], list[list[int]]]:
        """Each node's component number and each component's successor components (no repeats),
        for ``components`` (default: any order of the strongly connected components).

        >>> GraphIndex(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("d", "c")])).condensation(
        ...     [[1, 2], [0], [3]])
        ([1, 0, 0, 2], [[], [0], [0]])
        """
        if components is None:
            components = [list(c) for c in rx.strongly_connected_components(self.rx)]
        mapping = [0] * len(self.ids)
        for number, component in enumerate(components):
            for i in component:
                mapping[i] = number
        successors: list[list[int]] = []
        adjacency = self.successors
        for number, component in enumerate(components):
            if len(component) == 1:
                nexts = {mapping[j] for j in adjacency[component[0]]}
            else:
                nexts = {mapping[j] for i in component for j in adjacency[i]}
            nexts.discard(number)
            successors.append(sorted(nexts))
        return mapping, successors


Graph: TypeAlias = nx.DiGraph | GraphIndex
"""What the whole-graph analyses take: a networkx graph, or its :class:`GraphIndex`."""


def split(graph: Graph) -> tuple[nx.DiGraph, GraphIndex | None]:
    """The networkx graph (for attributes) and the index, if one was given."""
    if isinstance(graph, GraphIndex):
        return graph.graph, graph
    return graph, None


def freeze_loaded() -> None:
    """Call after loading a whole graph: every object alive moves to the collector's permanent
    generation (:func:`gc.freeze`), so no later collection walks the graph's millions of objects
    again (without this, the collector alone doubles the time of a whole-graph analysis). What
    an earlier call froze (the graph a reload replaced) is thawed and collected first.
    """
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.freeze()


@contextmanager
def loading_whole_graph(*, thaw_earlier: bool = True) -> Iterator[None]:
    """Around a load of the whole graph: no cyclic collection while it is built (each would walk
    everything built so far), then everything alive frozen before the collector is on again
    (an object made while it was off would otherwise be walked by the next collection, in
    whichever thread makes it). With ``thaw_earlier``, what an earlier load froze is thawed and
    collected first (:func:`freeze_loaded`); the explorer passes False: it lets go of a graph it
    replaces itself (``lineage_gui.loading.release``), where a collection of everything would
    stall its window.

    >>> with loading_whole_graph():
    ...     g = nx.DiGraph([("a", "b")])
    >>> gc.isenabled(), gc.get_freeze_count() > 0
    (True, True)
    >>> gc.unfreeze()
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if thaw_earlier:
            freeze_loaded()
        else:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()
