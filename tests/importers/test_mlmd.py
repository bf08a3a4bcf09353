"""The ML Metadata importer: a store written by ml-metadata, hand-made stores, bad stores, the store."""

from __future__ import annotations

import base64
import shutil
import sqlite3
import struct
from contextlib import closing
from pathlib import Path

import pytest
from lineage_importers.mlmd import MLMDImporter

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import InputError
from lineage.store import Store
from tests.conftest import DATA, file_digest, read_records

SAMPLE = DATA / "mlmd" / "metadata.sqlite"
IMPORTER = MLMDImporter()


def records(path: Path):
    return read_records(IMPORTER, path)


def test_a_store_written_by_ml_metadata():
    nodes, edges, problems = records(SAMPLE)
    assert problems == []
    assert sorted(nodes) == [
        "dataset:churn_pipeline/churn_examples",
        "job:churn_pipeline/train_run_1",
        "model:churn_pipeline/churn_model",
    ]
    assert sorted(edges) == [
        ("dataset:churn_pipeline/churn_examples", "job:churn_pipeline/train_run_1", "reads"),
        ("job:churn_pipeline/train_run_1", "model:churn_pipeline/churn_model", "writes"),
    ]
    assert all(e.evidence == "declared" for e in edges.values())
    assert edges[("dataset:churn_pipeline/churn_examples", "job:churn_pipeline/train_run_1", "reads")].attributes == {
        "event": "INPUT"
    }
    model = nodes["model:churn_pipeline/churn_model"]
    assert str(model.location) == f"{SAMPLE}[Artifact row 2]"
    assert model.attributes == {
        "mlmd_id": 2, "type": "Model", "uri": "/models/churn/1", "properties": {"version": 1},
        "contexts": [{"type": "pipeline", "name": "churn_pipeline"}],
        "created": "2026-11-26T17:51:27.406Z", "last_updated": "2026-11-26T17:51:27.406Z",
    }  # fmt: skip
    job = nodes["job:churn_pipeline/train_run_1"]
    assert str(job.location) == f"{SAMPLE}[Execution row 1]"
    assert (job.attributes["type"], job.attributes["last_known_state"], job.attributes["failed"]) == (
        "Trainer", "COMPLETE", False)  # fmt: skip
    assert str(edges[("job:churn_pipeline/train_run_1", "model:churn_pipeline/churn_model", "writes")].location) == (
        f"{SAMPLE}[Event row 2]"
    )


# -- hand-made stores ---------------------------------------------------------------------------


def empty_store(path: Path) -> Path:
    """An empty store with the schema ml-metadata created for the sample (version 10)."""
    with closing(sqlite3.connect(f"{SAMPLE.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as sample:
        ddl = [sql for name, sql in sample.execute("SELECT name, sql FROM sqlite_master ORDER BY rowid")
               if sql and not name.startswith("sqlite_")]  # fmt: skip
    with closing(sqlite3.connect(path)) as db:
        for sql in ddl:
            db.execute(sql)
        db.execute("INSERT INTO MLMDEnv VALUES (10)")
        db.commit()
    return path


def _varint(n: int) -> bytes:
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([low])
        out += bytes([low | 0x80])


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _pb_value(v) -> bytes:
    """A google.protobuf.Value in the protobuf wire format."""
    if v is None:
        return _varint(1 << 3) + _varint(0)
    if isinstance(v, bool):
        return _varint(4 << 3) + _varint(int(v))
    if isinstance(v, int | float):
        return _varint(2 << 3 | 1) + struct.pack("<d", float(v))
    if isinstance(v, str):
        return _field(3, v.encode())
    if isinstance(v, dict):
        return _field(5, _pb_struct(v))
    return _field(6, b"".join(_field(1, _pb_value(x)) for x in v))


def _pb_struct(d: dict) -> bytes:
    return b"".join(_field(1, _field(1, k.encode()) + _field(2, _pb_value(v))) for k, v in d.items())


def mlmd_struct(d: dict) -> str:
    """How ml-metadata stores a struct_value property: a prefix and the base64 of the Struct."""
    return "mlmd-struct::" + base64.b64encode(_pb_struct(d)).decode()


HPARAMS = {"lr": 0.1, "layers": [64, 32], "optimizer": {"name": "adam"}, "early_stop": True, "none": None}


def pipeline_store(path: Path) -> Path:
    """A TFX-like store: examples and a schema -> Trainer -> model -> Pusher (failed) -> pushed model."""
    empty_store(path)
    with closing(sqlite3.connect(path)) as db:
        db.executemany("INSERT INTO Type (id, name, type_kind) VALUES (?, ?, ?)", [
            (1, "Examples", 1), (2, "Schema", 1), (3, "ChurnClassifier", 1), (4, "PushedModel", 1),
            (5, "Trainer", 0), (6, "Pusher", 0), (7, "pipeline", 2), (8, "pipeline_run", 2), (9, "node", 2),
            (10, "mlmd.Model", 1),
        ])  # fmt: skip
        db.execute("INSERT INTO ParentType VALUES (3, 10)")  # ChurnClassifier is a kind of mlmd.Model
        db.executemany("INSERT INTO Artifact (id, type_id, uri, state, name) VALUES (?, ?, ?, ?, ?)", [
            (1, 1, "gs://bucket/examples/1", 2, None),  # no name: named by its uri
            (2, 2, None, 2, None),  # no name, no uri: named by type and id
            (3, 3, "gs://bucket/model/3", 2, "churn_model"),
            (4, 4, "gs://bucket/pushed/4", 5, "churn_model_pushed"),  # abandoned, in no context
        ])  # fmt: skip
        db.executemany("INSERT INTO Execution (id, type_id, last_known_state, name) VALUES (?, ?, ?, ?)", [
            (1, 5, 3, None), (2, 6, 4, "push_1"),
        ])  # fmt: skip
        db.executemany("INSERT INTO Event (id, artifact_id, execution_id, type) VALUES (?, ?, ?, ?)", [
            (1, 1, 1, 3), (2, 2, 1, 2), (3, 3, 1, 4), (4, 3, 2, 3), (5, 4, 2, 7),
            (6, 1, 2, 0),  # UNKNOWN: no direction, skipped
        ])  # fmt: skip
        db.executemany("INSERT INTO EventPath VALUES (?, ?, ?, ?)", [
            (1, 0, None, "examples"), (1, 1, 0, None), (3, 0, None, "model"), (3, 1, 0, None),
        ])  # fmt: skip
        db.executemany("INSERT INTO Context (id, type_id, name) VALUES (?, ?, ?)", [
            (1, 7, "churn"), (2, 8, "run-2026-01-01"), (3, 9, "churn.Trainer"),
        ])  # fmt: skip
        db.execute("INSERT INTO ParentContext VALUES (2, 1)")  # the run is a run of the pipeline
        db.executemany("INSERT INTO Attribution (context_id, artifact_id) VALUES (?, ?)", [
            (1, 1), (1, 2), (2, 3),  # the model only in the run: its pipeline is the run's parent
        ])  # fmt: skip
        db.executemany("INSERT INTO Association (context_id, execution_id) VALUES (?, ?)", [
            (1, 1), (2, 1), (3, 1), (2, 2),
        ])  # fmt: skip
        db.executemany(
            "INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, int_value, double_value,"
            " string_value, proto_value, bool_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                (3, "version", 0, 3, None, None, None, None),
                (3, "accuracy", 1, None, 0.91, None, None, None),
                (3, "tfx_version", 1, None, None, "1.15.0", None, None),
                (3, "is_external", 1, None, None, None, None, 1),
                (3, "hparams", 1, None, None, mlmd_struct(HPARAMS), None, None),
                (3, "blob", 1, None, None, None, _field(1, b"type.googleapis.com/x.Y") + _field(2, b"\x08\x01"),
                 None),
            ],
        )  # fmt: skip
        db.execute("INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, string_value) "
                   "VALUES (2, 'error', 1, 'no serving infra')")  # fmt: skip
        db.commit()
    return path


def test_a_hand_made_pipeline_store(tmp_path):
    path = pipeline_store(tmp_path / "metadata.sqlite")
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == []
    assert sorted(nodes) == [
        "dataset:churn/Schema-2",
        "dataset:churn/gs://bucket/examples/1",
        "job:churn/Trainer-1",
        "job:churn/push_1",
        "model:churn/churn_model",
        "model:churn_model_pushed",
    ]
    assert sorted(edges) == [
        ("dataset:churn/Schema-2", "job:churn/Trainer-1", "reads"),
        ("dataset:churn/gs://bucket/examples/1", "job:churn/Trainer-1", "reads"),
        ("job:churn/Trainer-1", "model:churn/churn_model", "writes"),
        ("job:churn/push_1", "model:churn_model_pushed", "writes"),
        ("model:churn/churn_model", "job:churn/push_1", "reads"),
    ]
    assert edges[("dataset:churn/gs://bucket/examples/1", "job:churn/Trainer-1", "reads")].attributes == {
        "event": "INPUT", "path": "examples[0]"}  # fmt: skip
    assert edges[("dataset:churn/Schema-2", "job:churn/Trainer-1", "reads")].attributes == {"event": "DECLARED_INPUT"}
    assert edges[("job:churn/push_1", "model:churn_model_pushed", "writes")].attributes == {"event": "PENDING_OUTPUT"}
    pusher = nodes["job:churn/push_1"].attributes
    assert (pusher["last_known_state"], pusher["failed"]) == ("FAILED", True)
    assert pusher["custom_properties"] == {"error": "no serving infra"}
    assert pusher["runs"] == ["run-2026-01-01"]
    trainer = nodes["job:churn/Trainer-1"].attributes
    assert (trainer["last_known_state"], trainer["failed"]) == ("COMPLETE", False)
    assert trainer["contexts"] == [{"type": "pipeline", "name": "churn"},
                                   {"type": "pipeline_run", "name": "run-2026-01-01"},
                                   {"type": "node", "name": "churn.Trainer"}]  # fmt: skip
    model = nodes["model:churn/churn_model"].attributes
    assert model["properties"] == {"version": 3}
    assert model["custom_properties"] == {
        "accuracy": 0.91, "tfx_version": "1.15.0", "is_external": True, "hparams": HPARAMS,
        "blob": {"proto": "type.googleapis.com/x.Y"},
    }  # fmt: skip
    assert model["state"] == "LIVE" and model["uri"] == "gs://bucket/model/3"
    assert nodes["model:churn_model_pushed"].attributes["state"] == "ABANDONED"
    assert nodes["dataset:churn/Schema-2"].attributes["type"] == "Schema"


def test_an_older_store_with_only_the_columns_every_version_has(tmp_path):
    path = tmp_path / "metadata.db"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            "CREATE TABLE Type (id INTEGER PRIMARY KEY, name TEXT, type_kind INT);"
            "CREATE TABLE Artifact (id INTEGER PRIMARY KEY, type_id INT, uri TEXT);"
            "CREATE TABLE Execution (id INTEGER PRIMARY KEY, type_id INT);"
            "CREATE TABLE Event (id INTEGER PRIMARY KEY, artifact_id INT, execution_id INT, type INT);"
            "INSERT INTO Type VALUES (1, 'ExamplesPath', 1), (2, 'SavedModel', 1), (3, 'Train', 0);"
            "INSERT INTO Artifact VALUES (1, 1, '/data/train.csv'), (2, 2, '/models/1');"
            "INSERT INTO Execution VALUES (1, 3);"
            "INSERT INTO Event VALUES (1, 1, 1, 3), (2, 2, 1, 1);"
        )
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == []
    assert sorted(nodes) == ["dataset:/data/train.csv", "job:Train-1", "model:/models/1"]
    assert sorted(edges) == [
        ("dataset:/data/train.csv", "job:Train-1", "reads"),
        ("job:Train-1", "model:/models/1", "writes"),
    ]
    assert nodes["job:Train-1"].attributes == {"mlmd_id": 1, "type": "Train"}


def test_sniff(tmp_path):
    assert IMPORTER.sniff(SAMPLE)
    assert not IMPORTER.sniff(DATA / "feast" / "feast_registry_dump.json")
    assert not IMPORTER.sniff(tmp_path)
    text = tmp_path / "metadata.sqlite"
    text.write_text("not a database")
    assert not IMPORTER.sniff(text)
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x01" * 5000)
    assert not IMPORTER.sniff(corrupt)
    with Store.open(tmp_path / "lineage.db", create=True):
        pass
    assert not IMPORTER.sniff(tmp_path / "lineage.db")  # SQLite, but not MLMD
    no_events = empty_store(tmp_path / "no_events.sqlite")
    with closing(sqlite3.connect(no_events)) as db:
        db.execute("DROP TABLE Event")
    assert not IMPORTER.sniff(no_events)


BAD = [
    # (what, SQL run on the hand-made pipeline store, exact problems or error)
    ("no Event table", ["DROP TABLE Event"], "{f}[Event]: no Event table: not an ML Metadata store"),
    ("no Type table", ["DROP TABLE Type"], "{f}[Type]: no Type table: not an ML Metadata store"),
    ("a column missing", ["DROP INDEX idx_artifact_uri", "ALTER TABLE Artifact DROP COLUMN uri"],
     "{f}[Artifact]: table Artifact has no column 'uri': not an ML Metadata store"),
    ("a newer schema", ["UPDATE MLMDEnv SET schema_version = 11"],
     "{f}[MLMDEnv row 11]: unknown ML Metadata schema version 11 (this importer reads versions up to 10)"),
    ("a newer schema that changed columns",
     ["UPDATE MLMDEnv SET schema_version = 12", "DROP INDEX idx_artifact_uri", "ALTER TABLE Artifact DROP COLUMN uri"],
     "{f}[MLMDEnv row 12]: unknown ML Metadata schema version 12 (this importer reads versions up to 10)"),
    ("no schema version", ["DELETE FROM MLMDEnv"], "{f}: table MLMDEnv has 0 rows, not one schema version"),
    ("an event of a missing artifact", ["INSERT INTO Event VALUES (7, 99, 1, 3, 0)"],
     ["{f}[Event row 7]: names artifact 99, which the Artifact table does not have"]),
    ("an event of a missing execution", ["INSERT INTO Event VALUES (7, 1, 42, 4, 0)"],
     ["{f}[Event row 7]: names execution 42, which the Execution table does not have"]),
    ("an event of an unknown type", ["INSERT INTO Event VALUES (7, 4, 1, 9, 0)"],
     ["{f}[Event row 7]: unknown event type 9 (MLMD knows 0 to 7)"]),
    ("an attribution to a missing context", ["INSERT INTO Attribution VALUES (9, 12, 4)"],
     ["{f}[Attribution row 9]: names context 12, which the Context table does not have"]),
    ("an association of a missing execution", ["INSERT INTO Association VALUES (9, 1, 5)"],
     ["{f}[Association row 9]: names execution 5, which the Execution table does not have"]),
    ("a parent context that does not exist", ["INSERT INTO ParentContext VALUES (3, 8)"],
     ["{f}[ParentContext row 2]: names context 8, which the Context table does not have"]),
    ("an artifact of a missing type", ["INSERT INTO Artifact (id, type_id, uri) VALUES (5, 77, 'x')"],
     ["{f}[Artifact row 5]: artifact type 77 is not in the Type table"]),
    ("a property of a missing artifact",
     ["INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, int_value) VALUES (99, 'span', 1, 1)"],
     ["{f}[ArtifactProperty row 7]: property 'span' of artifact 99, which the Artifact table does not have"]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "sql", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_stores(tmp_path, what, sql, expected):
    path = pipeline_store(tmp_path / "metadata.sqlite")
    with closing(sqlite3.connect(path)) as db:
        for statement in sql:
            db.execute(statement)
        db.commit()
    if isinstance(expected, str):
        with pytest.raises(InputError) as raised:
            list(IMPORTER.read(path))
        assert str(raised.value.problem) == expected.format(f=path)
    else:
        nodes, _, problems = records(path)
        assert problems == [e.format(f=path) for e in expected]
        assert len(nodes) >= 6  # the rest of the store is still read


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,uri\nmodel,gs://x\n", "not an SQLite database (an ML Metadata store is one)"),
        (b"SQLite format 3\x00" + b"\x01" * 5000,
         "cannot read table sqlite_master of the SQLite store: file is not a database"),
        (SAMPLE.read_bytes()[:4096],
         "cannot read table sqlite_master of the SQLite store: database disk image is malformed"),
    ],
    ids=["text", "garbage", "truncated"],
)  # fmt: skip
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "metadata.sqlite"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        list(IMPORTER.read(path))
    assert str(raised.value.problem) == f"{path}: {message}"


def test_the_store_is_never_written(tmp_path):
    folder = tmp_path / "we?ird #name%20"  # characters a file: URI must escape
    folder.mkdir()
    path = folder / "metadata.sqlite"
    shutil.copy(SAMPLE, path)
    before = file_digest(path)
    assert IMPORTER.sniff(path)
    nodes, _, problems = records(path)
    assert problems == [] and len(nodes) == 3
    assert file_digest(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.sqlite"]  # no journal, no WAL


def test_through_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr("lineage.ingest.registry.importers", lambda: (MLMDImporter(),))
    path = pipeline_store(tmp_path / "metadata.sqlite")
    with Store.open(tmp_path / "lineage.db", create=True) as store:
        report = import_paths(store, [SAMPLE, path], fmt="mlmd")
        assert report.ok and report.committed
        graph = load_graph(store)
        assert store.counts()["nodes"] == 9
        assert graph.has_edge("dataset:churn_pipeline/churn_examples", "job:churn_pipeline/train_run_1")
        assert graph.has_edge("job:churn_pipeline/train_run_1", "model:churn_pipeline/churn_model")
        assert graph.nodes["model:churn/churn_model"]["kind"] == "model"
        assert store.node("job:churn/push_1")["attributes"]["failed"] is True
        # A dangling event is a problem: nothing of the batch is written.
        with closing(sqlite3.connect(path)) as db:
            db.execute("INSERT INTO Event VALUES (7, 99, 1, 3, 0)")
            db.commit()
        report = import_paths(store, [path], fmt="mlmd")
        assert not report.committed
        assert [str(p) for p in report.problems] == [
            f"{path}[Event row 7]: names artifact 99, which the Artifact table does not have"
        ]
