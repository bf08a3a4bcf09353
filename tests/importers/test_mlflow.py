"""The MLflow importer: the real samples, stores written by the real MLflow, and bad input."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lineage_importers.mlflow import MLflowImporter

from lineage.analyses import legacy_features
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Problem
from lineage.store import Store
from tests.conftest import DATA

SAMPLES = DATA / "mlflow"
IMPORTER = MLflowImporter()
CHURN_FEATURES = ["feature:mlflow/age", "feature:mlflow/clicks_7d", "feature:mlflow/income"]


def records(path: Path):
    out = list(IMPORTER.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord) and not r.reference}
    edges = {(r.source, r.target, r.kind): r for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


@pytest.mark.parametrize("layout", ["mlflow2_filestore/mlruns", "mlflow3_filestore/mlruns"])
def test_file_store_samples(layout):
    path = SAMPLES / layout
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == []
    run = next(n for n in nodes if n.startswith("job:mlflow/churn/train_lr@"))
    assert sorted(nodes) == sorted([
        "dataset:mlflow/churn_features", "dataset:s3://bucket/features/churn.parquet", run,
        "model:mlflow/churn_model", "model:mlflow/churn_model/v1", *CHURN_FEATURES,
    ])  # fmt: skip
    assert ("dataset:s3://bucket/features/churn.parquet", "dataset:mlflow/churn_features", "derives") in edges
    assert edges["dataset:mlflow/churn_features", run, "reads"].attributes == {"context": "training"}
    assert (run, "model:mlflow/churn_model/v1", "writes") in edges
    assert ("model:mlflow/churn_model/v1", "model:mlflow/churn_model", "version_of") in edges
    for feature in CHURN_FEATURES:
        assert (feature, "model:mlflow/churn_model/v1", "reads") in edges
        assert ("dataset:mlflow/churn_features", feature, "derives") in edges
    assert nodes[run].attributes["params"] == {"C": "1.0"}
    assert nodes[run].attributes["metrics"] == {"acc": 1.0}
    assert nodes["model:mlflow/churn_model/v1"].attributes["current"] is True


def test_sql_store_sample_without_its_artifacts():
    path = SAMPLES / "mlflow3_default.db"
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == []
    # The artifacts were not copied with the store: no signature, so no features; the rest is there.
    assert {n.split("@")[0] for n in nodes} == {
        "dataset:mlflow/churn_features",
        "dataset:s3://bucket/features/churn.parquet",
        "job:mlflow/churn/train_lr",
        "model:mlflow/churn_model",
        "model:mlflow/churn_model/v1",
    }
    assert nodes["model:mlflow/churn_model/v1"].attributes["logged_model_id"].startswith("m-")


GENERATE = textwrap.dedent("""
    import sys
    import mlflow
    from mlflow.models.signature import ModelSignature
    from mlflow.pyfunc import PythonModel
    from mlflow.types import ColSpec, Schema

    class Constant(PythonModel):
        def predict(self, context, model_input, params=None):
            return [0.5] * len(model_input)

    mlflow.set_tracking_uri(sys.argv[1])
    mlflow.set_experiment("ctr")
    for version, features in ((1, ["age", "income", "legacy_score"]), (2, ["age", "income"])):
        with mlflow.start_run(run_name=f"train_v{version}"):
            mlflow.log_param("C", 1.0)
            for f in features:
                mlflow.log_metric(f"importance.{f}", 0.2 if f == "age" else 0.4)
            signature = ModelSignature(inputs=Schema([ColSpec("double", f) for f in features]))
            mlflow.pyfunc.log_model(name="model", python_model=Constant(), signature=signature,
                                    registered_model_name="ctr_model")
    mlflow.MlflowClient().set_registered_model_alias("ctr_model", "production", "2")
""")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Two stores written by the real MLflow: version 2 of the model dropped a feature."""
    pytest.importorskip("mlflow")
    pytest.importorskip("pandas")
    folder = tmp_path_factory.mktemp("mlflow")
    (folder / "generate.py").write_text(GENERATE)
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true", "GIT_PYTHON_REFRESH": "quiet"}
    for uri in ("sqlite:///mlflow.db", "file:./files/mlruns"):
        subprocess.run([sys.executable, "generate.py", uri], cwd=folder, env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    return folder


@pytest.mark.parametrize("store", ["mlflow.db", "files/mlruns"])
def test_a_dropped_feature_of_an_older_version_is_legacy(generated, tmp_path, store):
    with Store.open(tmp_path / "l.db", create=True) as db:
        report = import_paths(db, [generated / store])
        assert report.ok, report.problems
        graph = load_graph(db)
    assert graph.nodes["model:mlflow/ctr_model/v2"]["current"] is True
    assert graph.nodes["model:mlflow/ctr_model/v1"]["current"] is False
    assert [f.nodes for f in legacy_features(graph)] == [("feature:mlflow/legacy_score", "model:mlflow/ctr_model/v1")]
    assert graph.edges["feature:mlflow/income", "model:mlflow/ctr_model/v2"]["weight"] == 0.4


def test_a_store_copied_from_another_machine_finds_its_artifacts(generated, tmp_path):
    # The SQL store records absolute artifact paths of the machine that wrote it.
    copy = tmp_path / "elsewhere"
    shutil.copytree(generated, copy)
    nodes, edges, problems = records(copy / "mlflow.db")
    assert problems == []
    assert ("feature:mlflow/legacy_score", "model:mlflow/ctr_model/v1", "reads") in edges


def test_paths_outside_the_given_folder_are_never_opened(tmp_path):
    store = tmp_path / "store"
    shutil.copytree(SAMPLES / "mlflow2_filestore", store)
    outside = tmp_path / "outside"
    shutil.copytree(store / "mlruns" / "309132295167086722" / "db155a06f5df457d804d7f31a89693ad" / "artifacts",
                    outside)  # fmt: skip
    version = store / "mlruns" / "models" / "churn_model" / "version-1" / "meta.yaml"
    version.write_text(version.read_text().replace(
        "source: file:///srv/ml-platform/fs2/mlruns/309132295167086722/db155a06f5df457d804d7f31a89693ad/artifacts/model",
        f"source: file://{outside}/model"))  # fmt: skip
    artifacts = store / "mlruns" / "309132295167086722" / "db155a06f5df457d804d7f31a89693ad" / "artifacts"
    shutil.rmtree(artifacts)
    os.symlink(outside, artifacts)  # a link inside the store pointing out of it
    nodes, _, _ = records(store / "mlruns")
    assert not any(n.startswith("feature:") for n in nodes)


def test_unknown_sql_schema_and_corrupt_files(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(SAMPLES / "mlflow3_default.db", old)
    conn = sqlite3.connect(old)
    conn.execute("ALTER TABLE model_versions DROP COLUMN current_stage")
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [old], fmt="mlflow")
        assert [str(p) for p in report.problems] == [
            f"{old}[model_versions]: unknown MLflow schema version dc11669786a5:"
            " model_versions has no column 'current_stage'"
        ]
        junk = tmp_path / "junk.db"
        junk.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
        report = import_paths(store, [junk], fmt="mlflow")
        assert "not a readable SQLite file" in str(report.problems[0]) or "cannot read" in str(report.problems[0])
        assert store.counts()["nodes"] == 0


def test_broken_meta_yaml_names_file_and_line(tmp_path):
    store = tmp_path / "store"
    shutil.copytree(SAMPLES / "mlflow2_filestore", store)
    meta = store / "mlruns" / "models" / "churn_model" / "version-1" / "meta.yaml"
    meta.write_text("name: churn_model\nversion: [1\n")
    _, _, problems = records(store / "mlruns")
    assert problems[0].startswith(f"{meta}:3: invalid YAML")
