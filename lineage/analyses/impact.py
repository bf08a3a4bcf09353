"""Impact: what lies downstream (and upstream) of a node, by hop distance, kind and owner."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True, order=True)
class Reached:
    """A node reached from the start after ``distance`` hops."""

    distance: int
    node: str


@dataclass(frozen=True)
class Reach:
    """The nodes reached in one direction, nearest first, and their counts by group."""

    nodes: tuple[Reached, ...]
    by_distance: dict[int, int]
    by_kind: dict[str, int]
    by_owner: dict[str, int]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.node for r in self.nodes)


@dataclass(frozen=True)
class Impact:
    """The change-impact radius of ``node``: its downstream, and its upstream if asked."""

    node: str
    depth: int | None
    downstream: Reach
    upstream: Reach | None


def _bfs(adjacency, start: str, depth: int | None) -> list[Reached]:
    seen = {start}
    frontier = [start]
    reached: list[Reached] = []
    distance = 0
    while frontier and (depth is None or distance < depth):
        distance += 1
        nxt = []
        for node in frontier:
            for neighbour in adjacency[node]:
                if neighbour not in seen:
                    seen.add(neighbour)
                    nxt.append(neighbour)
        nxt.sort()
        reached.extend(Reached(distance, n) for n in nxt)
        frontier = nxt
    return reached


def _reach(graph: nx.DiGraph, reached: list[Reached]) -> Reach:
    nodes = graph.nodes
    return Reach(
        nodes=tuple(reached),
        by_distance=dict(sorted(Counter(r.distance for r in reached).items())),
        by_kind=dict(sorted(Counter(nodes[r.node].get("kind") or "?" for r in reached).items())),
        by_owner=dict(
            sorted(
                Counter(
                    nodes[r.node].get("owner") or nodes[r.node].get("team") or "(no owner)"
                    for r in reached
                ).items()
            )
        ),
    )


def impact(
    graph: nx.DiGraph, node: str, *, depth: int | None = None, upstream: bool = False
) -> Impact:
    """The nodes downstream of ``node`` (and upstream with ``upstream``), with hop distances.

    ``depth`` limits the hops (None: no limit). Within one distance, nodes are sorted by id.

    >>> g = nx.DiGraph([("f", "m"), ("m", "c"), ("c", "log"), ("log", "f"), ("g", "m")])
    >>> nx.set_node_attributes(g, {"f": "feature", "g": "feature", "m": "model",
    ...                            "c": "consumer", "log": "dataset"}, "kind")
    >>> r = impact(g, "f")
    >>> [(x.node, x.distance) for x in r.downstream.nodes]
    [('m', 1), ('c', 2), ('log', 3)]
    >>> r.downstream.by_kind
    {'consumer': 1, 'dataset': 1, 'model': 1}
    >>> impact(g, "m", depth=1, upstream=True).upstream.ids
    ('f', 'g')
    """
    if node not in graph:
        raise nx.NodeNotFound(f"{node} is not in the graph")
    if depth is not None and depth < 0:
        raise ValueError("depth must be 0 or more")
    down = _reach(graph, _bfs(graph._succ, node, depth))
    up = _reach(graph, _bfs(graph._pred, node, depth)) if upstream else None
    return Impact(node=node, depth=depth, downstream=down, upstream=up)
