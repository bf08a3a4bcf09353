"""The Kubeflow Pipelines importer: compiled pipelines, detection, bad pipelines, and the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from lineage_importers.kedro import KedroImporter
from lineage_importers.kfp import KfpImporter

from lineage.analyses import dead_flags
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from tests.conftest import DATA, read_problems, read_records

CHURN = DATA / "kfp" / "churn_pipeline.yaml"
NESTED = DATA / "kfp" / "nested_pipeline.yaml"
IMPORTER = KfpImporter()


def records(path: Path):
    return read_records(IMPORTER, path)


CHURN_NODES = [
    "job:churn-training/build-features", "job:churn-training/train",
    "dataset:churn-training/build-features.features", "model:churn-training/train.model",
    "flag:churn-training/raw_table",
]  # fmt: skip
CHURN_EDGES = [
    ("flag:churn-training/raw_table", "job:churn-training/build-features", "configures"),
    ("job:churn-training/build-features", "dataset:churn-training/build-features.features", "writes"),
    ("dataset:churn-training/build-features.features", "job:churn-training/train", "reads"),
    ("job:churn-training/train", "model:churn-training/train.model", "writes"),
]


def test_the_churn_pipeline():
    nodes, edges, problems = records(CHURN)
    assert problems == []
    assert sorted(nodes) == sorted(CHURN_NODES)
    assert sorted(edges) == sorted(CHURN_EDGES)
    assert all(e.evidence == "declared" for e in edges.values())


def test_what_the_pipeline_says_is_kept():
    nodes, edges, _ = records(CHURN)
    train = nodes["job:churn-training/train"]
    assert str(train.location) == f"{CHURN}:113"
    attributes = dict(train.attributes)
    command = attributes.pop("command")
    assert command[:3] == ["sh", "-c", command[2]] and "def train(" in command[-1]  # kept as text
    assert attributes == {
        "task": "train", "component": "comp-train", "executor": "exec-train", "image": "python:3.11",
        "args": ["--executor_input", "{{$}}", "--function_to_execute", "train"], "cache": True,
        "parameters": {"C": 0.5},  # a constant the task passes
    }  # fmt: skip
    assert "after" not in attributes  # it runs after build-features because it reads its output
    assert nodes["model:churn-training/train.model"].attributes == {
        "task": "train",
        "output": "model",
        "artifact_type": "system.Model",
        "schema_version": "0.0.1",
    }
    assert nodes["dataset:churn-training/build-features.features"].attributes["artifact_type"] == "system.Dataset"
    flag = nodes["flag:churn-training/raw_table"]
    assert flag.attributes == {"parameter_type": "STRING", "default": "db.users", "optional": True}
    assert str(flag.location) == f"{CHURN}:134"
    edge = edges[("dataset:churn-training/build-features.features", "job:churn-training/train", "reads")]
    assert (str(edge.location), edge.attributes) == (f"{CHURN}:122", {"input": "features"})
    edge = edges[("flag:churn-training/raw_table", "job:churn-training/build-features", "configures")]
    assert (str(edge.location), edge.attributes) == (f"{CHURN}:109", {"input": "raw_table"})


def n(kind: str, name: str) -> str:
    return f"{kind}:nested-demo/{name}"


def test_sub_dags_conditions_loops_and_pipelines_in_pipelines():
    nodes, edges, problems = records(NESTED)
    assert problems == []
    assert sorted(nodes) == sorted([
        n("job", "importer"), n("job", "prepare"), n("job", "train"), n("job", "evaluate"), n("job", "notify"),
        # a pipeline used as a component twice: its task is named by the task that uses it
        n("job", "report-pipeline.summarise"), n("job", "report-pipeline-2.summarise"),
        n("dataset", "importer.artifact"), n("dataset", "prepare.train_data"),
        n("dataset", "prepare.row_count"),  # an output parameter
        n("model", "train.model"), n("dataset", "evaluate.metrics"),
        n("dataset", "report-pipeline.summarise.summary"), n("dataset", "report-pipeline-2.summarise.summary"),
        n("dataset", "reference_data"), n("dataset", "baseline_metrics"),  # pipeline input artifacts
        n("flag", "epochs_list"), n("flag", "threshold"), n("flag", "unused_flag"),
    ])  # fmt: skip
    assert sorted(edges) == sorted([
        (n("job", "importer"), n("dataset", "importer.artifact"), "writes"),
        (n("dataset", "importer.artifact"), n("job", "prepare"), "reads"),
        (n("job", "prepare"), n("dataset", "prepare.train_data"), "writes"),
        (n("job", "prepare"), n("dataset", "prepare.row_count"), "writes"),
        # into the condition and the loop inside it
        (n("dataset", "prepare.train_data"), n("job", "train"), "reads"),
        (n("flag", "epochs_list"), n("job", "train"), "configures"),  # the loop's items
        (n("dataset", "prepare.row_count"), n("job", "train"), "reads"),  # what the condition tests
        (n("flag", "threshold"), n("job", "train"), "configures"),
        (n("job", "train"), n("model", "train.model"), "writes"),
        # out of the loop and the condition
        (n("model", "train.model"), n("job", "evaluate"), "reads"),
        (n("dataset", "reference_data"), n("job", "evaluate"), "reads"),
        (n("job", "evaluate"), n("dataset", "evaluate.metrics"), "writes"),
        (n("dataset", "evaluate.metrics"), n("job", "report-pipeline.summarise"), "reads"),
        (n("job", "report-pipeline.summarise"), n("dataset", "report-pipeline.summarise.summary"), "writes"),
        (n("dataset", "baseline_metrics"), n("job", "report-pipeline-2.summarise"), "reads"),
        (n("job", "report-pipeline-2.summarise"), n("dataset", "report-pipeline-2.summarise.summary"), "writes"),
    ])  # fmt: skip
    train = nodes[n("job", "train")].attributes
    assert train["within"] == ["condition-1", "for-loop-2"]
    assert train["parameters"] == {"learning_rate": 0.01}
    condition = edges[(n("flag", "threshold"), n("job", "train"), "configures")]
    assert str(condition.location) == f"{NESTED}:292"
    assert condition.attributes["condition"].startswith("inputs.parameter_values['pipelinechannel--prepare-row_count']")
    assert nodes[n("job", "notify")].attributes["after"] == ["evaluate", "report-pipeline"]  # no data between
    assert "after" not in nodes[n("job", "prepare")].attributes  # it reads the importer's artifact
    artifact = nodes[n("dataset", "importer.artifact")]
    assert artifact.aliases == ("gs://demo-bucket/raw/events.csv",)
    assert nodes[n("job", "importer")].attributes["importer_uri"] == "gs://demo-bucket/raw/events.csv"
    assert nodes[n("dataset", "evaluate.metrics")].attributes["pipeline_output"] == "metrics"
    assert nodes[n("dataset", "prepare.row_count")].attributes == {
        "task": "prepare",
        "output": "row_count",
        "output_parameter": True,
        "parameter_type": "NUMBER_INTEGER",
    }
    assert nodes[n("dataset", "baseline_metrics")].attributes == {
        "pipeline_input": True,
        "artifact_type": "system.Metrics",
    }


def test_a_parameter_nothing_reads_is_a_flag_without_out_edges():
    nodes, edges, _ = records(NESTED)
    flag = nodes[n("flag", "unused_flag")]
    assert flag.attributes == {"parameter_type": "BOOLEAN", "default": False, "optional": True}
    assert [key for key in edges if n("flag", "unused_flag") in key[:2]] == []


def test_sniff(tmp_path):
    assert IMPORTER.sniff(CHURN)
    assert IMPORTER.sniff(NESTED)
    # the compiler sorts the keys: a big pipeline pushes pipelineInfo and root past 4 KiB
    assert NESTED.read_bytes().find(b"\npipelineInfo:") > 4096
    headless = tmp_path / "headless.yml"
    headless.write_text("".join(line for line in NESTED.read_text().splitlines(True) if not line.startswith("#")))
    assert IMPORTER.sniff(headless)
    as_json = tmp_path / "churn.json"
    as_json.write_text(json.dumps(yaml.safe_load(CHURN.read_text()), indent=2, sort_keys=True))
    assert IMPORTER.sniff(as_json)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"displayName": "churn", "pipelineSpec": yaml.safe_load(CHURN.read_text())}))
    assert IMPORTER.sniff(job)
    # not compiled pipelines
    assert not IMPORTER.sniff(DATA / "small.yaml")  # a native manifest
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("lineage_manifest: 1\nnamespace: churn\njobs:\n  - name: train\n    inputs: [features]\n")
    assert not IMPORTER.sniff(manifest)
    for path in sorted((DATA / "kedro").iterdir()):  # Kedro-Viz's files
        assert not IMPORTER.sniff(path), path
    assert not IMPORTER.sniff(DATA / "openlineage" / "client__python__tests__example_full_event.json")
    assert not IMPORTER.sniff(DATA / "feast" / "feast_registry_dump.json")
    workflow = tmp_path / "workflow.yaml"  # Argo, what KFP v1 compiled to
    workflow.write_text("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates: []\n")
    assert not IMPORTER.sniff(workflow)
    assert not IMPORTER.sniff(tmp_path)
    renamed = tmp_path / "churn.txt"
    renamed.write_bytes(CHURN.read_bytes())
    assert not IMPORTER.sniff(renamed)
    # and Kedro does not take Kubeflow pipelines
    assert not KedroImporter().sniff(as_json)


def changed(tmp_path: Path, sample: Path, old: str, new: str) -> Path:
    """A sample with one piece of text replaced (its line numbers kept)."""
    text = sample.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "pipeline.yaml"
    path.write_text(text.replace(old, new))
    return path


BAD = [
    ("a task uses a component that does not exist", CHURN,
     "name: comp-train\n", "name: comp-trian\n",
     ["pipeline.yaml:117: task 'train' uses component 'comp-trian', which the pipeline does not define"]),
    ("a task reads the output of a task that does not exist", CHURN,
     "producerTask: build-features", "producerTask: build-feature",
     ["pipeline.yaml:125: task 'train' reads artifact 'features' of task 'build-feature', "
      "which the pipeline does not define"]),
    ("a task reads an output its producer does not have", CHURN,
     "outputArtifactKey: features", "outputArtifactKey: feature",
     ["pipeline.yaml:123: task 'train' reads artifact 'feature' of task 'build-features', "
      "which has no such output"]),
    ("a task takes a pipeline parameter that does not exist", CHURN,
     "componentInputParameter: raw_table", "componentInputParameter: raw_tabel",
     ["pipeline.yaml:109: task 'build-features' takes parameter 'raw_table' from input 'raw_tabel', "
      "which the pipeline does not declare"]),
    ("a task runs after a task that does not exist", CHURN,
     "        - build-features\n", "        - build\n",
     ["pipeline.yaml:119: task 'train' runs after task 'build', which the pipeline does not define"]),
    ("an exit task reads the final status of a task that does not exist", CHURN,
     "              runtimeValue:\n                constant: 0.5\n",
     "              taskFinalStatus:\n                producerTask: build\n",
     ["pipeline.yaml:127: task 'train' reads the final status of task 'build', which the pipeline does not define"]),
    ("a component runs an executor that does not exist", CHURN,
     "executorLabel: exec-train", "executorLabel: exec-trains",
     ["pipeline.yaml:19: component 'comp-train' runs executor 'exec-trains', which deploymentSpec does not define"]),
    ("a pipeline without a name", CHURN,
     "pipelineInfo:\n  name: churn-training\n", "pipelineInfo:\n  displayName: churn-training\n",
     ["pipeline.yaml:97: pipelineInfo needs a 'name'"]),
    ("a sub-DAG exports the output of a task it does not have", NESTED,
     "              producerSubtask: train\n", "              producerSubtask: trainer\n",
     ["pipeline.yaml:82: component 'comp-for-loop-2' outputs artifact 'model' of task 'trainer', "
      "which it does not define"]),
    ("a task in a sub-DAG takes an input the sub-DAG does not declare", NESTED,
     "componentInputParameter: pipelinechannel--epochs_list-loop-item",
     "componentInputParameter: pipelinechannel--epochs-loop-item",
     ["pipeline.yaml:95: task 'train' takes parameter 'epochs' from input 'pipelinechannel--epochs-loop-item', "
      "which component 'comp-for-loop-2' does not declare"]),
    ("a sub-DAG component that contains itself", NESTED,
     "            name: comp-for-loop-2\n", "            name: comp-condition-1\n",
     # (what the broken task would have exported is not reported again)
     ["pipeline.yaml:13: component 'comp-condition-1' contains itself"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "sample", "old", "new", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_pipelines_name_file_and_line(tmp_path, name, sample, old, new, expected):
    path = changed(tmp_path, sample, old, new)
    _, _, problems = records(path)
    assert problems == [p.replace("pipeline.yaml", str(path)) for p in expected]


def test_the_rest_of_a_bad_pipeline_is_still_read(tmp_path):
    nodes, edges, _ = records(changed(tmp_path, CHURN, "name: comp-train\n", "name: comp-trian\n"))
    # the task is still a job that reads what it is given; what it writes is unknown
    assert sorted(nodes) == sorted(set(CHURN_NODES) - {"model:churn-training/train.model"})
    assert sorted(edges) == sorted(CHURN_EDGES[:3])
    nodes, _, _ = records(changed(tmp_path, CHURN, "pipelineInfo:\n  name: churn-training\n", "pipelineInfo: {}\n"))
    assert "job:train" in nodes  # no pipeline name: no namespace


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("root:\n  dag: [1\n", "pipeline.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("root:\n  dag: {}\nroot: {}\n", "pipeline.yaml:3: duplicate key 'root' (first at line 1)"),
        ("- 1\n- 2\n", "pipeline.yaml:1: a compiled Kubeflow pipeline must be a mapping"),
        (
            "pipelineInfo:\n  name: x\nroot:\n  dag: {}\n",
            "pipeline.yaml:4: a compiled Kubeflow pipeline needs root.dag.tasks",
        ),
        ("pipelineInfo:\n  name: x\n", "pipeline.yaml:1: a compiled Kubeflow pipeline needs root.dag.tasks"),
        (
            "root: !!python/object/apply:os.system ['true']\n",
            "pipeline.yaml:1: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (plain data only)",
        ),
        (
            "pipelineInfo:\n  name: x\nroot:\n  dag:\n    tasks:\n      a: 7\n",
            "pipeline.yaml:6: task 'a' must be a mapping, not integer",
        ),
    ],
)
def test_unreadable_pipelines(tmp_path, text, message):
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    assert read_problems(IMPORTER, path) == [f"{tmp_path}/{message}"]


def test_json_and_pipeline_jobs_read_the_same(tmp_path):
    spec = yaml.safe_load(CHURN.read_text())
    as_json = tmp_path / "churn.json"
    as_json.write_text(json.dumps(spec, indent=2, sort_keys=True))
    nodes, edges, problems = records(as_json)
    assert problems == [] and sorted(nodes) == sorted(CHURN_NODES) and sorted(edges) == sorted(CHURN_EDGES)
    job = tmp_path / "job.json"  # a PipelineJob wraps the spec and gives parameter values
    job.write_text(json.dumps({"pipelineSpec": spec, "runtimeConfig": {"parameterValues": {"raw_table": "db.x"}}}))
    nodes, edges, problems = records(job)
    assert problems == [] and sorted(nodes) == sorted(CHURN_NODES) and sorted(edges) == sorted(CHURN_EDGES)
    assert nodes["flag:churn-training/raw_table"].attributes["value"] == "db.x"
    assert str(nodes["job:churn-training/train"].location) == f"{job}#/pipelineSpec/root/dag/tasks/train"


def test_a_platform_config_after_the_pipeline_is_skipped(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_text(CHURN.read_text() + "---\nplatforms:\n  kubernetes:\n    deploymentSpec: {}\n")
    nodes, edges, problems = records(path)
    assert problems == [] and sorted(nodes) == sorted(CHURN_NODES) and sorted(edges) == sorted(CHURN_EDGES)


def test_through_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr("lineage.ingest.registry.importers", lambda: (KfpImporter(),))
    folder = tmp_path / "pipelines"
    folder.mkdir()
    shutil.copy(CHURN, folder)
    shutil.copy(NESTED, folder)
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [folder], fmt="kfp")
        assert report.ok and report.committed
        assert store.counts()["nodes"] == 5 + 19
        graph = load_graph(store)
        assert graph.has_edge("dataset:churn-training/build-features.features", "job:churn-training/train")
        assert graph.edges["flag:churn-training/raw_table", "job:churn-training/build-features"]["declared"]
        assert graph.nodes["model:churn-training/train.model"]["kind"] == "model"
        node = store.node("flag:churn-training/raw_table")
        assert node["attributes"]["default"] == "db.users"
        # the parameter nothing reads is a flag the dead-flag analysis finds
        assert graph.out_degree(n("flag", "unused_flag")) == 0
        dead = [f.nodes for f in dead_flags(graph)]
        assert (n("flag", "unused_flag"),) in dead
        assert not any(f[0] == "flag:churn-training/raw_table" for f in dead)
        # the same pipelines again change nothing
        assert import_paths(store, [folder], fmt="kfp").ok
        assert store.counts()["nodes"] == 24
