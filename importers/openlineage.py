"""OpenLineage events: a JSON file (one event or a list, as Marquez's seed data), JSON Lines (what
openlineage-python's FileTransport writes with ``append=True``), a folder of per-event files (its
default), gzip too. RunEvents, and the static DatasetEvents and JobEvents (no run).

Every event is checked against the official schemas (:mod:`lineage_importers.olschema`): one that
breaks the core schema of the version it names is a problem; a facet that breaks its own schema
is dropped with a warning (:class:`lineage.records.Notice`); an event without ``schemaURL`` is
read as one of the newest spec, with a warning.

Events of a run are merged by ``run.runId``; datasets are keyed by (namespace, name), jobs by
(namespace, name), and a dataset's symlinks (other names of it) are the same dataset. Edges are
*observed*: input dataset -> job (``reads``), job -> output dataset (``writes``), input dataset ->
output dataset (``derives``) where column lineage says so, whether or not the run lists that
input; a JobEvent's edges are *declared*. Jobs and datasets are *classifiable*: the manifests'
``classify:`` rules and known nodes give them their real kind when they are imported (a dataset
named like a registered model is that model).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.fields import Fields
from lineage.ingest.protocol import Importer
from lineage.records import MAX_PLACES, EdgeRecord, InputError, Location, NodeRecord, Notice, Problem, Progress

from . import olschema
from ._kit.logfiles import head, json_lines, logical_suffix, read_text
from ._kit.shapes import Shape
from ._kit.structured import Rejected, line_of, location, strict_loads
from ._kit.structured import json_lines as json_line_map

SUFFIXES = (".json", ".jsonl", ".ndjson")
STANDARD_DATASET_FACETS = ("schema", "columnLineage", "symlinks")
FOLDER_SNIFF_FILES = 50
TERMINAL = ("COMPLETE", "FAIL", "ABORT")
_TYPES = {t: t for t in ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")}

_OBJECTS = {"type": "array", "items": {"type": "object"}}
_STRINGS = {k: {"type": "string"} for k in ("namespace", "name", "field", "type")}
# What this importer reads of the facets it reads, whatever schema they name: the standard ones
# are checked by their own schemas already, a custom one with a standard name is not.
READ_FACETS = {name: (standard, Shape(schema).error) for name, (standard, schema) in {
    "schema": ("SchemaDatasetFacet", {"type": "object", "properties": {"fields": _OBJECTS}}),
    "symlinks": ("SymlinksDatasetFacet", {"type": "object", "properties": {"identifiers": {"type": "array", "items": {
        "type": "object", "properties": _STRINGS, "required": ["namespace", "name"]}}}}),
    "columnLineage": ("ColumnLineageDatasetFacet", {"type": "object", "properties": {"fields": {
        "type": "object", "additionalProperties": {"type": ["object", "null"], "properties": {"inputFields": {
            "type": "array", "items": {"type": "object", "properties": _STRINGS}}}}}}}),
    "parent": ("ParentRunFacet", {"type": "object", "properties": {"run": {"type": "object"},
                                                                   "job": {"type": "object"}}}),
}.items()}  # fmt: skip


def _looks_like_events(sample: bytes) -> bool:
    """A RunEvent or JobEvent names a job, a DatasetEvent a dataset; all have namespaces and an
    eventTime (a RunEvent an eventType and a runId too)."""
    return (
        (b'"job"' in sample or b'"dataset"' in sample)
        and b'"namespace"' in sample
        and (b'"eventType"' in sample or b'"eventTime"' in sample or b'"runId"' in sample)
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
    places: list[Location] = field(default_factory=list)  # other events naming it (provenance)

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
    # runId -> (the latest (eventTime, eventType) of the run, the latest of its terminal ones or
    # None): all its state needs, so a run holds two pairs, not every event a log says of it.
    runs: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = field(default_factory=dict)
    producers: set[str] = field(default_factory=set)
    parent: dict | None = None
    static: bool = False
    places: list[Location] = field(default_factory=list)  # other events naming it (provenance)


class OpenLineageImporter(Importer):
    name = "openlineage"
    description = "OpenLineage events (run, job and dataset events): datasets, jobs, runs, schema and column lineage"
    reads = (
        "*.json (one event or a list), *.jsonl / *.ndjson (one event a line), .gz of either, or a folder of event files"
    )
    priority = 40

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            files = _event_files(path)
            return bool(files) and all(self._sniff_file(p) for p in files[:FOLDER_SNIFF_FILES])
        return self._sniff_file(path)

    def _sniff_file(self, path: Path) -> bool:
        return logical_suffix(path) in SUFFIXES and _looks_like_events(head(path))

    def read(
        self, path: Path, options: Mapping[str, str] | None = None
    ) -> Iterator[NodeRecord | EdgeRecord | Problem | Notice | Progress]:
        state = _State()
        files = _event_files(path) if path.is_dir() else [path]
        for file in files:
            yield from state.read_file(file)
        yield from state.notice_summaries(path)
        yield from state.records()


class _State:
    def __init__(self) -> None:
        self.datasets: dict[tuple[str, str], _Dataset] = {}
        self.jobs: dict[tuple[str, str], _Job] = {}
        self.edges: dict[tuple, list[Location]] = {}  # key -> the events that say it, first first
        # (input ns, name, column, output ns, name, column, static) -> the events that say it
        self.field_edges: dict[tuple, list[Location]] = {}
        # (input ns, name, column, output ns, name, column) -> how the output is made of the input
        self.transformations: dict[tuple, list[dict[str, Any]]] = {}
        self.seen_events: set[str] = set()  # _event_key of each run event read
        self.duplicates = 0
        # Kind of warning -> [how many, where the first was, its message]: each kind is
        # reported once where it first happened, then counted (a log of a million events
        # without schemaURL is one warning, not a million).
        self.notices: dict[str, list] = {}

    # -- reading --------------------------------------------------------------------------

    def read_file(self, path: Path) -> Iterator[Problem | Notice | Progress]:
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
                lambda p, b=base: line_of(line_map, b + p), base=base,
            )  # fmt: skip

    def add(self, event: Any, where: Location, line_at, base: str | None = None) -> Iterator[Problem | Notice]:
        """Read one event. ``base`` is the event's JSON pointer in its file (None: a line of
        JSON Lines): a warning about a facet names the facet's pointer."""
        if not isinstance(event, dict):
            yield Problem(where, "an OpenLineage event must be a JSON object")
            return
        try:
            checked = olschema.check(event, READ_FACETS)
        except RecursionError:
            yield Problem(where, "nested too deeply")
            return
        if checked.problem is not None:
            pointer, message = checked.problem
            line = line_at(pointer)
            yield Problem(Location(where.file, line=line) if line is not None else where, message)
            return
        event = checked.event
        run_id = (event.get("run") or {}).get("runId")
        event_type = event.get("eventType") or ""
        event_type = _TYPES.get(event_type, event_type)  # the few types, one copy each
        if run_id:  # only a run's events can repeat one (a run id, a type and a time)
            key = _event_key(run_id, event_type, event["eventTime"])
            if key in self.seen_events:
                self.duplicates += 1
                return
            self.seen_events.add(key)
        for pointer, message, kind in checked.notices:
            yield from self._notice(where, base, pointer, message, kind)
        if "dataset" in event and "job" not in event:  # a DatasetEvent: static metadata
            ds = self._dataset(event["dataset"], where)
            self._column_lineage_edges(ds, where, static=True)
            return
        job = self._job(event["job"], where)
        job.producers.add(event["producer"])
        if run_id is None:  # a JobEvent: static lineage
            job.static = True
        else:
            stamp = (event["eventTime"], event_type or "OTHER")
            state = job.runs.get(run_id)
            terminal = stamp if stamp[1] in TERMINAL else None
            if state is None:
                job.runs[run_id] = (stamp, terminal)
            else:
                last, last_terminal = state
                if terminal is not None and last_terminal is not None and terminal < last_terminal:
                    terminal = last_terminal
                job.runs[run_id] = (max(last, stamp), terminal or last_terminal)
            parent = (event["run"].get("facets") or {}).get("parent") or {}
            if isinstance(parent.get("job"), dict) and "name" in parent["job"]:
                job.parent = {"namespace": parent["job"].get("namespace", ""),
                              "name": parent["job"]["name"],
                              "runId": (parent.get("run") or {}).get("runId")}  # fmt: skip
        for dataset in event.get("inputs") or []:
            ds = self._dataset(dataset, where)
            _seen_at(self.edges, ("dataset", ds.namespace, ds.name, "job", job.namespace,
                                   job.name, "reads", job.static), where)  # fmt: skip
        for dataset in event.get("outputs") or []:
            ds = self._dataset(dataset, where)
            _seen_at(self.edges, ("job", job.namespace, job.name, "dataset", ds.namespace,
                                   ds.name, "writes", job.static), where)  # fmt: skip
            self._column_lineage_edges(ds, where, static=job.static)

    def _column_lineage_edges(self, ds: _Dataset, where: Location, static: bool) -> None:
        """Input dataset -> ``ds``, ``derives``, for each dataset its column lineage names. The
        spec lets column lineage name datasets the run does not list as inputs (Marquez's seed
        data does): each is a dataset as much as an input is."""
        for upstream in ds.column_lineage_inputs():
            self._dataset_named(*upstream, where)
            _seen_at(self.edges, ("dataset", *upstream, "dataset", ds.namespace, ds.name,
                                   "derives", static), where)  # fmt: skip
        for out, entries in ds.column_lineage.items():
            for ns, name, column in entries:
                _seen_at(self.field_edges, (ns, name, column, ds.namespace, ds.name, out, static), where)

    def _notice(self, where: Location, base: str | None, pointer: str, message: str, kind: str) -> Iterator[Notice]:
        seen = self.notices.get(kind)
        if seen is not None:
            seen[0] += 1
            return
        if not pointer:  # about the event: at its line
            at = where
        elif base is None:  # in a line of JSON Lines: the line, and the pointer in it
            at, message = where, f"{pointer}: {message}"
        else:
            at = Location(where.file, pointer=base + pointer)
        self.notices[kind] = [1, at, message, bool(pointer)]
        yield Notice(at, message)

    def notice_summaries(self, path: Path) -> Iterator[Notice]:
        for count, first, message, about_facet in self.notices.values():
            if count > 1:
                what = "facets" if about_facet else "events"
                yield Notice(Location(str(path)), f"{count - 1} more {what} like {first}: {message}")

    def _job(self, raw: dict, where: Location) -> _Job:
        key = (raw["namespace"], raw["name"])
        job = self.jobs.get(key)
        if job is None:
            job = self.jobs[key] = _Job(*key, where)
        else:
            _also(job.places, job.location, where)
        job.facets.update(_plain_facets(raw.get("facets") or {}))
        return job

    def _dataset_named(self, namespace: str, name: str, where: Location) -> _Dataset:
        key = (namespace, name)
        ds = self.datasets.get(key)
        if ds is None:
            ds = self.datasets[key] = _Dataset(*key, where)
        else:
            _also(ds.places, ds.location, where)
        return ds

    def _dataset(self, raw: dict, where: Location) -> _Dataset:
        key = (raw["namespace"], raw["name"])
        ds = self._dataset_named(*key, where)
        if not (raw.get("facets") or raw.get("inputFacets") or raw.get("outputFacets")):
            return ds  # named only (most mentions in a log): nothing more to read
        facets = raw.get("facets") or {}
        for f in (facets.get("schema") or {}).get("fields") or []:
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                ds.fields[f["name"]] = {k: f[k] for k in ("name", "type", "description") if k in f}
        for alias in (facets.get("symlinks") or {}).get("identifiers") or []:
            entry = {k: alias.get(k) for k in ("namespace", "name", "type")}
            if (entry["namespace"], entry["name"]) != key and entry not in ds.aliases:
                ds.aliases.append(entry)
        for out_field, spec in ((facets.get("columnLineage") or {}).get("fields") or {}).items():
            for source in (spec or {}).get("inputFields") or []:
                if isinstance(source, dict) and {"namespace", "name", "field"} <= source.keys():
                    column = [source["namespace"], source["name"], source["field"]]
                    if column not in ds.column_lineage.setdefault(out_field, []):
                        ds.column_lineage[out_field].append(column)
                    said = _transformations(source, spec or {})
                    if said:
                        known = self.transformations.setdefault((*column, *key, out_field), [])
                        known.extend(t for t in said if t not in known)
        ds.facets.update(_plain_facets(
            {k: v for k, v in facets.items() if k not in STANDARD_DATASET_FACETS}
        ))  # fmt: skip
        for group in ("inputFacets", "outputFacets"):
            ds.facets.update(_plain_facets(raw.get(group) or {}))
        return ds

    # -- records --------------------------------------------------------------------------

    def same_datasets(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Dataset -> the dataset it is, for each one a symlinks facet names under another name
        (say, the Hive table of a path). A dataset and its symlinks are one; of several that
        name each other, the lowest (namespace, name) of those with a symlinks facet stands for
        them all, whichever event came first."""
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(key: tuple[str, str]) -> tuple[str, str]:
            root = key
            while parent.get(root, root) != root:
                root = parent[root]
            while key != root:
                parent[key], key = root, parent[key]
            return root

        for key, ds in self.datasets.items():
            for alias in ds.aliases:
                other = (alias["namespace"], alias["name"])
                a, b = find(key), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for key in self.datasets:
            groups.setdefault(find(key), []).append(key)
        same = {}
        for members in groups.values():
            if len(members) < 2:
                continue
            named = [k for k in members if self.datasets[k].aliases] or members
            keeper = min(named)
            same.update({k: keeper for k in members if k != keeper})
        return same

    def records(self) -> Iterator[NodeRecord | EdgeRecord]:
        same = self.same_datasets()
        for key, other in same.items():
            _merge(self.datasets[other], self.datasets.pop(key))
        if same:  # column lineage names datasets as the events did: name them as they are now
            for ds in self.datasets.values():
                for out, entries in ds.column_lineage.items():
                    renamed: list[list[str]] = []
                    for ns, name, column in entries:
                        entry = [*same.get((ns, name), (ns, name)), column]
                        if entry not in renamed:
                            renamed.append(entry)
                    ds.column_lineage[out] = renamed
        for ds in self.datasets.values():
            attributes: dict[str, Any] = {}
            if ds.fields:
                attributes["fields"] = list(ds.fields.values())
            if ds.aliases:
                attributes["aliases"] = ds.aliases
            if ds.column_lineage:  # as the facet says it (a dataset classified a model reads it: features)
                attributes["column_lineage"] = ds.column_lineage
            if ds.facets:
                attributes["facets"] = ds.facets
            names = [(ds.namespace, ds.name), *((a["namespace"], a["name"]) for a in ds.aliases)]
            aliases = dict.fromkeys(_uri(*n) for n in names)
            yield NodeRecord("dataset", ds.name, ds.namespace, attributes=attributes, location=ds.location,
                             classifiable=True, aliases=tuple(aliases), places=tuple(ds.places))  # fmt: skip
        for job in self.jobs.values():
            yield NodeRecord("job", job.name, job.namespace, attributes=_job_attributes(job),
                             location=job.location, classifiable=True, places=tuple(job.places))  # fmt: skip
        yield from self.fields_and_their_edges(same)
        edges: dict[tuple, list[Location]] = {} if same else self.edges  # renamed, when any dataset is
        for (skind, sns, sname, tkind, tns, tname, kind, static), places in self.edges.items() if same else ():
            if skind == "dataset":
                sns, sname = same.get((sns, sname), (sns, sname))
            if tkind == "dataset":
                tns, tname = same.get((tns, tname), (tns, tname))
            for where in places:
                _seen_at(edges, (skind, sns, sname, tkind, tns, tname, kind, static), where)
        ids: dict[tuple[str, str, str], str] = {}  # one string per node id, however many edges name it
        for (skind, sns, sname, tkind, tns, tname, kind, static), places in edges.items():
            yield EdgeRecord(
                _node_id(ids, skind, sns, sname), _node_id(ids, tkind, tns, tname),
                kind, evidence="declared" if static else "observed", location=places[0],
                places=tuple(places[1:]),
            )  # fmt: skip

    def fields_and_their_edges(self, same: dict[tuple[str, str], tuple[str, str]]) -> Iterator[NodeRecord | EdgeRecord]:
        """The fields column lineage names (each once, with its dataset's schema where an event
        gave one) and the edges between them, their transformations as the events say them."""
        renamed = lambda ns, name: same.get((ns, name), (ns, name))  # noqa: E731
        edges: dict[tuple, list[Location]] = {}
        for (ins, iname, icol, ons, oname, ocol, static), places in self.field_edges.items():
            for where in places:
                _seen_at(edges, (*renamed(ins, iname), icol, *renamed(ons, oname), ocol, static), where)
        how: dict[tuple, list[dict[str, Any]]] = {}
        for (ins, iname, icol, ons, oname, ocol), said in self.transformations.items():
            known = how.setdefault((*renamed(ins, iname), icol, *renamed(ons, oname), ocol), [])
            known.extend(t for t in said if t not in known)
        fields, contained = Fields(), []
        for key, places in edges.items():
            ends = []
            for ns, name, column in (key[0:3], key[3:6]):
                ds = self.datasets[(ns, name)]
                uris = [_uri(ns, name), *(_uri(a["namespace"], a["name"]) for a in ds.aliases)]
                fid, edge = fields.add(("dataset", name, ns), column, aliases=uris,
                                       attributes=ds.fields.get(column), location=places[0])  # fmt: skip
                contained += [edge] if edge else []
                ends.append(fid)
            said = how.get(key[:6]) or []
            yield EdgeRecord(ends[0], ends[1], "derives", evidence="declared" if key[6] else "observed",
                             attributes={"transformations": said} if said else {}, location=places[0],
                             places=tuple(places[1:]))  # fmt: skip
        for node, edge in zip(fields.nodes.values(), contained, strict=True):
            yield node
            yield edge


def _transformations(source: dict, spec: dict) -> list[dict[str, Any]]:
    """How an output field is made of one input field: the facet's ``transformations`` (type
    DIRECT or INDIRECT, a subtype such as IDENTITY, AGGREGATION or FILTER, a description, masking),
    or the older facet's one ``transformationType`` and ``transformationDescription`` for all inputs."""
    said = [{k: t[k] for k in ("type", "subtype", "description", "masking") if t.get(k) not in (None, "")}
            for t in source.get("transformations") or [] if isinstance(t, dict)]  # fmt: skip
    if not said and (spec.get("transformationType") or spec.get("transformationDescription")):
        old = {"type": spec.get("transformationType"), "description": spec.get("transformationDescription")}
        said = [{k: v for k, v in old.items() if isinstance(v, str) and v}]
    return [t for t in said if t]


def _node_id(ids: dict[tuple[str, str, str], str], kind: str, namespace: str, name: str) -> str:
    """The id of a node (as :func:`lineage.records.node_id`), made once and shared."""
    key = (kind, namespace, name)
    found = ids.get(key)
    if found is None:
        found = ids[key] = f"{kind}:{namespace}/{name}" if namespace else f"{kind}:{name}"
    return found


def _event_key(run_id: str, event_type: str, event_time: str) -> str:
    """The three things that make a run's event the same event again, as one string (a log
    holds millions of events: one string each, not a tuple and its three strings). Lengths
    first, so no two different events share a key, whatever their text.

    >>> _event_key("r", "START", "2026-03-01T00:00:00Z") == _event_key("r", "START", "2026-03-01T00:00:00Z")
    True
    >>> _event_key("a", "b:c", "d") == _event_key("a:b", "c", "d")
    False
    """
    return f"{len(run_id)}:{len(event_type)}:{run_id}{event_type}{event_time}"


def _also(places: list[Location], first: Location, where: Location) -> None:
    """Keep ``where`` as one more place that names a node, up to MAX_PLACES in all."""
    if len(places) < MAX_PLACES - 1 and where is not first and where != first and where not in places:
        places.append(where)


def _seen_at(edges: dict[tuple, list[Location]], key: tuple, where: Location) -> None:
    places = edges.get(key)
    if places is None:
        edges[key] = [where]
    elif len(places) < MAX_PLACES and where not in places:
        places.append(where)


def _merge(into: _Dataset, other: _Dataset) -> None:
    """Fold a dataset named by another's symlinks into that one: its other name is an alias."""
    for where in [other.location, *other.places]:
        _also(into.places, into.location, where)
    for name, f in other.fields.items():
        into.fields.setdefault(name, f)
    for alias in [{"namespace": other.namespace, "name": other.name, "type": None}, *other.aliases]:
        known = {(a["namespace"], a["name"]) for a in into.aliases}
        if (alias["namespace"], alias["name"]) not in known | {(into.namespace, into.name)}:
            into.aliases.append(alias)
    for out, entries in other.column_lineage.items():
        mine = into.column_lineage.setdefault(out, [])
        mine.extend(e for e in entries if e not in mine)
    into.facets = {**other.facets, **into.facets}


def _uri(namespace: str, name: str) -> str:
    """A dataset's OpenLineage identity as one string: ``namespace/name``."""
    return f"{namespace.rstrip('/')}/{name.lstrip('/')}" if namespace else name


def _job_attributes(job: _Job) -> dict[str, Any]:
    attributes: dict[str, Any] = {"producers": sorted(job.producers)}
    if job.runs:
        states = {}
        last_id, last_time = None, ""
        for run_id, (last, terminal) in job.runs.items():
            states[run_id] = terminal[1] if terminal else last[1]  # the latest terminal event's, else the latest's
            if last[0] >= last_time:
                last_id, last_time = run_id, last[0]
        assert last_id is not None  # a job has runs here, and every event time is >= ""
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
