"""OpenLineage events: a JSON file (one event or a list), JSON Lines (what openlineage-python's
FileTransport writes with ``append=True``), a folder of per-event files (its default), gzip too.

Events of a run are merged by ``run.runId``; datasets are keyed by (namespace, name), jobs by
(namespace, name). Edges are *observed*: input dataset -> job (``reads``), job -> output dataset
(``writes``), input dataset -> output dataset (``derives``) where column lineage says so. Jobs and
datasets are *classifiable*: the manifests' ``classify:`` rules and known nodes give them their
real kind when they are imported (a dataset named like a registered model is that model).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from lineage_importers.logfiles import head, json_lines, logical_suffix, read_text
from lineage_importers.shapes import Shape, describe, optional
from lineage_importers.structured import Rejected, line_of, location, strict_loads
from lineage_importers.structured import json_lines as json_line_map

from lineage.records import (
    EdgeRecord,
    InputError,
    Location,
    NodeRecord,
    Problem,
    Progress,
)
from lineage.resources import resource_path

SUFFIXES = (".json", ".jsonl", ".ndjson")
STANDARD_DATASET_FACETS = ("schema", "columnLineage", "symlinks")
FOLDER_SNIFF_FILES = 50
TERMINAL = ("COMPLETE", "FAIL", "ABORT")

_OBJECTS = {"type": "array", "items": {"type": "object"}}
_DATASET_FACETS = {"type": "object", "properties": {"facets": {"type": "object", "properties": {
    "schema": {"type": "object", "properties": {"fields": _OBJECTS}},
    "symlinks": {"type": "object", "properties": {"identifiers": _OBJECTS}},
    "columnLineage": {"type": "object", "properties": {"fields": {"type": "object", "additionalProperties": {
        "type": ["object", "null"], "properties": {"inputFields": {"type": "array", "items": {
            "type": "object", "properties": {k: {"type": "string"} for k in ("namespace", "name", "field")}}}}}}}},
}, "additionalProperties": optional("object")}}}
# The core schema leaves facet bodies open; these are the facets this importer reads.
STANDARD_FACETS = Shape({
    "type": "object",
    "properties": {
        "run": {"properties": {"facets": {"properties": {"parent": {"type": "object", "properties": {
            "run": {"type": "object"}, "job": {"type": "object"}}}}}}},
        "inputs": {"type": "array", "items": _DATASET_FACETS},
        "outputs": {"type": "array", "items": _DATASET_FACETS},
        "dataset": _DATASET_FACETS,
    },
})  # fmt: skip


def _is_uuid(value: object) -> bool:
    try:
        return not isinstance(value, str) or bool(uuid.UUID(value))
    except ValueError:
        return False


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return "T" in value and bool(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return False


@cache
def _schema() -> dict:
    return json.loads(resource_path("schema", "openlineage-2-0-2-core.schema.json").read_text())


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """The reference validator: slow, but says exactly what is wrong."""
    checker = jsonschema.FormatChecker([])
    checker.checks("uuid")(_is_uuid)
    checker.checks("date-time")(_is_date_time)
    return jsonschema.Draft202012Validator(_schema(), format_checker=checker)


@cache
def _fast_check():
    """The same schema compiled to Python (about 50 times faster): the gate every event passes.

    The schema only uses keywords draft 7 already had, so fastjsonschema compiles it as such.
    """
    schema = {**_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(schema, formats={"uuid": _is_uuid, "date-time": _is_date_time})


def _looks_like_events(sample: bytes) -> bool:
    return b'"job"' in sample and b'"namespace"' in sample and (
        b'"eventType"' in sample or b'"eventTime"' in sample or b'"runId"' in sample
    )


def _event_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
    )  # fmt: skip


@dataclass
class _Dataset:
    namespace: str
    name: str
    location: Location
    fields: dict[str, dict] = field(default_factory=dict)
    facets: dict[str, Any] = field(default_factory=dict)
    aliases: list[dict] = field(default_factory=list)
    column_lineage: dict[str, list[list[str]]] = field(default_factory=dict)

    def column_lineage_inputs(self) -> list[tuple[str, str]]:
        """The datasets the column lineage says this one's fields come from."""
        return list(dict.fromkeys(
            (ns, name) for entries in self.column_lineage.values() for ns, name, _ in entries
        ))  # fmt: skip


@dataclass
class _Job:
    namespace: str
    name: str
    location: Location
    facets: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, dict] = field(default_factory=dict)  # runId -> state, times
    producers: set[str] = field(default_factory=set)
    parent: dict | None = None
    static: bool = False


class OpenLineageImporter:
    name = "openlineage"
    description = "OpenLineage run events: datasets, jobs, runs, schema and column lineage"
    reads = (
        "*.json (one event or a list), *.jsonl / *.ndjson (one event a line), .gz of either, "
        "or a folder of event files"
    )
    priority = 40

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            files = _event_files(path)
            return bool(files) and all(self._sniff_file(p) for p in files[:FOLDER_SNIFF_FILES])
        return self._sniff_file(path)

    def _sniff_file(self, path: Path) -> bool:
        return logical_suffix(path) in SUFFIXES and _looks_like_events(head(path))

    def read(self, path: Path) -> Iterator[NodeRecord | EdgeRecord | Problem | Progress]:
        state = _State()
        files = _event_files(path) if path.is_dir() else [path]
        for file in files:
            yield from state.read_file(file)
        yield from state.records()


class _State:
    def __init__(self) -> None:
        self.datasets: dict[tuple[str, str], _Dataset] = {}
        self.jobs: dict[tuple[str, str], _Job] = {}
        self.edges: dict[tuple, Location] = {}
        self.seen_events: set[tuple[str, str, str]] = set()
        self.duplicates = 0

    # -- reading --------------------------------------------------------------------------

    def read_file(self, path: Path) -> Iterator[Problem | Progress]:
        file = str(path)
        if logical_suffix(path) in (".jsonl", ".ndjson"):
            for number, event, progress in json_lines(path):
                if progress:
                    yield progress
                if isinstance(event, Problem):
                    yield event
                else:
                    yield from self.add(event, Location(file, line=number), lambda p, n=number: n)
            return
        raw = read_text(path)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(Location(file, line=line), "not valid UTF-8 text") from None
        try:
            data = strict_loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(Location(file, line=exc.lineno), f"invalid JSON: {exc.msg}") from None
        except Rejected as exc:
            json_line_map(text, file)  # names the line of a repeated key
            raise InputError(Location(file, line=1), f"invalid JSON: {exc}") from None
        except RecursionError:
            raise InputError(Location(file, line=1), "invalid JSON: nested too deeply") from None
        line_map = json_line_map(text, file)
        events = data if isinstance(data, list) else [data]
        prefix = "/" if isinstance(data, list) else ""
        for index, event in enumerate(events):
            base = f"{prefix}{index}" if prefix else ""
            yield from self.add(
                event, location(file, line_map, base),
                lambda p, b=base: line_of(line_map, b + p),
            )

    def add(self, event: Any, where: Location, line_at) -> Iterator[Problem]:
        if not isinstance(event, dict):
            yield Problem(where, "an OpenLineage event must be a JSON object")
            return
        try:
            _fast_check()(event)
        except fastjsonschema.JsonSchemaException:
            errors = list(_validator().iter_errors(event))
            if errors:
                yield Problem(_at(where, line_at, _best(errors)), _message(_best(errors), event))
                return
        except RecursionError:
            yield Problem(where, "nested too deeply")
            return
        if wrong := STANDARD_FACETS.error(event):
            yield Problem(Location(where.file, line=line_at(wrong[0])) if line_at(wrong[0]) else where, wrong[1])
            return
        run_id = (event.get("run") or {}).get("runId")
        key = (run_id or "", event.get("eventType") or "", event["eventTime"])
        if run_id and key in self.seen_events:
            self.duplicates += 1
            return
        self.seen_events.add(key)
        if "dataset" in event and "job" not in event:
            self._dataset(event["dataset"], where)
            return
        job = self._job(event["job"], where)
        job.producers.add(event["producer"])
        if run_id is None:
            job.static = True
        else:
            run = job.runs.setdefault(run_id, {"events": []})
            run["events"].append((event["eventTime"], event.get("eventType") or "OTHER"))
            parent = ((event["run"].get("facets") or {}).get("parent") or {})
            if isinstance(parent.get("job"), dict) and "name" in parent["job"]:
                job.parent = {"namespace": parent["job"].get("namespace", ""),
                              "name": parent["job"]["name"],
                              "runId": (parent.get("run") or {}).get("runId")}  # fmt: skip
        for dataset in event.get("inputs") or []:
            ds = self._dataset(dataset, where)
            self.edges.setdefault(("dataset", ds.namespace, ds.name, "job", job.namespace,
                                   job.name, "reads", job.static), where)  # fmt: skip
        for dataset in event.get("outputs") or []:
            ds = self._dataset(dataset, where)
            self.edges.setdefault(("job", job.namespace, job.name, "dataset", ds.namespace,
                                   ds.name, "writes", job.static), where)  # fmt: skip
            for upstream in ds.column_lineage_inputs():
                self.edges.setdefault(("dataset", *upstream, "dataset", ds.namespace, ds.name,
                                       "derives", job.static), where)  # fmt: skip

    def _job(self, raw: dict, where: Location) -> _Job:
        key = (raw["namespace"], raw["name"])
        job = self.jobs.get(key)
        if job is None:
            job = self.jobs[key] = _Job(*key, where)
        job.facets.update(_plain_facets(raw.get("facets") or {}))
        return job

    def _dataset(self, raw: dict, where: Location) -> _Dataset:
        key = (raw["namespace"], raw["name"])
        ds = self.datasets.get(key)
        if ds is None:
            ds = self.datasets[key] = _Dataset(*key, where)
        facets = raw.get("facets") or {}
        for f in (facets.get("schema") or {}).get("fields") or []:
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                ds.fields[f["name"]] = {k: f[k] for k in ("name", "type", "description") if k in f}
        for alias in (facets.get("symlinks") or {}).get("identifiers") or []:
            if isinstance(alias, dict) and alias not in ds.aliases:
                ds.aliases.append({k: alias.get(k) for k in ("namespace", "name", "type")})
        for out_field, spec in ((facets.get("columnLineage") or {}).get("fields") or {}).items():
            for source in (spec or {}).get("inputFields") or []:
                if isinstance(source, dict) and {"namespace", "name", "field"} <= source.keys():
                    entry = [source["namespace"], source["name"], source["field"]]
                    if entry not in ds.column_lineage.setdefault(out_field, []):
                        ds.column_lineage[out_field].append(entry)
        ds.facets.update(_plain_facets(
            {k: v for k, v in facets.items() if k not in STANDARD_DATASET_FACETS}
        ))  # fmt: skip
        for group in ("inputFacets", "outputFacets"):
            ds.facets.update(_plain_facets(raw.get(group) or {}))
        return ds

    # -- records --------------------------------------------------------------------------

    def records(self) -> Iterator[NodeRecord | EdgeRecord]:
        for ds in self.datasets.values():
            attributes: dict[str, Any] = {}
            if ds.fields:
                attributes["fields"] = list(ds.fields.values())
            if ds.aliases:
                attributes["aliases"] = ds.aliases
            if ds.column_lineage:
                attributes["column_lineage"] = ds.column_lineage
            if ds.facets:
                attributes["facets"] = ds.facets
            aliases = (_uri(ds.namespace, ds.name),
                       *(_uri(a["namespace"] or "", a["name"] or "") for a in ds.aliases))
            yield NodeRecord("dataset", ds.name, ds.namespace, attributes=attributes,
                             location=ds.location, classifiable=True, aliases=aliases)  # fmt: skip
        for job in self.jobs.values():
            yield NodeRecord("job", job.name, job.namespace, attributes=_job_attributes(job),
                             location=job.location, classifiable=True)  # fmt: skip
        for (skind, sns, sname, tkind, tns, tname, kind, static), where in self.edges.items():
            yield EdgeRecord(
                f"{skind}:{sns}/{sname}" if sns else f"{skind}:{sname}",
                f"{tkind}:{tns}/{tname}" if tns else f"{tkind}:{tname}",
                kind, evidence="declared" if static else "observed", location=where,
            )  # fmt: skip


def _uri(namespace: str, name: str) -> str:
    """A dataset's OpenLineage identity as one string: ``namespace/name``."""
    return f"{namespace.rstrip('/')}/{name.lstrip('/')}" if namespace else name


def _job_attributes(job: _Job) -> dict[str, Any]:
    attributes: dict[str, Any] = {"producers": sorted(job.producers)}
    if job.runs:
        states = {}
        last_id, last_time = None, ""
        for run_id, run in job.runs.items():
            events = sorted(run["events"])
            terminal = [t for _, t in events if t in TERMINAL]
            states[run_id] = terminal[-1] if terminal else events[-1][1]
            if events[-1][0] >= last_time:
                last_id, last_time = run_id, events[-1][0]
        failed = sum(1 for s in states.values() if s in ("FAIL", "ABORT"))
        attributes["runs"] = {"total": len(states), "failed": failed, "last_run": last_id,
                              "last_state": states[last_id], "last_event_time": last_time}  # fmt: skip
        if failed:
            attributes["failed_runs"] = sorted(r for r, s in states.items() if s in ("FAIL", "ABORT"))[:20]
    if job.parent:
        parent = job.parent
        attributes["parent_job"] = (f"job:{parent['namespace']}/{parent['name']}"
                                    if parent["namespace"] else f"job:{parent['name']}")  # fmt: skip
        attributes["parent_run"] = parent["runId"]
    if job.facets:
        attributes["facets"] = job.facets
    return attributes


def _plain_facets(facets: dict) -> dict:
    """Facet bodies without the bookkeeping keys every facet carries."""
    return {
        name: {k: v for k, v in body.items() if k not in ("_producer", "_schemaURL")}
        for name, body in facets.items()
        if isinstance(body, dict)
    }


def _best(errors: list[jsonschema.ValidationError]) -> jsonschema.ValidationError:
    return jsonschema.exceptions.best_match(errors)


def _at(where: Location, line_at, error: jsonschema.ValidationError) -> Location:
    pointer = "".join(f"/{p}" for p in error.absolute_path)
    line = line_at(pointer)
    return Location(where.file, line=line) if line is not None else where


def _message(error: jsonschema.ValidationError, event: dict) -> str:
    label = ".".join(map(str, error.absolute_path)) or "the event"
    value = error.instance
    if isinstance(value, str) and "{{" in value:
        return f"{label} is a template ({value!r}), not a value: a test expectation, not an event"
    if error.validator == "format":
        what = {"uuid": "a UUID", "date-time": "an ISO 8601 date-time"}[error.validator_value]
        return f"{label} must be {what}, not {value!r}"
    return describe(error, whole="the event")
