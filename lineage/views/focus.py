"""Where a view starts when nobody chose a focus: the most central feature of the graph."""

from __future__ import annotations

import networkx as nx

from lineage.analyses.hotspots import downstream_counts

CANDIDATES = 20  # features whose reach is counted exactly when choosing the most central one
LARGE = 2_000  # above this many nodes, the most central feature is the one read most directly


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
        return str(min(features, key=lambda n: (-graph.out_degree(n), n)))
    if len(features) > CANDIDATES:
        counts, _ = downstream_counts(graph)
        features = sorted(features, key=lambda n: (-counts[n], n))[:CANDIDATES]
    return str(min(features, key=lambda n: (-len(nx.descendants(graph, n)), n)))


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
    return str(min(graph.nodes, key=lambda n: (-graph.degree(n), n)))
