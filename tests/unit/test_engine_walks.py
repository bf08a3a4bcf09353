"""The walks in SQL (``impact`` hop by hop, ``trace``'s walk both ways) and the trace's own
steps on plain dicts, against networkx as the reference: table-driven, on small graphs with
cycles, self loops, diamonds, chains and lone nodes."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import networkx as nx
import pytest

from lineage.analyses import impact, trace
from lineage.analyses.trace import Trace
from lineage.graph import impact_in_store, load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from tests.unit.test_single_node import manifest  # the same graphs, as a manifest

# name -> (edges, nodes with no edges)
GRAPHS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "two cycles joined": ([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "c"), ("d", "e")], []),
    "self loops": ([("a", "a"), ("a", "b"), ("b", "b"), ("b", "c"), ("c", "a")], ["z"]),
    "diamonds": ([("s", "l"), ("s", "r"), ("l", "j"), ("r", "j"), ("j", "t"), ("s", "t"), ("t", "k"), ("j", "k")], []),
    "chain with shortcuts": ([(f"c{i}", f"c{i + 1}") for i in range(30)] + [("c0", "c10"), ("c5", "c25")], []),
    "cycle of chains": ([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "x"), ("x", "y"), ("y", "d")], []),
    "lone nodes": ([("a", "b")], ["c", "d"]),
    "wide": ([("h", f"m{i}") for i in range(12)] + [(f"m{i}", f"m{(i * 5) % 12}") for i in range(12)], []),
}


@pytest.fixture(scope="module", params=list(GRAPHS))
def db(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("walks")
    (folder / "m.yaml").write_text(manifest(*GRAPHS[request.param]))
    path = folder / "l.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [folder / "m.yaml"]).ok
    return path


def levels_of(levels: list[list[str]]) -> list[list[str]]:
    return [sorted(level) for level in levels]


@pytest.mark.parametrize("depth", [None, 0, 1, 3])
@pytest.mark.parametrize("upstream", [False, True])
def test_the_walk_in_sql_finds_the_breadth_first_layers_networkx_finds(db, depth, upstream):
    with Store.open(db) as store:
        graph = load_graph(store)
        for start in sorted(graph):
            walked = store.reach_rows(start, depth, upstream=upstream)
            assert walked is not None
            levels, rows = walked
            reference = list(nx.bfs_layers(graph.reverse() if upstream else graph, [start]))
            if depth is not None:
                reference = reference[: depth + 1]
            assert levels_of(levels) == levels_of(reference), (start, depth, upstream)
            assert {r[0]: r[1:] for r in rows.values()} == {
                n: (graph.nodes[n]["kind"], graph.nodes[n]["owner"], graph.nodes[n]["team"])
                for level in reference
                for n in level
            }


@pytest.mark.parametrize("depth", [None, 1, 2])
def test_impact_from_the_walks_is_impact_on_the_whole_graph(db, depth):
    with Store.open(db) as store:
        graph = load_graph(store)
        for start in sorted(graph):
            expected = impact(graph, start, depth=depth, upstream=True)
            walked = impact_in_store(store, start, depth, upstream=True, with_attrs=True)
            assert walked is not None
            got, attrs = walked
            for mine, theirs in ((got.downstream, expected.downstream), (got.upstream, expected.upstream)):
                assert theirs is not None and mine is not None
                assert (mine.nodes, mine.by_distance, mine.by_kind, mine.by_owner) == (
                    theirs.nodes, theirs.by_distance, theirs.by_kind, theirs.by_owner)  # fmt: skip
            keys = ("kind", "name", "namespace", "owner", "team", "status")
            assert attrs == {n: {k: graph.nodes[n][k] for k in keys} for n in attrs}
            assert set(attrs) == {start, *got.downstream.ids, *(got.upstream.ids if got.upstream else ())}


def test_an_edge_to_a_node_the_store_lacks_makes_the_walk_refuse(db):
    with Store.open(db) as store:
        start = sorted(load_graph(store))[0]
        store.db.conn.execute(
            "INSERT INTO edges (source, target, kind, weight, declared, observed, attributes)"
            " VALUES (?, 'dataset:t/ghost', 'derives', NULL, 1, 0, '{}')",
            (start,),
        )
        assert store.reach_rows(start, None) is None
        assert impact_in_store(store, start) is None
        store.db.conn.execute("DELETE FROM edges WHERE target = 'dataset:t/ghost'")
        assert store.reach_rows(start, None) is not None


def test_the_walk_both_ways_reads_the_nodes_between(db):
    with Store.open(db) as store:
        graph = load_graph(store)
        for source in sorted(graph):
            for target in sorted(graph):
                nodes, edges = store.between_rows(source, target)
                between = (nx.descendants(graph, source) & nx.ancestors(graph, target)) | {source, target}
                assert {n[0] for n in nodes} == between, (source, target)
                assert {(e[0], e[1]) for e in edges} == set(graph.subgraph(between).edges)


def reference_trace(graph: nx.DiGraph, source: str, target: str, max_paths: int = 20) -> Trace:
    """The trace as it was written in networkx before it ran on plain dicts (no max_length)."""
    if source == target:
        return Trace(source, target, ((source,),), False)
    between = (nx.descendants(graph, source) | {source}) & (nx.ancestors(graph, target) | {target})
    if target not in between:
        return Trace(source, target, (), False)
    ordered = nx.DiGraph()
    ordered.add_nodes_from(sorted(between))
    ordered.add_edges_from(sorted(graph.subgraph(between).edges))

    def through(n: str) -> bool:
        return n not in (source, target) and ordered.in_degree(n) == 1 and ordered.out_degree(n) == 1

    kept = [n for n in ordered if not through(n)]
    compressed = nx.DiGraph()
    compressed.add_nodes_from(kept)
    compressed.add_edges_from(((u, v) for u in kept for v in ordered.successors(u) if not through(v)), hops=1)
    chains: dict[tuple[str, str], tuple[str, ...]] = {}
    for u in kept:
        for first in ordered.successors(u):
            if not through(first):
                continue
            inner, node = [], first
            while through(node) and node != u:
                inner.append(node)
                node = next(iter(ordered.successors(node)))
            if node == u:
                continue
            start = u
            if compressed.has_edge(u, node):
                start, inner = inner[0], inner[1:]
                compressed.add_edge(u, start, hops=1)
            compressed.add_edge(start, node, hops=len(inner) + 1)
            if inner:
                chains[(start, node)] = tuple(inner)
    found = []
    for short in islice(nx.shortest_simple_paths(compressed, source, target, weight="hops"), max_paths + 1):
        path = [short[0]]
        for u, v in zip(short, short[1:], strict=False):
            path.extend(chains.get((u, v), ()))
            path.append(v)
        found.append(tuple(path))
    return Trace(source, target, tuple(found[:max_paths]), len(found) > max_paths)


@pytest.mark.parametrize("max_paths", [1, 3, 20])
def test_trace_finds_the_paths_the_networkx_steps_find(db, max_paths):
    with Store.open(db) as store:
        graph = load_graph(store)
    backwards = nx.DiGraph()  # the same graph, its nodes and edges in the reverse order
    backwards.add_nodes_from(reversed(list(graph)))
    backwards.add_edges_from(reversed(list(graph.edges)))
    for source in sorted(graph):
        for target in sorted(graph):
            expected = reference_trace(graph, source, target, max_paths)
            assert trace(graph, source, target, max_paths=max_paths) == expected, (source, target)
            assert trace(backwards, source, target, max_paths=max_paths) == expected, (source, target)
