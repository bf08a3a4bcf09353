"""Fields as parts of datasets (issue 22, item 1; docs/store.md#fields-columns): only the columns
lineage names become nodes, a field said by two sources under its dataset's shared name is one
node, and a field's history and provenance are a node's."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from lineage.when import after_import

SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACET = "https://openlineage.io/spec/facets/1-2-0/{}.json#/$defs/{}"


def event(path: Path, columns: int, lineage: dict[str, list[str]]) -> Path:
    """One run reading warehouse.wide (``columns`` columns) and writing warehouse.narrow, its
    column lineage ``lineage`` (output column -> input columns)."""
    facet = lambda name: {"_producer": "tests", "_schemaURL": FACET.format(name, name)}  # noqa: E731
    wide = {
        "namespace": "pg://db",
        "name": "warehouse.wide",
        "facets": {
            "schema": {
                **facet("SchemaDatasetFacet"),
                "fields": [{"name": f"c{i}", "type": "INT"} for i in range(columns)],
            }
        },
    }
    narrow = {
        "namespace": "pg://db",
        "name": "warehouse.narrow",
        "facets": {
            "columnLineage": {
                **facet("ColumnLineageDatasetFacet"),
                "fields": {
                    out: {"inputFields": [{"namespace": "pg://db", "name": "warehouse.wide", "field": c} for c in ins]}
                    for out, ins in lineage.items()
                },
            }
        },
    }
    path.write_text(json.dumps({
        "eventTime": "2026-01-01T00:00:00Z", "eventType": "COMPLETE", "producer": "tests", "schemaURL": SCHEMA_URL,
        "run": {"runId": "00000000-0000-4000-8000-000000000001"}, "job": {"namespace": "etl", "name": "narrow"},
        "inputs": [wide], "outputs": [narrow],
    }) + "\n")  # fmt: skip
    return path


def test_a_5000_column_table_without_column_lineage_adds_no_node(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [event(tmp_path / "e.jsonl", 5000, {})]).committed
        counts = store.counts()
        schema = store.node("dataset:pg://db/warehouse.wide")["attributes"]["fields"]
    assert (counts["nodes"], counts["edges"]) == (3, 2)  # two datasets and the job: no field nodes
    assert len(schema) == 5000  # the schema is kept, as the dataset's attribute


def test_only_the_columns_lineage_names_become_nodes(tmp_path):
    db = tmp_path / "l.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [event(tmp_path / "e.jsonl", 5000, {"total": ["c1", "c2"]})]).committed
        graph = load_graph(store)
        c1 = store.node("field:pg://db/warehouse.wide#c1")["attributes"]
    fields = sorted(n for n, kind in graph.nodes(data="kind") if kind == "field")
    assert fields == ["field:pg://db/warehouse.narrow#total", "field:pg://db/warehouse.wide#c1",
                      "field:pg://db/warehouse.wide#c2"]  # fmt: skip
    assert c1 == {"dataset": "dataset:pg://db/warehouse.wide", "column": "c1", "type": "INT"}
    without = tmp_path / "without.db"
    with Store.open(without, create=True) as store:
        assert import_paths(store, [event(tmp_path / "f.jsonl", 5000, {})]).committed
    # Three field nodes cost a few pages, not a row per column of the wide table.
    assert os.path.getsize(db) - os.path.getsize(without) < 64 * 1024


def test_a_field_is_a_node_with_history_and_provenance(tmp_path):
    path = event(tmp_path / "e.jsonl", 3, {"total": ["c1"]})
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [path]).committed
        node = store.node("field:pg://db/warehouse.narrow#total")
        assert node is not None and node["kind"] == "field"
        assert node["attributes"]["dataset"] == "dataset:pg://db/warehouse.narrow"
        sources = store.node_sources(["field:pg://db/warehouse.narrow#total"])
        assert sources["field:pg://db/warehouse.narrow#total"] == [("openlineage", str(path))]
        path.write_text(path.read_text().replace('"c1"', '"c2"'))  # the column is made of another now
        assert import_paths(store, [path]).committed
        now = load_graph(store)
        first = store.generations()[0]
        before = load_graph(store, as_of=after_import(first["valid_at"], first["id"]))
    assert now.has_edge("field:pg://db/warehouse.wide#c2", "field:pg://db/warehouse.narrow#total")
    assert not now.has_edge("field:pg://db/warehouse.wide#c1", "field:pg://db/warehouse.narrow#total")
    assert before.has_edge("field:pg://db/warehouse.wide#c1", "field:pg://db/warehouse.narrow#total")
