"""Each finding on small hand-built graphs, then all of them on the demo."""

from __future__ import annotations

import networkx as nx
import pytest

from lineage.analyses import (
    FINDING_KINDS,
    FlagGeneration,
    bundled_features,
    cace_hotspots,
    correction_cascades,
    dead_flags,
    deprecated_in_use,
    downstream_counts,
    epsilon_features,
    feedback_loops,
    find_all,
    legacy_features,
    undeclared_consumers,
    unused_features,
)
from lineage.analyses import hotspots as hotspots_module
from lineage.demo import build_demo
from lineage.graph import load_graph
from lineage.store import Store

KIND = {"d": "dataset", "f": "feature", "m": "model", "c": "consumer", "j": "job", "g": "flag"}


def graph(*edges, declared=True, **node_attrs):
    """Nodes named by kind letter + name ("f:x" is a feature); edges (u, v[, attrs])."""
    g = nx.DiGraph()
    for edge in edges:
        u, v, *rest = edge
        attrs = {"declared": declared, "observed": not declared, **(rest[0] if rest else {})}
        g.add_edge(u, v, **attrs)
    for n in g:
        g.nodes[n].update(kind=KIND[n[0]], name=n[2:], status="active", declared=True)
    for n, attrs in node_attrs.items():
        g.nodes[n.replace("_", ":", 1)].update(attrs)
    return g


def test_loops_self_loops_and_hidden_edges():
    g = graph(("m:a", "c:s"), ("c:s", "d:log"), ("d:log", "f:x"), ("f:x", "m:a"), ("j:t", "j:t"),
              ("d:q", "f:y"))  # fmt: skip
    g.edges["c:s", "d:log"].update(declared=False, observed=True)
    loops = feedback_loops(g)
    assert [(f.nodes, f.details["hidden"], f.details["size"]) for f in loops] == [
        (("c:s", "d:log", "f:x", "m:a"), True, 4),
        (("j:t",), False, 1),
    ]
    assert loops[0].details["hidden_edges"] == [["c:s", "d:log"]]
    assert feedback_loops(graph(("d:a", "f:b"))) == []


def test_declared_loop_starts_at_its_model():
    g = graph(("m:a", "c:s"), ("c:s", "d:log"), ("d:log", "f:x"), ("f:x", "m:a"))
    assert feedback_loops(g)[0].nodes == ("m:a", "c:s", "d:log", "f:x")
    assert feedback_loops(g)[0].details["hidden"] is False


def test_undeclared_consumers_need_an_observed_only_edge_from_a_model():
    g = graph(("m:a", "c:known"), ("m:a", "c:seen"), ("d:x", "c:other"))
    g.edges["m:a", "c:seen"].update(declared=False, observed=True)
    g.edges["d:x", "c:other"].update(declared=False, observed=True)
    assert [f.nodes for f in undeclared_consumers(g)] == [("c:seen", "m:a")]


def test_unused_features_have_no_path_to_a_model():
    g = graph(("f:direct", "m:a"), ("f:via", "d:t"), ("d:t", "m:a"), ("f:lost", "d:u"))
    g.add_node("f:alone", kind="feature")
    assert [f.nodes for f in unused_features(g)] == [("f:alone",), ("f:lost",)]


def test_legacy_features():
    g = graph(("f:old", "m:v1"), ("f:shared", "m:v1"), ("f:shared", "m:v2"), ("f:dep", "m:v2"),
              ("f:unread", "d:x"), m_v1={"current": False},
              f_dep={"status": "deprecated", "deprecated_on": "2025-01-01"})  # fmt: skip
    found = {f.nodes[0]: f for f in legacy_features(g)}
    assert sorted(found) == ["f:dep", "f:old"]
    assert found["f:old"].details["why"] == "old_models_only"
    assert found["f:dep"].reason == "deprecated since 2025-01-01 but still read by v2"
    g.nodes["m:v1"]["current"] = None
    g.nodes["m:v1"]["status"] = "deprecated"
    assert [f.nodes[0] for f in legacy_features(g)] == ["f:dep", "f:old"]


def test_epsilon_features_judge_every_reader_and_skip_missing_weights():
    g = graph(("f:tiny", "m:a", {"weight": 0.5}), ("f:big", "m:a", {"weight": 99.5}),
              ("f:tiny", "m:b", {"weight": 0.5}), ("f:x", "m:b", {"weight": 1}),
              ("f:unweighted", "m:a"))  # fmt: skip
    assert [f.nodes for f in epsilon_features(g)] == []  # tiny is a third of b: strong there
    g.edges["f:tiny", "m:b"]["weight"] = 0.00001
    g.edges["f:x", "m:b"]["weight"] = 1000
    found = epsilon_features(g)
    assert [f.nodes for f in found] == [("f:tiny", "m:a", "m:b")]
    assert found[0].details["shares"] == {"m:a": 0.005, "m:b": 0.0}
    assert [f.nodes[0] for f in epsilon_features(g, threshold=0.5)] == ["f:tiny"]


def test_bundles_group_by_source_and_model():
    g = graph(("d:ua", "f:device"), ("d:ua", "f:os"), ("d:q", "f:terms"),
              ("f:device", "m:a", {"weight": 0.5}), ("f:os", "m:a", {"weight": 0.001}),
              ("f:terms", "m:a", {"weight": 0.499}))  # fmt: skip
    found = bundled_features(g)
    assert [(f.details["source"], f.details["members"], f.details["weak"]) for f in found] == [
        ("d:ua", ["f:device", "f:os"], ["f:os"])
    ]
    g.edges["f:os", "m:a"]["weight"] = 0.2
    assert bundled_features(g) == []


def test_cascades_pass_jobs_and_datasets_but_not_consumers():
    g = graph(("m:base", "m:fix1"), ("m:fix1", "d:out"), ("d:out", "j:train"), ("j:train", "m:fix2"),
              ("m:base", "c:srv"), ("c:srv", "m:other"), ("m:base", "m:fix1b"))  # fmt: skip
    chains = [f.nodes for f in correction_cascades(g)]
    assert chains == [("m:base", "m:fix1", "m:fix2"), ("m:base", "m:fix1b")]


def test_cascades_in_a_model_cycle_are_still_reported():
    g = graph(("m:a", "m:b"), ("m:b", "m:a"))
    assert [f.nodes for f in correction_cascades(g)] == [("m:a", "m:b")]


def test_dead_and_repurposed_flags():
    g = graph(("g:live", "m:a"), ("g:stale", "f:old"), ("g:ghost", "j:gone"),
              f_old={"status": "deprecated"}, j_gone={"declared": False})  # fmt: skip
    g.add_node("g:none", kind="flag", name="none")
    found = {(f.nodes[0], f.details["why"]) for f in dead_flags(g)}
    assert found == {("g:stale", "only_dead_targets"), ("g:ghost", "only_dead_targets"),
                     ("g:none", "configures_nothing")}  # fmt: skip
    history = [
        FlagGeneration("g:live", "s.yaml", "2025-01-01", frozenset({"j:router"})),
        FlagGeneration("g:live", "s.yaml", "2025-06-01", frozenset({"j:router", "m:a"})),  # added
        FlagGeneration("g:live", "s.yaml", "2026-01-01", frozenset({"m:a"})),  # dropped only
        FlagGeneration("g:live", "t.yaml", "2025-01-01", frozenset({"m:x"})),
        FlagGeneration("g:live", "t.yaml", "2026-01-01", frozenset({"m:a"})),  # swapped
    ]
    repurposed = [f for f in dead_flags(g, history) if f.details["why"] == "repurposed"]
    assert [(f.details["source"], f.details["before"], f.details["after"]) for f in repurposed] == [
        ("t.yaml", ["m:x"], ["m:a"])
    ]


def test_deprecated_in_use_lists_live_users_and_owners():
    g = graph(("f:old", "m:a"), ("m:a", "c:web"), ("f:old", "m:v1"), ("f:gone", "d:x"),
              f_old={"status": "deprecated"}, f_gone={"status": "deprecated"},
              m_v1={"current": False}, c_web={"owner": "web"}, m_a={"team": "ranking"})  # fmt: skip
    found = deprecated_in_use(g)
    assert [(f.nodes, f.details["owners"]) for f in found] == [(("f:old", "c:web", "m:a"), ["ranking", "web"])]


def test_hotspots_rank_by_reach_then_betweenness():
    g = graph(("d:src", "f:a"), ("f:a", "m:m"), ("m:m", "c:x"), ("m:m", "c:y"), ("d:other", "c:y"))
    found = cace_hotspots(g, top=3)
    assert [(f.nodes[0], f.details["downstream"]) for f in found] == [
        ("d:src", 4), ("f:a", 3), ("m:m", 2)
    ]  # fmt: skip


def test_reach_estimate_is_close_on_large_graphs(monkeypatch):
    g = nx.gn_graph(3000, seed=3).reverse()  # a tree: each node reaches its subtree
    exact, estimated = downstream_counts(g)
    assert estimated is False
    monkeypatch.setattr(hotspots_module, "EXACT_REACH_UP_TO", 10)
    approx, estimated = downstream_counts(g)
    assert estimated is True
    big = [n for n in g if exact[n] >= 500]
    assert big and all(abs(approx[n] - exact[n]) / exact[n] < 0.35 for n in big)
    for n in g:
        assert exact[n] == len(nx.descendants(g, n))


def test_find_all_has_every_key_and_rejects_unknown_ones():
    g = graph(("f:a", "m:b"))
    assert list(find_all(g)) == list(FINDING_KINDS)
    assert list(find_all(g, only=["dead_flags"])) == ["dead_flags"]
    with pytest.raises(ValueError, match="unknown finding kind 'nope'"):
        find_all(g, only=["nope"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("findings") / "demo.db"
    build_demo(path)
    with Store.open(path) as store:
        graph = load_graph(store)
        history = [FlagGeneration(*row) for row in store.flag_history()]
    return find_all(graph, flag_history=history)


def ids(found, kind):
    return [f.nodes for f in found[kind]]


def test_demo_reports_the_debt_patterns_of_the_talk(demo):
    loop = demo["feedback_loops"][0]
    assert {
        "model:ads/ctr_model",
        "consumer:ads/ad_server",
        "feature:ads/historical_ctr",
        "feature:ads/font_size",
        "consumer:ads/font_size_module",
    } <= set(loop.details["members"])
    # The font-size loop of the talk: hidden, because only the serving log shows the module
    # reading predicted CTR.
    assert loop.details["hidden"]
    assert loop.nodes == (
        "model:ads/ctr_model",
        "consumer:ads/font_size_module",
        "dataset:ads/font_render_log",
        "feature:ads/font_size",
    )
    assert [f.nodes[0] for f in demo["undeclared_consumers"]] == [
        "consumer:ads/font_size_module",
        "consumer:ads/fraud_monitor",
    ]
    assert ("model:ads/ctr_model", "model:ads/ctr_correction_de", "model:ads/ctr_correction_de_mobile") in ids(
        demo, "correction_cascades"
    )
    assert ("feature:ads/query_sentiment",) in ids(demo, "unused_features")
    assert [f.nodes[0] for f in demo["legacy_features"]] == [
        "feature:ads/advertiser_age_days",
        "feature:ads/query_terms_v1",
    ]
    assert {f.nodes[0] for f in demo["epsilon_features"]} >= {
        "feature:ads/day_of_week",
        "feature:ads/browser_version",
        "feature:ads/os_version",
    }
    bundle = next(f for f in demo["bundled_features"] if f.details["source"] == "dataset:ads/user_agent_log")
    assert bundle.details["weak"] == ["feature:ads/browser_version", "feature:ads/os_version"]
    flags = {f.nodes[0]: f.details for f in demo["dead_flags"]}
    assert flags["flag:ads/experimental_ctr_boost"]["why"] == "configures_nothing"
    assert flags["flag:ads/use_v1_tokenizer"]["why"] == "only_dead_targets"
    assert flags["flag:ads/enable_fast_path"]["before"] == ["consumer:ads/power_peg_router"]
    assert flags["flag:ads/enable_fast_path"]["after"] == ["consumer:ads/rlp_router"]
    in_use = {f.nodes[0]: f.details["owners"] for f in demo["deprecated_in_use"]}
    assert in_use["feature:ads/query_terms_v1"] == ["partnerships"]
    assert len(demo["cace_hotspots"]) == 10
    # The column the CTR features are made of: its ad_id is the aggregate's column no feature reads.
    assert [f.nodes for f in demo["unused_fields"]] == [("field:ads/ctr_daily_aggregates#ad_id",)]
    # Every pattern but one: the demo keeps no history of column types for changed_feature_columns
    # (tests/importers/test_dbt_columns.py finds it in jaffle_shop, a dbt change later).
    shown = [k for k in FINDING_KINDS if k != "changed_feature_columns"]
    assert all(demo[kind] for kind in shown), [k for k in shown if not demo[k]]


def test_features_a_feast_feature_service_serves_are_in_use(lineage):
    """A real `feast registry-dump` (feast init demo): the three feature services project every
    feature of driver_hourly_stats, driver_hourly_stats_fresh and both transformed_conv_rate views
    (read off the file's featureServices); only the label view's four fields are served by none."""
    from pathlib import Path

    sample = Path(__file__).parents[3] / "shared" / "samples" / "feast-generated" / "feast_registry_dump.json"
    if not sample.exists():
        pytest.skip("../shared/samples is not beside the checkout")
    assert lineage("import", str(sample)).exit_code == 0
    with Store.open(lineage.db) as store:
        found = find_all(load_graph(store))["unused_features"]
    assert sorted(f.nodes[0] for f in found) == [
        "feature:demo/driver_quality_labels.is_reliable", "feature:demo/driver_quality_labels.labeler",
        "feature:demo/driver_quality_labels.quality_score", "feature:demo/driver_quality_labels.reviewer_notes",
    ]  # fmt: skip
