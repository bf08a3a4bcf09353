"""The OpenLineage importer on real files of Marquez, OpenLineage and its compatibility tests
(tests/importers/data/real/openlineage/SOURCE.txt), checked against the official schemas.

Every expectation is read from the raw file here, in the test (which datasets, jobs and edges it
names), never copied from what the importer makes of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lineage_importers import olschema
from lineage_importers.openlineage import OpenLineageImporter

from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Notice, Problem
from lineage.resources import resource_path
from lineage.store import Store
from tests.conftest import DATA

REAL = DATA / "real" / "openlineage"
MARQUEZ = REAL / "marquez"
CLIENT = REAL / "openlineage-client"
SPARK = REAL / "spark-cll"
SEED = MARQUEZ / "docker__metadata.json"
FULL = MARQUEZ / "api__src__test__resources__open_lineage__event_full.json"
DATASET_EVENT = MARQUEZ / "api__src__test__resources__open_lineage__event_dataset_event.json"
JOB_EVENT = MARQUEZ / "api__src__test__resources__open_lineage__event_job_event.json"
NO_SCHEMA_URL = MARQUEZ / "api__src__test__resources__open_lineage__event_without_schema_url.json"
CLIENT_DATASET_EVENT = CLIENT / "client__python__tests__serde_example_dataset_event.json"
CLIENT_JOB_EVENT = CLIENT / "client__python__tests__serde_example_job_event.json"
SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "openlineage-spec"
IMPORTER = OpenLineageImporter()


def read(path: Path):
    """Nodes by id, edges by key, problems and warnings (as text) the importer reads."""
    out = list(IMPORTER.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord)}
    edges = {r.key: r for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)], [str(r) for r in out if isinstance(r, Notice)]


def raw(path: Path):
    return json.loads(path.read_text("utf-8"))


def dataset_id(d: dict) -> str:
    return f"dataset:{d['namespace']}/{d['name']}"


def job_id(j: dict) -> str:
    return f"job:{j['namespace']}/{j['name']}"


def expected_graph(events: list[dict]) -> tuple[set[str], set[tuple[str, str, str]]]:
    """The nodes and edges the events name, as the OpenLineage docs define them: inputs read by
    the job, outputs written by it, and column lineage from each input field's dataset; each end
    of the column lineage a field of its dataset, one field derived from the other."""
    nodes, edges = set(), set()

    def column_lineage(d: dict) -> None:
        for out, spec in ((d.get("facets") or {}).get("columnLineage") or {}).get("fields", {}).items():
            target = f"field:{d['namespace']}/{d['name']}#{out}"
            nodes.add(target)
            edges.add((dataset_id(d), target, "has_field"))
            for source in spec["inputFields"]:
                origin = f"field:{source['namespace']}/{source['name']}#{source['field']}"
                nodes.update((dataset_id(source), origin))
                edges.update({(dataset_id(source), dataset_id(d), "derives"), (origin, target, "derives"),
                              (dataset_id(source), origin, "has_field")})  # fmt: skip

    for e in events:
        if "job" not in e:
            nodes.add(dataset_id(e["dataset"]))
            column_lineage(e["dataset"])
            continue
        job = job_id(e["job"])
        nodes.add(job)
        for d in e.get("inputs") or []:
            nodes.add(dataset_id(d))
            edges.add((dataset_id(d), job, "reads"))
        for d in e.get("outputs") or []:
            nodes.add(dataset_id(d))
            edges.add((job, dataset_id(d), "writes"))
            column_lineage(d)
    return nodes, edges


# -- A. the official schemas ------------------------------------------------------------------


def test_the_official_schemas_are_vendored_unchanged_with_their_notice():
    root = resource_path("schema", "openlineage")
    files = sorted(root.rglob("*.json"))
    for path in files:  # each at the path of its $id, so schemaURL finds it
        assert raw(path)["$id"] == olschema.BASE + path.relative_to(root).as_posix()
    versions = {p.parent.name for p in files if p.name == "OpenLineage.json"}
    assert {"1-0-0", "1-0-5", "2-0-0", "2-0-2"} <= versions
    assert "Apache License" in (root / "LICENSE").read_text() and "Version 2.0" in (root / "LICENSE").read_text()
    source = (root / "SOURCE.txt").read_text()
    assert "github.com/OpenLineage/OpenLineage" in source and "8f02abfb7a252783b95df79f443edb13959bf52c" in source
    assert "Apache" in source
    # Our own transcription is gone: the official file replaced it.
    assert not resource_path("schema", "openlineage-2-0-2-core.schema.json").exists()
    if not SHARED_SPEC.is_dir():
        pytest.skip("shared/openlineage-spec is not beside the repository")
    shared = [SHARED_SPEC / "OpenLineage.json", *sorted((SHARED_SPEC / "facets").glob("*.json"))]
    for path in shared:  # the newest versions are the shared copies, byte for byte
        vendored = root / raw(path)["$id"].removeprefix(olschema.BASE)
        assert vendored.read_bytes() == path.read_bytes(), path


def test_a_facet_that_breaks_its_own_schema_is_dropped_with_a_warning_at_its_pointer(tmp_path):
    event = raw(FULL)
    metrics = event["inputs"][0]["inputFacets"]["dataQualityMetrics"]
    schema_url = metrics["_schemaURL"]
    # The schema the facet names (OpenLineage 1-0-1, where facets lived in the core) requires
    # columnMetrics, which this real Marquez test event does not have.
    base, _, pointer = schema_url.partition("#")
    definition = raw(resource_path("schema", "openlineage", base.removeprefix(olschema.BASE)))
    for step in pointer.strip("/").split("/"):
        definition = definition[step]
    assert "columnMetrics" in definition["allOf"][1]["required"] and "columnMetrics" not in metrics
    nodes, edges, problems, notices = read(FULL)
    assert problems == []
    assert len(notices) == 1
    assert notices[0].startswith(
        f"{FULL}#/inputs/0/inputFacets/dataQualityMetrics: warning: facet 'dataQualityMetrics' dropped: missing 'columnMetrics'"
    )
    assert schema_url in notices[0]
    # Only that facet is dropped: the event, its other facets and its lineage are read.
    table = nodes[dataset_id(event["inputs"][0])].attributes["facets"]
    assert "dataQualityMetrics" not in table and "dataQualityAssertions" in table
    want_nodes, want_edges = expected_graph([event])
    assert set(nodes) == want_nodes and set(edges) == want_edges
    # In JSON Lines the warning names the line, and the pointer in it.
    log = tmp_path / "events.jsonl"
    log.write_text(json.dumps(event) + "\n")
    _, _, problems, notices = read(log)
    assert problems == [] and notices[0].startswith(
        f"{log}:1: warning: /inputs/0/inputFacets/dataQualityMetrics: facet 'dataQualityMetrics' dropped"
    )
    with Store.open(tmp_path / "l.db", create=True) as store:  # a warning never fails an import
        report = import_paths(store, [FULL])
        assert report.committed and report.problems == [] and len(report.notices) == 1


def test_an_event_is_checked_against_the_core_version_it_names(tmp_path):
    """A real Spark RUNNING event is valid as the 2-0-2 event it says it is; named as a 1-0-2
    event it is not: RUNNING came with 1-0-3."""
    event = raw(SPARK / "6.json")
    assert event["eventType"] == "RUNNING" and event["schemaURL"].startswith("https://openlineage.io/spec/2-0-2/")
    assert (
        "RUNNING"
        not in raw(resource_path("schema", "openlineage", "1-0-2", "OpenLineage.json"))["$defs"]["RunEvent"][
            "properties"
        ]["eventType"]["enum"]
    )
    assert read(SPARK / "6.json")[2:] == ([], [])
    older = tmp_path / "older.json"
    older.write_text(
        json.dumps(
            {**event, "schemaURL": "https://openlineage.io/spec/1-0-2/OpenLineage.json#/$defs/RunEvent"}, indent=2
        )
    )
    line = next(n for n, text in enumerate(older.read_text().splitlines(), 1) if text.startswith('  "eventType"'))
    _, _, problems, _ = read(older)
    assert problems == [f"{older}:{line}: eventType must be one of START, COMPLETE, ABORT, FAIL, OTHER, not 'RUNNING'"]


def test_custom_facets_are_kept_unvalidated():
    """Marquez's DatasetEvent names a custom schema for its schema facet; the Spark events carry
    facets of Spark's own (spark_properties, ...): all are kept."""
    event = raw(DATASET_EVENT)
    schema = event["dataset"]["facets"]["schema"]
    assert "openlineage.io/spec/facets" not in schema["_schemaURL"]
    nodes, _, problems, _ = read(DATASET_EVENT)
    assert problems == []
    assert nodes[dataset_id(event["dataset"])].attributes["fields"] == schema["fields"]
    spark = raw(SPARK / "5.json")
    custom = {n for n, f in spark["run"]["facets"].items() if "openlineage.io/spec/facets/" not in f["_schemaURL"]}
    assert custom  # spark_properties, processing_engine ... name no standard facet schema
    nodes, _, problems, notices = read(SPARK)
    assert problems == [] and notices == []


def test_each_schema_is_compiled_once_not_per_event(tmp_path, monkeypatch):
    compiled = []
    real_compile = olschema.fastjsonschema.compile
    monkeypatch.setattr(
        olschema.fastjsonschema, "compile", lambda *a, **k: compiled.append(a[0]) or real_compile(*a, **k)
    )
    olschema.validator.cache_clear()
    olschema.facet_schema.cache_clear()
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(raw(SPARK / "5.json")) + "\n")
    read(one)
    after_one = len(compiled)
    assert after_one and len(set(map(str, compiled))) == after_one  # no schema compiled twice
    many = tmp_path / "many.jsonl"
    many.write_text(
        "".join(
            json.dumps({**raw(SPARK / "5.json"), "eventTime": f"2024-08-06T13:{m:02d}:00Z"}) + "\n" for m in range(60)
        )
    )
    read(many)
    assert len(compiled) == after_one  # 60 more events, not one more compilation


# -- B. schemaURL --------------------------------------------------------------------------------


def test_an_event_without_schema_url_is_read_with_a_warning(tmp_path):
    event = raw(NO_SCHEMA_URL)
    assert "schemaURL" not in event  # Marquez's own test that it accepts such an event
    nodes, edges, problems, notices = read(NO_SCHEMA_URL)
    assert problems == []
    assert notices == [
        f"{NO_SCHEMA_URL}:1: warning: no schemaURL: read as an OpenLineage 2-0-2 RunEvent "
        "(the spec requires schemaURL; Marquez accepts events without it)"
    ]
    want_nodes, want_edges = expected_graph([event])
    assert set(nodes) == want_nodes and set(edges) == want_edges
    assert all(e.evidence == "observed" for e in edges.values())
    # What the official schema does forbid stays a problem: the same event without a producer.
    bad = tmp_path / "no_producer.json"
    bad.write_text(json.dumps({k: v for k, v in event.items() if k != "producer"}, indent=2))
    assert read(bad)[2] == [f"{bad}:1: missing 'producer'"]


def test_a_json_array_seed_without_schema_urls_warns_once_and_counts_the_rest():
    events = raw(SEED)
    assert isinstance(events, list) and not any("schemaURL" in e for e in events)
    nodes, edges, problems, notices = read(SEED)
    assert problems == []
    assert notices[0].startswith(f"{SEED}:2: warning: no schemaURL")
    assert (
        notices[1]
        == f"{SEED}: warning: {len(events) - 1} more events like {SEED}:2: " + notices[0].split(": warning: ", 1)[1]
    )


# -- C. column lineage from datasets that are not inputs ---------------------------------------------


def test_column_lineage_from_a_dataset_that_is_not_an_input_makes_it_a_dataset(tmp_path):
    events = raw(SEED)
    outside = []  # (output, dataset of an input field) where the run does not list that dataset
    for e in events:
        inputs = {dataset_id(d) for d in e.get("inputs") or []}
        for d in e.get("outputs") or []:
            for spec in ((d.get("facets") or {}).get("columnLineage") or {}).get("fields", {}).values():
                outside += [(dataset_id(d), dataset_id(s)) for s in spec["inputFields"] if dataset_id(s) not in inputs]
    assert outside  # Marquez's seed has one: public.menu_item_id feeds public.delivery_7_days
    nodes, edges, problems, _ = read(SEED)
    assert problems == []
    for output, source in outside:
        assert source in nodes and nodes[source].kind == "dataset" and nodes[source].classifiable
        assert edges[(source, output, "derives")].evidence == "observed"
    want_nodes, want_edges = expected_graph(events)
    assert set(nodes) == want_nodes and set(edges) == want_edges
    # The seed as it is, and with the schemaURL its events lack (so that only the column lineage
    # is at stake): both import, with a node for the dataset no run lists.
    with_urls = tmp_path / "seed.json"
    with_urls.write_text(
        json.dumps([{**e, "schemaURL": olschema.core_id() + "#/$defs/RunEvent"} for e in events], indent=2)
    )
    for n, path in enumerate((SEED, with_urls)):
        with Store.open(tmp_path / f"{n}.db", create=True) as store:
            report = import_paths(store, [path])
            assert report.committed and report.problems == [], report.problems
            assert store.counts()["nodes"] == len(want_nodes)


# -- D. DatasetEvents, JobEvents, JSON arrays ------------------------------------------------------


@pytest.mark.parametrize("path", [DATASET_EVENT, CLIENT_DATASET_EVENT], ids=["marquez", "openlineage-client"])
def test_a_dataset_event_is_an_event_file(path):
    event = raw(path)
    assert "job" not in event and "run" not in event
    assert IMPORTER.sniff(path)
    nodes, edges, problems, _ = read(path)
    assert problems == [] and edges == {}
    assert set(nodes) == {dataset_id(event["dataset"])}
    fields = [f["name"] for f in event["dataset"]["facets"]["schema"]["fields"]]
    assert [f["name"] for f in nodes[dataset_id(event["dataset"])].attributes["fields"]] == fields


@pytest.mark.parametrize("path", [JOB_EVENT, CLIENT_JOB_EVENT], ids=["marquez", "openlineage-client"])
def test_a_job_event_is_declared_lineage(path):
    event = raw(path)
    assert "run" not in event
    assert IMPORTER.sniff(path)
    nodes, edges, problems, _ = read(path)
    assert problems == []
    want_nodes, want_edges = expected_graph([event])
    assert set(nodes) == want_nodes and set(edges) == want_edges
    assert all(e.evidence == "declared" for e in edges.values())


def marquez_style_folder(folder: Path) -> Path:
    """RunEvents, DatasetEvents and JobEvents of Marquez and the OpenLineage client, and
    Marquez's seed (a JSON array of events), one folder as Marquez is fed."""
    folder.mkdir()
    for path in (SEED, FULL, DATASET_EVENT, JOB_EVENT, NO_SCHEMA_URL, CLIENT_DATASET_EVENT, CLIENT_JOB_EVENT):
        shutil.copy(path, folder / path.name)
    return folder


def test_a_folder_with_dataset_and_job_events_is_one_event_folder(tmp_path):
    folder = marquez_style_folder(tmp_path / "events")
    assert IMPORTER.sniff(folder)
    nodes, edges, problems, notices = read(folder)
    assert problems == []
    events = []
    for path in sorted(folder.iterdir()):
        events += raw(path) if isinstance(raw(path), list) else [raw(path)]
    want_nodes, want_edges = expected_graph(events)
    assert set(nodes) == want_nodes and set(edges) == want_edges


def test_lineage_import_of_a_marquez_style_folder_succeeds_and_prints_the_warnings(lineage, tmp_path):
    folder = marquez_style_folder(tmp_path / "events")
    result = lineage("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "imported 1 of 1 sources" in result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert any("no schemaURL" in w for w in warnings)
    assert any(
        w.startswith(
            f"{folder / FULL.name}#/inputs/0/inputFacets/dataQualityMetrics: warning: facet 'dataQualityMetrics' dropped"
        )
        for w in warnings
    )
    assert any("names OpenLineage 1-0-1, which has no JobEvent" in w for w in warnings)
    shown = lineage("show", dataset_id(raw(DATASET_EVENT)["dataset"]))
    assert shown.exit_code == 0, shown.output


# -- E. symlinks ---------------------------------------------------------------------------------------


def test_symlinks_make_another_name_of_a_dataset_the_same_node(tmp_path):
    """Spark names Hive tables by their location and gives the table name as a symlink: a job
    that names the table reads the dataset Spark wrote, one node."""
    output = raw(SPARK / "8.json")["outputs"][0]
    (link,) = output["facets"]["symlinks"]["identifiers"]
    assert link["type"] == "TABLE" and (link["namespace"], link["name"]) != (output["namespace"], output["name"])
    folder = tmp_path / "events"
    shutil.copytree(SPARK, folder)
    # A static JobEvent (the shape OpenLineage's client writes) of a report that reads the table.
    reader = raw(CLIENT_JOB_EVENT)
    reader["job"] = {"namespace": "reports", "name": "daily_report"}
    reader["inputs"] = [{"namespace": link["namespace"], "name": link["name"]}]
    reader["outputs"] = []
    (folder / "report.json").write_text(json.dumps(reader, indent=2))
    nodes, edges, problems, _ = read(folder)
    assert problems == []
    table = dataset_id(output)
    assert dataset_id(link) not in nodes
    assert (table, "job:reports/daily_report", "reads") in edges
    assert f"{link['namespace']}/{link['name']}" in nodes[table].aliases
    # Spark's own lineage into the table is still there.
    spark_nodes, spark_edges = expected_graph([raw(p) for p in sorted(SPARK.glob("*.json"))])
    assert spark_nodes <= set(nodes) and spark_edges <= set(edges)


def test_the_spark_column_lineage_keeps_how_each_column_is_made():
    """tbl1 = SELECT a AS ident, concat(b, ...) AS trans, sum(c) AS agg FROM s1 JOIN s2 ... GROUP BY:
    the events' transformations, read off the raw file, on each field edge."""
    folder = Path(__file__).parent / "data" / "real" / "openlineage" / "spark-cll"
    nodes, edges, problems, _ = read(folder)
    assert problems == []
    f = "field:file//tmp/cll_test/"
    said = {}
    for path in sorted(folder.glob("*.json")):
        for d in raw(path).get("outputs") or []:
            for out, spec in (((d.get("facets") or {}).get("columnLineage") or {}).get("fields") or {}).items():
                for i in spec["inputFields"]:
                    said[(f + i["name"].rsplit("/", 1)[1] + "#" + i["field"], f + "tbl1#" + out)] = i["transformations"]
    assert len(said) == 10
    for (source, target), how in said.items():
        assert edges[(source, target, "derives")].attributes["transformations"] == [
            {k: t[k] for k in ("type", "subtype", "description", "masking") if t.get(k) not in (None, "")} for t in how
        ]
    aggregated = edges[(f + "cll_source2#c", f + "tbl1#agg", "derives")].attributes["transformations"]
    assert aggregated == [{"type": "DIRECT", "subtype": "AGGREGATION", "masking": False}]
