"""Trace: the simple paths from one node to another, shortest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    succ = graph._succ
    between = nodes_between(graph, source, target)
    if target not in between:
        return Trace(source, target, (), False)
    # A stable order of neighbours makes ties come out the same way every time: the nodes
    # sorted, each node's successors sorted (the graph of the sorted nodes and edges).
    nodes = sorted(between)
    successors: dict[str, list[str]] = {n: sorted(v for v in succ[n] if v in between) for n in nodes}
    compressed, chains = _compress(nodes, successors, source, target)
    found: list[tuple[str, ...]] = []
    truncated = False
    for short in islice(nx.shortest_simple_paths(compressed, source, target, weight="hops"), max_paths + 1):
        path = [short[0]]
        for u, v in zip(short, short[1:], strict=False):
            path.extend(chains.get((u, v), ()))
            path.append(v)
        if max_length is not None and len(path) - 1 > max_length:
            break
        if len(found) == max_paths:
            truncated = True
            break
        found.append(tuple(path))
    return Trace(source, target, tuple(found), truncated)


def nodes_between(graph: nx.DiGraph, source: str, target: str) -> set[str]:
    """The nodes a path from ``source`` to ``target`` can pass: downstream of the source and
    upstream of the target (with them both), empty when no path joins them. In a graph without
    cycles each lies on a path; a cycle can add one only a walk round it reaches.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("x", "b")])
    >>> sorted(nodes_between(g, "a", "c")), nodes_between(g, "c", "a")
    (['a', 'b', 'c'], set())
    """
    between = _reached(graph._succ, source) & _reached(graph._pred, target)
    return between if target in between else set()


def _compress_chains(graph: nx.DiGraph, source: str, target: str):
    """``graph`` with every run of pass-through nodes (one edge in, one out) folded into one
    edge weighted by its hops, and the nodes each folded edge stands for.

    Yen's algorithm (``shortest_simple_paths``) tries a detour from every node of each path it
    finds, so a path of L hops costs L shortest-path searches: quadratic along a long chain
    (161 s for a 100k-hop path). Folded, a chain is one edge, and the search is over the
    branch points only.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
    >>> small, chains = _compress_chains(g, "a", "d")
    >>> sorted(small.edges(data="hops")), chains
    ([('a', 'b', 1), ('a', 'd', 1), ('b', 'd', 2)], {('b', 'd'): ('c',)})
    """

    return _compress(list(graph), {n: list(graph._succ[n]) for n in graph}, source, target)


def _reached(adjacency: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """``start`` and every node a walk from it over ``adjacency`` reaches."""
    seen = {start}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for other in adjacency[node]:
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return seen


def _compress(nodes: list[str], successors: dict[str, list[str]], source: str, target: str):
    """:func:`_compress_chains` of the graph of ``nodes`` (in this order) and ``successors``
    (each node's, in this order)."""
    indegree = dict.fromkeys(nodes, 0)
    for node in nodes:
        for other in successors[node]:
            indegree[other] += 1
    through = {n for n in nodes if indegree[n] == 1 and len(successors[n]) == 1} - {source, target}
    kept = [n for n in nodes if n not in through]
    compressed = nx.DiGraph()
    compressed.add_nodes_from(kept)
    compressed.add_edges_from(((u, v) for u in kept for v in successors[u] if v not in through), hops=1)
    chains: dict[tuple[str, str], tuple[str, ...]] = {}
    for u in kept:  # then the chains, after every direct edge, so no chain hides one
        for first in successors[u]:
            if first not in through:
                continue
            inner: list[str] = []
            node = first
            while node in through and node != u:
                inner.append(node)
                node = successors[node][0]
            if node == u:  # a loop of pass-through nodes back to u: no simple path uses it
                continue
            start = u
            if compressed.has_edge(u, node):  # another way from u to node: keep this one apart
                start, inner = inner[0], inner[1:]
                compressed.add_edge(u, start, hops=1)
            compressed.add_edge(start, node, hops=len(inner) + 1)
            if inner:
                chains[(start, node)] = tuple(inner)
    return compressed, chains
