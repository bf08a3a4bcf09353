"""CACE hotspots: where changing anything changes the most."""

from __future__ import annotations

import random
from bisect import bisect_left

import networkx as nx
import rustworkx as rx

from lineage.analyses.engine import Graph, GraphIndex, split
from lineage.analyses.finding import Finding

EXACT_REACH_UP_TO = 20_000  # nodes; beyond, reach is estimated with sketches
EXACT_BETWEENNESS_UP_TO = 2_000
SAMPLED_BETWEENNESS_UP_TO = 100_000
BETWEENNESS_SAMPLES = 64
SKETCH_SIZE = 64


def downstream_counts(graph: Graph) -> tuple[dict[str, int], bool]:
    """How many nodes lie downstream of each node, and whether that is an estimate.

    Exact (one bitset per strongly connected component, merged in reverse topological order)
    up to ``EXACT_REACH_UP_TO`` nodes; beyond, a bottom-k sketch estimate (Cohen's size
    estimation), which keeps time and memory linear in the edges. Given a
    :class:`~lineage.analyses.engine.GraphIndex`, the condensation is the compiled engine's
    (the same counts, the same estimates).

    >>> downstream_counts(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("d", "c")]))
    ({'a': 2, 'b': 1, 'c': 1, 'd': 2}, False)
    >>> from lineage.analyses.engine import GraphIndex
    >>> downstream_counts(GraphIndex(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("d", "c")])))
    ({'a': 2, 'b': 1, 'c': 1, 'd': 2}, False)
    """
    graph, index = split(graph)
    if index is not None:
        return _indexed_counts(index)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    order = list(reversed(list(nx.topological_sort(condensed))))
    if graph.number_of_nodes() <= EXACT_REACH_UP_TO:
        size = {c: len(condensed.nodes[c]["members"]) for c in condensed}
        counts = _exact(order, condensed._succ, size)
        # Minus the node itself (like networkx's descendants, which leave the source out).
        return {n: counts[members[n]] - 1 for n in sorted(graph)}, False
    rng = random.Random(0)
    ranks = {c: sorted(rng.random() for _ in condensed.nodes[c]["members"])[:SKETCH_SIZE]
             for c in condensed}  # fmt: skip
    estimate = _estimate(order, {c: list(succ) for c, succ in condensed._succ.items()}, ranks)
    return {n: max(estimate[members[n]] - 1, 0) for n in sorted(graph)}, True


def _indexed_counts(index: GraphIndex) -> tuple[dict[str, int], bool]:
    """:func:`downstream_counts` on the compiled condensation."""
    ids = index.ids
    if len(ids) <= EXACT_REACH_UP_TO:
        mapping, succ = index.condensation()
        size = [0] * len(succ)
        for c in mapping:
            size[c] += 1
        counts = _exact(_reverse_topological(succ), succ, size)
        return {ids[i]: counts[mapping[i]] - 1 for i in sorted(range(len(ids)), key=ids.__getitem__)}, False
    # The estimate draws its random ranks component by component, in the order networkx finds
    # them: the same order here, so the same draws and the same estimates.
    components = index.components_in_networkx_order()
    mapping, succ = index.condensation(components)
    rng = random.Random(0)
    draws = [rng.random() for _ in range(len(ids))]
    ranks, at = [], 0
    for component in components:
        members = len(component)
        ranks.append([draws[at]] if members == 1 else sorted(draws[at : at + members])[:SKETCH_SIZE])
        at += members
    # Tarjan's search finds a component only after every component it reaches.
    estimate = _estimate(range(len(components)), succ, ranks)
    return {ids[i]: max(estimate[mapping[i]] - 1, 0) for i in sorted(range(len(ids)), key=ids.__getitem__)}, True


def _reverse_topological(succ: list[list[int]]) -> list[int]:
    """The components, each after every component it reaches."""
    dag = rx.PyDiGraph()
    dag.add_nodes_from(range(len(succ)))
    dag.add_edges_from_no_data([(a, b) for a, bs in enumerate(succ) for b in bs])
    return list(reversed(rx.topological_sort(dag)))


def _exact(order, succ, size) -> dict[int, int]:
    """The nodes each component reaches, itself included, from bitsets merged along ``order``."""
    index = {c: i for i, c in enumerate(order)}
    reach: dict[int, int] = {}  # component -> bitset of components downstream, itself included
    for c in order:
        bits = 1 << index[c]
        for s in succ[c]:
            bits |= reach[s]
        reach[c] = bits
    counts = {}
    for c in order:
        total, bits = 0, reach[c]
        while bits:
            low = bits & -bits
            total += size[order[low.bit_length() - 1]]
            bits ^= low
        counts[c] = total
    return counts


def _estimate(order, succ, ranks) -> dict[int, int]:
    """The bottom-k estimate of what each component reaches, itself included."""
    sketch: dict[int, list[float]] = {}
    for c in order:
        own, nexts = ranks[c], succ[c]
        if len(own) == 1 and len(nexts) <= 1:
            # Most components are one node with one way on: insert its rank into the next sketch
            # (the same list as the merge below would give).
            sketch[c] = own if not nexts else _with(sketch[nexts[0]], own[0])
            continue
        merged = set(own)
        for s in nexts:
            merged.update(sketch[s])
        sketch[c] = sorted(merged)[:SKETCH_SIZE]
    estimate = {}
    for c, values in sketch.items():
        full = len(values) == SKETCH_SIZE
        estimate[c] = round((SKETCH_SIZE - 1) / values[-1]) if full else len(values)
    return estimate


def _with(sketch: list[float], rank: float) -> list[float]:
    """``sorted({*sketch, rank})[:SKETCH_SIZE]`` for a sorted ``sketch`` without repeats.

    >>> _with([0.1, 0.3], 0.2), _with([0.1, 0.3], 0.3), _with([0.1], 0.5)
    ([0.1, 0.2, 0.3], [0.1, 0.3], [0.1, 0.5])
    """
    at = bisect_left(sketch, rank)
    if at >= SKETCH_SIZE or (at < len(sketch) and sketch[at] == rank):
        return sketch
    return [*sketch[:at], rank, *sketch[at : SKETCH_SIZE - 1]]


def cace_hotspots(graph: Graph, top: int = 10) -> list[Finding]:
    """The ``top`` nodes whose change reaches the most of the graph, with their betweenness.

    Ranked by downstream reach, then betweenness centrality (exact on small graphs, sampled on
    larger ones, left out on the largest, where it is the slowest part by far).

    >>> g = nx.DiGraph([("f", "m"), ("m", "c1"), ("m", "c2"), ("g", "m")])
    >>> nx.set_node_attributes(g, "feature", "kind")
    >>> [(f.nodes, f.details["downstream"]) for f in cace_hotspots(g, top=2)]
    [(('f',), 3), (('g',), 3)]
    """
    counts, estimated = downstream_counts(graph)  # with the index, if given one
    graph, _ = split(graph)
    n = graph.number_of_nodes()
    if n == 0:
        return []
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
