"""Trace and impact, table-driven like dbt's selector tests, plus properties against networkx."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.analyses import impact, trace

# dataset -> feature -> model -> consumer -> log -> feature (a feedback loop), a cascade,
# a flag, a self-loop and a disconnected pair.
EDGES = [
    ("d:clicks", "f:ctr"), ("d:queries", "f:terms"), ("f:ctr", "m:ctr"), ("f:terms", "m:ctr"),
    ("m:ctr", "m:corr"), ("m:corr", "c:server"), ("m:ctr", "c:server"), ("m:ctr", "c:dash"),
    ("c:server", "d:clicks"), ("g:flag", "m:corr"), ("s:self", "s:self"), ("x:a", "x:b"),
]  # fmt: skip
KINDS = {"d": "dataset", "f": "feature", "m": "model", "c": "consumer", "g": "flag",
         "s": "dataset", "x": "job"}  # fmt: skip


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    g = nx.DiGraph(EDGES)
    for n in g:
        g.nodes[n]["kind"] = KINDS[n[0]]
        g.nodes[n]["owner"] = "team-b" if n.startswith("c:") else "team-a"
    return g


IMPACT_CASES = [
    # (node, depth, upstream, expected downstream [(node, distance)], expected upstream)
    ("f:terms", None, False,
     [("m:ctr", 1), ("c:dash", 2), ("c:server", 2), ("m:corr", 2), ("d:clicks", 3), ("f:ctr", 4)],
     None),
    ("f:terms", 1, False, [("m:ctr", 1)], None),
    ("f:terms", 0, False, [], None),
    ("c:dash", None, True, [], [("m:ctr", 1), ("f:ctr", 2), ("f:terms", 2), ("d:clicks", 3),
                                ("d:queries", 3), ("c:server", 4), ("m:corr", 5), ("g:flag", 6)]),
    ("m:corr", 1, True, [("c:server", 1)], [("g:flag", 1), ("m:ctr", 1)]),
    ("s:self", None, True, [], []),
    ("x:a", None, True, [("x:b", 1)], []),
]  # fmt: skip


@pytest.mark.parametrize(("node", "depth", "upstream", "down", "up"), IMPACT_CASES)
def test_impact_selects(graph, node, depth, upstream, down, up):
    result = impact(graph, node, depth=depth, upstream=upstream)
    assert [(r.node, r.distance) for r in result.downstream.nodes] == down
    if up is None:
        assert result.upstream is None
    else:
        assert [(r.node, r.distance) for r in result.upstream.nodes] == up


def test_impact_groups_by_kind_owner_and_distance(graph):
    down = impact(graph, "d:clicks").downstream
    assert down.by_kind == {"consumer": 2, "feature": 1, "model": 2}
    assert down.by_owner == {"team-a": 3, "team-b": 2}
    assert down.by_distance == {1: 1, 2: 1, 3: 3}


TRACE_CASES = [
    ("f:terms", "c:server", 2, [["f:terms", "m:ctr", "c:server"],
                                ["f:terms", "m:ctr", "m:corr", "c:server"]], False),
    ("f:terms", "c:server", 1, [["f:terms", "m:ctr", "c:server"]], True),
    ("c:server", "m:ctr", 5, [["c:server", "d:clicks", "f:ctr", "m:ctr"]], False),
    ("c:dash", "m:ctr", 5, [], False),
    ("x:a", "m:ctr", 5, [], False),
    ("m:ctr", "m:ctr", 5, [["m:ctr"]], False),
]  # fmt: skip


@pytest.mark.parametrize(("source", "target", "max_paths", "paths", "truncated"), TRACE_CASES)
def test_trace_selects(graph, source, target, max_paths, paths, truncated):
    result = trace(graph, source, target, max_paths=max_paths)
    assert [list(p) for p in result.paths] == paths
    assert result.truncated is truncated


def test_trace_max_length(graph):
    assert trace(graph, "f:terms", "c:server", max_length=2).paths == (("f:terms", "m:ctr", "c:server"),)


def test_unknown_nodes_raise(graph):
    with pytest.raises(nx.NodeNotFound):
        impact(graph, "nope")
    with pytest.raises(nx.NodeNotFound):
        trace(graph, "f:ctr", "nope")


graphs = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=40).map(
    lambda edges: nx.DiGraph([(str(a), str(b)) for a, b in edges])
)


@settings(max_examples=200, deadline=None)
@given(graphs, st.integers(0, 15), st.one_of(st.none(), st.integers(0, 4)))
def test_impact_matches_networkx(g, start, depth):
    node = str(start)
    if node not in g:
        g.add_node(node)
    for n in g:
        g.nodes[n]["kind"] = "dataset"
    result = impact(g, node, depth=depth, upstream=True)
    lengths = nx.single_source_shortest_path_length(g, node, cutoff=depth)
    assert {r.node: r.distance for r in result.downstream.nodes} == {n: d for n, d in lengths.items() if n != node}
    if depth is None:
        assert set(result.downstream.ids) == nx.descendants(g, node)
        assert set(result.upstream.ids) == nx.ancestors(g, node)


@settings(max_examples=100, deadline=None)
@given(graphs, st.integers(0, 15), st.integers(0, 15))
def test_trace_paths_are_simple_sorted_and_real(g, a, b):
    source, target = str(a), str(b)
    g.add_nodes_from([source, target])
    result = trace(g, source, target, max_paths=5)
    lengths = [len(p) for p in result.paths]
    assert lengths == sorted(lengths)
    for path in result.paths:
        assert path[0] == source and path[-1] == target
        assert len(set(path)) == len(path)
        assert all(g.has_edge(u, v) for u, v in zip(path, path[1:], strict=False))
    assert bool(result.paths) == nx.has_path(g, source, target)
