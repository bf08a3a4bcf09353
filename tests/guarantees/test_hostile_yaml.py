"""Round 2 of broken input: huge integers in JSON, YAML that expands in bytes, and every YAML
file read through the one safe loader (lineage.safeyaml)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from lineage.records import InputError
from tests.conftest import Lineage

ROOT = Path(__file__).parents[2]
LOGS = ROOT / "resources" / "demo" / "current" / "logs"
TRACEBACK = re.compile(r"Traceback|File \".*\", line \d+")
HUGE = "9" * 5_000  # past Python's 4,300-digit limit for int("...")


def _serving_log(tmp_path: Path, bad_line: int) -> tuple[Path, int]:
    source = LOGS / "serving" / "requests-2026-03-01.jsonl"
    lines = source.read_text("utf-8").splitlines()
    record = json.loads(lines[bad_line - 1])
    record["requests"] = 0
    lines[bad_line - 1] = json.dumps(record).replace('"requests": 0', f'"requests": {HUGE}')
    target = tmp_path / source.name
    target.write_text("\n".join(lines) + "\n", "utf-8")
    return target, len(lines)


def test_a_huge_integer_in_a_json_lines_file_is_one_bad_line(lineage, tmp_path):
    path, _ = _serving_log(tmp_path, bad_line=3)
    strict = lineage("import", str(path))
    assert strict.exit_code == 1, strict.output
    assert f"{path}:3:" in strict.output and not TRACEBACK.search(strict.output)
    assert "4300" not in strict.output or "digits" in strict.output
    lenient = lineage("import", "--lenient", str(path))
    assert lenient.exit_code == 1 and "the valid records were imported" in lenient.output, lenient.output
    assert f"{path}:3:" in lenient.output and not TRACEBACK.search(lenient.output)
    twin = tmp_path / "twin"
    twin.mkdir()
    good = path.read_text("utf-8").splitlines()
    del good[2]
    (twin / path.name).write_text("\n".join(good) + "\n", "utf-8")
    other = Lineage(twin)
    assert other("import", str(twin / path.name)).exit_code == 0
    assert _graph(lineage.db) == _graph(other.db) and _graph(lineage.db)[0]


def _graph(db: Path):
    from lineage.graph import load_graph
    from lineage.store import Store

    with Store.open(db) as store:
        graph = load_graph(store)
    return sorted(graph.nodes), sorted(graph.edges)


def test_a_huge_integer_in_an_openlineage_line_is_one_bad_line(lineage, tmp_path):
    source = LOGS / "openlineage" / "airflow-events.jsonl"
    lines = source.read_text("utf-8").splitlines()
    lines.insert(1, lines[1][:-1] + f', "x_huge": {HUGE}}}')
    path = tmp_path / source.name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    strict = lineage("import", str(path))
    assert strict.exit_code == 1 and f"{path}:2:" in strict.output, strict.output
    assert not TRACEBACK.search(strict.output)
    lenient = lineage("import", "--lenient", str(path))
    assert lenient.exit_code == 1 and f"{path}:2:" in lenient.output, lenient.output
    assert "20 nodes" in lenient.output or "nodes added" in lenient.output


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_huge_integer_in_a_manifest_is_located(lineage, tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    if suffix == ".json":
        path.write_text('{\n "lineage_manifest": 1,\n "features": [\n  {"name": "a", "x": ' + HUGE + "}\n ]\n}\n")
    else:
        path.write_text(f"lineage_manifest: 1\nfeatures:\n - name: a\n   x: {HUGE}\n")
    result = lineage("import", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:4:" in result.output and not TRACEBACK.search(result.output)
    assert HUGE not in result.output  # the message clips the value


def test_a_huge_minified_json_integer_is_located_too(lineage, tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"lineage_manifest": 1, "features": [{"name": "a", "x": ' + HUGE + "}]}")
    result = lineage("import", str(path))
    assert result.exit_code == 1 and f"{path}:1:" in result.output, result.output
    assert not TRACEBACK.search(result.output)


def test_a_huge_hex_integer_in_yaml_is_refused(tmp_path):
    from lineage.safeyaml import load_yaml

    with pytest.raises(InputError, match=r"^m.yaml:2: .*digits"):
        load_yaml("a: 1\nb: 0x" + "f" * 5_000 + "\n", "m.yaml")


def _bomb(kib: int, aliases: int) -> str:
    big = "x" * (kib * 1024)
    return "lineage_manifest: 1\nbig: &a " + big + "\nfeatures:\n - name: f\n   tags:\n" + "     - *a\n" * aliases


def test_an_alias_of_a_big_string_is_budgeted_in_bytes():
    """64 KiB aliased 2,000 times is 2,001 values (far under the value budget) but 125 MiB
    of text (over the byte budget): refused at the alias that crosses it."""
    from lineage.safeyaml import MAX_EXPANDED_BYTES, load_yaml

    text = _bomb(64, 2_000)
    assert len(text) < 200_000 and 64 * 1024 * 2_000 > MAX_EXPANDED_BYTES
    with pytest.raises(InputError) as caught:
        load_yaml(text, "m.yaml")
    message = str(caught.value)
    assert re.match(r"m\.yaml:\d+: ", message) and "MiB" in message, message
    assert message.startswith("m.yaml:2: ")  # the anchor's line: PyYAML keeps no line for an alias


def test_the_byte_budget_is_the_expanded_size(monkeypatch):
    from lineage import safeyaml

    monkeypatch.setattr(safeyaml, "MAX_EXPANDED_BYTES", 1024 * 100)
    text = _bomb(1, 90)  # 91 KiB expanded: under
    assert len(safeyaml.load_yaml(text, "m.yaml")[0]["features"][0]["tags"]) == 90
    with pytest.raises(InputError, match=r"^m\.yaml:\d+: .*expands"):
        safeyaml.load_yaml(_bomb(1, 110), "m.yaml")


def test_a_yaml_manifest_with_a_big_alias_fails_at_its_line(lineage, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(_bomb(64, 2_000))
    result = lineage("import", str(path))
    assert result.exit_code == 1 and re.search(rf"{re.escape(str(path))}:\d+: .*expands", result.output), result.output
    assert not lineage.db.exists() or "Traceback" not in result.output


SCANNED = ("lineage", "importers", "gui")
PENDING: set[str] = set()  # modules still reading YAML their own way (none)


def test_every_yaml_is_read_through_the_one_safe_loader():
    found = set()
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "lineage/safeyaml.py":
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml":
                    if node.attr not in ("YAMLError", "MarkedYAMLError"):
                        found.add(rel)
    assert found == PENDING
