"""CACE hotspots: where changing anything changes the most."""

from __future__ import annotations

import random

import networkx as nx

from lineage.analyses.finding import Finding

EXACT_REACH_UP_TO = 20_000  # nodes; beyond, reach is estimated with sketches
EXACT_BETWEENNESS_UP_TO = 2_000
SAMPLED_BETWEENNESS_UP_TO = 100_000
BETWEENNESS_SAMPLES = 64
SKETCH_SIZE = 64


def downstream_counts(graph: nx.DiGraph) -> tuple[dict[str, int], bool]:
    """How many nodes lie downstream of each node, and whether that is an estimate.

    Exact (one bitset per strongly connected component, merged in reverse topological order)
    up to ``EXACT_REACH_UP_TO`` nodes; beyond, a bottom-k sketch estimate (Cohen's size
    estimation), which keeps time and memory linear in the edges.

    >>> downstream_counts(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("d", "c")]))
    ({'a': 2, 'b': 1, 'c': 1, 'd': 2}, False)
    """
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    order = list(reversed(list(nx.topological_sort(condensed))))
    if graph.number_of_nodes() <= EXACT_REACH_UP_TO:
        index = {c: i for i, c in enumerate(order)}
        size = {c: len(condensed.nodes[c]["members"]) for c in condensed}
        reach: dict[int, int] = {}  # component -> bitset of components downstream, itself included
        for c in order:
            bits = 1 << index[c]
            for succ in condensed._succ[c]:
                bits |= reach[succ]
            reach[c] = bits
        counts = {}
        for c in condensed:
            total, bits = 0, reach[c]
            while bits:
                low = bits & -bits
                total += size[order[low.bit_length() - 1]]
                bits ^= low
            counts[c] = total
        # Minus the node itself (like networkx's descendants, which leave the source out).
        return {n: counts[members[n]] - 1 for n in sorted(graph)}, False
    rng = random.Random(0)
    ranks = {c: sorted(rng.random() for _ in condensed.nodes[c]["members"])[:SKETCH_SIZE]
             for c in condensed}  # fmt: skip
    sketch: dict[int, list[float]] = {}
    for c in order:
        merged = set(ranks[c])
        for succ in condensed._succ[c]:
            merged.update(sketch[succ])
        sketch[c] = sorted(merged)[:SKETCH_SIZE]
    estimate = {}
    for c, values in sketch.items():
        full = len(values) == SKETCH_SIZE
        estimate[c] = round((SKETCH_SIZE - 1) / values[-1]) if full else len(values)
    return {n: max(estimate[members[n]] - 1, 0) for n in sorted(graph)}, True


def cace_hotspots(graph: nx.DiGraph, top: int = 10) -> list[Finding]:
    """The ``top`` nodes whose change reaches the most of the graph, with their betweenness.

    Ranked by downstream reach, then betweenness centrality (exact on small graphs, sampled on
    larger ones, left out on the largest, where it is the slowest part by far).

    >>> g = nx.DiGraph([("f", "m"), ("m", "c1"), ("m", "c2"), ("g", "m")])
    >>> nx.set_node_attributes(g, "feature", "kind")
    >>> [(f.nodes, f.details["downstream"]) for f in cace_hotspots(g, top=2)]
    [(('f',), 3), (('g',), 3)]
    """
    n = graph.number_of_nodes()
    if n == 0:
        return []
    counts, estimated = downstream_counts(graph)
    if n <= EXACT_BETWEENNESS_UP_TO:
        between = nx.betweenness_centrality(graph)
    elif n <= SAMPLED_BETWEENNESS_UP_TO:
        between = nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, seed=0)
    else:
        between = None
    ranked = sorted(graph, key=lambda v: (-counts[v], -(between or {}).get(v, 0.0), v))[:top]
    return [
        Finding(
            "cace_hotspots",
            (v,),
            f"a change here reaches {'about ' if estimated else ''}{counts[v]} of {n} nodes ({counts[v] / n:.0%})",
            {
                "downstream": counts[v],
                "estimated": estimated,
                "betweenness": None if between is None else round(between[v], 6),
            },
        )  # fmt: skip
        for v in ranked
        if counts[v] > 0
    ]
