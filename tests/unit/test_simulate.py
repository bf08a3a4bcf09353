"""Removal simulation: table-driven cases and properties."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.analyses import simulate
from lineage.graph import build_graph


def graph(edges, weights=None):
    g = nx.DiGraph(edges)
    for (u, v), w in (weights or {}).items():
        g.edges[u, v]["weight"] = w
    for n in g:
        g.nodes[n]["kind"] = {"f": "feature", "m": "model", "c": "consumer"}.get(n[0], "dataset")
    return g


CASES = [
    # (name, edges, remove, remove_edges, broken, degraded)
    ("chain", [("a", "b"), ("b", "c")], ["a"], [], ["b", "c"], []),
    ("two inputs", [("a", "m"), ("b", "m"), ("m", "c")], ["a"], [], [], ["m", "c"]),
    ("both inputs", [("a", "m"), ("b", "m"), ("m", "c")], ["a", "b"], [], ["m", "c"], []),
    ("no inputs are never broken", [("a", "b")], ["b"], [], [], []),
    ("a loop whose only way in is removed degrades: least fixpoint",
     [("x", "a"), ("a", "b"), ("b", "a")], ["x"], [], [], ["a", "b"]),
    ("a loop with all its members' inputs removed breaks",
     [("x", "a"), ("a", "b"), ("b", "a")], ["x", "b"], [], ["a"], []),
    ("a chain fed only by the removed node breaks",
     [("x", "a"), ("a", "b"), ("b", "c")], ["x"], [], ["a", "b", "c"], []),
    ("self-loop keeps itself degraded",
     [("x", "a"), ("a", "a")], ["x"], [], [], ["a"]),
    ("disconnected part untouched", [("a", "b"), ("c", "d")], ["a"], [], ["b"], []),
    ("removing an edge", [("a", "m"), ("b", "m")], [], [("a", "m")], [], ["m"]),
    ("removing the only edge", [("a", "m"), ("m", "c")], [], [("a", "m")], ["m", "c"], []),
    ("removing nothing", [("a", "b")], [], [], [], []),
    ("diamond", [("s", "a"), ("s", "b"), ("a", "t"), ("b", "t"), ("x", "b")], ["s"], [],
     ["a"], ["b", "t"]),
    ("diamond, both arms gone", [("s", "a"), ("s", "b"), ("a", "t"), ("b", "t")], ["s"], [],
     ["a", "b", "t"], []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "edges", "remove", "cut", "broken", "degraded"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_classification(name, edges, remove, cut, broken, degraded):
    g = graph(edges)
    result = simulate(g, remove, cut)
    assert sorted(result.broken_ids) == sorted(broken)
    assert sorted(result.degraded_ids) == sorted(degraded)
    assert result.unaffected_count == len(g) - len(remove) - len(broken) - len(degraded)


def test_lost_inputs_distances_and_weight_share():
    g = graph([("f1", "m"), ("f2", "m"), ("f3", "m"), ("m", "c"), ("f1", "d")],
              {("f1", "m"): 0.6, ("f2", "m"): 0.3})  # fmt: skip
    result = simulate(g, ["f1"])
    m = next(a for a in result.degraded if a.node == "m")
    assert (m.lost, m.changed, m.distance, m.weight_lost) == (("f1",), (), 1, pytest.approx(2 / 3))
    c = next(a for a in result.degraded if a.node == "c")
    assert (c.lost, c.changed, c.distance, c.weight_lost) == ((), ("m",), 2, None)
    assert result.by_kind == {"consumer": {"broken": 0, "degraded": 1},
                              "dataset": {"broken": 1, "degraded": 0},
                              "model": {"broken": 0, "degraded": 1}}  # fmt: skip
    assert result.by_distance == {1: {"broken": 1, "degraded": 1}, 2: {"broken": 0, "degraded": 1}}


def test_weights_missing_on_some_inputs():
    g = graph([("f1", "m"), ("f2", "m")], {("f1", "m"): 0.5})
    assert simulate(g, ["f1"]).degraded[0].weight_lost == 1.0
    assert simulate(g, ["f2"]).degraded[0].weight_lost == 0.0


def test_parallel_edges_of_two_kinds_are_one_input():
    g = build_graph(
        [(n, "dataset", n, "", None, None, "active", None, 1, None) for n in ("a", "b", "t")],
        [("a", "t", "reads", None, 1, 0), ("a", "t", "derives", None, 0, 1), ("b", "t", "reads", None, 1, 0)],
    )
    assert [a.node for a in simulate(g, ["a"]).degraded] == ["t"]
    assert [a.node for a in simulate(g, ["a", "b"]).broken] == ["t"]


def test_unknown_nodes_and_edges_are_errors():
    g = graph([("a", "b")])
    with pytest.raises(nx.NodeNotFound):
        simulate(g, ["zz"])
    with pytest.raises(nx.NetworkXError):
        simulate(g, [], [("b", "a")])


graphs = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=36).map(
    lambda edges: nx.DiGraph([(f"n{a}", f"n{b}") for a, b in edges])
)


@settings(max_examples=300, deadline=None)
@given(graphs, st.sets(st.integers(0, 12), max_size=3), st.data())
def test_properties(g, picks, data):
    removed = [f"n{i}" for i in picks if f"n{i}" in g]
    edges = list(g.edges)
    cut = data.draw(st.lists(st.sampled_from(edges), max_size=2, unique=True)) if edges else []
    result = simulate(g, removed, cut)
    broken, degraded = result.broken_ids, result.degraded_ids
    # Broken and degraded lie downstream of what was removed.
    downstream = set()
    for n in removed:
        downstream |= nx.descendants(g, n)
    for _, v in cut:
        downstream |= {v} | nx.descendants(g, v)
    assert broken | degraded <= downstream - set(removed)
    assert not broken & degraded
    # Broken means every input is gone (removed, broken, or over a removed edge).
    for n in broken:
        assert all(u in removed or u in broken or (u, n) in cut for u in g.predecessors(n))
        assert g.in_degree(n) > 0
    # Simulating twice gives the same result.
    assert simulate(g, removed, cut) == result


@settings(max_examples=100, deadline=None)
@given(graphs)
def test_removing_nothing_changes_nothing(g):
    result = simulate(g)
    assert (result.broken, result.degraded, result.unaffected_count) == ((), (), len(g))
