"""The native manifest importer: records, locations, and a clear FILE:LINE for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from lineage_importers.manifest import ManifestImporter, manifest_schema

from lineage.records import EdgeRecord, InputError, NodeRecord, Problem

IMPORTER = ManifestImporter()


def read(tmp_path: Path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return list(IMPORTER.read(path))


def problems_of(tmp_path: Path, name: str, text: str | bytes) -> list[str]:
    try:
        records = read(tmp_path, name, text)
    except InputError as exc:
        return [str(exc.problem).replace(str(tmp_path) + "/", "")]
    return [str(r).replace(str(tmp_path) + "/", "") for r in records if isinstance(r, Problem)]


BAD = [
    ("dup.yaml", "lineage_manifest: 1\nfeatures:\n  - name: a\n    name: b\n",
     "dup.yaml:4: duplicate key 'name' (first at line 3)"),
    ("syntax.yaml", "lineage_manifest: 1\nfeatures: [\n  - name: a\n",
     "syntax.yaml:3: invalid YAML: expected the node content, but found '-'"),
    ("nomarker.yaml", "features: []\n",
     "nomarker.yaml:1: not a lineage manifest: no top-level 'lineage_manifest' key"),
    ("empty.yaml", "",
     "empty.yaml:1: not a lineage manifest: no top-level 'lineage_manifest' key"),
    ("version.yaml", "lineage_manifest: 2\n", "version.yaml:1: lineage_manifest must be 1, not 2"),
    ("noname.yaml", "lineage_manifest: 1\nmodels:\n  - features: [a]\n",
     "noname.yaml:3: models.0 needs a 'name'"),
    ("type.yaml", "lineage_manifest: 1\nmodels:\n  - name: m\n    features: a\n",
     "type.yaml:4: models.0.features must be of type array, not string"),
    ("unknown.yaml", "lineage_manifest: 1\nmodles: []\n",
     "unknown.yaml:2: unknown key 'modles' in the manifest; did you mean 'models'?"),
    ("nested.yaml", "lineage_manifest: 1\nfeatures:\n  - name: a\n    deprecated: {since: 2025-01-01, raeson: x}\n",  # noqa: E501
     "nested.yaml:4: unknown key 'raeson' in features.0.deprecated; did you mean 'reason'?"),
    ("twice.yaml", "lineage_manifest: 1\nfeatures:\n  - name: a\n  - name: a\n",
     "twice.yaml:4: feature:a is declared twice (first at twice.yaml:3)"),
    ("ambiguous.yaml",
     "lineage_manifest: 1\nfeatures: [{name: a}]\ndatasets: [{name: a}]\nmodels:\n  - name: m\n    inputs: [a]\n",  # noqa: E501
     "ambiguous.yaml:6: 'a' is declared as dataset and feature; write kind:name (for example dataset:a)"),  # noqa: E501
    ("weight.yaml", "lineage_manifest: 1\nmodels:\n  - name: m\n    features:\n      - {name: a, weight: -1}\n",  # noqa: E501
     "weight.yaml:5: models.0.features.0.weight must be at least 0, not -1"),
    ("status.yaml", "lineage_manifest: 1\nflags:\n  - name: f\n    status: old\n",
     "status.yaml:4: flags.0.status must be one of active, proposed, deprecated, not 'old'"),
    ("tag.yaml", "lineage_manifest: 1\nfeatures:\n  - name: a\n    tags: !!python/object:os.system [ls]\n",  # noqa: E501
     "tag.yaml:4: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed (plain data only)"),  # noqa: E501
    ("deep.yaml", "lineage_manifest: 1\nx: " + "[" * 150 + "]" * 150 + "\n",
     "deep.yaml:2: nested deeper than 100 levels"),
    ("latin1.yaml", "lineage_manifest: 1\nfeatures:\n  - name: caf\xe9\n".encode("latin-1"),
     "latin1.yaml:3: not valid UTF-8 text"),
    ("dup.json", '{"lineage_manifest": 1,\n "features": [{"name": "a",\n   "name": "b"}]}',
     "dup.json:3: duplicate key 'name'"),
    ("syntax.json", '{"lineage_manifest": 1,\n "features": [{"name": "a",\n   }]}',
     "syntax.json:3: invalid JSON: Expecting property name enclosed in double quotes"),
    ("type.json", '{"lineage_manifest": 1,\n "features": [\n  {"name": "a"},\n  {"name": 3}]}',
     "type.json:4: features.1.name must be of type string, not integer"),
    ("deep.json", '{"lineage_manifest": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}",
     "deep.json:1: nested deeper than 100 levels"),
    ("dup.toml", 'lineage_manifest = 1\n[[features]]\nname = "a"\nname = "b"\n',
     "dup.toml:4: invalid TOML: Cannot overwrite a value"),
    ("type.toml", 'lineage_manifest = 1\n[[features]]\nname = "a"\n[[features]]\nname = "b"\ntags = "x"\n',  # noqa: E501
     "type.toml:6: features.1.tags must be of type array, not string"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "expected"), BAD, ids=[c[0] for c in BAD])
def test_bad_manifest_gives_file_and_line(tmp_path, name, text, expected):
    assert problems_of(tmp_path, name, text) == [expected]


def test_records_with_weights_references_and_locations(tmp_path):
    records = read(tmp_path, "m.yaml", (Path(__file__).parent / "data" / "small.yaml").read_text())
    nodes = {r.id: r for r in records if isinstance(r, NodeRecord) and not r.reference}
    edges = {r.key: r for r in records if isinstance(r, EdgeRecord)}
    assert sorted(nodes) == [
        "consumer:shop/homepage", "dataset:shop/clicks", "feature:shop/ctr",
        "feature:shop/price", "flag:shop/rank_boost", "model:shop/ranker",
    ]  # fmt: skip
    price = nodes["feature:shop/price"]
    assert (price.status, price.deprecated_on, price.deprecation_reason) == (
        "deprecated", "2025-01-01", "use price_v2"
    )  # fmt: skip
    assert nodes["consumer:shop/homepage"].owner == "web-team"
    assert sorted((k, e.weight, e.location.line) for k, e in edges.items()) == [
        (("consumer:shop/homepage", "dataset:shop/clicks", "writes"), None, 21),
        (("dataset:shop/clicks", "feature:shop/ctr", "derives"), None, 9),
        (("feature:shop/ctr", "model:shop/ranker", "reads"), 0.9, 15),
        (("feature:shop/price", "model:shop/ranker", "reads"), 0.1, 16),
        (("flag:shop/rank_boost", "model:shop/ranker", "configures"), None, 24),
        (("model:shop/ranker", "consumer:shop/homepage", "reads"), None, 17),
    ]
    assert all(e.evidence == "declared" for e in edges.values())


def test_yaml_json_and_toml_say_the_same(tmp_path):
    yaml_text = (
        "lineage_manifest: 1\nnamespace: n\nfeatures:\n  - name: f\n    tags: [a]\n"
        "models:\n  - name: m\n    version: 2\n    features: [{name: f, weight: 0.5}]\n"
        "    consumers: [c]\n"
    )
    data = {
        "lineage_manifest": 1, "namespace": "n", "features": [{"name": "f", "tags": ["a"]}],
        "models": [{"name": "m", "version": 2, "features": [{"name": "f", "weight": 0.5}],
                    "consumers": ["c"]}],
    }  # fmt: skip
    toml_text = (
        'lineage_manifest = 1\nnamespace = "n"\n[[features]]\nname = "f"\ntags = ["a"]\n'
        '[[models]]\nname = "m"\nversion = 2\nfeatures = [{name = "f", weight = 0.5}]\n'
        'consumers = ["c"]\n'
    )

    def graph(records):
        return sorted(
            (type(r).__name__, getattr(r, "id", None) or r.key, getattr(r, "weight", None),
             getattr(r, "attributes", None) and json.dumps(r.attributes, sort_keys=True))
            for r in records
        )  # fmt: skip

    as_yaml = graph(read(tmp_path, "m.yaml", yaml_text))
    assert as_yaml == graph(read(tmp_path, "m.json", json.dumps(data)))
    assert as_yaml == graph(read(tmp_path, "m.toml", toml_text))
    assert ("EdgeRecord", ("feature:n/f", "model:n/m", "reads"), 0.5, {}) in as_yaml


def test_reference_kinds_come_from_declarations_then_defaults(tmp_path):
    text = (
        "lineage_manifest: 1\ndatasets: [{name: base}]\nmodels:\n"
        "  - name: corrected\n    inputs: [model:base, base, {name: other, namespace: x}]\n"
    )
    edges = {r.source for r in read(tmp_path, "m.yaml", text) if isinstance(r, EdgeRecord)}
    assert edges == {"model:base", "dataset:base", "dataset:x/other"}


def test_lenient_reading_skips_only_bad_entries(tmp_path):
    text = "lineage_manifest: 1\nfeatures:\n  - name: good\n  - name: bad\n    owner: [x]\n"
    records = read(tmp_path, "m.yaml", text)
    assert [r.id for r in records if isinstance(r, NodeRecord)] == ["feature:good"]
    assert len([r for r in records if isinstance(r, Problem)]) == 1


def test_sniff_needs_the_marker_and_a_known_suffix(tmp_path):
    (tmp_path / "a.yaml").write_text("lineage_manifest: 1\n")
    (tmp_path / "b.yaml").write_text("other: 1\n")
    (tmp_path / "c.txt").write_text("lineage_manifest: 1\n")
    assert IMPORTER.sniff(tmp_path / "a.yaml")
    assert not IMPORTER.sniff(tmp_path / "b.yaml")
    assert not IMPORTER.sniff(tmp_path / "c.txt")
    assert not IMPORTER.sniff(tmp_path)


def test_published_schema_is_valid_and_accepts_the_demo():
    schema = manifest_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    from lineage_importers._kit.structured import load_structured

    from lineage.demo import DEMO

    for path in sorted(DEMO.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".json", ".toml") and IMPORTER.sniff(path):
            data, _ = load_structured(path.read_bytes(), str(path), path.suffix)
            jsonschema.validate(data, schema)


def test_documented_example_imports_cleanly():
    example = Path(__file__).parents[2] / "resources" / "examples" / "manifest.yaml"
    records = list(IMPORTER.read(example))
    assert not [r for r in records if isinstance(r, Problem)]
    kinds = {r.kind for r in records if isinstance(r, NodeRecord) and not r.reference}
    assert kinds == {"dataset", "feature", "job", "model", "consumer", "flag"}


def test_the_fast_gate_agrees_with_jsonschema_on_valid_and_broken_manifests():
    import copy

    import jsonschema
    from lineage_importers._kit.structured import load_structured
    from lineage_importers.manifest import _is_valid, manifest_schema

    root = Path(__file__).parents[2]
    sources = [
        root / "tests" / "importers" / "data" / "small.yaml",
        *sorted((root / "resources" / "demo" / "current").glob("*.yaml")),
    ]
    breakages = [
        lambda d: d.update(lineage_manifest="one"),
        lambda d: d.setdefault("features", []).append({"nam": "typo"}),
        lambda d: d.setdefault("models", []).append({"name": "m", "features": [{"name": "f", "weight": "heavy"}]}),
        lambda d: d.update(unknown_section=[]),
        lambda d: d.setdefault("consumers", []).append({"name": 3}),
    ]  # fmt: skip
    validator = jsonschema.Draft202012Validator(manifest_schema())
    checked = 0
    for path in sources:
        data, _ = load_structured(path.read_bytes(), str(path), path.suffix)
        variants = [data] + [copy.deepcopy(data) for _ in breakages]
        for variant, breakage in zip(variants[1:], breakages, strict=True):
            breakage(variant)
        for variant in variants:
            assert _is_valid(variant) == validator.is_valid(variant), path
            checked += 1
    assert checked >= 6 * len(breakages)
