"""ML Metadata (MLMD) stores: the SQLite ``metadata.sqlite`` that TFX and Kubeflow Pipelines write.

The store is read with :mod:`sqlite3` alone (no ml-metadata package), opened read-only and
immutable, so nothing is ever written to it. Artifacts become datasets or models by their type,
executions jobs, events the edges between them (input artifact -> execution ``reads``, execution
-> output artifact ``writes``), and the pipeline context a node belongs to its namespace. Every
record says the table and row it comes from. Artifact URIs are kept as opaque strings: nothing
they name is opened, and no property value is unpickled or run.
"""

from __future__ import annotations

import base64
import binascii
import math
import sqlite3
import struct
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from lineage.records import EdgeRecord, InputError, Location, NodeRecord, Problem, Progress

from ._kit.sqlitestore import SQLiteStoreImporter, connect, has_sqlite_header, table_names
from ._kit.sqlrows import decode_row

REQUIRED_TABLES = ("Artifact", "Execution", "Event")
# The newest MLMD schema this importer knows (ml-metadata 1.14 to 1.17 write 10). Older stores
# lack some optional columns, which are then left out; a newer one may mean something else.
NEWEST_SCHEMA_VERSION = 10
# Columns every store has, by table; the tables not in REQUIRED_TABLES may be absent.
REQUIRED_COLUMNS = {
    "Type": ("id", "name", "type_kind"),
    "Artifact": ("id", "type_id", "uri"),
    "Execution": ("id", "type_id"),
    "Event": ("id", "artifact_id", "execution_id", "type"),
    "Context": ("id", "type_id", "name"),
    "Attribution": ("context_id", "artifact_id"),
    "Association": ("context_id", "execution_id"),
    "ParentContext": ("context_id", "parent_context_id"),
    "ParentType": ("type_id", "parent_type_id"),
    "ArtifactProperty": ("artifact_id", "name", "is_custom_property"),
    "ExecutionProperty": ("execution_id", "name", "is_custom_property"),
    "EventPath": ("event_id", "is_index_step"),
}
BINARY_COLUMNS = frozenset({"proto_value", "byte_value"})
INTEGER_COLUMNS = frozenset({
    "id", "type_id", "type_kind", "parent_type_id", "state", "last_known_state", "create_time_since_epoch",
    "last_update_time_since_epoch", "artifact_id", "execution_id", "context_id", "parent_context_id",
    "type", "event_id", "is_index_step", "step_index", "is_custom_property",
})  # fmt: skip
VALUE_COLUMNS = ("int_value", "double_value", "string_value", "bool_value", "proto_value", "byte_value")

# metadata_store.proto: Event.Type, Execution.State, Artifact.State.
EVENT_TYPES = {
    0: "UNKNOWN", 1: "DECLARED_OUTPUT", 2: "DECLARED_INPUT", 3: "INPUT", 4: "OUTPUT",
    5: "INTERNAL_INPUT", 6: "INTERNAL_OUTPUT", 7: "PENDING_OUTPUT",
}  # fmt: skip
INPUT_EVENTS = frozenset({2, 3, 5})
OUTPUT_EVENTS = frozenset({1, 4, 6, 7})
EXECUTION_STATES = {
    0: "UNKNOWN", 1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED",
}  # fmt: skip
FAILED_STATE = 4
ARTIFACT_STATES = {
    0: "UNKNOWN", 1: "PENDING", 2: "LIVE", 3: "MARKED_FOR_DELETION", 4: "DELETED", 5: "ABANDONED",
    6: "REFERENCE",
}  # fmt: skip
TYPE_KINDS = {0: "execution", 1: "artifact", 2: "context"}
# Context types (compared lower-case, after the last dot) naming a pipeline, and a pipeline run.
PIPELINE_CONTEXTS = frozenset({"pipeline"})
RUN_CONTEXTS = frozenset({"pipeline_run", "pipelinerun", "kfprun", "run"})

# MLMD records what ran; the project counts every record of a registry or store as declared.
EVIDENCE: Final = "declared"
MAX_LISTED = 20  # contexts listed in a node's attributes
MAX_PARENT_DEPTH = 32
PROGRESS_EVERY = 20_000  # rows


class MLMDImporter(SQLiteStoreImporter):
    name = "mlmd"
    description = "ML Metadata stores (TFX, Kubeflow Pipelines): artifacts, executions, events, contexts"
    reads = "an ML Metadata SQLite store (metadata.sqlite), opened read-only"
    priority = 30
    tables = REQUIRED_TABLES

    def read(
        self, path: Path, options: Mapping[str, str] | None = None
    ) -> Iterator[NodeRecord | EdgeRecord | Problem | Progress]:
        file = str(path)
        if not has_sqlite_header(path):
            raise InputError(Location(file), "not an SQLite database (an ML Metadata store is one)")
        store = _Store(file)
        try:
            with closing(connect(path)) as db:
                store.load(db)
        except sqlite3.Error as exc:
            where = f"table {store.table} of " if store.table else ""
            raise InputError(Location(file), f"cannot read {where}the SQLite store: {exc}") from None
        yield from store.records()


@dataclass
class _Item:
    """An artifact or an execution."""

    id: int
    type_id: int | None
    name: str | None
    state: int | None
    created: int | None = None
    updated: int | None = None
    uri: str | None = None
    external_id: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    custom_properties: dict[str, Any] = field(default_factory=dict)
    contexts: list[int] = field(default_factory=list)


class _Store:
    def __init__(self, file: str):
        self.file = file
        self.table = ""  # the table being read, for errors
        self.problems: list[Problem] = []
        self.types: dict[int, tuple[str, int]] = {}  # id -> (name, kind)
        self.parent_types: dict[int, list[int]] = {}
        self.artifacts: dict[int, _Item] = {}
        self.executions: dict[int, _Item] = {}
        self.contexts: dict[int, tuple[int, str]] = {}  # id -> (type id, name)
        self.parent_contexts: dict[int, list[int]] = {}
        self.events: list[tuple[int, int, int, Any]] = []  # (event id, artifact, execution, type)
        self.paths: dict[int, str] = {}  # event id -> path ("model", "examples[0]")
        self.columns: dict[str, set[str]] = {}  # table -> its columns, for the tables present

    def loc(self, table: str, row: Any) -> Location:
        return Location(self.file, table=table, row=str(row))

    def problem(self, table: str, row: Any, message: str) -> None:
        self.problems.append(Problem(self.loc(table, row), message))

    # -- loading ------------------------------------------------------------------------------

    def load(self, db: sqlite3.Connection) -> None:
        self.table = "sqlite_master"
        tables = table_names(db)
        for table in (*REQUIRED_TABLES, "Type"):
            if table not in tables:
                raise InputError(Location(self.file, table=table), f"no {table} table: not an ML Metadata store")
        if "MLMDEnv" in tables:  # first: a newer schema explains missing columns best
            self.table = "MLMDEnv"
            self.check_version(db)
        for table, needed in REQUIRED_COLUMNS.items():
            if table not in tables:
                continue
            self.table = table
            have = {row[1] for row in db.execute(f"PRAGMA table_info(`{table}`)")}
            missing = [c for c in needed if c not in have]
            if missing:
                raise InputError(Location(self.file, table=table), f"table {table} has no column {missing[0]!r}: "
                                                      "not an ML Metadata store")  # fmt: skip
            self.columns[table] = have
        # From here on text comes as bytes, so a value that is not UTF-8 is reported at its row.
        db.text_factory = bytes
        self.load_types(db)
        self.load_items(db, "Artifact", self.artifacts)
        self.load_items(db, "Execution", self.executions)
        self.load_properties(db, "ArtifactProperty", "artifact_id", self.artifacts, "Artifact")
        self.load_properties(db, "ExecutionProperty", "execution_id", self.executions, "Execution")
        self.load_contexts(db)
        self.events = [row[1:] for row in self.select(db, "Event", ("id", "artifact_id", "execution_id", "type"))]
        if "EventPath" in self.columns:
            self.table = "EventPath"
            self.load_paths(db)
        self.table = ""

    def select(self, db: sqlite3.Connection, table: str, wanted: tuple[str, ...]) -> Iterator[tuple]:
        """Rows of ``rowid`` and the ``wanted`` columns (NULL for those an older schema lacks)."""
        self.table = table
        have = self.columns.get(table, set())
        columns = ", ".join(f"`{c}`" if c in have else "NULL" for c in wanted)
        for row in db.execute(f"SELECT rowid, {columns} FROM `{table}` ORDER BY rowid"):  # noqa: S608
            checked = self.checked(table, wanted, row)
            if checked is not None:
                yield checked

    def checked(self, table: str, wanted: tuple[str, ...], row: tuple) -> tuple | None:
        """The row with its text decoded, or None (and a problem) if a value has the wrong type."""
        decoded = decode_row(row[1:], wanted, integer=INTEGER_COLUMNS, binary=BINARY_COLUMNS)
        if isinstance(decoded, str):
            self.problem(table, row[0], decoded)
            return None
        return (row[0], *decoded)

    def check_version(self, db: sqlite3.Connection) -> None:
        rows = list(db.execute("SELECT rowid, schema_version FROM MLMDEnv"))
        if len(rows) != 1:
            raise InputError(Location(self.file),
                             f"table MLMDEnv has {len(rows)} rows, not one schema version")  # fmt: skip
        rowid, version = rows[0]
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise InputError(self.loc("MLMDEnv", rowid),
                             f"schema version {version!r} is not a version number")  # fmt: skip
        if version > NEWEST_SCHEMA_VERSION:
            raise InputError(
                self.loc("MLMDEnv", rowid),
                f"unknown ML Metadata schema version {version} (this importer reads versions up to "
                f"{NEWEST_SCHEMA_VERSION})",
            )

    def load_types(self, db: sqlite3.Connection) -> None:
        for rowid, type_id, name, kind in self.select(db, "Type", ("id", "name", "type_kind")):
            if kind not in TYPE_KINDS:
                self.problem("Type", rowid, f"type_kind {kind!r} is not one of {sorted(TYPE_KINDS)}")
                continue
            self.types[type_id] = (_text(name) or f"type-{type_id}", kind)
        if "ParentType" in self.columns:
            for _, type_id, parent in self.select(db, "ParentType", ("type_id", "parent_type_id")):
                self.parent_types.setdefault(type_id, []).append(parent)

    def load_items(self, db: sqlite3.Connection, table: str, into: dict[int, _Item]) -> None:
        state = "state" if table == "Artifact" else "last_known_state"
        wanted = ("id", "type_id", "name", state, "create_time_since_epoch", "last_update_time_since_epoch",
                  "uri" if table == "Artifact" else "NULL", "external_id")  # fmt: skip
        for _, item_id, type_id, name, item_state, created, updated, uri, external in self.select(db, table, wanted):
            if type_id not in self.types:
                self.problem(table, item_id, f"{table.lower()} type {type_id!r} is not in the Type table")
                continue
            into[item_id] = _Item(item_id, type_id, _text(name), item_state, created, updated, _text(uri),
                                  _text(external))  # fmt: skip

    def load_properties(self, db, table: str, key: str, items: dict[int, _Item], owner: str) -> None:
        if table not in self.columns:
            return
        for rowid, item_id, name, custom, *values in self.select(
            db, table, (key, "name", "is_custom_property", *VALUE_COLUMNS)
        ):
            item = items.get(item_id)
            if item is None:
                self.problem(table, rowid, f"property {name!r} of {owner.lower()} {item_id!r}, "
                                           f"which the {owner} table does not have")  # fmt: skip
                continue
            target = item.custom_properties if custom else item.properties
            target[_text(name) or ""] = _value(dict(zip(VALUE_COLUMNS, values, strict=True)))

    def load_contexts(self, db: sqlite3.Connection) -> None:
        if "Context" not in self.columns:
            return
        for _, context_id, type_id, name in self.select(db, "Context", ("id", "type_id", "name")):
            if type_id not in self.types:
                self.problem("Context", context_id, f"context type {type_id!r} is not in the Type table")
                continue
            self.contexts[context_id] = (type_id, _text(name) or f"context-{context_id}")
        links = (("Attribution", "artifact_id", self.artifacts, "Artifact"),
                 ("Association", "execution_id", self.executions, "Execution"))  # fmt: skip
        for table, key, items, owner in links:
            if table not in self.columns:
                continue
            for rowid, context_id, item_id in self.select(db, table, ("context_id", key)):
                if context_id not in self.contexts:
                    self.problem(table, rowid, f"names context {context_id!r}, which the Context table "
                                               "does not have")  # fmt: skip
                elif item_id not in items:
                    self.problem(table, rowid, f"names {owner.lower()} {item_id!r}, which the {owner} "
                                               "table does not have")  # fmt: skip
                else:
                    items[item_id].contexts.append(context_id)
        if "ParentContext" in self.columns:
            for rowid, child, parent in self.select(db, "ParentContext", ("context_id", "parent_context_id")):
                if child not in self.contexts or parent not in self.contexts:
                    missing = child if child not in self.contexts else parent
                    self.problem("ParentContext", rowid, f"names context {missing!r}, which the Context "
                                                         "table does not have")  # fmt: skip
                else:
                    self.parent_contexts.setdefault(child, []).append(parent)

    def load_paths(self, db: sqlite3.Connection) -> None:
        steps: dict[int, list[str]] = {}
        for _, event_id, is_index, index, key in self.select(
            db, "EventPath", ("event_id", "is_index_step", "step_index", "step_key")
        ):
            parts = steps.setdefault(event_id, [])
            if is_index:
                parts.append(f"[{index}]")
            elif key is not None:
                parts.append(f".{_as_text(key)}" if parts else _as_text(key))
        self.paths = {event_id: "".join(parts) for event_id, parts in steps.items() if parts}

    # -- records ------------------------------------------------------------------------------

    def type_name(self, type_id: int | None) -> str:
        found = self.types.get(type_id) if type_id is not None else None
        return found[0] if found else f"type-{type_id}"

    def is_model_type(self, type_id: int | None, seen: frozenset[int] = frozenset()) -> bool:
        """A type named like a model (Model, PushedModel, system.Model ...) or a child of one."""
        if type_id is None or type_id in seen or len(seen) > MAX_PARENT_DEPTH:
            return False
        if self.type_name(type_id).rsplit(".", 1)[-1].lower().endswith("model"):
            return True
        return any(self.is_model_type(p, seen | {type_id}) for p in self.parent_types.get(type_id, []))

    def context_kind(self, context_id: int) -> str:
        short = self.type_name(self.contexts[context_id][0]).rsplit(".", 1)[-1].lower()
        return "pipeline" if short in PIPELINE_CONTEXTS else "run" if short in RUN_CONTEXTS else "other"

    def pipeline_of(self, item: _Item) -> str:
        """The name of the pipeline context a node belongs to, directly or through its contexts'
        parents (the first registered when there are several), or ''."""
        found: list[int] = []
        todo = [(c, 0) for c in item.contexts]
        seen: set[int] = set()
        while todo:
            context_id, depth = todo.pop()
            if context_id in seen or depth > MAX_PARENT_DEPTH:
                continue
            seen.add(context_id)
            if self.context_kind(context_id) == "pipeline":
                found.append(context_id)
            todo.extend((p, depth + 1) for p in self.parent_contexts.get(context_id, []))
        return self.contexts[min(found)][1] if found else ""

    def common_attributes(self, item: _Item) -> dict[str, Any]:
        attributes: dict[str, Any] = {"mlmd_id": item.id, "type": self.type_name(item.type_id)}
        if item.external_id:
            attributes["external_id"] = item.external_id
        for key, ms in (("created", item.created), ("last_updated", item.updated)):
            if isinstance(ms, int) and ms > 0:
                attributes[key] = _iso(ms)
        if item.properties:
            attributes["properties"] = item.properties
        if item.custom_properties:
            attributes["custom_properties"] = item.custom_properties
        context_ids = sorted(set(item.contexts))
        if context_ids:
            contexts = [{"type": self.type_name(self.contexts[c][0]), "name": self.contexts[c][1]}
                        for c in context_ids]  # fmt: skip
            attributes["contexts"] = contexts[:MAX_LISTED]
            if len(contexts) > MAX_LISTED:
                attributes["context_count"] = len(contexts)
            runs = [self.contexts[c][1] for c in context_ids if self.context_kind(c) == "run"]
            if runs:
                attributes["runs"] = runs[:MAX_LISTED]
        return attributes

    def artifact_node(self, item: _Item) -> NodeRecord:
        kind = "model" if self.is_model_type(item.type_id) else "dataset"
        name = item.name or item.uri or f"{self.type_name(item.type_id)}-{item.id}"
        attributes = self.common_attributes(item)
        if item.uri:
            attributes["uri"] = item.uri
        if item.state is not None:
            attributes["state"] = ARTIFACT_STATES.get(item.state, str(item.state))
        return NodeRecord(kind, name, self.pipeline_of(item), attributes=attributes,
                          location=self.loc("Artifact", item.id),
                          aliases=(item.uri,) if item.uri else ())  # fmt: skip

    def execution_node(self, item: _Item) -> NodeRecord:
        name = item.name or f"{self.type_name(item.type_id)}-{item.id}"
        attributes = self.common_attributes(item)
        if item.state is not None:
            attributes["last_known_state"] = EXECUTION_STATES.get(item.state, str(item.state))
            attributes["failed"] = item.state == FAILED_STATE
        return NodeRecord("job", name, self.pipeline_of(item), attributes=attributes,
                          location=self.loc("Execution", item.id))  # fmt: skip

    def records(self) -> Iterator[NodeRecord | EdgeRecord | Problem | Progress]:
        total = len(self.artifacts) + len(self.executions) + len(self.events)
        done = 0
        ids: dict[tuple[str, int], str] = {}
        for table, items, make in (("Artifact", self.artifacts, self.artifact_node),
                                   ("Execution", self.executions, self.execution_node)):  # fmt: skip
            for item in items.values():
                node = make(item)
                ids[(table, item.id)] = node.id
                yield node
                done += 1
                if done % PROGRESS_EVERY == 0:
                    yield Progress(done, total)
        for event_id, artifact_id, execution_id, event_type in self.events:
            done += 1
            if done % PROGRESS_EVERY == 0:
                yield Progress(done, total)
            artifact = ids.get(("Artifact", artifact_id))
            execution = ids.get(("Execution", execution_id))
            if artifact is None:
                self.problem("Event", event_id, f"names artifact {artifact_id!r}, which the Artifact table "
                                                "does not have")  # fmt: skip
                continue
            if execution is None:
                self.problem("Event", event_id, f"names execution {execution_id!r}, which the Execution "
                                                "table does not have")  # fmt: skip
                continue
            if event_type in INPUT_EVENTS:
                source, target, kind = artifact, execution, "reads"
            elif event_type in OUTPUT_EVENTS:
                source, target, kind = execution, artifact, "writes"
            elif event_type == 0:
                continue  # UNKNOWN: neither input nor output
            else:
                self.problem("Event", event_id, f"unknown event type {event_type!r} (MLMD knows 0 to 7)")
                continue
            attributes = {"event": EVENT_TYPES[event_type]}
            if event_id in self.paths:
                attributes["path"] = self.paths[event_id]
            yield EdgeRecord(source, target, kind, evidence=EVIDENCE, attributes=attributes,
                             location=self.loc("Event", event_id))  # fmt: skip
        yield from self.problems


# -- property values ------------------------------------------------------------------------------

STRUCT_PREFIX = "mlmd-struct::"  # how MLMD stores a google.protobuf.Struct in string_value
MAX_STRUCT_DEPTH = 32


def _text(value: Any) -> str | None:
    """A column SQLite may hold in any type, as text (MLMD writes text; a damaged store may not)."""
    return None if value is None else _as_text(value)


def _as_text(value: object) -> str:
    """A column that is not NULL, as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _value(columns: dict[str, Any]) -> Any:
    """A property value from the first of its value columns that is set."""
    for column in VALUE_COLUMNS:
        value = columns[column]
        if value is None:
            continue
        if column == "bool_value":
            return bool(value)
        if column == "double_value" and isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if column == "string_value" and isinstance(value, str) and value.startswith(STRUCT_PREFIX):
            return _struct_value(value)
        if column == "proto_value":
            return {"proto": _any_type_url(value)}
        if isinstance(value, bytes):  # byte_value, or a blob where MLMD writes numbers or text
            return {"bytes": len(value)}
        return value
    return None


def _struct_value(text: str) -> Any:
    """Decode a serialized ``google.protobuf.Struct`` (plain data only); the text if it is not one."""
    try:
        raw = base64.b64decode(text[len(STRUCT_PREFIX) :], validate=True)
        return _struct(raw, 0)
    except (binascii.Error, ValueError, IndexError, struct.error, UnicodeDecodeError, RecursionError):
        return text


def _fields(raw: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of a protobuf message: the wire format, nothing else."""
    pos = 0
    value: int | bytes
    while pos < len(raw):
        key, pos = _varint(raw, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(raw, pos)
        elif wire == 1:
            value, pos = raw[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(raw, pos)
            value, pos = raw[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = raw[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(raw):
            raise ValueError("truncated message")
        yield number, wire, value


def _varint(raw: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = raw[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _struct(raw: bytes, depth: int) -> dict[str, Any]:
    if depth > MAX_STRUCT_DEPTH:
        raise ValueError("nested too deeply")
    out: dict[str, Any] = {}
    for number, wire, entry in _fields(raw):
        if number != 1 or wire != 2:
            continue
        key, value = "", None
        for n, w, v in _fields(entry):
            if n == 1 and w == 2:
                key = v.decode("utf-8")
            elif n == 2 and w == 2:
                value = _struct_item(v, depth + 1)
        out[key] = value
    return out


def _struct_item(raw: bytes, depth: int) -> Any:
    """A ``google.protobuf.Value``: null, number, string, bool, struct or list."""
    if depth > MAX_STRUCT_DEPTH:
        raise ValueError("nested too deeply")
    value: Any = None
    for number, wire, v in _fields(raw):
        if number == 2 and wire == 1:
            value = struct.unpack("<d", v)[0]
            if not math.isfinite(value):
                value = str(value)
            elif value.is_integer() and abs(value) < 2**53:
                value = int(value)
        elif number == 3 and wire == 2:
            value = v.decode("utf-8")
        elif number == 4 and wire == 0:
            value = bool(v)
        elif number == 5 and wire == 2:
            value = _struct(v, depth + 1)
        elif number == 6 and wire == 2:
            value = [_struct_item(item, depth + 1) for n, w, item in _fields(v) if n == 1 and w == 2]
        elif number == 1:
            value = None
    return value


def _any_type_url(raw: Any) -> str | None:
    """The type URL of a serialized ``google.protobuf.Any`` (its value is not decoded)."""
    if not isinstance(raw, bytes):
        return None
    try:
        for number, wire, value in _fields(raw):
            if number == 1 and wire == 2:
                return value.decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None


def _iso(ms: int) -> str:
    try:
        when = datetime.fromtimestamp(ms / 1000, UTC)
        return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return str(ms)
