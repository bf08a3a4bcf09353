"""Finding inputs and their importers; validation of what importers yield."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lineage.ingest.discover import Input, discover
from lineage.ingest.read import read_input
from lineage.ingest.registry import importer_named, importers
from lineage.records import EdgeRecord, Location, NodeRecord, Problem

MANIFEST = "lineage_manifest: 1\nfeatures: [{name: a}]\n"


def test_registry_finds_the_manifest_importer_through_entry_points():
    names = [i.name for i in importers()]
    assert "manifest" in names
    for imp in importers():
        assert imp.name and imp.description and imp.reads
        assert callable(imp.sniff) and callable(imp.read)


def test_discovery_walks_folders_skipping_hidden_links_and_unknown_files(tmp_path):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "b.yaml").write_text(MANIFEST)
    (tmp_path / "a.toml").write_text("lineage_manifest = 1\n")
    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / ".hidden.yaml").write_text(MANIFEST)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(MANIFEST)
    os.symlink(outside, tmp_path / "link.yaml")
    inputs, problems, skipped = discover([tmp_path])
    assert [str(i.path.relative_to(tmp_path)) for i in inputs] == ["a.toml", "team/b.yaml"]
    assert problems == []
    assert sorted(Path(s).name for s in skipped) == [".hidden.yaml", "link.yaml", "notes.md"]


def test_a_named_file_that_no_importer_reads_is_a_problem(tmp_path):
    (tmp_path / "x.yaml").write_text("other: 1\n")
    inputs, problems, _ = discover([tmp_path / "x.yaml"])
    assert inputs == []
    assert "no importer recognises this file" in problems[0].message
    inputs, problems, _ = discover([tmp_path / "x.yaml"], "manifest")
    assert [i.importer.name for i in inputs] == ["manifest"] and problems == []


class FakeImporter:
    """Yields whatever a test gives it, as a third-party importer might."""

    name = "fake"
    description = "test"
    reads = "anything"

    def __init__(self, records):
        self.records = records

    def sniff(self, path):
        return True

    def read(self, path):
        yield from self.records


def unit_of(tmp_path, records):
    path = tmp_path / "in.txt"
    path.write_text("x")
    return read_input(Input(path, FakeImporter(records)), source="s", valid_at="t")


def test_records_are_validated_and_merged(tmp_path):
    loc = Location("in.txt", line=1)
    unit = unit_of(tmp_path, [
        NodeRecord("widget", "w", location=loc),
        NodeRecord("feature", "f", tags=("a",), location=loc),
        NodeRecord("feature", "f", tags=("b",), owner="o", location=Location("in.txt", line=2)),
        NodeRecord("model", "m", reference=True),
        EdgeRecord("feature:f", "model:m", weight=0.5, location=loc),
        EdgeRecord("feature:f", "model:m", evidence="observed", location=loc),
        EdgeRecord("feature:f", "model:gone", location=Location("in.txt", line=9)),
        EdgeRecord("feature:f", "model:m", kind="Bad Kind", location=loc),
        Problem(loc, "importer's own complaint"),
    ])  # fmt: skip
    assert [str(p) for p in unit.problems] == [
        "in.txt:1: unknown node kind 'widget' (expected one of dataset, feature, job, model, consumer, flag)",  # noqa: E501
        "in.txt:1: edge kind 'Bad Kind' must be a lower-case identifier",
        "in.txt:1: importer's own complaint",
        "in.txt:9: edge names unknown node 'model:gone'",
    ]
    assert unit.nodes["feature:f"].tags == ("a", "b") and unit.nodes["feature:f"].owner == "o"
    assert unit.node_locations["feature:f"] == [loc, Location("in.txt", line=2)]
    assert unit.edge_evidence["feature:f", "model:m", "reads"] == {"declared", "observed"}
    assert unit.edges["feature:f", "model:m", "reads"].weight == 0.5


def test_an_importer_that_crashes_becomes_a_problem_not_a_traceback(tmp_path):
    class Broken(FakeImporter):
        def read(self, path):
            yield NodeRecord("feature", "f")
            raise KeyError("boom")

    path = tmp_path / "in.txt"
    path.write_text("x")
    unit = read_input(Input(path, Broken([])), source="s", valid_at="t")
    assert [p.message for p in unit.problems] == [
        "the fake importer failed: KeyError: 'boom' (run with --debug for the traceback)"
    ]
    with pytest.raises(KeyError):
        read_input(Input(path, Broken([])), source="s", valid_at="t", debug=True)


def test_unknown_format_name():
    with pytest.raises(LookupError, match="unknown format 'nope'"):
        importer_named("nope")
