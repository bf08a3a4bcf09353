"""The part of a graph around a focused node that a view shows, bounded in size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def neighbourhood(
    graph: nx.DiGraph, focus: str, *, depth: int = 2, limit: int = 500, hops: tuple[int, int] | None = None
) -> Neighbourhood:
    """The nodes a view of ``focus`` shows: breadth-first both ways, nearest first; with
    ``hops`` (up, down), only ancestors up to ``up`` hops and descendants up to ``down`` (dbt's
    ``2+model+1``: no siblings, no other inputs of what the focus feeds).

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "b"), ("x", "y")])
    >>> hood = neighbourhood(g, "b", depth=1)
    >>> hood.nodes, hood.hidden
    (('b', 'a', 'c', 'x'), {'c': 1, 'x': 1})
    >>> neighbourhood(g, "b", depth=2, limit=3).left_out
    3
    >>> neighbourhood(g, "b", hops=(1, 2)).nodes
    ('b', 'a', 'c', 'x', 'd')
    >>> neighbourhood(g, "c", hops=(2, 0)).nodes
    ('c', 'b', 'a', 'x')
    """
    if focus not in graph:
        raise nx.NodeNotFound(f"{focus} is not in the graph")
    distance = {focus: 0}
    within: list[str] = [focus]
    # Both ways, a node's every neighbour is a step; apart, upstream steps follow only
    # predecessors and downstream steps only successors, each as far as its own hops.
    both, up, down = (graph._succ, graph._pred), (graph._pred,), (graph._succ,)
    walks: list[tuple[tuple[Any, ...], int]] = [(both, depth)] if hops is None else [(up, hops[0]), (down, hops[1])]
    frontiers = [[focus] for _ in walks]
    for hop in range(1, max(far for _, far in walks) + 1):
        nxt = []
        for i, (sides, far) in enumerate(walks):
            step = []
            for node in frontiers[i] if hop <= far else ():
                for other in (o for side in sides for o in side[node]):
                    if other not in distance:
                        distance[other] = hop
                        step.append(other)
            frontiers[i] = step
            nxt += step
        nxt.sort()
        within.extend(nxt)
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
