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
        "in.txt:1: unknown node kind 'widget' (expected one of dataset, feature, job, model, consumer, flag, field)",  # noqa: E501
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


def _surrogate_the_slow_way(value) -> str | None:
    """The pointer of the first text holding a lone surrogate, character by character: what
    lineage.records.lone_surrogate_at did before it checked one string at a time."""
    stack = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(ch) <= 0xDFFF for ch in item):
                return pointer
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                step = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if isinstance(key, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in key):
                    return step
                stack.append((step, inner))
        elif isinstance(item, list | tuple):
            stack.extend((f"{pointer}/{i}", inner) for i, inner in reversed(list(enumerate(item))))
    return None


class _Text(str):
    pass


class _Mapping(dict):
    pass


def _random_value(rng, depth: int = 0):
    texts = ["", "plain", "é", "💥", "a\ud800", "\udfffz", "ü\udc00", "~/x", "\ud83d\udca5"]
    pick = rng.random()
    if depth > 4 or pick < 0.35:
        text = rng.choice(texts)
        return rng.choice([text, _Text(text), 3, 2.5, None, True, b"x\xff"])
    if pick < 0.7:
        keys = [rng.choice([*texts, 7, (1, 2), _Text("k\ud800")]) for _ in range(rng.randrange(4))]
        made = {k: _random_value(rng, depth + 1) for k in keys}
        return _Mapping(made) if rng.random() < 0.2 else made
    items = [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return tuple(items) if rng.random() < 0.3 else items


def test_lone_surrogates_are_found_one_string_at_a_time_as_they_were_character_by_character():
    """Every text in a value, keys included (subclasses of str and dict too), and nothing else:
    the same answer, and the same pointer, as a check of every character."""
    import random

    from lineage.records import check_node, lone_surrogate, lone_surrogate_at

    rng = random.Random(19)
    found = 0
    for _ in range(3000):
        value = _random_value(rng)
        expected = _surrogate_the_slow_way(value)
        assert lone_surrogate(value) is (expected is not None), value
        assert lone_surrogate_at(value) == expected, value
        found += expected is not None
    assert 300 < found < 2700  # both answers were tested many times
    deep: object = "x\ud800"
    for _ in range(20_000):  # deeper than Python's recursion limit
        deep = [deep]
    assert lone_surrogate(deep) and lone_surrogate_at(deep) == "/0" * 20_000
    for field in ("name", "namespace", "owner", "team"):
        node = NodeRecord(**{"kind": "feature", "name": "ok", field: "bad\udc00"})
        assert check_node(node) is not None and "surrogate" in check_node(node), field
    assert "surrogate" in check_node(NodeRecord("feature", "ok", tags=("é", "t\ud800")))
    assert "surrogate" in check_node(NodeRecord("feature", "ok", aliases=("\udfff",)))
    assert "surrogate" in check_node(NodeRecord("feature", "ok", attributes={"a": [{"\ud800": 1}]}))
    assert check_node(NodeRecord("feature", "é💥", tags=("ü",), attributes={"é": ["💥"]})) is None
