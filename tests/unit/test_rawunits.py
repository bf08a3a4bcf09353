"""The copy of an import unit kept as read (lineage.ingest.rawunits): encoded in chunks, it
decodes to the very unit, whatever the chunk size, on a real producer's file."""

from __future__ import annotations

import json
import zlib
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
    assert_decodes_to(unit)


def assert_decodes_to(unit):
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


@pytest.mark.parametrize("read", [1, 7, 64, 1 << 18])
def test_decoding_a_piece_at_a_time_gives_the_unit(unit, monkeypatch, read):
    """Rows cut anywhere between two pieces of the decompressed copy are read whole."""
    monkeypatch.setattr(rawunits, "_READ", read)
    assert_decodes_to(unit)


def test_a_decoded_unit_says_each_id_and_file_once(unit):
    back = rawunits.decode(rawunits.encode(unit), unit)
    node_ids = {id(nid) for nid in back.nodes}
    assert all(id(key[0]) in node_ids and id(key[1]) in node_ids for key in back.edges)
    files = {id(place.file) for places in [*back.node_locations.values(), *back.edge_locations.values()]
             for place in places}  # fmt: skip
    assert len(files) == len({p.file for ps in back.node_locations.values() for p in ps})
    assert len({id(e) for e in back.edge_evidence.values()}) == len(set(back.edge_evidence.values()))


@pytest.mark.parametrize(
    "damage",
    [
        lambda body: body[: len(body) // 2],  # cut short
        lambda body: zlib.compress(zlib.decompress(body)[:-1]),  # the JSON cut short
        lambda body: zlib.compress(b'{"nodes":[],"cats":[[1]]}'),
        lambda body: zlib.compress(b'{"nodes":[] "edges":[]}'),
        lambda body: zlib.compress(b'{"nodes":[]}trailing'),
    ],
)
def test_a_damaged_copy_is_refused(unit, damage):
    with pytest.raises((ValueError, zlib.error)):
        rawunits.decode(damage(rawunits.encode(unit)), unit)


def test_one_set_of_evidence_for_each_kind_of_it(unit):
    """The unit as read shares one evidence set between the edges that have the same."""
    assert len({id(e) for e in unit.edge_evidence.values()}) == len(set(unit.edge_evidence.values()))
