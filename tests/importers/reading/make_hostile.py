"""Writes tests/importers/reading/hostile: inputs that take the readers' rare paths (run from the repository:
``python tests/importers/reading/make_hostile.py tests/importers/reading/hostile``), frozen with the reference."""

import gzip
import json
import sys
from pathlib import Path


def main(out: Path) -> None:
    """Write the inputs into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    U = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    P = "https://example.com/producer"

    def run(i):
        return f"00000000-0000-4000-8000-{i:012d}"

    def ev(i, job, inputs=(), outputs=(), etype="COMPLETE", **extra):
        e = {
            "eventTime": f"2026-03-01T00:{i // 60:02d}:{i % 60:02d}Z",
            "eventType": etype,
            "producer": P,
            "schemaURL": U,
            "run": {"runId": run(i)},
            "job": {"namespace": "ns", "name": job},
            "inputs": [{"namespace": "ns", "name": n} for n in inputs],
            "outputs": [{"namespace": "ns", "name": n} for n in outputs],
        }
        e.update(extra)
        return e

    SCHEMA = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
    SYM = "https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet"
    CLL = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
    lines = []
    for i in range(70):  # one job and its datasets said again and again: places are capped
        lines.append(
            json.dumps(ev(i, "hot_job", ["in_a", f"in_{i % 3}"], ["out_a"], etype="START" if i % 2 else "COMPLETE"))
        )
    rich = ev(100, "rich_job", ["src"], ["dst"])
    rich["outputs"][0]["facets"] = {
        "schema": {"_producer": P, "_schemaURL": SCHEMA, "fields": [{"name": "a", "type": "int"}, {"name": "b"}]},
        "symlinks": {
            "_producer": P,
            "_schemaURL": SYM,
            "identifiers": [{"namespace": "hive", "name": "db.dst", "type": "TABLE"}],
        },
        "columnLineage": {
            "_producer": P,
            "_schemaURL": CLL,
            "fields": {
                "a": {
                    "inputFields": [
                        {"namespace": "ns", "name": "src", "field": "x"},
                        {"namespace": "ns", "name": "elsewhere", "field": "y"},
                    ]
                }
            },
        },
        "custom": {"_producer": P, "_schemaURL": "https://example.com/custom.json", "k": [1, 2.5, None, True]},
    }
    rich["outputs"][0]["outputFacets"] = {
        "stats": {"_producer": P, "_schemaURL": "https://example.com/s.json", "rows": 3}
    }
    rich["inputs"][0]["inputFacets"] = {"q": {"_producer": P, "_schemaURL": "https://example.com/q.json", "v": "é"}}
    rich["run"]["facets"] = {
        "parent": {
            "_producer": P,
            "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/ParentRunFacet.json#/$defs/ParentRunFacet",
            "run": {"runId": run(1)},
            "job": {"namespace": "ns", "name": "hot_job"},
        }
    }
    rich["job"]["facets"] = {
        "doc": {"_producer": P, "_schemaURL": "https://example.com/d.json", "description": "a job 💥"}
    }
    lines.append(json.dumps(rich, ensure_ascii=False))
    other = ev(101, "sym_job", [], ["db.dst"])
    other["outputs"][0]["namespace"] = "hive"
    lines.append(json.dumps(other))
    lines.append(json.dumps(ev(102, "bad\ud800name", ["x"], ["y"])))  # a lone surrogate in a job name
    lines.append(json.dumps(ev(103, "j2", ["ds\udc00"], ["y"])))  # in a dataset name
    s = ev(104, "j3", [], ["z"])
    s["outputs"][0]["facets"] = {"custom": {"_producer": P, "_schemaURL": "https://e.com/c.json", "v": "x\ud800"}}
    lines.append(json.dumps(s))  # in a facet value
    k = ev(105, "j4", [], ["w"])
    k["job"]["facets"] = {"c": {"_producer": P, "_schemaURL": "https://e.com/c.json", "\udfffkey": 1}}
    lines.append(json.dumps(k))  # in a facet key
    bad = ev(106, "j5", ["a"], ["b"])
    del bad["eventTime"]
    lines.append(json.dumps(bad))  # breaks the core schema
    wrong = ev(107, "j6", [], ["c"])
    wrong["outputs"][0]["facets"] = {"schema": {"_producer": P, "_schemaURL": SCHEMA, "fields": 3}}
    lines.append(json.dumps(wrong))  # a facet that breaks its schema: dropped with a warning
    wrong2 = ev(108, "j6", [], ["c"])
    wrong2["outputs"][0]["facets"] = {"schema": {"_producer": P, "_schemaURL": SCHEMA, "fields": 4}}
    lines.append(json.dumps(wrong2))  # the same warning again: counted
    lines.append(json.dumps(ev(0, "hot_job", ["in_a", "in_0"], ["out_a"])))  # a duplicate event
    nos = ev(109, "j7", ["a"], [])
    del nos["schemaURL"]
    lines.append(json.dumps(nos))
    lines += ["[1, 2]", "{not json", "", "   ", '{"a": 1, "a": 2}', '{"x": NaN}']
    lines.append(
        json.dumps(
            {
                "job": {"namespace": "ns", "name": "static"},
                "eventTime": "2026-03-01T01:00:00Z",
                "producer": P,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
                "inputs": [{"namespace": "ns", "name": "sa"}],
                "outputs": [{"namespace": "ns", "name": "sb"}],
            }
        )
    )
    lines.append(
        json.dumps(
            {
                "dataset": {"namespace": "ns", "name": "static_ds", "facets": {}},
                "eventTime": "2026-03-01T01:00:00Z",
                "producer": P,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            }
        )
    )
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    data += b'{"bad utf8": "\xff"}\n' + b'{"nul": "\x00"}\n'
    (out / "events.jsonl").write_bytes(data)
    # A JSON list of events, across lines: problems and warnings named by pointer and line.
    events = [ev(200, "list_job", ["la"], ["lb"]), wrong, bad, ev(201, "list_job", ["la"], ["lc"]), "not an event"]
    (out / "events.json").write_text(json.dumps(events, indent=1), "utf-8")
    # The same on one line (minified).
    (out / "minified").mkdir(exist_ok=True)
    (out / "minified" / "events.json").write_text(json.dumps(events), "utf-8")
    # Serving logs.
    rows = [
        {
            "consumer": "c1",
            "model": "m1",
            "model_version": "1",
            "features": ["f1", "f2"],
            "time": "2026-03-01T10:00:00Z",
            "requests": r,
        }
        for r in range(60)
    ]
    rows += [
        {"consumer": "c\ud800", "model": "m1"},
        {"consumer": "c2", "model": "m2", "features": ["f\udc00"]},
        {"consumer": "c3", "model": "m3", "time": "yesterday"},
        {"consumer": "c3", "model": "m3", "requests": -1},
        {"consumer": "c3"},
        {"consumer": "c4", "model": "m4", "namespace": "team", "model_version": 7, "features": "a;b"},
        {"consumer": 5, "model": "m"},
        {"consumer": "c5", "model": "m5", "features": [1]},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n[1]\n{oops\n"
    (out / "serving.jsonl").write_bytes(text.encode("utf-8", "surrogatepass"))
    csv = "consumer,model,model_version,features,time,requests\n" + "".join(
        f"c{i % 3},m{i % 2},{i % 4},f{i % 5};f{i % 7},2026-03-0{1 + i % 9}T00:00:00Z,{i}\n" for i in range(80)
    )
    csv += 'c9,m9\n"unterminated,m\nc9,m9,1,,,x\n'
    (out / "serving.csv").write_text(csv, "utf-8")
    # A manifest with lone surrogates where a node holds text, and a rule holding one.
    manifest = {
        "lineage_manifest": 1,
        "namespace": "team",
        "owner": "o",
        "classify": [
            {"kind": "feature", "name": "feat_*", "applies_to": "dataset"},
            {"kind": "model", "name": "m\ud800*"},
        ],
        "features": [
            {"name": "f1", "tags": ["t\ud800"]},
            {"name": "f2", "attributes": {"k\udc00": 1}},
            {"name": "f3", "owner": "x\ud800"},
            {"name": "f4", "from": ["raw", "dataset:raw2", {"name": "raw3", "namespace": "other"}]},
            {"name": "f4"},
            {"name": "f5", "description": "d", "url": "u"},
        ],
        "models": [
            {
                "name": "m1",
                "features": ["f1", "f2", {"name": "f4", "weight": 0.5}, "f6"],
                "consumers": ["c1"],
                "deprecated": {"since": "2026-01-01", "reason": "old", "replacement": "m2"},
            },
            {"name": "m2", "features": [{"name": "f5", "weight": 2}], "aliases": ["models:/m2", "a\ud800"]},
        ],
        "consumers": [{"name": "c1", "reads": ["m2"]}],
        "datasets": [{"name": "raw"}, {"name": "f1"}],
    }
    (out / "manifest.json").write_bytes(json.dumps(manifest, indent=2).encode("ascii"))
    # Progress is yielded every PROGRESS_EVERY lines: an event, blank lines, one more at that line.
    (out / "progress").mkdir(exist_ok=True)
    (out / "progress" / "events.jsonl").write_text(
        json.dumps(ev(299, "early_job", ["p"], ["q"]))
        + "\n" * 19_999
        + json.dumps(ev(300, "late_job", ["p"], ["q"]))
        + "\n",
        "utf-8",
    )
    # The same log gzip-compressed (no name or time in the header: the same bytes every time).
    (out / "gz").mkdir(exist_ok=True)
    (out / "gz" / "events.jsonl.gz").write_bytes(gzip.compress(data, mtime=0))


if __name__ == "__main__":  # not when pytest collects it (doctests)
    main(Path(sys.argv[1]))
