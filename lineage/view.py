"""What a graph view shows, computed without any UI: the explorer's model layer.

A front end asks for a :class:`ViewRequest` (focus, depth, size bound), gets back a
:class:`View` (which nodes, which are cut off, where everything goes) and only draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from lineage.analyses.hotspots import downstream_counts
from lineage.layout import Layout, layout
from lineage.neighbourhood import Neighbourhood, neighbourhood

DEFAULT_DEPTH = 2
DEFAULT_LIMIT = 300


@dataclass(frozen=True)
class ViewRequest:
    focus: str
    depth: int = DEFAULT_DEPTH
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class View:
    request: ViewRequest
    hood: Neighbourhood
    layout: Layout


def plan_view(graph: nx.DiGraph, request: ViewRequest) -> Neighbourhood:
    """The nodes the view will show (cheap: run it before measuring labels)."""
    return neighbourhood(graph, request.focus, depth=request.depth, limit=request.limit)


def build_view(
    graph: nx.DiGraph,
    request: ViewRequest,
    hood: Neighbourhood,
    size_of: Callable[[str], tuple[float, float]],
) -> View:
    """Lay out a planned view; ``size_of`` gives each node's drawn size in points."""
    sizes = {n: size_of(n) for n in hood.nodes}
    return View(request, hood, layout(graph, hood.nodes, sizes))


CANDIDATES = 20  # features whose reach is counted exactly when choosing the most central one
LARGE = 20_000  # above this many nodes, the most central feature is the one read most directly


def most_central_feature(graph: nx.DiGraph) -> str | None:
    """The feature whose change reaches the most nodes (ties: the smallest id), or None.

    On graphs of more than ``LARGE`` nodes: the feature with the most direct readers, so that
    opening a big database does not wait for a reach count of every feature.

    >>> g = nx.DiGraph([("feature:a", "model:m"), ("feature:b", "model:m"), ("model:m", "c")])
    >>> nx.set_node_attributes(g, "feature", "kind")
    >>> most_central_feature(g)
    'feature:a'
    """
    features = [n for n, kind in graph.nodes(data="kind") if kind == "feature"]
    if not features:
        return None
    if graph.number_of_nodes() > LARGE:  # a traversal per feature would take minutes: a cheap proxy
        return min(features, key=lambda n: (-graph.out_degree(n), n))
    if len(features) > CANDIDATES:
        counts, _ = downstream_counts(graph)
        features = sorted(features, key=lambda n: (-counts[n], n))[:CANDIDATES]
    return min(features, key=lambda n: (-len(nx.descendants(graph, n)), n))


def default_focus(graph: nx.DiGraph) -> str:
    """Where a view starts: the most central feature, else the node with the most edges.

    >>> default_focus(nx.DiGraph([("a", "b"), ("b", "c"), ("d", "b")]))
    'b'
    """
    if graph.number_of_nodes() == 0:
        raise ValueError("the graph is empty: import something first")
    feature = most_central_feature(graph)
    if feature is not None:
        return feature
    return min(graph.nodes, key=lambda n: (-graph.degree(n), n))
