"""The Feast importer: the dump of a real registry, detection, bad dumps, and the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lineage_importers.feast import FeastImporter

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from tests.conftest import DATA, read_problems, read_records

SAMPLE = DATA / "feast" / "feast_registry_dump.json"
IMPORTER = FeastImporter()

STATS = ["acc_rate", "avg_daily_trips", "conv_rate", "driver_config", "driver_metadata", "driver_profile"]
LABELS = ["is_reliable", "labeler", "quality_score", "reviewer_notes"]
ODFV = ["conv_rate_plus_val1", "conv_rate_plus_val2"]


def records(path: Path):
    return read_records(IMPORTER, path)


def f(view: str, feature: str) -> str:
    return f"feature:demo/{view}.{feature}"


def column(source: str, name: str) -> str:
    return f"field:demo/{source}#{name}"


def edge_through_column(source: str, view: str, names) -> list[tuple[str, str, str]]:
    return [e for x in names for e in ((f"dataset:demo/{source}", column(source, x), "has_field"),
                                        (column(source, x), f(view, x), "derives"))]  # fmt: skip


def test_the_dump_of_a_real_registry():
    nodes, edges, problems = records(SAMPLE)
    assert problems == []
    assert sorted(nodes) == sorted([
        "consumer:demo/driver_activity_v1", "consumer:demo/driver_activity_v2", "consumer:demo/driver_activity_v3",
        "dataset:demo/driver_hourly_stats_source", "dataset:demo/driver_quality_labels_batch",
        "dataset:demo/driver_quality_labels_push", "dataset:demo/driver_stats_push_source",
        "dataset:demo/vals_to_add",
        *(f("driver_hourly_stats", x) for x in STATS),
        *(f("driver_hourly_stats_fresh", x) for x in STATS),
        *(f("driver_quality_labels", x) for x in LABELS),
        *(f("transformed_conv_rate", x) for x in ODFV),
        *(f("transformed_conv_rate_fresh", x) for x in ODFV),
        # the columns of the data sources the features of the (not on-demand) views are
        *(column("driver_hourly_stats_source", x) for x in STATS),
        *(column("driver_stats_push_source", x) for x in STATS),
        *(column("driver_quality_labels_push", x) for x in LABELS),
    ])  # fmt: skip
    expected = [
        # a push source's batch source is upstream of it
        ("dataset:demo/driver_hourly_stats_source", "dataset:demo/driver_stats_push_source", "derives"),
        ("dataset:demo/driver_quality_labels_batch", "dataset:demo/driver_quality_labels_push", "derives"),
        # a feature view's features are columns of its source (the push source, for the fresh view):
        # source -> its column -> the feature (no field mapping in this registry: same names)
        *edge_through_column("driver_hourly_stats_source", "driver_hourly_stats", STATS),
        *edge_through_column("driver_stats_push_source", "driver_hourly_stats_fresh", STATS),
        *edge_through_column("driver_quality_labels_push", "driver_quality_labels", LABELS),
        # on-demand features from every feature of the projected view, and the request source
        *((f("driver_hourly_stats", x), f("transformed_conv_rate", y), "derives") for x in STATS for y in ODFV),
        *(("dataset:demo/vals_to_add", f("transformed_conv_rate", y), "derives") for y in ODFV),
        *((f("driver_hourly_stats_fresh", x), f("transformed_conv_rate_fresh", y), "derives")
          for x in STATS for y in ODFV),
        *(("dataset:demo/vals_to_add", f("transformed_conv_rate_fresh", y), "derives") for y in ODFV),
        # feature services read the projected columns: v1 only conv_rate of the stats view
        (f("driver_hourly_stats", "conv_rate"), "consumer:demo/driver_activity_v1", "reads"),
        *((f("transformed_conv_rate", y), "consumer:demo/driver_activity_v1", "reads") for y in ODFV),
        *((f("driver_hourly_stats", x), "consumer:demo/driver_activity_v2", "reads") for x in STATS),
        *((f("transformed_conv_rate", y), "consumer:demo/driver_activity_v2", "reads") for y in ODFV),
        *((f("driver_hourly_stats_fresh", x), "consumer:demo/driver_activity_v3", "reads") for x in STATS),
        *((f("transformed_conv_rate_fresh", y), "consumer:demo/driver_activity_v3", "reads") for y in ODFV),
    ]  # fmt: skip
    assert sorted(edges) == sorted(expected)
    assert len(edges) == len(expected) == 65 + 16  # a has_field edge for each of the 16 columns
    assert all(e.evidence == "declared" for e in edges.values())


def test_what_the_dump_says_is_kept():
    nodes, edges, _ = records(SAMPLE)
    trips = nodes[f("driver_hourly_stats", "avg_daily_trips")]
    assert str(trips.location) == f"{SAMPLE}:363"
    assert trips.team == "driver_performance" and trips.tags == ("team=driver_performance",)
    assert trips.attributes["entities"] == [{"name": "driver", "join_key": "driver_id", "value_type": "INT64"}]
    assert trips.attributes["ttl"] == "86400s"
    assert trips.attributes["value_type"] == "INT64"
    assert trips.attributes["description"] == "Average daily trips"
    assert trips.attributes["view_kind"] == "feature view"
    assert trips.attributes["sources"] == ["driver_hourly_stats_source"]
    source = nodes["dataset:demo/driver_hourly_stats_source"].attributes
    assert (source["type"], source["uri"], source["timestamp_field"]) == (
        "BATCH_FILE", "data/driver_stats.parquet", "event_timestamp")  # fmt: skip
    assert nodes["dataset:demo/driver_stats_push_source"].attributes["batch_source"] == "driver_hourly_stats_source"
    assert nodes["dataset:demo/vals_to_add"].attributes["schema"] == [
        {"name": "val_to_add", "valueType": "INT64"}, {"name": "val_to_add_2", "valueType": "INT64"}]  # fmt: skip
    odfv = nodes[f("transformed_conv_rate", "conv_rate_plus_val1")].attributes
    assert odfv["view_kind"] == "on-demand feature view"
    assert odfv["sources"] == ["driver_hourly_stats", "vals_to_add"]
    assert "entities" not in odfv  # Feast's placeholder entity __dummy is not an entity
    label = nodes[f("driver_quality_labels", "is_reliable")].attributes
    assert (label["view_kind"], label["role"]) == ("label view", "label")
    assert label["entities"] == [{"name": "driver", "join_key": "driver_id", "value_type": "STRING"}]
    service = nodes["consumer:demo/driver_activity_v1"]
    assert service.attributes["logging"] == {"fileDestination": {"path": "data"}, "sampleRate": 1.0}
    edge = edges[(f("driver_hourly_stats", "conv_rate"), "consumer:demo/driver_activity_v1", "reads")]
    assert str(edge.location) == f"{SAMPLE}:139"  # the projected column


def test_sniff(tmp_path):
    assert IMPORTER.sniff(SAMPLE)
    assert not IMPORTER.sniff(DATA / "openlineage" / "client__python__tests__example_full_event.json")
    assert not IMPORTER.sniff(DATA / "small.yaml")
    assert not IMPORTER.sniff(tmp_path)
    renamed = tmp_path / "dump.txt"
    renamed.write_bytes(SAMPLE.read_bytes())
    assert not IMPORTER.sniff(renamed)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"entities": [], "views": []}))
    assert not IMPORTER.sniff(other)
    # The dump's keys are sorted: many data sources push the views past the first 4 KiB.
    data = json.loads(SAMPLE.read_text())
    data["dataSources"] = [{**data["dataSources"][0], "name": f"source_{i}"} for i in range(40)]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(data, indent=2, sort_keys=True))
    assert big.read_bytes().find(b'"featureViews"') > 4096
    assert IMPORTER.sniff(big)


def dump(tmp_path: Path, change) -> Path:
    """The sample changed by ``change``, written as `feast registry-dump` writes (indent 2, sorted)."""
    data = json.loads(SAMPLE.read_text())
    change(data)
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def _spec(data, section, index):
    return data[section][index]["spec"]


BAD = [
    ("feature view without a name",
     lambda d: _spec(d, "featureViews", 0).pop("name"),
     ["dump.json:329: a feature view needs a 'name'",
      # its features are gone, so what reads them is reported too
      "dump.json:613: on-demand feature view 'transformed_conv_rate' reads feature view "
      "'driver_hourly_stats', which the dump does not define",
      "dump.json:123: feature service 'driver_activity_v1' reads feature view 'driver_hourly_stats', "
      "which the dump does not define",
      "dump.json:179: feature service 'driver_activity_v2' reads feature view 'driver_hourly_stats', "
      "which the dump does not define"]),
    ("feature without a name",
     lambda d: _spec(d, "featureViews", 1)["features"][2].pop("name"),
     ["dump.json:434: a feature of feature view 'driver_hourly_stats_fresh' needs a 'name'",
      "dump.json:756: on-demand feature view 'transformed_conv_rate_fresh' reads feature 'avg_daily_trips', "
      "which feature view 'driver_hourly_stats_fresh' does not have",
      "dump.json:280: feature service 'driver_activity_v3' reads feature 'avg_daily_trips', "
      "which feature view 'driver_hourly_stats_fresh' does not have"]),
    ("service reads a view that does not exist",
     lambda d: _spec(d, "featureServices", 2)["features"][1].update(featureViewName="driver_ratings"),
     ["dump.json:304: feature service 'driver_activity_v3' reads feature view 'driver_ratings', "
      "which the dump does not define"]),
    ("service reads a feature the view does not have",
     lambda d: _spec(d, "featureServices", 0)["features"][0]["featureColumns"][0].update(name="conv"),
     ["dump.json:139: feature service 'driver_activity_v1' reads feature 'conv', "
      "which feature view 'driver_hourly_stats' does not have"]),
    ("service projection without a view name",
     lambda d: _spec(d, "featureServices", 0)["features"][1].pop("featureViewName"),
     ["dump.json:148: a feature view projection of feature service 'driver_activity_v1' needs a "
      "'featureViewName'"]),
    ("service without a name",
     lambda d: _spec(d, "featureServices", 1).pop("name"),
     ["dump.json:177: a feature service needs a 'name'"]),
    ("data source without a name",
     lambda d: d["dataSources"][4].pop("name"),
     ["dump.json:72: a data source needs a 'name'"]),
    ("a data source defined twice",
     lambda d: d["dataSources"].append(d["dataSources"][0]),
     ["dump.json:92: data source 'driver_hourly_stats_source' is defined twice (first at dump.json:3)"]),
    ("view uses an entity that does not exist",
     lambda d: _spec(d, "featureViews", 0).update(entities=["rider"]),
     ["dump.json:346: feature view 'driver_hourly_stats' uses entity 'rider', which the dump does not define"]),
    ("a view defined twice",
     lambda d: d.update(streamFeatureViews=[d["featureViews"][0]]),
     ["dump.json:819: stream feature view 'driver_hourly_stats' is defined twice (first at dump.json:329)"]),
    ("a section that is not a list",
     lambda d: d.update(entities={"driver": {}}),
     ["dump.json:93: entities must be a list, not object",
      "dump.json:327: feature view 'driver_hourly_stats' uses entity 'driver', which the dump does not define",
      "dump.json:398: feature view 'driver_hourly_stats_fresh' uses entity 'driver', "
      "which the dump does not define",
      "dump.json:492: label view 'driver_quality_labels' uses entity 'driver', which the dump does not define"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_dumps_name_file_and_line(tmp_path, name, change, expected):
    path = dump(tmp_path, change)
    _, _, problems = records(path)
    assert problems == [p.replace("dump.json", str(tmp_path / "dump.json")) for p in expected]


def test_a_problem_blocks_the_import_unless_lenient(tmp_path, monkeypatch):
    monkeypatch.setattr("lineage.ingest.registry.importers", lambda: (FeastImporter(),))
    path = dump(tmp_path, lambda d: _spec(d, "featureServices", 2)["features"][1].update(featureViewName="x"))
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [path], fmt="feast")
        assert not report.committed and store.counts()["nodes"] == 0
        assert [str(p) for p in report.problems] == [
            f"{path}:304: feature service 'driver_activity_v3' reads feature view 'x', which the dump does not define"
        ]
        assert import_paths(store, [path], fmt="feast", lenient=True).committed
        assert store.counts()["nodes"] == 44  # test_the_dump_of_a_real_registry: 28 and 16 columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "dump.json:1: invalid JSON: Expecting property name enclosed in double quotes"),
        ('{\n  "featureViews": [],\n  "featureViews": []\n}', "dump.json:3: duplicate key 'featureViews'"),
        ("[1, 2]", "dump.json:1: a Feast registry dump must be a JSON object"),
        (
            '{"project": 7}',
            "dump.json#/project: project must be a string, not integer",
        ),  # one line: a pointer says more
    ],
)
def test_unreadable_dumps(tmp_path, text, message):
    path = tmp_path / "dump.json"
    path.write_text(text)
    assert read_problems(IMPORTER, path) == [f"{tmp_path}/{message}"]


def test_top_level_data_sources_win_over_embedded_copies_in_any_order(tmp_path):
    path = dump(tmp_path, lambda d: d["dataSources"].reverse())  # push sources before their batch sources
    nodes, edges, problems = records(path)
    expected_nodes, expected_edges, _ = records(SAMPLE)
    assert problems == []
    assert sorted(nodes) == sorted(expected_nodes) and sorted(edges) == sorted(expected_edges)
    batch = nodes["dataset:demo/driver_hourly_stats_source"]
    assert str(batch.location) == f"{path}:79"  # the last top-level entry, not the copy inside the push source
    assert batch.attributes["last_updated"] == "2026-11-26T17:52:53.153702Z"


def test_older_dumps_name_the_project_in_each_object(tmp_path):
    def older(d):
        project = d.pop("project")
        for source in d["dataSources"]:
            source["project"] = project
        for section in ("featureViews", "onDemandFeatureViews", "featureServices", "labelViews"):
            for item in d[section]:
                item["spec"]["project"] = project

    nodes, edges, problems = records(dump(tmp_path, older))
    expected_nodes, expected_edges, _ = records(SAMPLE)
    assert problems == []
    assert sorted(nodes) == sorted(expected_nodes) and sorted(edges) == sorted(expected_edges)


def test_through_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr("lineage.ingest.registry.importers", lambda: (FeastImporter(),))
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [SAMPLE], fmt="feast")
        assert report.ok and report.committed
        graph = load_graph(store)
        assert store.counts()["nodes"] == 44  # test_the_dump_of_a_real_registry: 28 and 16 columns
        kinds = sorted(k for _, k in graph.nodes(data="kind"))
        assert kinds.count("feature") == 20 and kinds.count("dataset") == 5 and kinds.count("consumer") == 3
        conv = column("driver_stats_push_source", "conv_rate")
        assert graph.has_edge("dataset:demo/driver_stats_push_source", conv)
        assert list(graph.predecessors(f("driver_hourly_stats_fresh", "conv_rate"))) == [conv]
        assert graph.has_edge(f("transformed_conv_rate", "conv_rate_plus_val1"), "consumer:demo/driver_activity_v2")
        assert graph.edges[f("driver_hourly_stats", "conv_rate"), "consumer:demo/driver_activity_v1"]["declared"]
        node = store.node(f("driver_hourly_stats", "conv_rate"))
        assert node["team"] == "driver_performance"
        assert node["attributes"]["entities"][0]["join_key"] == "driver_id"
        # the same dump again changes nothing
        assert import_paths(store, [SAMPLE], fmt="feast").ok
        assert store.counts()["nodes"] == 44  # test_the_dump_of_a_real_registry: 28 and 16 columns


def test_a_field_mapping_names_the_sources_column_a_feature_is(tmp_path):
    data = json.loads(SAMPLE.read_text())
    source = next(s for s in data["dataSources"] if s["name"] == "driver_hourly_stats_source")
    source["fieldMapping"] = {"conv": "conv_rate"}  # the table's column conv is the feature conv_rate
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(data))
    _, edges, problems = records(path)
    assert problems == []
    assert (column("driver_hourly_stats_source", "conv"), f("driver_hourly_stats", "conv_rate"), "derives") in edges
    assert not any(t == column("driver_hourly_stats_source", "conv_rate") for _, t, _ in edges)
