"""The broken-input corpus: at least 30 malformed inputs for every format, built from real files.

Each format starts from a valid seed written by the real tool (tests/importers/data) and breaks it the
ways files really break: cut short, saved in the wrong encoding, junk appended, types wrong,
required fields missing, keys repeated, nested 10,000 deep, one line of megabytes, and so on.
Building the corpus (rather than keeping hundreds of files) keeps each case next to the one
line that says what is wrong with it; ``python -m tests.guarantees.corpus OUT`` writes it out.

A :class:`Case` names what to import, the file that is broken (the error must name it) and,
when part of the input is still good, a *twin*: the input without the broken part, which is
exactly what ``lineage import --lenient`` must import.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.conftest import DATA  # noqa: E402
from tests.importers.test_servinglog import CSV as SERVING_TEST_CSV
from tests.importers.test_servinglog import ROWS as SERVING_TEST_ROWS

DEEP = 10_000
HUGE = 5_000_000  # bytes on one line


@dataclass(frozen=True)
class Case:
    fmt: str
    name: str
    path: Path  # what is imported (a file or a folder)
    bad: Path  # the broken file: every error must name it
    twin: Path | None = None  # the good part; None: nothing in the input is good
    whole_file: bool = False  # a store that cannot be opened at all: the error is about the file
    partial: bool = False  # some of it is good, but no twin says exactly what (see test_broken_input)
    seed: Path | None = None  # for a partial case, the intact input: what is kept must be part of it

    @property
    def id(self) -> str:
        return f"{self.fmt}-{self.name}"


# -- breaking text -----------------------------------------------------------------------------

Mutation = Callable[[bytes], bytes]


def _junk(size: int, salt: str) -> bytes:
    return random.Random(salt).randbytes(size)


def _insert_after_first(seed: bytes, marker: bytes, text: bytes) -> bytes:
    at = seed.index(marker) + len(marker)
    return seed[:at] + text + seed[at:]


def _middle(seed: bytes) -> int:
    """An offset inside a line (never at its end), about half way."""
    at = len(seed) // 2
    while at < len(seed) - 1 and seed[at : at + 1] in (b"\n", b"\r"):
        at += 1
    return at


def _first_string(seed: bytes) -> int:
    """The offset just inside the first string value (JSON), or the first value (YAML)."""
    return seed.index(b'": "') + 4 if b'": "' in seed else seed.index(b": ") + 2


# Ways any text file breaks, whatever its syntax.
TEXT: dict[str, Mutation] = {
    "empty": lambda s: b"",
    "only-whitespace": lambda s: b"  \n\t\n\n",
    "first-byte-only": lambda s: s[:1],
    "utf16-le-bom": lambda s: b"\xff\xfe" + s.decode().encode("utf-16-le"),
    "utf16-be-bom": lambda s: b"\xfe\xff" + s.decode().encode("utf-16-be"),
    "utf32-bom": lambda s: b"\xff\xfe\x00\x00" + s.decode().encode("utf-32-le"),
    "bad-utf8-mid-line": lambda s: s[: _middle(s)] + b"\xc3\x28" + s[_middle(s) :],
    "latin1-text": lambda s: s[: _middle(s)] + b"caf\xe9" + s[_middle(s) :],
    "binary-junk": lambda s: _junk(4096, "junk"),
    "binary-junk-after-valid-start": lambda s: s[:64] + _junk(2048, "tail"),
    "nul-bytes": lambda s: s[: _middle(s)] + b"\x00" * 8 + s[_middle(s) :],
    "control-character": lambda s: s[: _first_string(s)] + b"\x01" + s[_first_string(s) :],
    "gzip-truncated": lambda s: __import__("gzip").compress(s)[:40],
}

# Ways a JSON document breaks.
JSON: dict[str, Mutation] = {
    "two-byte-order-marks": lambda s: b"\xef\xbb\xbf\xef\xbb\xbf" + s,
    "truncated-half": lambda s: s[: _middle(s)],
    "truncated-last-byte": lambda s: s.rstrip()[:-1],
    "deep-lists": lambda s: b"[" * DEEP + b"]" * DEEP,
    "deep-objects": lambda s: b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "deep-value-inside": lambda s: _insert_after_first(s, b"{", b'"deep": ' + b"[" * DEEP + b"]" * DEEP + b", "),
    "huge-unterminated-line": lambda s: b'{"name": "' + b"a" * HUGE,
    "huge-line-of-wrong-type": lambda s: b'["' + b"a" * HUGE + b'"]',
    "root-is-string": lambda s: b'"just a string"',
    "root-is-number": lambda s: b"42",
    "root-is-null": lambda s: b"null",
    "duplicate-key": lambda s: _insert_after_first(s, b"{", b'"dup": 1, "dup": 2, '),
    "nan-literal": lambda s: _insert_after_first(s, b"{", b'"x": NaN, '),
    "infinity-literal": lambda s: _insert_after_first(s, b"{", b'"x": -Infinity, '),
    "trailing-garbage": lambda s: s + b"\n}} garbage",
    "two-documents": lambda s: s + s,
    "comment": lambda s: b"// exported by hand\n" + s,
    "single-quotes": lambda s: s.replace(b'"', b"'", 4),
    "trailing-comma": lambda s: s.rstrip()[:-1].rstrip() + b",\n" + s.rstrip()[-1:],
}

# Ways a YAML document breaks.
YAML: dict[str, Mutation] = {
    "truncated-in-quoted-string": lambda s: s[: s.index(b"\n", len(s) // 2) + 1] + b'x: "cut sh',
    "truncated-in-flow-list": lambda s: s[: int(len(s) * 0.9)] + b"\n[a, b",
    "deep-lists": lambda s: b"[" * DEEP + b"]" * DEEP,
    "deep-mappings": lambda s: b"{a: " * DEEP + b"1" + b"}" * DEEP,
    "deep-block-nesting": lambda s: b"".join(b"  " * i + b"a:\n" for i in range(2000)) + b"  " * 2000 + b"b: 1\n",
    "huge-unterminated-line": lambda s: b'name: "' + b"a" * HUGE,
    "huge-line-of-wrong-type": lambda s: b'["' + b"a" * HUGE + b'"]',
    "root-is-string": lambda s: b"just a string\n",
    "root-is-list": lambda s: b"- a\n- b\n",
    "root-is-null": lambda s: b"~\n",
    "duplicate-key": lambda s: s + b"\n" + _first_key(s) + b": again\n",
    "tab-indentation": lambda s: b"top:\n\t- a\n" + s,
    "python-tag": lambda s: b'evil: !!python/object/apply:os.system ["echo pwned"]\n' + s,
    "custom-tag": lambda s: b"x: !include /etc/passwd\n" + s,
    "alias-bomb": lambda s: _alias_bomb() + s,
    "two-documents": lambda s: s + b"\n---\n" + s,
    "nan-value": lambda s: b"x: .nan\n" + s,
    "binary-value": lambda s: b"x: !!binary aGVsbG8=\n" + s,
    "unclosed-mapping": lambda s: b"x: {a: 1\n" + s,
}


def _first_key(seed: bytes) -> bytes:
    """The first top-level key of a YAML mapping."""
    return next(line.split(b":")[0] for line in seed.splitlines() if line[:1].isalpha() and b":" in line)


def _alias_bomb() -> bytes:
    lines = [b'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]".encode() for i in range(1, 9)]
    return b"\n".join(lines) + b"\n"


# Ways one line of a JSON Lines file breaks (the other lines stay good).
JSONL_LINE: dict[str, Mutation] = {
    "line-truncated": lambda s: s[: len(s) // 2],
    "line-bad-utf8": lambda s: s[: len(s) // 2] + b"\xff\xfe" + s[len(s) // 2 :],
    "line-nul": lambda s: s[: len(s) // 2] + b"\x00" + s[len(s) // 2 :],
    "line-deep-lists": lambda s: b"[" * DEEP + b"]" * DEEP,
    "line-deep-objects": lambda s: b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "line-huge": lambda s: b'{"x": "' + b"a" * HUGE + b'"',
    "line-is-list": lambda s: b"[1, 2, 3]",
    "line-is-string": lambda s: b'"event"',
    "line-is-null": lambda s: b"null",
    "line-empty-object": lambda s: b"{}",
    "line-duplicate-key": lambda s: _insert_after_first(s, b"{", b'"dup": 1, "dup": 2, '),
    "line-nan": lambda s: _insert_after_first(s, b"{", b'"x": NaN, '),
    "line-two-objects": lambda s: s + s,
    "line-comment": lambda s: b"# a comment",
    "line-control-character": lambda s: s[: _first_string(s)] + b"\x01" + s[_first_string(s) :],
}


# -- builders ------------------------------------------------------------------------------------


class Builder:
    """Writes cases under ``root``, one folder per case."""

    def __init__(self, root: Path):
        self.root = root
        self.cases: list[Case] = []

    def folder(self, fmt: str, name: str) -> Path:
        folder = self.root / fmt / name
        if folder.exists():
            raise ValueError(f"two {fmt} cases are named {name}")
        folder.mkdir(parents=True)
        return folder

    def file(self, fmt: str, name: str, filename: str, content: bytes, twin: bytes | None = None,
             seed: bytes | None = None) -> None:  # fmt: skip
        """A case of one file; ``seed`` (the intact file) makes it a partial case."""
        folder = self.folder(fmt, name)
        path = folder / filename
        path.write_bytes(content)
        twin_path = seed_path = None
        for part, content_of_part in (("twin", twin), ("seed", seed)):
            if content_of_part is not None:
                where = folder / part / filename
                where.parent.mkdir()
                where.write_bytes(content_of_part)
                twin_path, seed_path = (where, seed_path) if part == "twin" else (twin_path, where)
        self.cases.append(Case(fmt, name, path, path, twin_path, partial=seed is not None, seed=seed_path))

    def text_cases(self, fmt: str, filename: str, seed: bytes, syntax: dict[str, Mutation], prefix: str = "",
                   line_based: bool = False) -> None:  # fmt: skip
        """Break the whole file; in a line-based file the lines left intact are the twin."""
        for name, mutate in {**TEXT, **syntax}.items():
            broken = mutate(seed)
            twin = None
            if line_based:
                intact = [line for line in broken.splitlines(keepends=True) if line in seed.splitlines(keepends=True)]
                twin = b"".join(intact) or None
            self.file(fmt, prefix + name, filename, broken, twin)

    def line_cases(self, fmt: str, filename: str, seed: bytes, line: int = 1, prefix: str = "") -> None:
        """Break one line of a line-oriented file: the others are the twin --lenient imports."""
        lines = seed.splitlines(keepends=True)
        for name, mutate in JSONL_LINE.items():
            broken = [*lines[:line], mutate(lines[line].rstrip(b"\n")) + b"\n", *lines[line + 1 :]]
            self.file(fmt, prefix + name, filename, b"".join(broken), b"".join(lines[:line] + lines[line + 1 :]))

    def tree(self, fmt: str, name: str, seed: Path, inside: str, content: bytes | Callable[[bytes], bytes],
             without: str | None = None) -> None:  # fmt: skip
        """A copy of the folder ``seed`` in which the file ``inside`` is replaced (or changed);
        its twin is the folder ``without`` the part (a file or folder) the broken file spoils."""
        folder = self.folder(fmt, name)
        shutil.copytree(seed, folder / seed.name)
        bad = folder / seed.name / inside
        bad.write_bytes(content(bad.read_bytes()) if callable(content) else content)
        twin = None
        if without not in (None, PARTIAL):
            twin = folder / "twin" / seed.name
            shutil.copytree(seed, twin)
            spoiled = twin / without
            shutil.rmtree(spoiled) if spoiled.is_dir() else spoiled.unlink()
        self.cases.append(Case(fmt, name, folder / seed.name, bad, twin, partial=without == PARTIAL,
                               seed=seed if without == PARTIAL else None))  # fmt: skip

    def edited_json(self, fmt: str, name: str, filename: str, seed: bytes, edit: Callable[[object], None],
                    twin_edit: Callable[[object], None] | None = None) -> None:  # fmt: skip
        """A case whose JSON is changed by ``edit``; ``twin_edit`` makes its twin, if any."""
        data = json.loads(seed)
        edit(data)
        twin = None
        if twin_edit is PARTIAL:
            self.file(fmt, name, filename, json.dumps(data, indent=1).encode(), seed=seed)
            return
        if twin_edit is not None:
            good = json.loads(seed)
            twin_edit(good)
            twin = json.dumps(good, indent=1).encode()
        self.file(fmt, name, filename, json.dumps(data, indent=1).encode(), twin)

    def edited_yaml(self, fmt: str, name: str, filename: str, seed: bytes, edit: Callable[[object], None],
                    twin_edit: Callable[[object], None] | None = None, partial: bool = False) -> None:  # fmt: skip
        data = yaml.safe_load(seed)
        edit(data)
        twin = None
        if twin_edit is not None:
            good = yaml.safe_load(seed)
            twin_edit(good)
            twin = yaml.safe_dump(good, sort_keys=False).encode()
        self.file(fmt, name, filename, yaml.safe_dump(data, sort_keys=False).encode(), twin, seed if partial else None)


def setter(pointer: str, value: object) -> Callable[[object], None]:
    """An edit that sets (or with ``...``, deletes) the value at a JSON pointer."""

    def edit(data: object) -> None:
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        for part in parents:
            data = data[int(part)] if isinstance(data, list) else data[part]  # type: ignore[index]
        key = int(last) if isinstance(data, list) else last
        if value is ...:
            del data[key]  # type: ignore[arg-type]
        else:
            data[key] = value  # type: ignore[index]

    return edit


def both(*edits: Callable[[object], None]) -> Callable[[object], None]:
    def edit(data: object) -> None:
        for one in edits:
            one(data)

    return edit


# -- the formats ---------------------------------------------------------------------------------


def manifest_cases(b: Builder) -> None:
    seed = (DATA / "small.yaml").read_bytes()
    b.text_cases("manifest", "lineage.yaml", seed, YAML)
    as_json = json.dumps(yaml.safe_load(seed), indent=1, default=str).encode()
    b.file("manifest", "date-that-is-no-date", "lineage.yaml", seed.replace(b"2025-01-01", b"2025-13-01"))
    for name in ("truncated-half", "duplicate-key", "deep-value-inside", "trailing-comma"):
        b.file("manifest", f"json-{name}", "lineage.json", JSON[name](as_json))
    b.file("manifest", "toml-duplicate-table", "lineage.toml", b"lineage_manifest = 1\n[a]\nx = 1\n[a]\nx = 2\n")
    b.file("manifest", "toml-truncated", "lineage.toml", b'lineage_manifest = 1\nnamespace = "sh')
    no_ctr, no_price, no_ranker = setter("/features/0", ...), setter("/features/1", ...), setter("/models/0", ...)
    edits = {
        "feature-without-name": (setter("/features/0/name", ...), no_ctr),
        "name-is-a-number": (setter("/features/0/name", 42), no_ctr),
        "name-is-empty": (setter("/features/0/name", ""), no_ctr),
        "features-is-a-mapping": (setter("/features", {"ctr": 1}), None),
        "weight-is-text": (setter("/models/0/features/0/weight", "high"), no_ranker),
        "unknown-kind-of-section": (setter("/gadgets", [{"name": "x"}]), None),
        "wrong-manifest-version": (setter("/lineage_manifest", 99), None),
        "deprecated-date-is-not-a-date": (setter("/features/1/deprecated/since", "someday"), no_price),
    }
    for name, (edit, twin_edit) in edits.items():
        b.edited_yaml("manifest", name, "lineage.yaml", seed, edit, twin_edit)


def openlineage_seed() -> bytes:
    """Five real events, one a line: the FileTransport's JSON Lines plus the client's examples."""
    events = [
        json.loads(line) for line in (DATA / "openlineage/filetransport_append_events.jsonl").read_text().splitlines()
    ]
    for name in ("client__python__tests__example_full_event.json",
                 "proxy__fluentd__events__event_full.json"):  # fmt: skip
        events.append(json.loads((DATA / "openlineage" / name).read_text()))
    return b"".join(json.dumps(e, sort_keys=True).encode() + b"\n" for e in events)


def openlineage_cases(b: Builder) -> None:
    seed = openlineage_seed()
    b.text_cases("openlineage", "events.jsonl", seed, {}, line_based=True)
    b.line_cases("openlineage", "events.jsonl", seed, line=2)
    one = (DATA / "openlineage/client__python__tests__example_full_event.json").read_bytes()
    for name in ("truncated-half", "duplicate-key", "deep-value-inside", "two-documents", "root-is-number"):
        b.file("openlineage", f"json-{name}", "event.json", JSON[name](one))
    lines = seed.splitlines(keepends=True)
    edits = {
        "missing-eventTime": setter("/eventTime", ...),
        "eventTime-not-a-date": setter("/eventTime", "yesterday"),
        "runId-not-a-uuid": setter("/run/runId", "not-a-uuid"),
        "job-without-name": setter("/job/name", ...),
        "inputs-is-an-object": setter("/inputs", {"name": "x"}),
        "inputs-item-is-a-string": setter("/inputs/0", "public.users"),
        "run-facets-is-a-list": setter("/run/facets", [{"parent": {}}]),
        "eventType-unknown": setter("/eventType", "EXPLODE"),
    }
    for name, edit in edits.items():
        event = json.loads(lines[0])
        edit(event)
        broken = json.dumps(event, sort_keys=True).encode() + b"\n"
        b.file("openlineage", f"event-{name}", "events.jsonl", broken + b"".join(lines[1:]), b"".join(lines[1:]))


# The serving-log tests' rows (three, from two consumers) and one more consumer.
SERVING_ROWS = [*SERVING_TEST_ROWS, {"time": "2026-03-01T12:00:00Z", "consumer": "bidder", "model": "bid",
                                     "features": ["ctr_score"]}]  # fmt: skip
SERVING_CSV = SERVING_TEST_CSV.encode()


def servinglog_cases(b: Builder) -> None:
    seed = b"".join(json.dumps(r).encode() + b"\n" for r in SERVING_ROWS)
    b.text_cases("servinglog", "serving.jsonl", seed, {}, line_based=True)
    b.line_cases("servinglog", "serving.jsonl", seed, line=1)
    rows = seed.splitlines(keepends=True)
    edits = {
        "row-without-consumer": setter("/consumer", ...),
        "consumer-is-a-number": setter("/consumer", 5),
        "model-is-empty": setter("/model", ""),
        "features-is-a-number": setter("/features", 3),
        "requests-is-text": setter("/requests", "many"),
        "time-not-a-time": setter("/time", "noon"),
    }
    for name, edit in edits.items():
        row = json.loads(rows[0])
        edit(row)
        b.file("servinglog", f"row-{name}", "serving.jsonl", json.dumps(row).encode() + b"\n" + b"".join(rows[1:]),
               b"".join(rows[1:]))  # fmt: skip
    csv_rows = SERVING_CSV.splitlines(keepends=True)
    for name, row in {
        "csv-row-too-short": b"2026-03-01T10:00:00Z,ad_server\n",
        "csv-row-unclosed-quote": b'2026-03-01T10:00:00Z,"ad_server,ctr,7,terms,1\n',
        "csv-row-nul": b"2026-03-01T10:00:00Z,ad\x00server,ctr,7,terms,1\n",
        "csv-row-bad-utf8": b"2026-03-01T10:00:00Z,ad\xffserver,ctr,7,terms,1\n",
        "csv-requests-not-a-number": b"2026-03-01T10:00:00Z,ad_server,ctr,7,terms,lots\n",
    }.items():
        b.file("servinglog", name, "serving.csv", b"".join([csv_rows[0], row, *csv_rows[1:]]), SERVING_CSV)
    b.file("servinglog", "csv-no-consumer-column", "serving.csv", SERVING_CSV.replace(b"consumer,", b"client,", 1))
    b.file("servinglog", "csv-header-only-junk", "serving.csv", b"\x89PNG\r\n\x1a\n" + SERVING_CSV)


def json_document_cases(b: Builder, fmt: str, filename: str, seed: bytes, edits: dict) -> None:
    b.text_cases(fmt, filename, seed, JSON)
    for name, edit in edits.items():
        twin_edit = None
        if isinstance(edit, tuple):
            edit, twin_edit = edit
        b.edited_json(fmt, name, filename, seed, edit, twin_edit)


def datahub_cases(b: Builder) -> None:
    seed = (DATA / "datahub/generated__datahub_mlflow_source_file_sink_mcps.json").read_bytes()
    data = json.loads(seed)
    first_urn = data[0]["entityUrn"]
    json_document_cases(b, "datahub", "datahub.json", seed, {
        "record-is-a-string": (setter("/0", "mcp"), setter("/0", ...)),
        "mcp-without-entityUrn": (setter("/0/entityUrn", ...), setter("/0", ...)),
        "mcp-urn-is-not-a-urn": (setter("/0/entityUrn", "not-a-urn"), setter("/0", ...)),
        "mcp-without-aspect": (setter("/0/aspect", ...), setter("/0", ...)),
        "aspect-value-is-bad-json": (setter("/0/aspect", {"value": "{not json", "contentType": "application/json"}),
                                     setter("/0", ...)),
        "aspectName-is-a-number": (setter("/0/aspectName", 7), setter("/0", ...)),
        "urn-with-too-few-parts": (setter("/0/entityUrn", "urn:li:dataset:(urn:li:dataPlatform:s3)"), setter("/0", ...)),
        "aspect-is-not-an-object": (setter("/0/aspect/json", True), setter("/0", ...)),
        "upstreams-is-a-string": (setter("/0", {"entityUrn": first_urn, "aspectName": "upstreamLineage",
                                                 "aspect": {"json": {"upstreams": "everything"}}}), setter("/0", ...)),
    })  # fmt: skip


def dbt_cases(b: Builder) -> None:
    seed = (DATA / "dbt/integration__common__tests__dbt__duckdb__target__manifest.json").read_bytes()
    model = "/nodes/model.jaffle_shop.customers"
    json_document_cases(b, "dbt", "manifest.json", seed, {
        "no-metadata": setter("/metadata", ...),
        "schema-version-unsupported": setter("/metadata/dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v99.json"),
        "nodes-is-a-list": setter("/nodes", []),
        "model-without-schema": (setter(f"{model}/schema", ...), setter(model, ...)),
        "model-name-is-a-number": (setter(f"{model}/name", 3), setter(model, ...)),
        "depends-on-is-a-string": (setter(f"{model}/depends_on", "everything"), setter(model, ...)),
        "depends-on-holds-numbers": (setter(f"{model}/depends_on/nodes", [1, 2]), setter(model, ...)),
        "columns-is-a-list": (setter(f"{model}/columns", ["id"]), setter(model, ...)),
    })  # fmt: skip


def feast_cases(b: Builder) -> None:
    seed = (DATA / "feast/feast_registry_dump.json").read_bytes()
    data = json.loads(seed)
    view_key = next(k for k in ("featureViews", "feature_views") if k in data)
    json_document_cases(b, "feast", "registry.json", seed, {
        # Nothing reads a feature service, so dropping a bad one leaves the rest whole.
        "feature-services-is-an-object": (setter("/featureServices", {"x": 1}), setter("/featureServices", ...)),
        "feature-service-without-spec": (setter("/featureServices/0/spec", ...), setter("/featureServices/0", ...)),
        "feature-service-name-is-a-number": (setter("/featureServices/0/spec/name", 5), setter("/featureServices/0", ...)),
        "feature-service-features-is-a-string": (setter("/featureServices/0/spec/features", "all"),
                                                 setter("/featureServices/0/spec/features", [])),
        "feature-service-is-a-list": (setter("/featureServices/0", []), setter("/featureServices/0", ...)),
        "feature-view-name-is-a-number": (setter(f"/{view_key}/0/spec/name", 5), PARTIAL),
    })  # fmt: skip


def without_kedro_node(index: int) -> Callable[[object], None]:
    """Drop a Kedro-Viz node and the edges that name it."""

    def edit(data) -> None:
        gone = data["nodes"].pop(index)["id"]
        data["edges"] = [e for e in data["edges"] if gone not in (e["source"], e["target"])]

    return edit


def kedro_cases(b: Builder) -> None:
    seed = (DATA / "kedro/src__utils__data__spaceflights.mock.json").read_bytes()
    json_document_cases(b, "kedro", "main.json", seed, {
        "no-nodes": setter("/nodes", ...),
        "nodes-is-an-object": setter("/nodes", {"a": 1}),
        "edges-is-a-string": setter("/edges", "none"),
        "node-without-id": (setter("/nodes/0/id", ...), without_kedro_node(0)),
        "edge-source-is-a-number": (setter("/edges/0/source", 7), setter("/edges/0", ...)),
        "node-type-unknown": (setter("/nodes/0/type", 42), without_kedro_node(0)),
    })  # fmt: skip


def kfp_cases(b: Builder) -> None:
    seed = (DATA / "kfp/churn_pipeline.yaml").read_bytes()
    # A compiled pipeline may hold a second document (its platform config): not a fault.
    b.text_cases("kfp", "pipeline.yaml", seed, {k: v for k, v in YAML.items() if k != "two-documents"})
    edits = {
        "no-root": setter("/root", ...),
        "components-is-a-list": setter("/components", []),
        "task-without-componentRef": setter("/root/dag/tasks/train/componentRef", ...),
        "dependentTasks-holds-a-mapping": setter("/root/dag/tasks/train/dependentTasks", [{"a": 1}]),
        "task-reads-unknown-task": setter("/root/dag/tasks/train/dependentTasks", ["nowhere"]),
        "pipelineInfo-is-a-string": setter("/pipelineInfo", "churn"),
    }
    for name, edit in edits.items():  # a pipeline is wired as a whole: what survives has no twin
        b.edited_yaml("kfp", name, "pipeline.yaml", seed, edit, partial=name != "no-root")


CONFIG_MANIFEST = b"""lineage_manifest: 1
namespace: ads
configs:
  - paths: "configs/*.yaml"
    name: "$.model.name"
    features: "$.model.features[*]"
    consumers: "$.serving.consumers[*]"
"""
CONFIG = b"""model:
  name: ctr_model
  owner: ctr-modeling
  features:
    - query_terms
    - {name: ad_id, weight: 0.3}
serving:
  consumers: [ad_server]
"""


def config_cases(b: Builder) -> None:
    seed_folder = b.root / "_seeds" / "repo"
    (seed_folder / "configs").mkdir(parents=True)
    (seed_folder / "lineage.yaml").write_bytes(CONFIG_MANIFEST)
    (seed_folder / "configs" / "ctr.yaml").write_bytes(CONFIG)
    for name, mutate in {**TEXT, **YAML}.items():
        b.tree("config", name, seed_folder, "configs/ctr.yaml", mutate, without="configs/ctr.yaml")
    for name, text in {
        "name-is-a-list": b"model:\n  name: [a, b]\n  features: [x]\nserving: {consumers: [s]}\n",
        "name-missing": b"model:\n  features: [x]\nserving: {consumers: [s]}\n",
    }.items():
        b.tree("config", name, seed_folder, "configs/ctr.yaml", text, without="configs/ctr.yaml")
    for name, (text, repaired) in {
        "features-are-mappings-without-name": (
            b"model:\n  name: m\n  features: [{weight: 1}]\n",
            b"model:\n  name: m\n  features: [{name: f, weight: 1}]\nserving: {consumers: [s]}\n",
        ),
        "weight-is-text": (
            b"model:\n  name: m\n  features: [{name: f, weight: heavy}]\n",
            b"model:\n  name: m\n  features: [{name: f, weight: 0.5}]\nserving: {consumers: [s]}\n",
        ),
    }.items():  # a bad entry loses its edge, not the names it holds: no twin says exactly that
        intact = b.root / "_seeds" / f"repo-{name}"
        shutil.copytree(seed_folder, intact)
        (intact / "configs" / "ctr.yaml").write_bytes(repaired)
        b.tree("config", name, intact, "configs/ctr.yaml", text, without=PARTIAL)


def mlflow_file_store_cases(b: Builder) -> None:
    seed = DATA / "mlflow/mlflow2_filestore/mlruns"
    run = "309132295167086722/db155a06f5df457d804d7f31a89693ad"
    for name, mutate in {**TEXT, **YAML}.items():
        b.tree("mlflow", f"run-meta-{name}", seed, f"{run}/meta.yaml", mutate, without=f"{run}/meta.yaml")
    for name, (inside, text, without) in {
        "run-meta-run-id-is-a-list": (f"{run}/meta.yaml", lambda s: s.replace(b"run_id: ", b"run_id: [x] #", 1), f"{run}/meta.yaml"),
        "experiment-meta-name-is-a-mapping": ("309132295167086722/meta.yaml", lambda s: s.replace(b"name: ", b"name: {a: 1} #", 1),
                                              "309132295167086722/meta.yaml"),
        "metric-line-not-numbers": (f"{run}/metrics/acc", b"yesterday high 3\n", f"{run}/metrics/acc"),
        "metric-line-too-short": (f"{run}/metrics/acc", b"1700000000000\n", f"{run}/metrics/acc"),
        "version-meta-truncated": ("models/churn_model/version-1/meta.yaml", lambda s: s[: len(s) // 2] + b' "cut',
                                   "models/churn_model/version-1"),
        "model-meta-binary": ("models/churn_model/meta.yaml", _junk(512, "model"), "models/churn_model"),
        "mlmodel-bad-yaml": (f"{run}/artifacts/model/MLmodel", b"signature: {inputs: '[{\"name\": \n", PARTIAL),
        "mlmodel-signature-bad-json": (f"{run}/artifacts/model/MLmodel", b"signature:\n  inputs: '[{not json'\n", PARTIAL),
    }.items():  # fmt: skip
        b.tree("mlflow", name, seed, inside, text, without=without)


# -- SQLite stores -----------------------------------------------------------------------------


def _sql(*statements: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        conn = sqlite3.connect(path)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()

    return run


def _truncate(fraction: float) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return run


def _overwrite(start: float, size: int) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        data = bytearray(path.read_bytes())
        at = int(len(data) * start)
        data[at : at + size] = _junk(size, f"pages{start}")
        path.write_bytes(bytes(data))

    return run


def _replace(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _lineage_db(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1279870533")
    conn.execute("CREATE TABLE nodes (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.close()


SQLITE_FILE: dict[str, Callable[[Path], None]] = {
    "empty": _replace(b""),
    "text-file": _replace(b"this is not a database\n"),
    "binary-junk": _replace(_junk(8192, "db")),
    "header-only": _truncate(0.0001),
    "first-page-only": lambda p: p.write_bytes(p.read_bytes()[:4096]),
    "truncated-half": _truncate(0.5),
    "truncated-three-quarters": _truncate(0.75),
    "pages-overwritten": _overwrite(0.3, 16384),
    "header-overwritten": _overwrite(0.0, 100),
    "no-tables": lambda p: (p.unlink(), _sql("PRAGMA user_version = 1")(p)),
    "another-apps-tables": lambda p: (p.unlink(), _sql("CREATE TABLE invoices (id INTEGER, total REAL)")(p)),
    "a-lineage-database": _lineage_db,
}


def sqlite_cases(b: Builder, fmt: str, seed: Path, filename: str, edits: dict) -> None:
    """Damage a copy of the store; an edit is ``damage``, ``(damage, twin)`` (the twin deletes the
    damaged rows and every row naming them) or ``(damage, PARTIAL)``."""
    for name, edit in {**SQLITE_FILE, **edits}.items():
        damage, undo = edit if isinstance(edit, tuple) else (edit, None)
        folder = b.folder(fmt, name)
        path = folder / filename
        shutil.copy(seed, path)
        damage(path)
        twin = None
        if callable(undo):
            twin = folder / "twin" / filename
            twin.parent.mkdir()
            shutil.copy(seed, twin)
            undo(twin)
        b.cases.append(Case(fmt, name, path, path, twin, whole_file=name in SQLITE_FILE, partial=undo is PARTIAL,
                            seed=seed if undo is PARTIAL else None))  # fmt: skip


PARTIAL = "partial"


def mlflow_sql_cases(b: Builder) -> None:
    no_runs = _sql(
        "PRAGMA foreign_keys=OFF",
        *(
            f"DELETE FROM {t}"
            for t in ("runs", "params", "latest_metrics", "metrics", "tags", "inputs", "input_tags", "logged_models")
        ),
    )
    no_datasets = _sql(
        "PRAGMA foreign_keys=OFF", "DELETE FROM datasets", "DELETE FROM inputs WHERE source_type = 'DATASET'"
    )
    no_models = _sql(
        "PRAGMA foreign_keys=OFF",
        *(
            f"DELETE FROM {t}"
            for t in ("registered_models", "model_versions", "registered_model_aliases", "registered_model_tags")
        ),
    )
    sqlite_cases(b, "mlflow", DATA / "mlflow/mlflow3_default.db", "mlflow.db", {
        "sql-no-runs-table": _sql("DROP TABLE runs"),
        "sql-experiments-missing-name-column": _sql("ALTER TABLE experiments RENAME COLUMN name TO title"),
        "sql-run-name-bad-utf8": (_sql("UPDATE runs SET name = CAST(x'66ff6f' AS TEXT)"), no_runs),
        "sql-run-name-is-a-blob": (_sql("UPDATE runs SET name = x'00ff00'"), no_runs),
        "sql-run-start-time-is-text": (_sql("UPDATE runs SET start_time = 'yesterday'"), no_runs),
        "sql-run-in-unknown-experiment": (_sql("PRAGMA foreign_keys=OFF", "UPDATE runs SET experiment_id = 999999"), no_runs),
        "sql-run-experiment-is-text": (_sql("PRAGMA foreign_keys=OFF", "UPDATE runs SET experiment_id = 'first'"), no_runs),
        "sql-model-version-of-unknown-model": (_sql("PRAGMA foreign_keys=OFF", "UPDATE model_versions SET name = 'ghost'"),
                                               _sql("DELETE FROM model_versions")),
        "sql-dataset-schema-bad-json": (_sql("UPDATE datasets SET dataset_schema = '{not json'"), no_datasets),
        "sql-dataset-schema-deep": (_sql(f"UPDATE datasets SET dataset_schema = '{'[' * DEEP}{']' * DEEP}'"), no_datasets),
        "sql-input-source-bad-json": (_sql("UPDATE datasets SET dataset_source = '{not json'"), no_datasets),
        "sql-registered-model-name-bad-utf8": (_sql("PRAGMA foreign_keys=OFF",
                                                    "UPDATE registered_models SET name = CAST(x'ff' AS TEXT)"), no_models),
        "sql-registered-model-name-empty": (_sql("PRAGMA foreign_keys=OFF", "UPDATE registered_models SET name = ''"), no_models),
        "sql-tag-value-bad-utf8": (_sql("UPDATE tags SET value = CAST(x'c328' AS TEXT)"), _sql("DELETE FROM tags")),
        "sql-param-value-bad-utf8": (_sql("UPDATE params SET value = CAST(x'ff' AS TEXT)"), _sql("DELETE FROM params")),
        "sql-metric-value-is-text": (_sql("UPDATE latest_metrics SET value = 'high'"), _sql("DELETE FROM latest_metrics")),
        "sql-input-names-unknown-run": (_sql("PRAGMA foreign_keys=OFF", "UPDATE inputs SET destination_id = 'ghost' WHERE destination_type = 'RUN'"),
                                        _sql("DELETE FROM inputs WHERE destination_type = 'RUN'")),
        "sql-experiment-name-empty": (_sql("UPDATE experiments SET name = '' WHERE experiment_id = (SELECT max(experiment_id) FROM experiments)"),
                                      PARTIAL),
        "sql-runs-table-is-a-view": _sql("PRAGMA foreign_keys=OFF", "ALTER TABLE runs RENAME TO runs_old",
                                         "CREATE VIEW runs AS SELECT 1 AS x"),
    })  # fmt: skip


def mlmd_cases(b: Builder) -> None:
    no_artifacts = _sql(*(f"DELETE FROM {t}" for t in ("Artifact", "ArtifactProperty", "Event", "Attribution")))
    no_events = _sql("DELETE FROM Event")
    sqlite_cases(b, "mlmd", DATA / "mlmd/metadata.sqlite", "metadata.sqlite", {
        "no-artifact-table": _sql("DROP TABLE Artifact"),
        "event-table-missing-type-column": _sql("ALTER TABLE Event RENAME COLUMN type TO kind"),
        "artifact-uri-bad-utf8": (_sql("UPDATE Artifact SET uri = CAST(x'2fff' AS TEXT)"), no_artifacts),
        "artifact-uri-is-a-blob": (_sql("UPDATE Artifact SET uri = x'00ff'"), no_artifacts),
        "artifact-type-id-is-text": (_sql("UPDATE Artifact SET type_id = 'dataset'"), no_artifacts),
        "artifact-of-unknown-type": (_sql("UPDATE Artifact SET type_id = 99999"), no_artifacts),
        "artifact-state-is-text": (_sql("UPDATE Artifact SET state = 'live'"), no_artifacts),
        "event-names-unknown-execution": (_sql("UPDATE Event SET execution_id = 99999"), no_events),
        "event-names-unknown-artifact": (_sql("UPDATE Event SET artifact_id = 99999"), no_events),
        "event-type-out-of-range": (_sql("UPDATE Event SET type = 42"), no_events),
        "event-type-is-text": (_sql("UPDATE Event SET type = 'input'"), no_events),
        "type-name-is-a-blob": _sql("UPDATE Type SET name = x'ff'"),
        "property-value-bad-utf8": (_sql("UPDATE ArtifactProperty SET string_value = CAST(x'ff' AS TEXT)"),
                                    _sql("DELETE FROM ArtifactProperty")),
        "context-name-is-a-blob": (_sql("UPDATE Context SET name = x'ff00'"),
                                   _sql(*(f"DELETE FROM {t}" for t in ("Context", "Attribution", "Association", "ParentContext")))),
        "attribution-names-unknown-context": (_sql("UPDATE Attribution SET context_id = 99999"), _sql("DELETE FROM Attribution")),
        "schema-version-newer": _sql("UPDATE MLMDEnv SET schema_version = 99"),
        "execution-last-state-is-text": (_sql("UPDATE Execution SET last_known_state = 'running'"),
                                         _sql(*(f"DELETE FROM {t}" for t in ("Execution", "ExecutionProperty", "Event", "Association")))),
        "event-table-is-a-view": _sql("ALTER TABLE Event RENAME TO Event_old", "CREATE VIEW Event AS SELECT 1 AS x"),
        "type-kind-unknown": _sql("UPDATE Type SET type_kind = 7"),
    })  # fmt: skip


FORMATS: dict[str, Callable[[Builder], None]] = {
    "manifest": manifest_cases,
    "openlineage": openlineage_cases,
    "servinglog": servinglog_cases,
    "datahub": datahub_cases,
    "dbt": dbt_cases,
    "feast": feast_cases,
    "kedro": kedro_cases,
    "kfp": kfp_cases,
    "config": config_cases,
    "mlflow": lambda b: (mlflow_file_store_cases(b), mlflow_sql_cases(b)),
    "mlmd": mlmd_cases,
}


def build(root: Path) -> list[Case]:
    """Write the whole corpus under ``root`` (an empty folder) and list its cases."""
    builder = Builder(root)
    for make in FORMATS.values():
        make(builder)
    return builder.cases


def by_format(cases: list[Case]) -> Iterator[tuple[str, int]]:
    for fmt in FORMATS:
        yield fmt, sum(c.fmt == fmt for c in cases)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "broken-corpus")
    out.mkdir(parents=True, exist_ok=False)
    built = build(out)
    for fmt, count in by_format(built):
        print(f"{fmt:12} {count} cases")
