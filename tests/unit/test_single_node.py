"""Questions about one node (``show``, ``impact``, ``trace``, ``simulate``) answered from SQL:
each command reads only the part of the graph its analysis needs, and prints exactly what the
same analysis prints on the whole graph, on graphs with cycles, diamonds, long chains, self
loops and nodes with no edges."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from lineage.analyses import impact, simulate, trace
from lineage.cli import cli
from lineage.graph import build_graph, load_graph
from lineage.ingest import import_paths
from lineage.render import reports as report
from lineage.render import text as present
from lineage.store import Store
from lineage.synth import write_synthetic
from tests.conftest import DATA

OWNERS = ("team-a", "team-b", None)

# name -> (edges, nodes with no edges): every node a dataset, each edge "derives".
SHAPES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "cycle": ([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("c", "e"), ("e", "f")], []),
    "diamond": ([("s", "l"), ("s", "r"), ("l", "j"), ("r", "j"), ("j", "t"), ("s", "t"), ("t", "u")], []),
    "chain": ([(f"n{i:03}", f"n{i + 1:03}") for i in range(299)] + [("n000", "n150"), ("n140", "n299")], []),
    "self loops": ([("a", "a"), ("a", "b"), ("b", "b"), ("b", "c"), ("c", "a"), ("c", "d")], []),
    "lone node": ([("a", "b"), ("b", "c")], ["lone"]),
    "tangle": (
        [
            ("r", "a"),
            ("a", "b"),
            ("b", "a"),
            ("b", "c"),
            ("c", "d"),
            ("d", "b"),
            ("r", "x"),
            ("x", "d"),
            ("d", "y"),
            ("y", "z"),
            ("z", "y"),
            ("x", "z"),
            ("z", "r"),
            ("q", "y"),
        ],
        ["alone"],
    ),  # fmt: skip
}


def manifest(edges: list[tuple[str, str]], alone: list[str]) -> str:
    inputs: dict[str, list[str]] = defaultdict(list)
    names = set(alone)
    for u, v in edges:
        inputs[v].append(u)
        names |= {u, v}
    datasets = []
    for i, name in enumerate(sorted(names)):
        entry: dict = {"name": name}
        if OWNERS[i % 3]:
            entry["owner"] = OWNERS[i % 3]
        if inputs[name]:
            entry["from"] = sorted(inputs[name])
        datasets.append(entry)
    return json.dumps({"lineage_manifest": 1, "namespace": "t", "datasets": datasets})  # JSON is YAML


@pytest.fixture(scope="module", params=[*SHAPES, "small", "synthetic"])
def db(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("single")
    if request.param == "small":
        inputs = [DATA / "small.yaml"]  # weights, several kinds, a flag
    elif request.param == "synthetic":
        write_synthetic(folder / "files", nodes=600, seed=3)
        inputs = [folder / "files"]
    else:
        (folder / "m.yaml").write_text(manifest(*SHAPES[request.param]))
        inputs = [folder / "m.yaml"]
    path = folder / "l.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, inputs).ok
    return path


def whole(db: Path) -> nx.DiGraph:
    with Store.open(db) as store:
        return load_graph(store)


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def starts(graph: nx.DiGraph, count: int = 8) -> list[str]:
    """Hubs first, then nodes spread over the rest (every node of a small graph)."""
    ordered = sorted(graph, key=lambda n: (-graph.out_degree(n) - graph.in_degree(n), n))
    if len(ordered) <= count * 2:
        return ordered
    return ordered[:count] + ordered[count :: max(1, len(ordered) // count)]


@pytest.mark.parametrize("upstream", [False, True])
@pytest.mark.parametrize("depth", [None, 0, 1, 2, 5, 1_000_000_000])
def test_impact_from_sql_prints_what_impact_on_the_whole_graph_prints(db, depth, upstream):
    graph = whole(db)
    for node in starts(graph):
        options = [*(["--depth", str(depth)] if depth is not None else []), *(["--upstream"] if upstream else [])]
        expected = impact(graph, node, depth=depth, upstream=upstream)
        got = run(db, "impact", node, *options, "--json")
        assert got.exit_code == 0, got.output
        assert got.stdout == present.to_json(present.impact_json(graph, expected)) + "\n", (node, options)
        text = run(db, "impact", node, *options)
        assert text.stdout == present.impact_text(expected) + "\n", (node, options)


def pairs(graph: nx.DiGraph, count: int = 12) -> list[tuple[str, str]]:
    """Pairs with paths between them (the farthest first), pairs without, and a node and itself."""
    nodes = starts(graph)
    linked = [(a, b) for a in nodes for b in nx.descendants(graph, a) if a != b]
    linked.sort(key=lambda p: (-nx.shortest_path_length(graph, *p), p))
    unlinked = [(a, b) for a in nodes for b in nodes if a != b and not nx.has_path(graph, a, b)]
    return linked[:count] + linked[count::7][:count] + unlinked[:4] + [(nodes[0], nodes[0])]


def test_trace_from_sql_prints_what_trace_on_the_whole_graph_prints(db):
    graph = whole(db)
    for source, target in pairs(graph):
        for options in ([], ["--max-paths", "3"], ["--max-length", "4"]):
            expected = trace(graph, source, target, **_trace_options(options))
            got = run(db, "trace", source, target, *options, "--json")
            assert got.exit_code == 0, got.output
            assert got.stdout == present.to_json(present.trace_json(graph, expected)) + "\n", (source, target)
            assert run(db, "trace", source, target, *options).stdout == present.trace_text(expected) + "\n"


def _trace_options(options: list[str]) -> dict:
    names = {"--max-paths": "max_paths", "--max-length": "max_length"}
    return {names[k]: int(v) for k, v in zip(options[::2], options[1::2], strict=True)}


def test_simulate_from_sql_prints_what_simulate_on_the_whole_graph_prints(db):
    graph = whole(db)
    nodes = starts(graph)
    removals: list[tuple[list[str], list[tuple[str, str]]]] = [([n], []) for n in nodes]
    removals.append((nodes[:3], []))
    edges = sorted(graph.edges)
    removals += [([], [e]) for e in edges[:: max(1, len(edges) // 5)]]
    removals.append((nodes[-1:], edges[:2]))
    for remove, cut in removals:
        expected = simulate(graph, remove, cut)
        args = [*remove, *(x for e in cut for x in ("--edge", *e))]
        got = run(db, "simulate", *args, "--json")
        assert got.exit_code == 0, got.output
        assert got.stdout == present.to_json(report.simulation_json(graph, expected)) + "\n", args
        assert run(db, "simulate", *args).stdout == report.simulation_text(expected) + "\n", args


def refuse_the_whole_graph(monkeypatch) -> None:
    """Loading the whole graph fails, however it is asked for."""

    def refuse(*args, **kwargs):
        raise AssertionError("the whole graph was loaded")

    import lineage.cli.analysing
    import lineage.graph

    monkeypatch.setattr(Store, "graph_rows", refuse)
    monkeypatch.setattr(Store, "snapshot", refuse)
    # The CLI imports load_graph from lineage.graph when a command needs it: patched there (and
    # wherever a module holds its own name for it).
    for module in (lineage.graph, lineage.cli.analysing):
        if hasattr(module, "load_graph"):
            monkeypatch.setattr(module, "load_graph", refuse)


@pytest.fixture
def no_whole_graph(monkeypatch):
    refuse_the_whole_graph(monkeypatch)


def test_single_node_commands_load_only_the_part_of_the_graph_they_need(tmp_path, monkeypatch):
    """Each command builds its graph of what its analysis reads, and no more: impact, what the
    node reaches; trace, the nodes between the two; simulate, what the removal reaches and its
    inputs. (The whole graph, read before the refusal, says what that is.)"""
    write_synthetic(tmp_path / "files", nodes=400, seed=5)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [tmp_path / "files"]).ok
        graph = load_graph(store)
    refuse_the_whole_graph(monkeypatch)
    built: list[set[str]] = []
    real_build = build_graph

    def recording(nodes, edges):
        g = real_build(nodes, edges)
        built.append(set(g))
        return g

    import lineage.graph

    monkeypatch.setattr(lineage.graph, "build_graph", recording)
    walked: set[str] = set()  # what impact's walks in SQL read (it builds no graph)
    real_reach_rows = Store.reach_rows

    def recording_walk(self, *args, **kwargs):
        levels = real_reach_rows(self, *args, **kwargs)
        walked.update(n for level in (levels or ([],))[0] for n in level)
        return levels

    monkeypatch.setattr(Store, "reach_rows", recording_walk)
    db = tmp_path / "l.db"
    hub = max(sorted(graph), key=graph.out_degree)
    leaf = next(n for n in sorted(graph) if graph.out_degree(n) == 0 and graph.in_degree(n))
    far = max(nx.descendants(graph, hub), key=lambda n: (nx.shortest_path_length(graph, hub, n), n))

    assert run(db, "show", hub).exit_code == 0
    assert built == []  # show reads the node's rows, never a graph
    cases = [
        (["impact", hub], nx.descendants(graph, hub) | {hub}),
        (["impact", hub, "--depth", "1"], set(graph.successors(hub)) | {hub}),
        (["impact", leaf, "--upstream"], nx.ancestors(graph, leaf) | {leaf}),
        (["trace", hub, far], (nx.descendants(graph, hub) & nx.ancestors(graph, far)) | {hub, far}),
        (["simulate", hub], _removal_reads(graph, hub)),
    ]
    for args, expected in cases:
        built.clear()
        walked.clear()
        result = run(db, *args)
        assert result.exit_code == 0, result.output
        if args[0] == "impact":
            assert (built, walked) == ([], expected), args
        else:
            assert (built, walked) == ([expected], set()), args
        assert len(expected) < graph.number_of_nodes(), args  # a part, not the whole


def _removal_reads(graph: nx.DiGraph, node: str) -> set[str]:
    reached = nx.descendants(graph, node) | {node}
    return reached | {u for v in reached for u in graph.predecessors(v)}


@pytest.mark.parametrize(
    "args",
    [["show", "nosuch"], ["impact", "nosuch"], ["impact", "nosuch", "--depth", "2"], ["trace", "nosuch", "ctr"],
     ["trace", "ctr", "nosuch"], ["simulate", "nosuch"], ["simulate", "--edge", "ctr", "nosuch"]],
)  # fmt: skip
def test_a_missing_node_is_the_same_clear_error(lineage, small, args, no_whole_graph):
    lineage("import", "small.yaml")
    result = lineage(*args)
    assert result.exit_code == 2
    assert result.stderr == "Error: no node matches 'nosuch'\n", result.stderr


def test_a_missing_edge_and_as_of_answer_as_before(lineage, small):
    lineage("import", "small.yaml")
    bad = lineage("simulate", "--edge", "clicks", "ranker")
    assert bad.exit_code == 1 and "there is no edge dataset:shop/clicks -> model:shop/ranker" in bad.stderr
    # --as-of answers from the graph as it was (merged again from the facts): the whole graph
    now, then = lineage("impact", "ctr", "--json"), lineage("impact", "ctr", "--as-of", "2999-01-01", "--json")
    assert now.exit_code == then.exit_code == 0 and now.stdout == then.stdout
    assert json.loads(now.stdout)["downstream"]


def test_no_walk_or_read_probes_the_edges_once_per_pair_of_ids(tmp_path):
    """Every statement of a walk finds the edges of one node at a time, by one column of an
    index: `source IN (...) AND target IN (...)` made SQLite probe every pair of ids (seconds
    for 1,500 ids where the join takes milliseconds)."""
    from lineage.store import snapshots

    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
        store.between_rows("feature:shop/ctr", "model:shop/ranker")  # the temp tables exist now
        probes = [snapshots.SUB_NODES[False], snapshots.SUB_EDGES[False], snapshots.INTO_REACH[False]]
        probes += [*snapshots.CLOSURE.values(), *snapshots.NEXT_HOP.values(), *snapshots.TRACE_HOP.values()]
        probes += [snapshots.HOP_NODES[False, full] for full in (False, True)]
        scans = [snapshots.SUB_NODES[True], snapshots.SUB_EDGES[True], snapshots.INTO_REACH[True]]
        scans += [snapshots.HOP_NODES[True, full] for full in (False, True)]
        for sql in probes + scans:
            plan = [row[3] for row in store.db.conn.execute("EXPLAIN QUERY PLAN " + sql, {"hop": 1, "limit": 9})]
            searches = [step for step in plan if step.startswith("SEARCH")]
            assert bool(searches) == (sql in probes), (sql, plan)  # a scan reads its table through
            assert all(" AND " not in step for step in searches), (sql, plan)


def scene_facts(scene) -> dict:
    """Everything a scene says, in a comparable form (node and edge attributes included)."""
    return {
        "mode": scene.mode, "title": scene.title, "focus": scene.focus, "node_state": scene.node_state,
        "edge_state": scene.edge_state, "hidden": scene.hidden, "left_out": scene.left_out,
        "summary": scene.summary, "engine": scene.engine, "root": scene.root, "distance": scene.distance,
        "nodes": sorted(scene.graph.nodes(data=True)), "edges": sorted(scene.graph.edges(data=True)),
    }  # fmt: skip


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_the_explorers_first_view_from_sql_is_the_view_of_the_whole_graph(db, depth):
    """The explore scene read around the focus in SQL (what the explorer draws before the whole
    graph has loaded) is the scene of the whole graph: same nodes, edges, badges of hidden
    neighbours and nodes left out, also with expanded nodes, grouped, and past the size limit."""
    from lineage.views.scenes import build_scene, explore_from_store
    from lineage.views.spec import ViewSpec

    graph = whole(db)
    with Store.open(db) as store:
        for node in starts(graph):
            neighbours = sorted({*graph.successors(node), *graph.predecessors(node)})
            for extra in ({}, {"expanded": frozenset(neighbours[:2])}, {"group_by": "owner"}, {"limit": 5}):
                spec = ViewSpec(focus=node, depth=depth, **extra)
                expected = scene_facts(build_scene(graph, spec))
                assert scene_facts(explore_from_store(store, spec)) == expected, (node, extra)


def test_the_central_feature_in_sql_is_the_default_focus_of_a_large_graph(db, monkeypatch):
    import lineage.views.focus as focus

    monkeypatch.setattr(focus, "LARGE", 0)  # the rule of a large graph, on these small ones
    with Store.open(db) as store:
        assert store.central_feature() == focus.default_focus(whole(db))
