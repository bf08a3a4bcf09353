"""The compiled engine (lineage.analyses.engine): every analysis that runs on a GraphIndex gives
what it gives in networkx, on generated graphs with cycles, self-loops, isolated nodes and hubs."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.analyses import (
    cace_hotspots,
    deprecated_in_use,
    downstream_counts,
    feedback_loops,
    find_all,
    hotspots,
    simulate,
    unused_features,
)
from lineage.analyses.engine import GraphIndex

KINDS = ("feature", "model", "consumer", "dataset", "job", "flag")


@st.composite
def lineage_graphs(draw, max_nodes: int = 30) -> nx.DiGraph:
    """A graph like the store's: kinds, statuses, owners, weights, declared and observed edges;
    with self-loops, cycles, isolated nodes and a hub that reads or feeds many nodes."""
    n = draw(st.integers(0, max_nodes))
    g = nx.DiGraph()
    for i in draw(st.permutations(range(n))):  # nodes in any order: the order some results follow
        g.add_node(
            f"n{i}",
            kind=draw(st.sampled_from(KINDS)),
            name=f"node {i}",
            status=draw(st.sampled_from(("active", "active", "deprecated"))),
            deprecated_on=draw(st.sampled_from((None, "2025-01-01"))),
            owner=draw(st.sampled_from((None, "web", "ads"))),
            team=draw(st.sampled_from((None, "ml"))),
            current=draw(st.sampled_from((None, True, False))),
        )
    if n:
        node = st.integers(0, n - 1).map(lambda i: f"n{i}")
        edges = draw(st.lists(st.tuples(node, node), max_size=3 * n))
        hub = draw(node)
        fan = draw(st.lists(node, max_size=n))
        edges += [(hub, v) for v in fan] if draw(st.booleans()) else [(v, hub) for v in fan]
        for u, v in edges:
            g.add_edge(u, v, kinds=("reads",), weight=draw(st.sampled_from((None, 0.001, 0.5, 2.0))),
                       declared=draw(st.booleans()), observed=draw(st.booleans()))  # fmt: skip
    return g


@settings(max_examples=300, deadline=None)
@given(lineage_graphs())
def test_every_whole_graph_analysis_gives_the_same_on_the_index(g):
    index = GraphIndex(g)
    assert feedback_loops(index) == feedback_loops(g)
    assert unused_features(index) == unused_features(g)
    assert deprecated_in_use(index) == deprecated_in_use(g)
    assert downstream_counts(index) == downstream_counts(g)
    assert cace_hotspots(index, 5) == cace_hotspots(g, 5)
    assert find_all(index) == find_all(g)  # small graphs stay in networkx unless indexed


@settings(max_examples=200, deadline=None)
@given(lineage_graphs())
def test_estimated_counts_are_the_same_on_the_index(g):
    """Beyond EXACT_REACH_UP_TO nodes the counts are estimates from random ranks drawn in the
    order networkx finds the components: the index finds them in the same order. (Sketches of
    3 ranks, so that small graphs fill them and the estimates depend on the draws.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hotspots, "EXACT_REACH_UP_TO", 0)
        patch.setattr(hotspots, "SKETCH_SIZE", 3)
        counts, estimated = downstream_counts(GraphIndex(g))
        assert (counts, estimated) == downstream_counts(g)
        assert estimated or not g


@settings(max_examples=300, deadline=None)
@given(lineage_graphs())
def test_components_come_in_the_order_networkx_finds_them(g):
    index = GraphIndex(g)
    mine = [{index.ids[i] for i in c} for c in index.components_in_networkx_order()]
    assert mine == list(nx.strongly_connected_components(g))
    assert sorted(map(sorted, index.components())) == sorted(map(sorted, mine))
    assert sorted(map(sorted, index.cycles())) == sorted(
        sorted(c) for c in mine if len(c) > 1 or g.has_edge(next(iter(c)), next(iter(c)))
    )


@settings(max_examples=200, deadline=None)
@given(lineage_graphs(), st.data())
def test_reaches_match_networkx(g, data):
    if not g:
        return
    index = GraphIndex(g)
    nodes = sorted(g)
    node = data.draw(st.sampled_from(nodes))
    assert index.descendants(node) == nx.descendants(g, node)
    assert index.ancestors(node) == nx.ancestors(g, node)
    sources = data.draw(st.lists(st.sampled_from(nodes), max_size=4))
    up = set(sources).union(*(nx.ancestors(g, s) for s in sources))
    assert index.reach(sources, upstream=True) == up
    levels = index.levels(sources)
    reached = {s: 0 for s in sources}
    for d, level in enumerate(levels):
        for n in level:
            assert min(nx.shortest_path_length(g, s, n) for s in sources if nx.has_path(g, s, n)) == d
            reached[n] = d
    assert set(reached) == set(sources).union(*(nx.descendants(g, s) for s in sources))


def test_find_all_indexes_a_large_graph_itself(monkeypatch):
    """find_all builds one index for a graph of INDEX_FROM nodes or more (and none below)."""
    from lineage.analyses import findings

    built = []

    class Counting(GraphIndex):
        def __init__(self, graph):
            built.append(len(graph))
            super().__init__(graph)

    monkeypatch.setattr(findings, "GraphIndex", Counting)
    monkeypatch.setattr(findings, "INDEX_FROM", 3)
    g = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "c")])
    nx.set_node_attributes(g, "feature", "kind")
    assert find_all(g) == find_all(GraphIndex(g))
    assert built == [3]
    find_all(nx.DiGraph([("a", "b")]))
    assert built == [3]


@settings(max_examples=300, deadline=None)
@given(lineage_graphs(), st.data())
def test_simulation_describes_each_node_by_its_inputs(g, data):
    """Each broken or degraded node's lost inputs, changed inputs and weight lost, checked
    against their definitions."""
    if not g:
        return
    nodes = sorted(g)
    remove = data.draw(st.lists(st.sampled_from(nodes), max_size=3))
    cut = data.draw(st.lists(st.sampled_from(sorted(g.edges)), max_size=2)) if g.number_of_edges() else []
    result = simulate(g, remove, cut)
    broken, affected = result.broken_ids, result.broken_ids | result.degraded_ids
    for a in (*result.broken, *result.degraded):
        inputs = g._pred[a.node]
        lost = sorted(u for u in inputs if u in remove or u in broken or (u, a.node) in cut)
        assert a.lost == tuple(lost)
        assert a.changed == tuple(sorted(u for u in inputs if u in affected and u not in lost))
        weights = [d["weight"] for d in inputs.values() if d["weight"] is not None]
        expected = round(sum(inputs[u]["weight"] or 0.0 for u in lost) / sum(weights), 6) if sum(weights) else None
        assert a.weight_lost == expected


@settings(max_examples=300, deadline=None)
@given(st.sets(st.floats(0, 1), max_size=8), st.floats(0, 1), st.integers(1, 6))
def test_one_rank_joins_a_sketch_like_a_merge(values, rank, size):
    """The shortcut for a component of one node with one way on (both ways share it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hotspots, "SKETCH_SIZE", size)
        sketch = sorted(values)[:size]
        assert hotspots._with(sketch, rank) == sorted({*sketch, rank})[:size]
