"""The serving-log importer: JSON Lines and CSV, gzip, column mapping, and bad rows."""

from __future__ import annotations

import gzip
import json

import pytest
from lineage_importers.servinglog import ServingLogImporter

from lineage.analyses import undeclared_consumers
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Problem
from lineage.store import Store

IMPORTER = ServingLogImporter()
ROWS = [
    {"time": "2026-03-01T10:00:00Z", "consumer": "ad_server", "model": "ctr", "model_version": 7,
     "features": ["terms", "ad_id"], "requests": 100},
    {"time": "2026-03-01T11:00:00Z", "consumer": "ad_server", "model": "ctr", "model_version": "8",
     "features": ["terms"]},
    {"time": "2026-03-01T09:00:00Z", "consumer": "fraud_monitor", "model": "ctr"},
]  # fmt: skip
CSV = (
    "time,consumer,model,model_version,features,requests\n"
    "2026-03-01T10:00:00Z,ad_server,ctr,7,terms;ad_id,100\n"
    "2026-03-01T11:00:00Z,ad_server,ctr,8,terms,\n"
    "2026-03-01T09:00:00Z,fraud_monitor,ctr,,,\n"
)


def read(path, options=None):
    out = list(IMPORTER.read(path, options))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord)}
    edges = {(r.source, r.target): r for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


def check_graph(nodes, edges):
    assert sorted(nodes) == ["consumer:ad_server", "consumer:fraud_monitor", "feature:ad_id",
                             "feature:terms", "model:ctr"]  # fmt: skip
    assert sorted(edges) == [("feature:ad_id", "model:ctr"), ("feature:terms", "model:ctr"),
                             ("model:ctr", "consumer:ad_server"),
                             ("model:ctr", "consumer:fraud_monitor")]  # fmt: skip
    assert all(e.evidence == "observed" and e.kind == "reads" for e in edges.values())
    served = edges["model:ctr", "consumer:ad_server"].attributes["serving"]
    assert served == {"requests": 101, "first_seen": "2026-03-01T10:00:00Z",
                      "last_seen": "2026-03-01T11:00:00Z", "versions": ["7", "8"]}  # fmt: skip
    assert nodes["model:ctr"].attributes["seen_in_logs"]["versions"] == ["7", "8"]


@pytest.mark.parametrize("compressed", [False, True])
def test_jsonl(tmp_path, compressed):
    body = "".join(json.dumps(r) + "\n" for r in ROWS).encode()
    path = tmp_path / ("serving.jsonl.gz" if compressed else "serving.jsonl")
    path.write_bytes(gzip.compress(body) if compressed else body)
    assert IMPORTER.sniff(path)
    nodes, edges, problems = read(path)
    assert problems == []
    check_graph(nodes, edges)


def test_csv(tmp_path):
    path = tmp_path / "serving.csv"
    path.write_text(CSV)
    assert IMPORTER.sniff(path)
    nodes, edges, problems = read(path)
    assert problems == []
    check_graph(nodes, edges)


def test_other_column_names_through_options(tmp_path):
    path = tmp_path / "access.csv"
    path.write_text(CSV.replace("consumer", "client").replace("features", "signals")
                    .replace("terms;ad_id", "terms|ad_id"))  # fmt: skip
    assert not IMPORTER.sniff(path)  # no consumer column: not recognised without help
    nodes, edges, problems = read(path, {"consumer": "client", "features": "signals", "separator": "|"})
    assert problems == []
    check_graph(nodes, edges)
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(
            store, [path], fmt="servinglog", options={"consumer": "client", "features": "signals", "separator": "|"}
        )
        assert report.ok and store.counts()["edges"] == 4
        bad = import_paths(store, [path], fmt="servinglog", options={"colour": "x"})
        assert "no importer here takes option 'colour'" in str(bad.problems[0])


BAD_ROWS = [
    ('{"consumer": "a"}', "missing 'model'"),
    ('{"consumer": "a", "model": 3}', "'model' must be a string, not int"),
    ('{"consumer": "a", "model": "m", "features": 5}', "'features' must be a list of names or a ';'-separated string"),  # noqa: E501
    ('{"consumer": "a", "model": "m", "requests": "many"}', "'requests' must be a whole number, not 'many'"),
    ('{"consumer": "a", "model": ', "invalid JSON: Expecting value"),
    ('["a"]', "a log line must be a JSON object"),
]


@pytest.mark.parametrize(("line", "message"), BAD_ROWS)
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "serving.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + line + "\n")
    _, _, problems = read(path)
    assert problems == [f"{path}:2: {message}"]


def test_bad_csv_rows(tmp_path):
    path = tmp_path / "serving.csv"
    path.write_text("consumer,model\na,m\nb\n")
    assert read(path)[2] == [f"{path}:3: 1 cells, but the header has 2 columns"]


def test_a_consumer_seen_only_in_the_log_is_undeclared(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("lineage_manifest: 1\nnamespace: ads\nmodels: [{name: ctr, consumers: [ad_server]}]\n")
    log = tmp_path / "serving.jsonl"
    log.write_text("".join(json.dumps({**r, "namespace": "ads"}) + "\n" for r in ROWS))
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [manifest]).ok
        assert import_paths(store, [log]).ok
        graph = load_graph(store)
    assert [f.nodes for f in undeclared_consumers(graph)] == [("consumer:ads/fraud_monitor", "model:ads/ctr")]
    edge = graph.edges["model:ads/ctr", "consumer:ads/ad_server"]
    assert edge["declared"] and edge["observed"]


@pytest.mark.parametrize(("lines", "kept"), [(3, [1, 2, 3]), (60, list(range(1, 51)))])
def test_every_line_that_names_a_node_is_kept_as_its_provenance_up_to_50(lineage, tmp_path, lines, kept):
    log = tmp_path / "requests.jsonl"
    row = '{"consumer": "ads", "model": "ctr", "namespace": "n", "features": ["f"], "requests": 1}\n'
    log.write_text(row * lines)
    assert lineage("import", str(log)).exit_code == 0
    shown = json.loads(lineage("show", "feature:n/f", "--json").output)
    assert [p["line"] for p in shown["provenance"]] == kept
    with Store.open(lineage.db) as store:
        assert [p["line"] for p in store.edge_provenance("feature:n/f", "model:n/ctr", "reads")] == kept
