"""Underused and outdated signals: unused, legacy, epsilon and bundled features, and
deprecated signals that are still in use."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from lineage.analyses.engine import Graph, split
from lineage.analyses.finding import Finding, is_live, model_weights, names, owner_of

EPSILON = 0.01  # a feature under 1% of a model's total input weight carries next to nothing


def _of_kind(graph: nx.DiGraph, kind: str) -> list[str]:
    return sorted(n for n, k in graph.nodes(data="kind") if k == kind)


def _model_readers(graph: nx.DiGraph, node: str) -> list[str]:
    return sorted(s for s in graph._succ[node] if graph.nodes[s].get("kind") == "model")


def unused_features(graph: Graph) -> list[Finding]:
    """Features with no path to any model or consumer: what a feature service, a serving
    endpoint or a dashboard reads is in use even where no model of ours is named (with a
    :class:`~lineage.analyses.engine.GraphIndex`, the reach upstream of them is compiled).

    >>> g = nx.DiGraph([("f", "m"), ("g", "log"), ("h", "svc")])
    >>> kinds = {"f": "feature", "g": "feature", "h": "feature", "m": "model", "log": "dataset", "svc": "consumer"}
    >>> nx.set_node_attributes(g, kinds, "kind")
    >>> [f.nodes for f in unused_features(g)]
    [('g',)]
    >>> from lineage.analyses.engine import GraphIndex
    >>> unused_features(GraphIndex(g)) == unused_features(g)
    True
    """
    graph, index = split(graph)
    readers = _of_kind(graph, "model") + _of_kind(graph, "consumer")
    if index is not None:
        reaches_a_reader = index.reach(readers, upstream=True)
    else:
        reaches_a_reader = set(readers)
        stack = list(readers)
        while stack:
            node = stack.pop()
            for pred in graph._pred[node]:
                if pred not in reaches_a_reader:
                    reaches_a_reader.add(pred)
                    stack.append(pred)
    return [
        Finding(
            "unused_features",
            (f,),
            "no model or consumer reads it, directly or through other nodes",
            {"readers": sorted(graph._succ[f])},
        )  # fmt: skip
        for f in _of_kind(graph, "feature")
        if f not in reaches_a_reader
    ]


def legacy_features(graph: nx.DiGraph) -> list[Finding]:
    """Features read only by model versions no longer current, and deprecated features still read.

    A model is no longer current when it is deprecated or its ``current`` attribute is False
    (an older version than the one the registry serves).

    >>> g = nx.DiGraph([("old", "m1"), ("both", "m1"), ("both", "m2"), ("dep", "m2")])
    >>> nx.set_node_attributes(g, "feature", "kind")
    >>> for m in ("m1", "m2"): g.nodes[m]["kind"] = "model"
    >>> g.nodes["m1"]["current"] = False
    >>> g.nodes["dep"]["status"] = "deprecated"
    >>> [(f.nodes, f.details["why"]) for f in legacy_features(g)]
    [(('dep', 'm2'), 'deprecated'), (('old', 'm1'), 'old_models_only')]
    """
    found = []
    for feature in _of_kind(graph, "feature"):
        readers = _model_readers(graph, feature)
        if not readers:
            continue
        data = graph.nodes[feature]
        if data.get("status") == "deprecated":
            since = f" since {data['deprecated_on']}" if data.get("deprecated_on") else ""
            found.append(Finding(
                "legacy_features", (feature, *readers),
                f"deprecated{since} but still read by {names(graph, readers)}",
                {"why": "deprecated", "readers": readers},
            ))  # fmt: skip
        elif not any(is_live(graph, m) for m in readers):
            found.append(Finding(
                "legacy_features", (feature, *readers),
                f"read only by model versions no longer current: {names(graph, readers)}",
                {"why": "old_models_only", "readers": readers},
            ))  # fmt: skip
    return found


def epsilon_features(graph: nx.DiGraph, threshold: float = EPSILON) -> list[Finding]:
    """Features whose weight into every model that reads them is under ``threshold``
    (a share of that model's total input weight). Features read unweighted are not judged.

    >>> g = nx.DiGraph()
    >>> g.add_edge("f", "m", weight=0.005); g.add_edge("g", "m", weight=0.995)
    >>> nx.set_node_attributes(g, {"f": "feature", "g": "feature", "m": "model"}, "kind")
    >>> [(f.nodes, f.details["shares"]) for f in epsilon_features(g)]
    [(('f', 'm'), {'m': 0.005})]
    """
    shares = {m: model_weights(graph, m) for m in _of_kind(graph, "model")}
    found = []
    for feature in _of_kind(graph, "feature"):
        readers = _model_readers(graph, feature)
        known = {m: s for m in readers if (s := shares[m]) is not None and feature in s}
        if not readers or len(known) < len(readers):
            continue
        by_model = {m: round(s[feature], 6) for m, s in known.items()}
        if all(share < threshold for share in by_model.values()):
            found.append(Finding(
                "epsilon_features", (feature, *readers),
                f"carries under {threshold:.0%} of the weight of every model that reads it",
                {"shares": by_model, "threshold": threshold},
            ))  # fmt: skip
    return found


def bundled_features(graph: nx.DiGraph, threshold: float = EPSILON) -> list[Finding]:
    """Features that come from one source and feed one model together, some of them weak.

    A bundle is the features derived from the same source that the same model reads; it is
    reported when at least two arrive together and some carry under ``threshold`` of the
    model's weight: they came along with the bundle, not on their merit.

    >>> g = nx.DiGraph([("ua", "device"), ("ua", "os"), ("ua", "browser")])
    >>> g.add_edge("device", "m", weight=0.9); g.add_edge("os", "m", weight=0.004)
    >>> g.add_edge("browser", "m", weight=0.096)
    >>> nx.set_node_attributes(g, "feature", "kind"); g.nodes["m"]["kind"] = "model"
    >>> g.nodes["ua"]["kind"] = "dataset"
    >>> [(f.nodes, f.details["weak"]) for f in bundled_features(g)]
    [(('ua', 'm', 'browser', 'device', 'os'), ['os'])]
    """
    found = []
    for model in _of_kind(graph, "model"):
        shares = model_weights(graph, model)
        if shares is None:
            continue
        bundles: dict[str, list[str]] = defaultdict(list)
        for feature in sorted(graph._pred[model]):
            if graph.nodes[feature].get("kind") == "feature" and feature in shares:
                for source in graph._pred[feature]:
                    bundles[source].append(feature)
        for source in sorted(bundles):
            members = bundles[source]
            weak = [f for f in members if shares[f] < threshold]
            if len(members) >= 2 and weak:
                found.append(Finding(
                    "bundled_features", (source, model, *members),
                    f"{len(members)} features from {names(graph, [source])} arrive together in "
                    f"{names(graph, [model])}; {names(graph, weak)} "
                    f"{'carries' if len(weak) == 1 else 'carry'} under {threshold:.0%} of its weight",
                    {"source": source, "model": model, "members": members, "weak": weak,
                     "shares": {f: round(shares[f], 6) for f in members}},
                ))  # fmt: skip
    return found


def _count_users(n: int) -> str:
    return "1 live model or consumer still depends" if n == 1 else (f"{n} live models and consumers still depend")


def deprecated_in_use(graph: Graph) -> list[Finding]:
    """Deprecated signals with live models or consumers downstream, and who owns those.

    This is the list a deprecation needs before it can proceed. With a
    :class:`~lineage.analyses.engine.GraphIndex`, what lies downstream is found compiled.

    >>> g = nx.DiGraph([("old", "m"), ("m", "c")])
    >>> nx.set_node_attributes(g, {"old": "feature", "m": "model", "c": "consumer"}, "kind")
    >>> g.nodes["old"]["status"] = "deprecated"; g.nodes["c"]["owner"] = "web"
    >>> [(f.nodes, f.details["owners"]) for f in deprecated_in_use(g)]
    [(('old', 'c', 'm'), ['(no owner)', 'web'])]
    >>> from lineage.analyses.engine import GraphIndex
    >>> deprecated_in_use(GraphIndex(g)) == deprecated_in_use(g)
    True
    """
    graph, index = split(graph)
    descendants = index.descendants if index is not None else lambda n: nx.descendants(graph, n)
    attrs = graph._node
    live = {n for n, d in attrs.items() if d.get("kind") in ("model", "consumer") and is_live(graph, n)}
    found = []
    for node in sorted(graph.nodes):
        data = attrs[node]
        if data.get("status") != "deprecated":
            continue
        users = sorted(descendants(node) & live)
        if not users:
            continue
        owners = sorted({owner_of(graph, n) or "(no owner)" for n in users})
        since = f" since {data['deprecated_on']}" if data.get("deprecated_on") else ""
        found.append(Finding(
            "deprecated_in_use", (node, *users),
            f"deprecated{since} but {_count_users(len(users))} on it (owners: {', '.join(owners)})",
            {"owner": owner_of(graph, node), "users": [
                {"id": n, "owner": owner_of(graph, n)} for n in users], "owners": owners},
        ))  # fmt: skip
    return found
