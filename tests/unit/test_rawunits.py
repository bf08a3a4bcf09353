"""The copy of an import unit kept as read (lineage.ingest.rawunits): encoded in chunks, it
decodes to the very unit, whatever the chunk size, on a real producer's file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from lineage.ingest import rawunits
from lineage.ingest.discover import Input
from lineage.ingest.read import read_input
from lineage.ingest.registry import importer_named

SPARK = Path(__file__).parent.parent / "importers" / "data" / "real" / "openlineage" / "spark-cll"


@pytest.fixture(scope="module")
def unit():
    read = read_input(Input(SPARK, importer_named("openlineage")), source="s", valid_at="2026-01-01T00:00:00Z")
    assert not read.problems and len(read.nodes) > 3 and len(read.edges) > 3
    return read


@pytest.mark.parametrize("chunk", [1, 2, 3, 10_000])
def test_chunked_encoding_decodes_to_the_unit(unit, monkeypatch, chunk):
    monkeypatch.setattr(rawunits, "CHUNK", chunk)
    back = rawunits.decode(rawunits.encode(unit), unit)
    # A record's further places are kept with the unit's places (node_locations), not twice.
    assert back.nodes == {k: replace(n, places=()) for k, n in unit.nodes.items()}
    assert back.edges == {k: replace(e, places=()) for k, e in unit.edges.items()}
    assert back.edge_evidence == unit.edge_evidence
    assert back.node_locations == unit.node_locations
    assert back.edge_locations == unit.edge_locations


def test_parts_join_to_one_json_object_of_every_record(unit, monkeypatch):
    monkeypatch.setattr(rawunits, "CHUNK", 2)
    body = json.loads(rawunits.payload(unit))
    assert [row[0] for row in body["nodes"]] == list(unit.nodes)
    assert [tuple(row[0]) for row in body["edges"]] == list(unit.edges)
    assert len(body["node_locations"]) == len(unit.node_locations)
    assert len(body["edge_locations"]) == len(unit.edge_locations)
