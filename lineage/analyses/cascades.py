"""Correction cascades: models stacked on models."""

from __future__ import annotations

import networkx as nx

from lineage.analyses.finding import Finding, names

MAX_CHAINS = 1000


def model_dependencies(graph: nx.DiGraph) -> nx.DiGraph:
    """Model -> model when a model reads another's output with no consumer in between
    (datasets, jobs and features may lie between them). A model version's ``version_of`` edge
    to its registered model does not count."""
    deps = nx.DiGraph()
    models = [n for n, k in graph.nodes(data="kind") if k == "model"]
    deps.add_nodes_from(models)
    for model in models:
        seen = {model}
        # A version feeding its registered model is the same model, not a correction of it.
        stack = [s for s, d in graph._succ[model].items() if d.get("kinds") != ("version_of",)]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            kind = graph.nodes[node].get("kind")
            if kind == "model":
                deps.add_edge(model, node)
            elif kind != "consumer":
                stack.extend(graph._succ[node])
    return deps


def correction_cascades(graph: nx.DiGraph, max_chains: int = MAX_CHAINS) -> list[Finding]:
    """Chains of two or more models, each reading the one before it.

    Every maximal chain is reported once; a chain whose models all lie on a longer reported
    chain is left out.

    >>> g = nx.DiGraph([("a", "b"), ("b", "job"), ("job", "c"), ("a", "srv"), ("srv", "d")])
    >>> nx.set_node_attributes(g, "model", "kind")
    >>> g.nodes["job"]["kind"] = "job"; g.nodes["srv"]["kind"] = "consumer"
    >>> [f.nodes for f in correction_cascades(g)]
    [('a', 'b', 'c')]
    """
    deps = model_dependencies(graph)
    deps.remove_edges_from(list(nx.selfloop_edges(deps)))
    starts = sorted(n for n in deps if deps.in_degree(n) == 0 and deps.out_degree(n) > 0)
    # Models in cycles with no way in would have no start: take one per strongly connected part.
    covered = set(starts) | {d for s in starts for d in nx.descendants(deps, s)}
    for component in nx.strongly_connected_components(deps):
        if len(component) > 1 and not component & covered:
            starts.append(min(component))
            covered |= component | nx.descendants(deps, min(component))
    chains: list[tuple[str, ...]] = []
    truncated = False
    for start in starts:
        stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            nxt = [s for s in sorted(deps._succ[node], reverse=True) if s not in path]
            if not nxt and len(path) >= 2:
                if len(chains) == max_chains:
                    truncated = True
                    break
                chains.append(path)
            stack.extend((s, (*path, s)) for s in nxt)
        if truncated:
            break
    chains.sort(key=lambda c: (-len(c), c))
    kept: list[tuple[str, ...]] = []
    for chain in chains:
        if not any(set(chain) <= set(other) for other in kept):
            kept.append(chain)
    return [
        Finding(
            "correction_cascades",
            chain,
            f"{len(chain)} models stacked: {names(graph, chain)}; a change to "
            f"{names(graph, chain[:1])} reaches every one of them",
            {"length": len(chain), "truncated": truncated},
        )  # fmt: skip
        for chain in kept
    ]
