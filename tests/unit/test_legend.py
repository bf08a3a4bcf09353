"""The legend lists what a view of the demo draws, and nothing it does not (issue 21, item 2)."""

from __future__ import annotations

import pytest

from lineage.analyses import find_all
from lineage.demo import build_demo
from lineage.graph import load_graph
from lineage.store import Store
from lineage.views.legend import legend_entries
from lineage.views.scenes import build_scene
from lineage.views.spec import ViewSpec

START = "feature:ads/historical_ctr"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("legend") / "demo.db"
    build_demo(path)
    with Store.open(str(path)) as store:
        return load_graph(store)


def keys(scene, expanded=()) -> list[str]:
    return [e.key for e in legend_entries(scene, expanded)]


def test_explore_lists_its_kinds_and_styles_and_no_simulation_or_loop_marks(demo):
    scene = build_scene(demo, ViewSpec(mode="explore", focus=START, depth=1))
    drawn_kinds = {demo.nodes[n]["kind"] for n in scene.graph}
    listed = keys(scene)
    assert [k for k in listed if k.startswith("kind:")] == [
        f"kind:{k}" for k in ("dataset", "feature", "job", "model", "consumer", "flag", "field") if k in drawn_kinds
    ]
    assert "node:focus" in listed and "badge:hidden" in listed
    assert not {"node:broken", "node:degraded", "node:removed", "edge:hidden", "edge:path"} & set(listed)
    assert ("edge:weight" in listed) == any(d.get("weight") is not None for *_, d in scene.graph.edges(data=True))
    assert "badge:expanded" not in listed
    assert "badge:expanded" in keys(scene, expanded=[START])


def test_simulate_with_a_removal_lists_broken_and_degraded(demo):
    scene = build_scene(demo, ViewSpec(mode="simulate", focus=START, removed=frozenset({"dataset:ads/impression_log"})))
    listed = keys(scene)
    for key in ("node:removed", "node:broken", "node:degraded", "edge:removed"):
        assert key in listed
    assert listed.index("node:broken") < listed.index("node:degraded") < listed.index("edge:removed")
    assert "node:focus" not in listed  # the simulation marks no focus
    # without a removal, nothing is broken
    assert "node:broken" not in keys(build_scene(demo, ViewSpec(mode="simulate", focus=START)))


def test_the_hidden_loop_finding_lists_the_purple_edge_and_its_members(demo):
    loop = next(f for f in find_all(demo)["feedback_loops"] if "hidden" in f.reason)
    scene = build_scene(demo, ViewSpec(mode="findings", focus=START, finding=loop))
    listed = keys(scene)
    assert {"edge:hidden", "edge:path", "node:path"} <= set(listed)
    text = {e.key: e.text for e in legend_entries(scene)}
    assert text["edge:hidden"].startswith("hidden loop edge")
    assert "edge:hidden" not in keys(build_scene(demo, ViewSpec(mode="explore", focus=START, depth=1)))


def test_impact_lists_the_hops_and_a_folded_view_its_groups(demo):
    impact = build_scene(demo, ViewSpec(mode="impact", focus=START))
    assert "node:hop" in keys(impact)
    grouped = build_scene(demo, ViewSpec(mode="explore", focus=START, depth=2, group_by="team"))
    listed = keys(grouped)
    assert "kind:group" in listed and listed.index("kind:group") == max(
        i for i, k in enumerate(listed) if k.startswith("kind:")
    )
    assert "edge:count" in listed  # edges between groups stand for several
