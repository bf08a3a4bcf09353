"""The demo: built from raw files through the real importers, realistic, with history."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from lineage.demo import build_demo
from lineage.graph import load_graph
from lineage.records import NODE_KINDS
from lineage.store import Store
from lineage.views.focus import most_central_feature
from lineage.when import parse_when


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


def test_demo_has_every_kind_and_at_least_60_nodes(demo_db):
    with Store.open(demo_db) as store:
        graph = load_graph(store)
        imports = store.imports()
    assert graph.number_of_nodes() >= 60
    kinds = {k for _, k in graph.nodes(data="kind")}
    assert kinds == set(NODE_KINDS)
    assert all(i["status"] == "ok" for i in imports)
    assert {i["importer"] for i in imports} == {"config", "dbt", "manifest", "mlflow", "openlineage", "servinglog"}
    formats = {i["path"].rsplit(".", 1)[1] for i in imports if i["importer"] == "manifest"}
    assert formats == {"yaml", "toml", "json"}


def test_demo_contains_the_debt_patterns_of_the_talk(demo_db):
    with Store.open(demo_db) as store:
        graph = load_graph(store)
        before = load_graph(store, as_of=parse_when("2025-12-31"))
    # The CTR feedback loop: ctr_model -> ad_server -> click_log -> ... -> historical_ctr.
    cycle_nodes = {n for c in nx_cycles(graph) for n in c}
    assert {"model:ads/ctr_model", "consumer:ads/ad_server", "feature:ads/historical_ctr"} <= cycle_nodes
    # A correction cascade three models deep.
    assert graph.has_edge("model:ads/ctr_model", "model:ads/ctr_correction_de")
    assert graph.has_edge("model:ads/ctr_correction_de", "model:ads/ctr_correction_de_mobile")
    # The repurposed flag: its target changed between two generations.
    assert list(before.successors("flag:ads/enable_fast_path")) == ["consumer:ads/power_peg_router"]
    assert list(graph.successors("flag:ads/enable_fast_path")) == ["consumer:ads/rlp_router"]
    # A dead flag, an unused feature, a deprecated feature still read, a proposed one.
    assert graph.out_degree("flag:ads/experimental_ctr_boost") == 0
    assert graph.out_degree("feature:ads/query_sentiment") == 0
    assert graph.nodes["feature:ads/query_terms_v1"]["status"] == "deprecated"
    assert graph.has_edge("feature:ads/query_terms_v1", "model:ads/ctr_model_2024")
    assert graph.nodes["feature:ads/page_layout_v2"]["status"] == "proposed"
    # Epsilon features: tiny weights into the CTR model.
    assert graph.edges["feature:ads/os_version", "model:ads/ctr_model"]["weight"] < 0.01


def nx_cycles(graph):
    import networkx as nx

    return [c for c in nx.strongly_connected_components(graph) if len(c) > 1]


def test_rebuilding_replaces_the_database(demo_db):
    with Store.open(demo_db) as store:
        first = store.counts()
    build_demo(demo_db)
    with Store.open(demo_db) as store:
        assert store.counts() == first


def test_most_central_feature_of_the_demo(demo_db):
    with Store.open(demo_db) as store:
        graph = load_graph(store)
    feature = most_central_feature(graph)
    assert graph.nodes[feature]["kind"] == "feature"
    import networkx as nx

    reach = len(nx.descendants(graph, feature))
    assert all(len(nx.descendants(graph, n)) <= reach for n, k in graph.nodes(data="kind") if k == "feature")


def run_demo(tmp_path, **env):
    db = tmp_path / "demo.db"
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "lineage", "--db", str(db), "demo"],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=180,
        env={**clean, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), **env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    built = rf"demo built at {re.escape(str(db))}: \d+ nodes, \d+ edges from \d+ imports"
    assert re.match(built, result.stdout.splitlines()[0])
    return result


def test_demo_without_a_display_prints_the_impact(tmp_path):
    result = run_demo(tmp_path)
    assert result.stdout.splitlines()[1].startswith("impact of feature:ads/")
    assert "not opening the explorer: no display" in result.stderr


def test_demo_with_lineage_screenshot_renders_the_explorer(tmp_path):
    shot = tmp_path / "demo.png"
    result = run_demo(tmp_path, LINEAGE_SCREENSHOT=str(shot))
    assert len(result.stdout.splitlines()) == 1
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_the_central_feature_of_a_large_graph_is_chosen_without_a_traversal_per_feature(monkeypatch):
    import networkx as nx

    from lineage.views import focus as view

    g = nx.DiGraph([("feature:a", "m1"), ("m1", "m2"), ("m2", "m3"), ("feature:b", "m1"), ("feature:b", "x")])
    nx.set_node_attributes(g, {"feature:a": "feature", "feature:b": "feature"}, "kind")
    # exact: both reach m1..m3, b also reaches x
    assert view.most_central_feature(g) == "feature:b"
    g.add_edges_from([("feature:a", f"c{i}") for i in range(3)])  # a: 4 readers, reaches 6
    assert view.most_central_feature(g) == "feature:a"
    g.add_edges_from([("x", f"y{i}") for i in range(9)])  # b: 2 readers, reaches 13
    assert view.most_central_feature(g) == "feature:b"
    monkeypatch.setattr(view, "LARGE", 5)
    assert view.most_central_feature(g) == "feature:a"  # the proxy: most direct readers
