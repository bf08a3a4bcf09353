"""The DataHub importer: file-sink output of real DataHub sources, identity, and bad records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lineage_importers.datahub import DataHubImporter, split_urn

from lineage.graph import load_graph
from lineage.importing import import_paths
from lineage.records import EdgeRecord, NodeRecord, Problem
from lineage.store import Store
from tests.conftest import DATA

SAMPLES = DATA / "datahub"
MLFLOW_MCPS = SAMPLES / "generated__datahub_mlflow_source_file_sink_mcps.json"
FEAST_MCES = SAMPLES / "metadata-ingestion__tests__integration__feast__feast_repository_mces_golden.json"
IMPORTER = DataHubImporter()


def records(path: Path):
    out = list(IMPORTER.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord) and not r.reference}
    edges = {(r.source, r.target, r.kind) for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


def test_mlflow_source_mcps():
    assert IMPORTER.sniff(MLFLOW_MCPS)
    nodes, edges, problems = records(MLFLOW_MCPS)
    assert problems == []
    assert sorted(nodes) == [
        "dataset:mlflow/churn_features", "job:mlflow/churn/train_lr@db155a06",
        "model:mlflow/churn_model", "model:mlflow/churn_model/v1",
    ]
    assert sorted(edges) == [
        ("dataset:mlflow/churn_features", "job:mlflow/churn/train_lr@db155a06", "reads"),
        ("dataset:s3/churn_features", "dataset:mlflow/churn_features", "derives"),
        ("job:mlflow/churn/train_lr@db155a06", "model:mlflow/churn_model/v1", "writes"),
        ("model:mlflow/churn_model/v1", "model:mlflow/churn_model", "version_of"),
    ]
    assert nodes["dataset:mlflow/churn_features"].attributes["fields"][:1] == ["age"]
    assert nodes["model:mlflow/churn_model/v1"].tags == ("mlflow_none",)
    assert "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_model_1,PROD)" in nodes["model:mlflow/churn_model/v1"].aliases


def test_feast_source_mces():
    nodes, edges, problems = records(FEAST_MCES)
    assert problems == []
    features = sorted(n for n in nodes if n.startswith("feature:"))
    assert features == [
        "feature:feature_store.driver_hourly_stats/acc_rate",
        "feature:feature_store.driver_hourly_stats/avg_daily_trips",
        "feature:feature_store.driver_hourly_stats/conv_rate",
        "feature:feature_store.driver_hourly_stats/driver_id",
        "feature:feature_store.driver_hourly_stats/string_feature",
        "feature:feature_store.transformed_conv_rate/conv_rate_plus_val1",
        "feature:feature_store.transformed_conv_rate/conv_rate_plus_val2",
    ]
    assert ("dataset:request/vals_to_add", "feature:feature_store.transformed_conv_rate/conv_rate_plus_val1",
            "derives") in edges
    key = nodes["feature:feature_store.driver_hourly_stats/driver_id"]
    assert "primary-key" in key.tags and key.attributes["feature_table"] == "feature_store.driver_hourly_stats"


def test_one_model_imported_from_two_sources_is_one_node(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [MLFLOW_MCPS]).ok
        assert import_paths(store, [DATA / "mlflow" / "mlflow2_filestore" / "mlruns"]).ok
        graph = load_graph(store)
        sources = {p["importer"] for p in store.node_provenance("model:mlflow/churn_model/v1")}
    assert sources == {"datahub", "mlflow"}
    assert sorted(n for n in graph if n.startswith("model:")) == [
        "model:mlflow/churn_model", "model:mlflow/churn_model/v1"]
    assert len([n for n in graph if n.startswith("job:")]) == 1


def test_aliases_in_a_manifest_join_a_urn_to_a_declared_node(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "lineage_manifest: 1\nnamespace: churn\ndatasets:\n  - name: raw_features\n    aliases:\n"
        "      - 'urn:li:dataset:(urn:li:dataPlatform:s3,churn_features,PROD)'\n"
    )
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [manifest]).ok
        assert import_paths(store, [MLFLOW_MCPS]).ok
        graph = load_graph(store)
    assert graph.has_edge("dataset:churn/raw_features", "dataset:mlflow/churn_features")
    assert "dataset:s3/churn_features" not in graph


def write(tmp_path, records_):
    path = tmp_path / "mcps.json"
    path.write_text(json.dumps(records_, indent=1))
    return path


URN = "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)"
BAD = [
    ([5], "mcps.json:2: a record must be a JSON object (an MCE or an MCP)"),
    ([{"entityUrn": URN, "aspect": {"json": {}}}], "mcps.json:2: an MCP needs an 'aspectName'"),
    ([{"aspectName": "status", "aspect": {"json": {}}}], "mcps.json:2: an MCP needs an 'entityUrn'"),
    ([{"entityUrn": "dataset:x", "aspectName": "status", "aspect": {"json": {}}}],
     "mcps.json:2: not a DataHub URN: 'dataset:x'"),
    ([{"entityUrn": URN, "aspectName": "status", "aspect": {"value": "{oops", "contentType": "application/json"}}],
     "mcps.json:6: the aspect is not valid JSON: Expecting property name enclosed in double quotes"),
    ([{"proposedSnapshot": {"a": {}, "b": {}}}], "mcps.json:2: proposedSnapshot must hold exactly one snapshot"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_records_name_file_and_line(tmp_path, body, message):
    _, _, problems = records(write(tmp_path, body))
    assert [p.replace(str(tmp_path) + "/", "") for p in problems] == [message]


def test_not_a_list_and_removed_entities(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('"just a string"')
    with pytest.raises(Exception, match="expected a JSON list"):
        list(IMPORTER.read(path))
    removed = [{"entityUrn": URN, "aspectName": "status", "aspect": {"json": {"removed": True}}}]
    assert records(write(tmp_path, removed))[0] == {}


def test_split_urn_keeps_nested_urns_whole():
    assert split_urn("urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_model_1,PROD)") == (
        "mlModel", ["urn:li:dataPlatform:mlflow", "churn_model_1", "PROD"])
    with pytest.raises(ValueError):
        split_urn("urn:li:")
