"""Table-driven importer cases: one folder per case under ``tests/importers/cases/FORMAT/CASE/``.

Each folder's ``expected.json`` names the input, the importer that must claim it (as
``lineage import`` detects it), and the nodes, edges and problems it must read as; the
expectations were written by reading the raw input, not from our importer's output.
``cases/README.md`` lists the keys.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lineage.ingest.discover import discover
from lineage.ingest.registry import importer_named
from lineage.ingest.settle import ConfigRule, config_input
from lineage.records import EdgeRecord, InputError, NodeRecord, Problem, Setting

HERE = Path(__file__).parent
CASES = HERE / "cases"
KEYS = {"input", "importer", "manifest", "options", "nodes", "node_counts", "edges", "edge_counts", "problems",
        "xfail", "note"}  # fmt: skip
REQUIRED = {"input", "importer", "nodes", "edges", "problems"}


def where(folder: Path, name: str) -> Path:
    """A case's file: ``data/...`` is one of the real files in tests/importers/data, anything
    else lives in the case folder."""
    return HERE / name if name.startswith("data/") else folder / name


def load_case(folder: Path) -> dict[str, Any]:
    spec = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    unknown, missing = set(spec) - KEYS, REQUIRED - set(spec)
    assert not unknown and not missing, (
        f"{folder}/expected.json: unknown keys {unknown or '{}'}, missing {missing or '{}'}"
    )
    return spec


def all_cases() -> list[Any]:
    params = []
    for expected in sorted(CASES.glob("*/*/expected.json")):
        folder = expected.parent
        spec = load_case(folder)
        marks = [pytest.mark.xfail(strict=True, reason=spec["xfail"])] if spec.get("xfail") else []
        params.append(pytest.param(folder, id=f"{folder.parent.name}/{folder.name}", marks=marks))
    return params


def config_rules(manifest: Path) -> list[ConfigRule]:
    """The ``configs:`` rules a manifest declares, as ``lineage import`` hands them to the config importer."""
    rules = []
    for record in importer_named("manifest").read(manifest):
        if isinstance(record, Setting) and record.section == "configs":
            rules.append({**record.value, "_where": f"the configs: rule at {record.location}"})
    return rules


def claimed_by(path: Path, manifest: Path | None) -> tuple[str | None, dict[str, str]]:
    """The importer ``lineage import PATH [MANIFEST]`` would read ``path`` with, and the options
    it would pass: detection first (discover), then the manifest's configs: rules."""
    unread: list[Path] = []
    inputs, problems, skipped = discover([path], unread=unread)
    assert not problems, f"discovering {path}: {[str(p) for p in problems]}"
    if inputs:
        assert [i.path for i in inputs] == [path], f"{path} was read as several inputs: {[str(i.path) for i in inputs]}"
        return inputs[0].importer.name, dict(inputs[0].options)
    if manifest is not None:
        found = config_input(path, config_rules(manifest))
        if found is not None:
            return found.importer.name, dict(found.options)
    return None, {}


def read_all(importer_name: str, path: Path, options: dict[str, str]):
    """Nodes by id, edge keys, and problems as text; an input refused whole is its one problem."""
    nodes: dict[str, NodeRecord] = {}
    edges: set[tuple[str, str, str]] = set()
    problems: list[str] = []
    try:
        for record in importer_named(importer_name).read(path, options or None):
            if isinstance(record, NodeRecord):
                nodes[record.id] = record
            elif isinstance(record, EdgeRecord):
                edges.add(record.key)
            elif isinstance(record, Problem):
                problems.append(str(record))
    except InputError as exc:
        problems.append(str(exc.problem))
    return nodes, edges, problems


def compare(label: str, got: set[Any], expected: set[Any], exact: bool) -> list[str]:
    lines = [f"  missing {label}: {item!r}" for item in sorted(expected - got)]
    if exact:
        lines += [f"  unexpected {label}: {item!r}" for item in sorted(got - expected)]
    return lines


def compare_counts(label: str, got: Counter[str], expected: dict[str, int]) -> list[str]:
    return [
        f"  {label} of kind {kind!r}: {got.get(kind, 0)}, expected {expected.get(kind, 0)}"
        for kind in sorted(set(got) | set(expected))
        if got.get(kind, 0) != expected.get(kind, 0)
    ]


def matches(problem: str, want: str | list[str]) -> bool:
    """A problem is expected as one substring, or as a list of substrings it must all hold."""
    return all(part in problem for part in ([want] if isinstance(want, str) else want))


def compare_problems(got: list[str], expected: list[str | list[str]]) -> list[str]:
    lines = [f"  missing problem containing: {want!r}" for want in expected if not any(matches(p, want) for p in got)]
    lines += [f"  unexpected problem: {p!r}" for p in got if not any(matches(p, want) for want in expected)]
    if lines:
        lines += [f"  (problems read: {got!r})"]
    return lines


@pytest.mark.parametrize("folder", all_cases())
def test_case(folder: Path):
    spec = load_case(folder)
    case = f"{folder.parent.name}/{folder.name}"
    path = where(folder, spec["input"])
    assert path.exists(), f"case {case}: input {path} does not exist"
    manifest = where(folder, spec["manifest"]) if spec.get("manifest") else None
    claimer, options = claimed_by(path, manifest)
    assert claimer == spec["importer"], f"case {case}: {path} is claimed by {claimer!r}, expected {spec['importer']!r}"
    options.update(spec.get("options", {}))

    nodes, edges, problems = read_all(claimer, path, options)
    # Problems name files by the path they were given; a case names them relative to its folder
    # (or to tests/importers/, for data/...).
    problems = [p.replace(f"{folder}/", "").replace(f"{HERE}/", "") for p in problems]
    wrong: list[str] = []
    node_counts, edge_counts = spec.get("node_counts"), spec.get("edge_counts")
    wrong += compare("node", set(nodes), set(spec["nodes"]), exact=node_counts is None)
    if node_counts is not None:
        wrong += compare_counts("nodes", Counter(n.kind for n in nodes.values()), node_counts)
    wrong += compare("edge", edges, {tuple(e) for e in spec["edges"]}, exact=edge_counts is None)
    if edge_counts is not None:
        wrong += compare_counts("edges", Counter(kind for _, _, kind in edges), edge_counts)
    wrong += compare_problems(problems, spec["problems"])
    assert not wrong, f"case {case} ({path.relative_to(HERE)}):\n" + "\n".join(wrong)
