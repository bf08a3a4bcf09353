"""What the readers yield, record for record, is exactly what they yielded before reading was made
cheaper (issue 19): the real producers' files in tests/importers/data, a small synthetic folder
(``reading/synth``: ``lineage synth --nodes 400 --seed 3``) and inputs that take the rare paths
(``reading/hostile``, written by ``reading/make_hostile.py``: lone surrogates, broken events and
rows, dropped facets, places past the cap).

``reading/reference.json`` was written by the code before that change
(``python -m tests.importers.test_reading_unchanged --freeze``) and is never rewritten to make
this test pass: a difference is a change in what an import stores. It was frozen again once, when
fields became nodes (issue 22), after checking that every record of the old reference was still
yielded and that every record added was a field node, an edge to or from one, or the warning of
dbt column lineage left undone, and that the only records gone were the Feast registry's
16 data source -> feature edges, each now through the column the feature is; the inputs added
for that issue came in then too. Each input is compared twice:
what its importer's ``read`` yields, in order, and the unit ``read_input`` makes of it (nodes,
edges, evidence, every place kept as provenance, problems, warnings, settings).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lineage.ingest import discover
from lineage.ingest.read import read_input
from lineage.records import Location
from lineage.store import ImportUnit
from tests.conftest import DATA, ROOT

HERE = Path(__file__).parent / "reading"
REFERENCE = HERE / "reference.json"
FOLDERS = {"data": DATA, "synth": HERE / "synth", "hostile": HERE / "hostile"}
VALID_AT = "2026-03-01T00:00:00Z"


def plain(value: Any) -> Any:
    """A record or value as JSON data, every field named, order kept (tuples and lists alike)."""
    if isinstance(value, Location):
        fields = [value.file, value.line, value.pointer, value.table, value.row]
        while fields[-1] is None:  # shorter, and as exact: the trailing fields not given
            fields.pop()
        return ["@", *fields]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, dict):
        return [[plain(k), plain(v)] for k, v in value.items()]  # keys of any type, in order
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no plain form for {type(value).__name__}")


def unit_dump(unit: ImportUnit) -> dict[str, Any]:
    return {
        "importer": unit.importer,
        "rank": unit.rank,
        "content_hash": unit.content_hash,
        "nodes": plain(unit.nodes),
        "edges": plain(unit.edges),
        "edge_evidence": plain(unit.edge_evidence),
        "node_locations": plain(unit.node_locations),
        "edge_locations": plain(unit.edge_locations),
        "problems": plain(unit.problems),
        "notices": plain(unit.notices),
        "settings": plain(unit.settings),
    }


def _text(value: Any, path: Path) -> str:
    """One canonical line (ASCII, so a lone surrogate survives): the input's path is ``<in>``, the
    repository ``<root>``."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    return text.replace(_escaped(path), "<in>").replace(_escaped(ROOT), "<root>")


def _escaped(path: Path) -> str:
    return json.dumps(str(path))[1:-1]


def inputs(folder: Path) -> list[discover.Input]:
    found, _problems, _skipped = discover.discover([folder])
    return sorted(found, key=lambda i: str(i.path))


def dump(folder: Path, base: Path = ROOT) -> dict[str, dict[str, Any]]:
    """Input (relative to ``base``) -> {"records": one line a record, "unit": one line a part}."""
    out: dict[str, dict[str, Any]] = {}
    for item in inputs(folder):
        records = []
        try:
            records += [_text(plain(r), item.path) for r in item.importer.read(item.path)]
        except Exception as exc:  # what it raises is part of what it says (InputError: a whole-file problem)
            records.append(_text(["raised", type(exc).__name__, str(exc)], item.path))
        unit = read_input(item, source=str(item.path), valid_at=VALID_AT)
        name = str(item.path.relative_to(base))
        out[name] = {"importer": item.importer.name, "records": records,
                     "unit": {k: _text(v, item.path) for k, v in unit_dump(unit).items()}}  # fmt: skip
    return out


def _reference() -> dict[str, dict[str, dict[str, Any]]]:
    return json.loads(REFERENCE.read_text("ascii"))


@pytest.mark.parametrize("folder", FOLDERS)
def test_readers_yield_what_they_yielded(folder):
    reference = _reference()[folder]
    now = dump(FOLDERS[folder])
    assert sorted(now) == sorted(reference), "the same inputs, read by the same importers"
    for name, was in reference.items():
        got = now[name]
        assert got["importer"] == was["importer"], name
        for index, (old, new) in enumerate(zip(was["records"], got["records"], strict=False)):
            assert new == old, f"{name}: record {index} differs"
        assert len(got["records"]) == len(was["records"]), f"{name}: as many records"
        for part, old in was["unit"].items():
            assert got["unit"][part] == old, f"{name}: the unit's {part} differ"


def test_the_reference_covers_every_kind_of_record():
    """The frozen records include every kind an importer yields, and problems at lone
    surrogates, dropped facets and places past the cap, so the comparison can fail."""
    reference = _reference()
    kinds = {json.loads(r)[0] for f in reference.values() for i in f.values() for r in i["records"]}
    assert {"NodeRecord", "EdgeRecord", "Problem", "Notice", "Setting", "Progress"} <= kinds
    hostile = "\n".join(part for i in reference["hostile"].values() for part in i["unit"].values())
    assert "lone surrogate" in hostile and "dropped" in hostile
    synth = reference["synth"]
    assert {i["importer"] for i in synth.values()} == {"manifest", "openlineage", "servinglog"}


if __name__ == "__main__":
    if sys.argv[1:] != ["--freeze"]:
        sys.exit("usage: python -m tests.importers.test_reading_unchanged --freeze  (before changing a reader)")
    frozen = {name: dump(folder) for name, folder in FOLDERS.items()}
    REFERENCE.write_text(json.dumps(frozen, indent=0, ensure_ascii=True) + "\n", "ascii")
    print(f"wrote {REFERENCE}: {sum(len(f) for f in frozen.values())} inputs")
