"""Trace: the simple paths from one node to another, shortest first."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import networkx as nx


@dataclass(frozen=True)
class Trace:
    """The paths found from ``source`` to ``target``; ``truncated`` when more exist."""

    source: str
    target: str
    paths: tuple[tuple[str, ...], ...]
    truncated: bool


def trace(
    graph: nx.DiGraph, source: str, target: str, *, max_paths: int = 20,
    max_length: int | None = None,
) -> Trace:  # fmt: skip
    """The simple paths from ``source`` to ``target`` in the direction data flows.

    Paths come shortest first (ties in a stable order), at most ``max_paths`` of them, each
    of at most ``max_length`` edges when given.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    >>> trace(g, "a", "d").paths
    (('a', 'c', 'd'), ('a', 'b', 'c', 'd'))
    >>> trace(g, "a", "d", max_paths=1)
    Trace(source='a', target='d', paths=(('a', 'c', 'd'),), truncated=True)
    >>> trace(g, "d", "a").paths
    ()
    """
    if source not in graph or target not in graph:
        raise nx.NodeNotFound(f"{source if source not in graph else target} is not in the graph")
    if max_paths < 1:
        raise ValueError("max_paths must be at least 1")
    if source == target:
        return Trace(source, target, ((source,),), False)
    # Only nodes downstream of the source and upstream of the target can lie on a path.
    between = (nx.descendants(graph, source) | {source}) & (nx.ancestors(graph, target) | {target})
    if target not in between:
        return Trace(source, target, (), False)
    # A stable order of neighbours makes ties come out the same way every time.
    ordered = nx.DiGraph()
    ordered.add_nodes_from(sorted(between))
    ordered.add_edges_from(sorted(graph.subgraph(between).edges))
    found: list[tuple[str, ...]] = []
    truncated = False
    for path in islice(nx.shortest_simple_paths(ordered, source, target), max_paths + 1):
        if max_length is not None and len(path) - 1 > max_length:
            break
        if len(found) == max_paths:
            truncated = True
            break
        found.append(tuple(path))
    return Trace(source, target, tuple(found), truncated)
