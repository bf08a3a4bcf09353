"""The Kedro importer: Kedro-Viz's pipeline JSON (api/main), detection, bad files, and the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lineage_importers.kedro import KedroImporter
from lineage_importers.kfp import KfpImporter

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from tests.conftest import DATA, read_problems, read_records

KEDRO = DATA / "kedro"
SPACEFLIGHTS = KEDRO / "src__utils__data__spaceflights.mock.json"
DEMO = KEDRO / "src__utils__data__demo.mock.json"
DEMO_EXPECTED = KEDRO / "demo.mock.expected.json"
EVENTS = KEDRO / "demo-project__.viz__kedro_pipeline_events.json"
STATS = KEDRO / "demo-project__.viz__stats.json"
IMPORTER = KedroImporter()


def records(path: Path):
    return read_records(IMPORTER, path)


DP, DS = "data_processing", "data_science"


def dp(name: str) -> str:
    return f"dataset:{DP}/{DP}.{name}"


def ds(name: str) -> str:
    return f"dataset:{DS}/{DS}.{name}"


def test_the_spaceflights_pipeline():
    nodes, edges, problems = records(SPACEFLIGHTS)
    assert problems == []
    assert sorted(nodes) == sorted([
        f"job:{DP}/preprocess_shuttles_node", f"job:{DP}/preprocess_companies_node",
        f"job:{DP}/create_model_input_table_node",
        f"job:{DS}/split_data_node", f"job:{DS}/train_model_node", f"job:{DS}/evaluate_model_node",
        dp("shuttles"), dp("companies"), dp("reviews"), dp("preprocessed_shuttles"), dp("preprocessed_companies"),
        "dataset:model_input_table", "dataset:metrics",
        ds("X_train"), ds("X_test"), ds("y_train"), ds("y_test"), ds("regressor"),
        "flag:parameters",
    ])  # fmt: skip
    expected = [
        (dp("shuttles"), f"job:{DP}/preprocess_shuttles_node", "reads"),
        (f"job:{DP}/preprocess_shuttles_node", dp("preprocessed_shuttles"), "writes"),
        (dp("companies"), f"job:{DP}/preprocess_companies_node", "reads"),
        (f"job:{DP}/preprocess_companies_node", dp("preprocessed_companies"), "writes"),
        (dp("preprocessed_shuttles"), f"job:{DP}/create_model_input_table_node", "reads"),
        (dp("preprocessed_companies"), f"job:{DP}/create_model_input_table_node", "reads"),
        (dp("reviews"), f"job:{DP}/create_model_input_table_node", "reads"),
        (f"job:{DP}/create_model_input_table_node", "dataset:model_input_table", "writes"),
        ("dataset:model_input_table", f"job:{DS}/split_data_node", "reads"),
        ("flag:parameters", f"job:{DS}/split_data_node", "configures"),
        *((f"job:{DS}/split_data_node", ds(x), "writes") for x in ("X_train", "X_test", "y_train", "y_test")),
        (ds("X_train"), f"job:{DS}/train_model_node", "reads"),
        (ds("y_train"), f"job:{DS}/train_model_node", "reads"),
        (f"job:{DS}/train_model_node", ds("regressor"), "writes"),
        (ds("regressor"), f"job:{DS}/evaluate_model_node", "reads"),
        (ds("X_test"), f"job:{DS}/evaluate_model_node", "reads"),
        (ds("y_test"), f"job:{DS}/evaluate_model_node", "reads"),
        (f"job:{DS}/evaluate_model_node", "dataset:metrics", "writes"),
    ]  # fmt: skip
    # the file's 28 edges less the 7 that join a modular pipeline (the collapsed view of the same)
    assert sorted(edges) == sorted(expected)
    assert len(edges) == len(expected) == 21
    assert all(e.evidence == "declared" for e in edges.values())


def test_what_the_file_says_is_kept():
    nodes, edges, _ = records(SPACEFLIGHTS)
    shuttles = nodes[dp("shuttles")]
    assert str(shuttles.location) == f"{SPACEFLIGHTS}:12"
    assert shuttles.tags == ("preprocessing",)
    assert shuttles.attributes == {
        "kedro_id": "f192326a", "kedro_type": "data", "modular_pipelines": ["data_processing"],
        "pipelines": ["dp", "__default__"], "dataset_type": "pandas.excel_dataset.ExcelDataset", "layer": "raw",
    }  # fmt: skip
    split = nodes[f"job:{DS}/split_data_node"]
    assert split.tags == ("split",)
    assert split.attributes["kedro_id"] == "65d0d789"
    assert split.attributes["parameters"]["test_size"] == 0.2
    assert nodes["dataset:model_input_table"].attributes["pipelines"] == ["dp", "__default__", "ds"]
    assert "modular_pipelines" not in nodes["dataset:model_input_table"].attributes
    assert nodes["flag:parameters"].attributes == {
        "kedro_id": "f1f1425b",
        "kedro_type": "parameters",
        "pipelines": ["__default__", "ds"],
    }
    edge = edges[("flag:parameters", f"job:{DS}/split_data_node", "configures")]
    assert str(edge.location) == f"{SPACEFLIGHTS}:229"


def test_the_demo_project():
    nodes, edges, problems = records(DEMO)
    assert problems == []
    expected = json.loads(DEMO_EXPECTED.read_text())
    assert sorted(nodes) == expected["nodes"]
    assert sorted(edges) == [tuple(e) for e in expected["edges"]]
    kinds = [n.kind for n in nodes.values()]
    assert (len(nodes), kinds.count("job"), kinds.count("dataset"), kinds.count("flag")) == (180, 72, 83, 25)
    assert len(edges) == 275  # 434 less the 159 that join a modular pipeline


def test_the_demo_expectation_follows_from_the_file():
    """The expected ids, derived from the raw file by the documented rules (not by the importer)."""
    data = json.loads(DEMO.read_text())
    kind = {"task": "job", "data": "dataset", "parameters": "flag"}
    ids = {}
    for node in data["nodes"]:
        if node["type"] in kind:
            modular = sorted(node["modular_pipelines"], key=lambda m: m.count("."))
            namespace = modular[-1] if modular and node["type"] != "parameters" else ""
            ids[node["id"]] = f"{kind[node['type']]}:{namespace + '/' if namespace else ''}{node['name']}"
    flows = {"job": "writes", "flag": "configures", "dataset": "reads"}
    edges = {
        (ids[e["source"]], ids[e["target"]], flows[ids[e["source"]].split(":")[0]])
        for e in data["edges"] if e["source"] in ids and e["target"] in ids
    }  # fmt: skip
    expected = json.loads(DEMO_EXPECTED.read_text())
    assert sorted(ids.values()) == expected["nodes"]
    assert sorted(edges) == [tuple(e) for e in expected["edges"]]


def test_task_names_repeat_across_modular_pipelines():
    nodes, edges, _ = records(DEMO)
    assert sorted(i for i, n in nodes.items() if n.name == "split_data") == [
        "job:factory.split/split_data",
        "job:in_out.split/split_data",
        "job:train.train_model/split_data",
    ]
    task = nodes["job:factory.split/split_data"]
    assert task.attributes["modular_pipelines"] == ["factory", "factory.split"]
    # parameters are project-wide: no namespace, and their value from the tasks they configure
    flag = nodes["flag:params:split.factory"]
    assert flag.attributes["value"] == task.attributes["parameters"]["split.factory"]
    assert ("flag:params:split.factory", "job:factory.split/split_data", "configures") in edges


def test_sniff(tmp_path):
    assert IMPORTER.sniff(SPACEFLIGHTS)
    assert IMPORTER.sniff(DEMO)
    assert DEMO.read_bytes().find(b'"edges"') > 4096  # taken by its first node's keys
    # what `kedro viz build` writes: build/api/main, no extension
    main = tmp_path / "build" / "api" / "main"
    main.parent.mkdir(parents=True)
    shutil.copy(DEMO, main)
    assert IMPORTER.sniff(main)
    one_line = tmp_path / "one_line.json"
    one_line.write_text(json.dumps(json.loads(SPACEFLIGHTS.read_text())))
    assert IMPORTER.sniff(one_line)
    # not pipelines: the other files Kedro-Viz writes, and other tools' JSON
    assert not IMPORTER.sniff(EVENTS)
    assert not IMPORTER.sniff(STATS)
    assert not IMPORTER.sniff(DATA / "openlineage" / "client__python__tests__example_full_event.json")
    assert not IMPORTER.sniff(DATA / "feast" / "feast_registry_dump.json")
    assert not IMPORTER.sniff(DATA / "small.yaml")
    assert not IMPORTER.sniff(DATA / "kfp" / "churn_pipeline.yaml")
    assert not IMPORTER.sniff(tmp_path)
    renamed = tmp_path / "pipeline.txt"
    renamed.write_bytes(SPACEFLIGHTS.read_bytes())
    assert not IMPORTER.sniff(renamed)
    node_file = tmp_path / "build" / "api" / "nodes" / "b7bb7198"  # node details: not a pipeline
    node_file.parent.mkdir(parents=True)
    node_file.write_text(json.dumps({"code": "def f(): ...", "filepath": "x.py", "inputs": [], "outputs": []}))
    assert not IMPORTER.sniff(node_file)
    other_main = tmp_path / "other" / "main"
    other_main.parent.mkdir()
    other_main.write_text(json.dumps({"nodes": [{"id": 1}], "links": []}))
    assert not IMPORTER.sniff(other_main)
    # and Kubeflow does not take Kedro-Viz files
    for path in (SPACEFLIGHTS, DEMO, EVENTS, STATS):
        assert not KfpImporter().sniff(path)


def changed(tmp_path: Path, old: str, new: str) -> Path:
    """The spaceflights sample with one piece of text replaced (its line numbers kept)."""
    text = SPACEFLIGHTS.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "spaceflights.json"
    path.write_text(text.replace(old, new))
    return path


BAD = [
    ("a task without a name",
     '"name": "preprocess_shuttles_node",\n', "",
     # the edges of the task are not reported again
     ["spaceflights.json:3: node 'b7bb7198' needs a 'name'"]),
    ("a node without a type",
     '"type": "data",\n      "modular_pipelines": ["data_processing"],\n      "layer": "raw",\n'
     '      "dataset_type": "pandas.excel_dataset.ExcelDataset"',
     '"modular_pipelines": ["data_processing"],\n      "layer": "raw",\n'
     '      "dataset_type": "pandas.excel_dataset.ExcelDataset"',
     ["spaceflights.json:12: node 'data_processing.shuttles' needs a 'type'"]),
    ("an unknown node type",
     '"type": "parameters",', '"type": "parameter",',
     ["spaceflights.json:112: node 'parameters' has type 'parameter' "
      "(expected task, data, parameters or modularPipeline)"]),
    ("a task's edge to a node that does not exist",
     '{ "source": "b7bb7198", "target": "e5a9ec27" }', '{ "source": "b7bb7198", "target": "e5a9ec28" }',
     ["spaceflights.json:240: task 'preprocess_shuttles_node' has an edge to 'e5a9ec28', "
      "which the file does not define"]),
    ("a task's edge from a node that does not exist",
     '{ "source": "0abef172", "target": "c09084f2" }', '{ "source": "0abef17x", "target": "c09084f2" }',
     ["spaceflights.json:248: task 'preprocess_companies_node' has an edge from '0abef17x', "
      "which the file does not define"]),
    ("an edge between two unknown nodes",
     '{ "source": "0abef172", "target": "c09084f2" }', '{ "source": "x", "target": "y" }',
     ["spaceflights.json:248: an edge from 'x' to 'y' names nodes the file does not define"]),
    ("an edge from data to data",
     '{ "source": "b7bb7198", "target": "e5a9ec27" }', '{ "source": "f192326a", "target": "e5a9ec27" }',
     ["spaceflights.json:240: an edge from data 'data_processing.shuttles' to data "
      "'data_processing.preprocessed_shuttles' joins no task to its data or parameters"]),
    ("an edge without a target",
     '{ "source": "c09084f2", "target": "daf35ba0" }', '{ "source": "c09084f2" }',
     ["spaceflights.json:249: an edge needs a 'source' and a 'target' node id"]),
    ("a node id used twice",
     '      "id": "c09084f2",\n', '      "id": "b7bb7198",\n',
     ["spaceflights.json:32: node id 'b7bb7198' is used twice (first at spaceflights.json:3)",
      # the edges of the node that lost its id name a node the file no longer has
      "spaceflights.json:248: dataset 'data_processing.companies' has an edge to 'c09084f2', "
      "which the file does not define",
      "spaceflights.json:249: dataset 'data_processing.preprocessed_companies' has an edge from 'c09084f2', "
      "which the file does not define"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_name_file_and_line(tmp_path, name, old, new, expected):
    path = changed(tmp_path, old, new)
    _, _, problems = records(path)
    assert problems == [p.replace("spaceflights.json", str(path)) for p in expected]


def test_the_rest_of_a_bad_file_is_still_read(tmp_path):
    nodes, edges, _ = records(changed(tmp_path, '"name": "preprocess_shuttles_node",\n', ""))
    assert len(nodes) == 18 and len(edges) == 19  # less the task and its two edges


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "main:1: invalid JSON: Expecting property name enclosed in double quotes"),
        ('{\n  "nodes": [],\n  "nodes": []\n}', "main:3: duplicate key 'nodes'"),
        ("[1, 2]", "main:1: a Kedro-Viz pipeline file must be a JSON object"),
        ('{"nodes": []}', "main:1: a Kedro-Viz pipeline file needs a list of edges"),
        ('{\n  "nodes": {},\n  "edges": []\n}', "main:2: 'nodes' must be a list, not object"),
        # a file on one line: the JSON pointer says where
        ('{"nodes": [7], "edges": []}', "main#/nodes/0: a node must be an object, not integer"),
        ('{"nodes": [{"name": "x", "type": "task"}], "edges": []}', "main#/nodes/0: node 'x' needs an 'id'"),
    ],
)
def test_unreadable_files(tmp_path, text, message):
    path = tmp_path / "main"
    path.write_text(text)
    assert read_problems(IMPORTER, path) == [f"{tmp_path}/{message}"]


def test_a_file_on_one_line_reads_the_same(tmp_path):
    path = tmp_path / "main"
    path.write_text(json.dumps(json.loads(SPACEFLIGHTS.read_text())))
    nodes, edges, problems = records(path)
    expected_nodes, expected_edges, _ = records(SPACEFLIGHTS)
    assert problems == []
    assert sorted(nodes) == sorted(expected_nodes) and sorted(edges) == sorted(expected_edges)
    assert str(nodes[dp("shuttles")].location) == f"{path}#/nodes/1"


def test_through_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr("lineage.ingest.registry.importers", lambda: (KedroImporter(),))
    main = tmp_path / "build" / "api" / "main"
    main.parent.mkdir(parents=True)
    shutil.copy(SPACEFLIGHTS, main)
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [tmp_path / "build"], fmt="kedro")  # found in the folder
        assert report.ok and report.committed
        assert [u.path for u in report.units] == [str(main)]
        assert store.counts()["nodes"] == 19
        graph = load_graph(store)
        kinds = sorted(k for _, k in graph.nodes(data="kind"))
        assert (kinds.count("job"), kinds.count("dataset"), kinds.count("flag")) == (6, 12, 1)
        assert graph.has_edge(f"job:{DS}/train_model_node", ds("regressor"))
        assert graph.has_edge("flag:parameters", f"job:{DS}/split_data_node")
        assert graph.edges[ds("regressor"), f"job:{DS}/evaluate_model_node"]["declared"]
        node = store.node(dp("shuttles"))
        assert node["attributes"]["dataset_type"] == "pandas.excel_dataset.ExcelDataset"
        assert node["tags"] == ["preprocessing"]
        # the same file again changes nothing
        assert import_paths(store, [main], fmt="kedro").ok
        assert store.counts()["nodes"] == 19
