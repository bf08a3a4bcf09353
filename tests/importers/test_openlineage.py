"""The OpenLineage importer: real samples, events written by the real client, bad input."""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from pathlib import Path

import pytest
from lineage_importers.openlineage import OpenLineageImporter

from lineage.analyses import feedback_loops
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import Notice, Problem
from lineage.store import Store
from tests.conftest import DATA, read_records

SAMPLES = DATA / "openlineage"
IMPORTER = OpenLineageImporter()


def records(path: Path):
    return read_records(IMPORTER, path)


def test_generated_jsonl_sample():
    nodes, edges, problems = records(SAMPLES / "filetransport_append_events.jsonl")
    assert problems == []
    age, bucket = "field:postgres://db:5432/public.users#age", "field:s3://features/churn/user_features#age_bucket"
    assert sorted(nodes) == [
        "dataset:postgres://db:5432/public.users",
        "dataset:s3://features/churn/user_features",
        age,
        bucket,  # the two ends of the column lineage (users.age -> user_features.age_bucket)
        "job:feature-pipelines/build_user_features",
    ]
    assert sorted(edges) == [
        ("dataset:postgres://db:5432/public.users", "dataset:s3://features/churn/user_features", "derives"),
        ("dataset:postgres://db:5432/public.users", age, "has_field"),
        ("dataset:postgres://db:5432/public.users", "job:feature-pipelines/build_user_features", "reads"),
        ("dataset:s3://features/churn/user_features", bucket, "has_field"),
        (age, bucket, "derives"),
        ("job:feature-pipelines/build_user_features", "dataset:s3://features/churn/user_features", "writes"),
    ]  # fmt: skip
    assert all(e.evidence == ("declared" if k == "has_field" else "observed") for (_, _, k), e in edges.items())
    assert edges[(age, bucket, "derives")].attributes == {}  # the event's transformations are empty
    assert nodes[age].attributes == {"dataset": "dataset:postgres://db:5432/public.users", "column": "age",
                                     "type": "INT"}  # from the input's schema facet  # fmt: skip
    users = nodes["dataset:postgres://db:5432/public.users"]
    assert users.attributes["fields"] == [{"name": "age", "type": "INT"}]
    features = nodes["dataset:s3://features/churn/user_features"]
    assert features.attributes["column_lineage"] == {"age_bucket": [["postgres://db:5432", "public.users", "age"]]}
    job = nodes["job:feature-pipelines/build_user_features"]
    assert job.attributes["runs"]["total"] == 1
    assert job.attributes["runs"]["last_state"] == "COMPLETE"
    assert all(n.classifiable == (n.kind != "field") for n in nodes.values())  # a field is what its events say


def test_full_event_samples_keep_facets_and_parent():
    for name in ("client__python__tests__example_full_event.json", "proxy__fluentd__events__event_full.json"):
        nodes, edges, problems = records(SAMPLES / name)
        assert problems == []
        job = nodes["job:my-scheduler-namespace/myjob.mytask"]
        assert job.attributes["parent_job"].startswith("job:")
        assert "documentation" in job.attributes["facets"]
        table = nodes["dataset:my-datasource-namespace/instance.schema.table"]
        assert table.attributes["fields"]
    nodes, _, _ = records(SAMPLES / "proxy__fluentd__events__event_full.json")
    facets = nodes["dataset:my-datasource-namespace/instance.schema.table"].attributes["facets"]
    assert {"additionalProp1", "documentation", "dataSource"} <= set(facets)  # unknown facets kept
    assert "_producer" not in facets["documentation"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("integration__spark__app__integrations__container__columnLineageJDBCStart.json",
         "integration__spark__app__integrations__container__columnLineageJDBCStart.json:1: missing 'eventTime'"),  # noqa: E501
        ("integration__common__tests__dbt__duckdb__result.json",
         "integration__common__tests__dbt__duckdb__result.json:2: missing 'eventTime'"),
    ],
)  # fmt: skip
def test_partial_and_templated_test_expectations_are_reported_not_imported(name, expected):
    _, _, problems = records(SAMPLES / name)
    assert problems[0].endswith(expected)


def client_events(tmp_path: Path, *, append: bool) -> Path:
    """Events written by the real openlineage-python client through its FileTransport."""
    pytest.importorskip("openlineage.client")
    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import (
        column_lineage_dataset,
        parent_run,
        schema_dataset,
        symlinks_dataset,
    )
    from openlineage.client.transport.file import FileConfig, FileTransport

    out = tmp_path / ("events.jsonl" if append else "events")
    if not append:
        out.mkdir()
    client = OpenLineageClient(transport=FileTransport(FileConfig(
        log_file_path=str(out if append else out / "event"), append=append)))  # fmt: skip
    clicks = InputDataset("postgres://db", "public.clicks", facets={
        "schema": schema_dataset.SchemaDatasetFacet(fields=[
            schema_dataset.SchemaDatasetFacetFields(name="ad_id", type="INT"),
            schema_dataset.SchemaDatasetFacetFields(name="clicked", type="BOOL")]),
        "symlinks": symlinks_dataset.SymlinksDatasetFacet(identifiers=[
            symlinks_dataset.Identifier(namespace="hive", name="ads.clicks", type="TABLE")]),
    })  # fmt: skip
    ctr = OutputDataset("s3://features", "ctr_by_ad", facets={
        "columnLineage": column_lineage_dataset.ColumnLineageDatasetFacet(fields={
            "ctr": column_lineage_dataset.Fields(inputFields=[
                column_lineage_dataset.InputField(namespace="postgres://db", name="public.clicks",
                                                  field="clicked")],
                transformationDescription="", transformationType="")}),
    })  # fmt: skip
    job = Job(namespace="pipelines", name="build_ctr")
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=str(uuid.uuid4())), job=parent_run.Job(namespace="airflow", name="daily_dag")
    )
    run_ok, run_failed = str(uuid.uuid4()), str(uuid.uuid4())
    for run_id, states in ((run_ok, (RunState.START, RunState.RUNNING, RunState.COMPLETE)),
                           (run_failed, (RunState.START, RunState.FAIL))):  # fmt: skip
        for state in states:
            client.emit(RunEvent(
                eventType=state, eventTime=f"2026-01-0{len(state.value) % 9 + 1}T00:00:00Z",
                run=Run(runId=run_id, facets={"parent": parent}), job=job, producer="https://test",
                inputs=[clicks] if state == RunState.START else [],
                outputs=[ctr] if state != RunState.START else [],
            ))  # fmt: skip
    return out


@pytest.mark.parametrize("append", [True, False], ids=["jsonl", "folder of files"])
def test_events_from_the_real_client_reproduce_their_graph(tmp_path, append):
    path = client_events(tmp_path, append=append)
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == []
    clicked, ctr = "field:postgres://db/public.clicks#clicked", "field:s3://features/ctr_by_ad#ctr"
    assert sorted(nodes) == [
        "dataset:postgres://db/public.clicks", "dataset:s3://features/ctr_by_ad", clicked, ctr,
        "job:pipelines/build_ctr"
    ]  # fmt: skip
    assert sorted(edges) == [
        ("dataset:postgres://db/public.clicks", "dataset:s3://features/ctr_by_ad", "derives"),
        ("dataset:postgres://db/public.clicks", clicked, "has_field"),
        ("dataset:postgres://db/public.clicks", "job:pipelines/build_ctr", "reads"),
        ("dataset:s3://features/ctr_by_ad", ctr, "has_field"),
        (clicked, ctr, "derives"),
        ("job:pipelines/build_ctr", "dataset:s3://features/ctr_by_ad", "writes"),
    ]
    # One field under both names of its dataset (the symlinks facet's Hive table too).
    assert set(nodes[clicked].aliases) == {
        "dataset:postgres://db/public.clicks#clicked",
        "postgres://db/public.clicks#clicked",
        "hive/ads.clicks#clicked",
    }
    clicks = nodes["dataset:postgres://db/public.clicks"].attributes
    assert [f["name"] for f in clicks["fields"]] == ["ad_id", "clicked"]
    assert clicks["aliases"] == [{"namespace": "hive", "name": "ads.clicks", "type": "TABLE"}]
    job = nodes["job:pipelines/build_ctr"].attributes
    assert (job["runs"]["total"], job["runs"]["failed"]) == (2, 1)
    assert len(job["failed_runs"]) == 1
    assert job["parent_job"] == "job:airflow/daily_dag"


def test_gzip_and_duplicate_events(tmp_path):
    source = (SAMPLES / "filetransport_append_events.jsonl").read_bytes()
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(source + source))  # every event twice
    assert IMPORTER.sniff(path)
    nodes, edges, problems = records(path)
    assert problems == [] and len(nodes) == 5 and len(edges) == 6  # as once (test_generated_jsonl_sample)
    assert nodes["job:feature-pipelines/build_user_features"].attributes["runs"]["total"] == 1


def event(**changes) -> dict:
    base = json.loads((SAMPLES / "filetransport_append_events.jsonl").read_text().splitlines()[0])
    for dotted, value in changes.items():
        target = base
        *parents, last = dotted.split("__")
        for p in parents:
            target = target[p]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return base


BAD = [
    ("truncated line", lambda good: good[: len(good) // 2], "invalid JSON: Unterminated string starting at"),
    ("invalid JSON", lambda good: "{not json}", "invalid JSON: Expecting property name enclosed in double quotes"),
    ("missing eventTime", lambda good: json.dumps(event(eventTime=None)), "missing 'eventTime'"),
    ("missing runId", lambda good: json.dumps(event(run__runId=None)), "missing 'runId' in run"),
    ("missing job name", lambda good: json.dumps(event(job__name=None)), "missing 'name' in job"),
    ("unknown eventType", lambda good: json.dumps(event(eventType="DONE")),
     "eventType must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER, not 'DONE'"),
    ("runId not a UUID", lambda good: json.dumps(event(run__runId="run-42")),
     "run.runId must be a UUID, not 'run-42'"),
    ("eventTime not a time", lambda good: json.dumps(event(eventTime="yesterday")),
     "eventTime must be an ISO 8601 date-time, not 'yesterday'"),
    ("not an object", lambda good: "[1, 2]", "an OpenLineage event must be a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_lines_name_file_and_line_and_nothing_is_written(tmp_path, name, make, message):
    good = (SAMPLES / "filetransport_append_events.jsonl").read_text().splitlines()
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good[0], make(good[0]), good[1]]) + "\n")
    _, _, problems = records(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:2: {message}")
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert not import_paths(store, [path]).committed
        assert store.counts()["nodes"] == 0
        lenient = import_paths(store, [path], lenient=True)
        assert lenient.committed and store.counts()["nodes"] == 5  # the good lines' (test_generated_jsonl_sample)


BROKEN_FACETS = [
    ("schema fields is a number", "inputs", "schema", lambda e: e["inputs"][0]["facets"]["schema"].update(fields=3),
     "fields must be a list, not an integer (its schema: https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet)"),
    ("parent run is a string", "run", "parent", lambda e: e["run"].setdefault("facets", {}).update(
        parent={"run": "r", "job": {"namespace": "n", "name": "j"}}),
     "missing '_producer' (as OpenLineage 2-0-2 defines a facet here)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "facet", "breaks", "why"), BROKEN_FACETS, ids=[b[0] for b in BROKEN_FACETS])
def test_a_broken_facet_is_dropped_with_a_warning_and_the_event_is_read(tmp_path, name, where, facet, breaks, why):
    good = (SAMPLES / "filetransport_append_events.jsonl").read_text().splitlines()
    broken = json.loads(good[0])
    breaks(broken)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good[1], json.dumps(broken)]) + "\n")
    out = list(IMPORTER.read(path))
    assert [r for r in out if isinstance(r, Problem)] == []
    pointer = "/inputs/0/facets/schema" if where == "inputs" else "/run/facets/parent"
    assert [str(r) for r in out if isinstance(r, Notice)] == [
        f"{path}:2: warning: {pointer}: facet {facet!r} dropped: {why}"
    ]
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [path])  # not lenient: a dropped facet fails nothing
        assert report.committed and store.counts()["nodes"] == 5  # as test_generated_jsonl_sample
    nodes, _, _ = records(path)
    if facet == "schema":  # the fields are the good event's
        fields = json.loads(good[1])["inputs"][0]["facets"]["schema"]["fields"]
        users = nodes["dataset:postgres://db:5432/public.users"].attributes
        assert [f["name"] for f in users["fields"]] == [f["name"] for f in fields]
    else:
        assert "parent_job" not in nodes["job:feature-pipelines/build_user_features"].attributes


def test_a_truncated_gzip_is_an_error_at_its_line(tmp_path):
    data = gzip.compress((SAMPLES / "filetransport_append_events.jsonl").read_bytes())
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(data[: len(data) - 20])
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [path])
    assert "corrupt or truncated gzip" in str(report.problems[0])


def manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text("lineage_manifest: 1\n" + text)
    return path


def test_classification_rules_and_identity(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(SAMPLES / "filetransport_append_events.jsonl", events)
    rules = manifest(tmp_path, (
        "classify:\n  - {kind: model, namespace: 's3://features', name: 'churn/*'}\n"
        "models:\n  - name: user_features\n    namespace: churn\n"
    ))  # fmt: skip
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [rules]).ok
        assert import_paths(store, [events]).ok
        graph = load_graph(store)
        # The rule made the output a model, and identity made it the model the manifest declares.
        assert "model:churn/user_features" in graph
        assert "dataset:s3://features/churn/user_features" not in graph
        assert store.node("model:churn/user_features")["attributes"]["seen_as"] == (
            "dataset:s3://features/churn/user_features"
        )
        # Column lineage into a model: the field that feeds it is a feature, read from the field
        # (dropping the column breaks it), the field from its dataset.
        feature, age = "feature:postgres://db:5432/public.users.age", "field:postgres://db:5432/public.users#age"
        assert graph.has_edge("dataset:postgres://db:5432/public.users", age) and graph.has_edge(age, feature)
        assert list(graph.predecessors(feature)) == [age]
        assert graph.has_edge(feature, "model:churn/user_features")
        assert graph.edges[feature, "model:churn/user_features"]["observed"]


def test_without_rules_datasets_stay_datasets_and_jobs_jobs(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [SAMPLES / "filetransport_append_events.jsonl"])
        kinds = sorted(k for _, k in load_graph(store).nodes(data="kind"))
    assert kinds == ["dataset", "dataset", "field", "field", "job"]


def test_a_hidden_feedback_loop_through_a_log(tmp_path):
    declared = manifest(tmp_path, (
        "models:\n  - {name: ctr, features: [ctr_history], consumers: [ad_server]}\n"
        "consumers:\n  - {name: ad_server, writes: [click_log]}\n"
        "features:\n  - {name: ctr_history}\n"
        "datasets:\n  - {name: click_log}\n"
        "classify:\n  - {kind: feature, name: ctr_history}\n"
    ))  # fmt: skip
    events = tmp_path / "events.jsonl"
    e = event()
    e["inputs"] = [{"namespace": "", "name": "click_log"}]
    e["outputs"] = [{"namespace": "", "name": "ctr_history"}]
    e["job"] = {"namespace": "", "name": "aggregate_clicks"}
    events.write_text(json.dumps(e) + "\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [declared, events]).ok
        loops = feedback_loops(load_graph(store))
    assert len(loops) == 1 and loops[0].details["hidden"]
    assert set(loops[0].nodes) == {"model:ctr", "consumer:ad_server", "dataset:click_log",
                                   "job:aggregate_clicks", "feature:ctr_history"}  # fmt: skip


def test_every_event_that_names_a_dataset_or_edge_is_kept_as_provenance(lineage, tmp_path):
    """A folder is one input: each file and line that names click_log is one of its places."""
    demo = Path(__file__).parents[2] / "resources" / "demo" / "current" / "logs" / "openlineage"
    lines = (demo / "airflow-events.jsonl").read_text().splitlines()
    mentions = [i for i, line in enumerate(lines[:3], 1) if '"click_log"' in line]
    assert mentions == [1, 2, 3]  # read off the demo log: its first run reads click_log thrice
    events = tmp_path / "events"
    events.mkdir()
    (events / "a.jsonl").write_text("\n".join(lines[:3]) + "\n")
    again = [json.loads(line) for line in lines[:3]]
    for event in again:  # the same job run again: another run id, the same lineage
        event["run"]["runId"] = str(uuid.uuid4())
    (events / "b.jsonl").write_text("".join(json.dumps(e) + "\n" for e in again))
    assert lineage("import", str(events)).exit_code == 0
    shown = json.loads(lineage("show", "dataset:ads/click_log", "--json").output)
    places = [(Path(p["file"]).name, p["line"]) for p in shown["provenance"]]
    assert places == [("a.jsonl", 1), ("a.jsonl", 2), ("a.jsonl", 3), ("b.jsonl", 1), ("b.jsonl", 2), ("b.jsonl", 3)]
    job = next(e["target"] for e in shown["outputs"] if e["kind"] == "reads")
    with Store.open(lineage.db) as store:
        edge = [(Path(p["file"]).name, p["line"]) for p in store.edge_provenance("dataset:ads/click_log", job, "reads")]
    reads = [i for i, event in enumerate(again, 1)  # the events of that job whose run reads click_log
             if job.endswith("/" + event["job"]["name"])
             and any(d["name"] == "click_log" for d in event.get("inputs") or [])]  # fmt: skip
    assert edge == [(name, i) for name in ("a.jsonl", "b.jsonl") for i in reads]
