"""The part of a graph around a focused node that a view shows, bounded in size."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class Neighbourhood:
    """Nodes within ``depth`` hops of ``focus`` (up and down), at most ``limit`` of them.

    ``hidden`` counts, for each shown node, its neighbours that are not shown (beyond the
    depth or the limit): what a "+N hidden" badge says. ``left_out`` is how many nodes within
    the depth the limit left out.
    """

    focus: str
    depth: int
    nodes: tuple[str, ...]
    distance: dict[str, int]
    hidden: dict[str, int]
    left_out: int


def neighbourhood(graph: nx.DiGraph, focus: str, *, depth: int = 2, limit: int = 500) -> Neighbourhood:
    """The nodes a view of ``focus`` shows: breadth-first both ways, nearest first.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "b")])
    >>> hood = neighbourhood(g, "b", depth=1)
    >>> hood.nodes, hood.hidden
    (('b', 'a', 'c', 'x'), {'c': 1})
    >>> neighbourhood(g, "b", depth=2, limit=3).left_out
    2
    """
    if focus not in graph:
        raise nx.NodeNotFound(f"{focus} is not in the graph")
    distance = {focus: 0}
    frontier = [focus]
    within: list[str] = [focus]
    for hop in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for other in (*graph._succ[node], *graph._pred[node]):
                if other not in distance:
                    distance[other] = hop
                    nxt.append(other)
        nxt.sort()
        within.extend(nxt)
        frontier = nxt
    shown = tuple(within[:limit])
    shown_set = set(shown)
    hidden = {}
    for node in shown:
        count = sum(1 for o in {*graph._succ[node], *graph._pred[node]} if o not in shown_set)
        if count:
            hidden[node] = count
    return Neighbourhood(
        focus=focus,
        depth=depth,
        nodes=shown,
        distance={n: distance[n] for n in shown},
        hidden=hidden,
        left_out=len(within) - len(shown),
    )
