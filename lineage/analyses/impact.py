"""Impact: what lies downstream (and upstream) of a node, by hop distance, kind and owner."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import networkx as nx


class Reached(NamedTuple):
    """A node reached from the start after ``distance`` hops (a tuple: cheap on big graphs)."""

    distance: int
    node: str


@dataclass(frozen=True)
class Reach:
    """The nodes reached in one direction, nearest first, and their counts by group."""

    levels: tuple[list[str], ...] = field(repr=False)  # levels[d - 1]: reached after d hops, unsorted
    by_distance: dict[int, int]
    by_kind: dict[str, int]
    by_owner: dict[str, int]

    @cached_property
    def nodes(self) -> tuple[Reached, ...]:
        """Nearest first, by id within one distance (sorted on first use: counts alone are cheaper)."""
        return tuple(Reached(d, n) for d, level in enumerate(self.levels, start=1) for n in sorted(level))

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


def _bfs(adjacency, start: str, depth: int | None) -> list[list[str]]:
    """The nodes first reached at each hop (level 0 is the start)."""
    seen = {start}
    frontier = [start]
    levels = [frontier]
    while frontier and (depth is None or len(levels) <= depth):
        nxt: list[str] = []
        add, append = seen.add, nxt.append  # bound once: this loop is the whole cost
        for node in frontier:
            for neighbour in adjacency[node]:
                if neighbour not in seen:
                    add(neighbour)
                    append(neighbour)
        if not nxt:
            break
        levels.append(nxt)
        frontier = nxt
    return levels


def _reach(graph: nx.DiGraph, levels: list[list[str]]) -> Reach:
    attrs = graph._node
    data = [attrs[node] for level in levels[1:] for node in level]
    return reach_of(levels[1:], [d.get("kind") for d in data], [d.get("owner") or d.get("team") for d in data])


def reach_of(levels: Sequence[list[str]], kinds: Iterable[str | None], owners: Iterable[str | None]) -> Reach:
    """The :class:`Reach` of the nodes in ``levels`` (``levels[d - 1]``: first reached after
    ``d`` hops, in any order), given the kind and the owner (or team) of each, in the order of
    the levels: how :func:`impact` counts what a walk found (and the ``impact`` command, what
    its walk in SQL found).

    >>> r = reach_of([["b", "a"], ["c"]], ["model", None, "model"], ["x", None, "x"])
    >>> r.ids, r.by_distance, r.by_kind, r.by_owner
    (('a', 'b', 'c'), {1: 2, 2: 1}, {'?': 1, 'model': 2}, {'(no owner)': 1, 'x': 2})
    """
    return Reach(
        levels=tuple(levels),
        by_distance={d: len(level) for d, level in enumerate(levels, start=1)},
        by_kind=dict(sorted(Counter([k or "?" for k in kinds]).items())),
        by_owner=dict(sorted(Counter([o or "(no owner)" for o in owners]).items())),
    )


def impact(graph: nx.DiGraph, node: str, *, depth: int | None = None, upstream: bool = False) -> Impact:
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
