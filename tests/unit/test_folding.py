"""Big views are folded, never cut: every node an impact reaches is drawn or counted in exactly
one group; opening a group splits it one level further (kind, then owner, then namespace, then
parts); hubs and small hops stay themselves; the drawn edges are those between what the drawn
nodes stand for."""

from __future__ import annotations

import networkx as nx
import pytest

from lineage.analyses import impact
from lineage.synth import write_synthetic
from lineage.views.folding import HUBS, INDIVIDUAL, PART, fold_hops
from lineage.views.scenes import impact_scene


def star(counts: dict[tuple[str, str, str], int]) -> nx.DiGraph:
    """A root with (kind, owner, namespace) -> that many children, and one grandchild per child."""
    g = nx.DiGraph()
    g.add_node("root", kind="dataset")
    for (kind, owner, namespace), n in counts.items():
        for i in range(n):
            child = f"{kind}:{namespace}/{owner}-{i:04}"
            g.add_node(child, kind=kind, owner=owner, namespace=namespace)
            g.add_edge("root", child)
            g.add_node(f"{child}/out", kind="consumer", owner=owner, namespace=namespace)
            g.add_edge(child, f"{child}/out")
    return g


def accounted(scene, graph: nx.DiGraph, focus: str, upstream: bool = False) -> None:
    """The drawn nodes plus the members of the groups are exactly the nodes of the impact."""
    result = impact(graph, focus, upstream=upstream)
    reached = {r.node for r in result.downstream.nodes} | (
        {r.node for r in result.upstream.nodes} if result.upstream else set()
    )
    groups = {n: d["members"] for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group"}
    individuals = set(scene.graph) - set(groups)
    assert individuals <= reached | {focus}
    assert sum(groups.values()) + len(individuals) == len(reached) + 1
    assert scene.left_out == 0


SMALL_LIMIT = 10  # these graphs fit the explorer's 300 nodes: a small limit makes them fold
SMALL = {("dataset", "a", "n"): INDIVIDUAL - 1}
BIG = {("dataset", "a", "n"): 30, ("model", "b", "n"): 12, ("feature", "a", "m"): 2}
MANY_OWNERS = {("dataset", o, "n"): 20 for o in "abc"}
ONE_OWNER = {("dataset", "a", "n"): 3 * PART + 5}


@pytest.mark.parametrize(
    ("counts", "opened", "groups"),
    [
        # a hop small enough is drawn node by node
        (SMALL, [], []),
        # a big hop: one group per kind, less its hubs; a kind with few nodes is drawn node by node
        (BIG, [], ['kind="dataset"', 'kind="model"']),
        # opening a kind's group splits it by owner
        (MANY_OWNERS, [""], ['kind="dataset"']),
        (MANY_OWNERS, ['|kind="dataset"'], ['owner="a"', 'owner="b"', 'owner="c"']),
        # one owner, one namespace: the split by them is skipped, the group is cut into parts (the
        # last, of 3 nodes, is drawn node by node)
        (ONE_OWNER, ['|kind="dataset"'], ["part=0", "part=1", "part=2"]),
    ],
)
def test_which_groups_a_hop_folds_into(counts, opened, groups):
    g = star(counts)
    opened_ids = frozenset(f"group:down1{o}" for o in opened if o)
    scene = impact_scene(g, "root", opened=opened_ids, limit=SMALL_LIMIT)
    accounted(scene, g, "root")
    hop1 = sorted(n for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group" and d["hop"] == 1)
    assert len(hop1) == len(groups)
    assert [gid.split("|")[-1] for gid in hop1] == groups


def test_the_biggest_hubs_stay_themselves_and_labels_count_members():
    g = star(BIG)
    for i in range(HUBS):  # two children with more successors than the rest
        for j in range(5):
            g.add_edge(f"dataset:n/a-{i:04}", f"extra{i}-{j}")
    scene = impact_scene(g, "root", limit=SMALL_LIMIT)
    assert {"dataset:n/a-0000", "dataset:n/a-0001"} <= set(scene.graph)
    names = sorted(d["name"] for _, d in scene.graph.nodes(data=True) if d.get("kind") == "group")
    assert "28 datasets · hop 1" in names and "12 models · hop 1" in names
    accounted(scene, g, "root")


def test_an_opened_part_is_drawn_node_by_node():
    g = star(ONE_OWNER)
    kind = 'group:down1|kind="dataset"'
    scene = impact_scene(g, "root", opened=frozenset({kind, f"{kind}|part=1"}), limit=SMALL_LIMIT)
    accounted(scene, g, "root")
    members = sorted(n for n in scene.graph if n.startswith("dataset:") and not n.endswith("/out"))
    assert len(members) == PART + HUBS + 3  # the part's nodes, the two hubs and the last small part


def test_edges_between_groups_count_the_edges_they_stand_for():
    g = star(BIG)
    scene = impact_scene(g, "root", limit=SMALL_LIMIT)
    datasets = next(n for n, d in scene.graph.nodes(data=True) if d.get("name") == "28 datasets · hop 1")
    assert scene.graph.edges["root", datasets]["count"] == 28
    consumers = [n for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group" and d["hop"] == 2]
    assert sum(scene.graph.edges[u, v]["count"] for u, v in scene.graph.edges if v in consumers) == 42


@pytest.mark.parametrize("upstream", [False, True])
def test_every_node_of_a_synthetic_impact_is_drawn_or_in_one_group(tmp_path, upstream):
    from lineage.graph import load_graph
    from lineage.ingest import import_paths
    from lineage.store import Store

    write_synthetic(tmp_path / "files", nodes=3000, seed=11)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [tmp_path / "files"]).ok
        graph = load_graph(store)
    hubs = sorted(graph, key=lambda n: (-graph.out_degree(n), n))[:5]
    for hub in hubs:
        scene = impact_scene(graph, hub, upstream=upstream)
        accounted(scene, graph, hub, upstream)
        assert len(scene.graph) <= 400  # readable: tens of thousands become a few hundred at most
        opened = frozenset(n for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group")
        accounted(impact_scene(graph, hub, upstream=upstream, opened=opened), graph, hub, upstream)


def test_a_view_that_fits_is_not_folded_and_one_that_does_not_folds_its_outer_hops_first():
    g = star(BIG)  # 44 nodes at hop 1, 44 at hop 2
    assert not any(d.get("kind") == "group" for _, d in impact_scene(g, "root").graph.nodes(data=True))
    scene = impact_scene(g, "root", limit=60)  # hop 2 folded is enough: hop 1 stays whole
    accounted(scene, g, "root")
    hops = {d["hop"] for _, d in scene.graph.nodes(data=True) if d.get("kind") == "group"}
    assert hops == {2}
    assert sum(1 for n in scene.graph if scene.distance.get(n) == 1) == 44


def test_fold_hops_keeps_a_node_in_one_place():
    g = nx.DiGraph([("r", f"n{i}") for i in range(50)])
    folded = fold_hops(g, [[f"n{i}" for i in range(50)]])
    assert set(folded.rep) == {f"n{i}" for i in range(50)}
    assert sum(d["members"] for d in folded.groups.values()) + sum(1 for n, r in folded.rep.items() if n == r) == 50


def diamond(width: int) -> nx.DiGraph:
    """``s`` to ``t`` through ``width`` parallel two-step routes (``width`` paths), a shortcut
    ``s -> t``, and nodes off every route (``off``, fed by ``s``; ``in``, feeding ``t``)."""
    g = nx.DiGraph([("s", "t"), ("s", "off"), ("in", "t")])
    for i in range(width):
        g.add_edges_from([("s", f"a{i:03}"), (f"a{i:03}", f"b{i:03}"), (f"b{i:03}", "t")])
    nx.set_node_attributes(g, "dataset", "kind")
    return g


def trace_accounted(scene, route: set[str]) -> None:
    """Drawn route nodes plus group members are exactly the route, each once."""
    groups = {n: d["members"] for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group"}
    individuals = set(scene.graph) - set(groups)
    assert individuals <= route  # nothing off the route
    assert sum(groups.values()) + len(individuals) == len(route)


def test_a_trace_draws_every_node_between_and_folds_what_does_not_fit():
    from lineage.views.scenes import trace_scene

    g = diamond(100)  # 100 paths of 3 hops and one of 1: 202 nodes between s and t
    route = set(g) - {"off", "in"}
    whole = trace_scene(g, "s", "t", max_paths=10)  # more paths than named: all still drawn
    assert set(whole.graph) == route
    assert all(whole.node_state[n] in ("path", "focus") for n in route)
    assert whole.summary[0] == "10 paths (more exist)"
    folded = trace_scene(g, "s", "t", max_paths=10, limit=40)
    trace_accounted(folded, route)
    assert len(folded.graph) <= 40
    # the shortest paths stay themselves while they fill a fifth of the limit: s -> t, then three
    # s -> aNNN -> bNNN -> t (8 nodes); the other 97 of each hop are one group per hop
    assert {"s", "t", "a002", "b002"} <= set(folded.graph) and "a003" not in folded.graph
    assert folded.edge_state[("s", "t")] == "path"
    groups = {d["name"]: n for n, d in folded.graph.nodes(data=True) if d.get("kind") == "group"}
    assert sorted(groups) == ["97 nodes · hop 1 from the source", "97 nodes · hop 2 from the source"]
    one, two = groups["97 nodes · hop 1 from the source"], groups["97 nodes · hop 2 from the source"]
    assert folded.graph.edges[one, two]["count"] == 97 and folded.graph.edges[two, "t"]["count"] == 97
    # only edges one hop onward, into the target and along the paths: not one back a hop
    g.add_edges_from((f"b{i:03}", f"a{i + 1:03}") for i in range(70, 90))  # at most 8 nodes stay themselves
    back = trace_scene(g, "s", "t", max_paths=10, limit=40)
    assert back.graph.has_edge(one, two) and not back.graph.has_edge(two, one)
    opened = frozenset(n for n, d in folded.graph.nodes(data=True) if d.get("kind") == "group")
    trace_accounted(trace_scene(g, "s", "t", max_paths=10, limit=40, opened=opened), route)


def test_a_trace_without_a_path_draws_its_two_ends_and_says_whether_the_other_way_has_one():
    from lineage.views.scenes import trace_scene

    scene = trace_scene(diamond(3), "t", "s")
    assert set(scene.graph) == {"s", "t"}
    assert scene.summary == ["no path from t to s, but there is one from s to t: ⇄ Reverse traces it"]
    assert trace_scene(diamond(3), "off", "in").summary == ["no path between them, either way"]


def test_a_trace_lists_ten_paths_and_counts_the_rest():
    from lineage.views.scenes import trace_scene

    summary = trace_scene(diamond(30), "s", "t").summary  # 31 paths, 50 at most are sought
    assert summary[0] == "31 paths" and summary[1] == "s -> t" and summary[2] == "s -> a000 -> b000 -> t"
    assert len(summary) == 1 + 10 + 1 and summary[-1] == "… and 21 more paths"


def test_explore_folds_a_hop_too_wide_to_read_even_when_the_view_fits():
    from lineage.views.scenes import WIDEST_HOP, explore_scene

    wide = star({("dataset", "a", "n"): WIDEST_HOP + 1})  # hop 1 is wider than a column is read
    scene = explore_scene(wide, "root", depth=1)
    groups = {n: d["members"] for n, d in scene.graph.nodes(data=True) if d.get("kind") == "group"}
    assert groups and len(scene.graph) < 10
    assert sum(groups.values()) + len(set(scene.graph) - set(groups)) == WIDEST_HOP + 2
    narrow = star({("dataset", "a", "n"): WIDEST_HOP})
    assert len(explore_scene(narrow, "root", depth=1).graph) == WIDEST_HOP + 1
