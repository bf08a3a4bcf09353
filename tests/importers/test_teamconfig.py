"""Teams' own configs, read by the rules of a manifest: selectors, flags, and errors."""

from __future__ import annotations

import pytest
from lineage_importers.teamconfig import SelectorError, select

from lineage.analyses import FlagGeneration, dead_flags
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from lineage.when import parse_when

MANIFEST = """lineage_manifest: 1
namespace: ads
configs:
  - paths: "configs/models/*.yaml"
    name: "$.model.name"
    owner: "$.model.owner"
    features: "$.model.features[*]"
    inputs: "$.training.tables[*]"
    consumers: "$.serving.consumers[*]"
    flags: "$.flags"
  - paths: "configs/flags.toml"
    flags: "$.flags"
"""
CTR = """model:
  name: ctr_model
  owner: ctr-modeling
  features:
    - query_terms
    - {name: ad_id, weight: 0.3}
training:
  tables: [click_log]
serving:
  consumers: [ad_server]
flags:
  calibration_temperature: 1.3
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "configs" / "models").mkdir(parents=True)
    (tmp_path / "lineage.yaml").write_text(MANIFEST)
    (tmp_path / "configs" / "models" / "ctr.yaml").write_text(CTR)
    (tmp_path / "configs" / "flags.toml").write_text("[flags]\nlegacy_power_peg = false\n")
    (tmp_path / "configs" / "notes.yaml").write_text("not: a config any rule names\n")
    return tmp_path


def test_configs_become_declared_edges_and_flags(repo):
    with Store.open(repo.parent / f"{repo.name}.db", create=True) as store:
        report = import_paths(store, [repo])
        assert report.ok, report.problems
        assert sorted(u.importer for u in report.units) == ["config", "config", "manifest"]
        assert "notes.yaml" in [s.rsplit("/", 1)[-1] for s in report.skipped]
        graph = load_graph(store)
        provenance = store.edge_provenance("feature:ads/ad_id", "model:ads/ctr_model", "reads")
    assert sorted(graph.edges) == [
        ("dataset:ads/click_log", "model:ads/ctr_model"),
        ("feature:ads/ad_id", "model:ads/ctr_model"),
        ("feature:ads/query_terms", "model:ads/ctr_model"),
        ("flag:ads/calibration_temperature", "model:ads/ctr_model"),
        ("model:ads/ctr_model", "consumer:ads/ad_server"),
    ]
    assert graph.edges["feature:ads/ad_id", "model:ads/ctr_model"]["weight"] == 0.3
    assert graph.nodes["model:ads/ctr_model"]["owner"] == "ctr-modeling"
    assert provenance[0]["line"] == 6
    assert graph.out_degree("flag:ads/legacy_power_peg") == 0


def test_rules_stored_earlier_apply_to_a_later_import(repo):
    with Store.open(repo.parent / f"{repo.name}.db", create=True) as store:
        assert import_paths(store, [repo / "lineage.yaml"]).ok
        report = import_paths(store, [repo / "configs" / "models" / "ctr.yaml"])
        assert report.ok and report.units[0].importer == "config"


def test_a_flag_nothing_reads_and_a_repurposed_flag_reach_the_dead_flag_analysis(repo):
    ctr = repo / "configs" / "models" / "ctr.yaml"
    with Store.open(repo.parent / f"{repo.name}.db", create=True) as store:
        import_paths(store, [repo], valid_at=parse_when("2025-01-01"))
        ctr.write_text(CTR.replace("ctr_model", "rlp_router"))
        import_paths(store, [repo], valid_at=parse_when("2025-06-01"))
        graph = load_graph(store)
        history = [FlagGeneration(*row) for row in store.flag_history()]
    found = {(f.nodes[0], f.details["why"]) for f in dead_flags(graph, history)}
    assert ("flag:ads/legacy_power_peg", "configures_nothing") in found
    assert ("flag:ads/calibration_temperature", "repurposed") in found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "model:\n  name: x\n",
            "ctr.yaml:1: owner selector '$.model.owner' of the configs: rule at {manifest}:4 matches nothing here",
        ),
        ("model:\n  name: x\n  name: y\n", "ctr.yaml:3: duplicate key 'name' (first at line 2)"),
        ("model: [unclosed\n", "ctr.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_bad_configs_name_file_and_line_and_write_nothing(repo, text, message):
    (repo / "configs" / "models" / "ctr.yaml").write_text(text)
    with Store.open(repo.parent / f"{repo.name}.db", create=True) as store:
        report = import_paths(store, [repo])
        assert not report.committed and store.counts()["nodes"] == 0
    shown = [str(p).replace(str(repo / "configs" / "models") + "/", "") for p in report.problems]
    assert shown == [message.format(manifest=repo / "lineage.yaml")]


def test_selectors():
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}, "m": {"x": 1, "y": 2}, "weird key": 3}
    assert select(doc, "$.a.b[*].c") == [(1, "/a/b/0/c"), (2, "/a/b/1/c")]
    assert select(doc, "$.a.b[1]") == [({"c": 2}, "/a/b/1")]
    assert select(doc, "$.m.*") == [(1, "/m/x"), (2, "/m/y")]
    assert select(doc, "$['weird key']") == [(3, "/weird key")]
    with pytest.raises(SelectorError):
        select(doc, "a.b")
    with pytest.raises(SelectorError):
        select(doc, "$.a..b")
