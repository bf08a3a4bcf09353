"""The official OpenLineage JSON Schemas, vendored in ``resources/schema/openlineage/`` (its
SOURCE.txt says from where), compiled once each and checked against events and their facets.

An event names the spec version it follows in ``schemaURL`` and each facet its own schema in
``_schemaURL``; both are the ``$id`` of a vendored file, with a JSON pointer fragment:
``https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent``,
``https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet``.

:func:`check` takes one event and says what is wrong with it at two levels:

* the event itself (everything but the bodies of its facets) against the core schema of the
  version it names (the newest vendored one when it names none, or one not vendored, or one
  without its kind of event): a failure rejects the event;
* each facet against its own schema, when its ``_schemaURL`` names a vendored standard facet
  (which includes what the core asks of every facet), and otherwise against the core's
  definition of a facet in its place (an object with ``_producer`` and ``_schemaURL``): a
  failure drops that facet only, with a warning. So a facet whose ``_schemaURL`` no vendored
  file defines (a custom facet) is only checked to be a facet.

Each check is a fastjsonschema gate compiled to Python once per schema and kept (draft 7, so the
draft 2020-12 files are adapted in memory: ``dependentRequired`` becomes ``dependencies``,
``const`` a one-value ``enum``, which fastjsonschema compiles without detailed exceptions, and a
``$ref`` with siblings moves into ``allOf``); only when the gate fails does jsonschema (draft
2020-12, the files as they are) say exactly what is wrong. References between files resolve to
vendored files only, nothing is fetched; a reference to a file OpenLineage never published (the
cores 1-0-4 to 2-0-1 list ``facets/X.json`` beside themselves, where there are none) matches
nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

import fastjsonschema
import jsonschema
import referencing
import referencing.jsonschema

from lineage.resources import resource_path

from ._kit.shapes import describe
from ._kit.structured import pointer_join

BASE = "https://openlineage.io/spec/"
NEWEST = "2-0-2"
EVENT_KINDS = ("RunEvent", "DatasetEvent", "JobEvent")
_CORE_ID = re.compile(r"^https://openlineage\.io/spec/(\d+-\d+-\d+)/OpenLineage\.json$")
_DRAFT7 = "http://json-schema.org/draft-07/schema#"
_NEVER: dict[str, Any] = {"not": {}}  # what a reference to an unpublished file matches
_NIL_UUID = "00000000-0000-0000-0000-000000000000"
# Keywords whose values are data or words, not schemas: not adapted, and no reason to move a $ref.
_DATA_KEYWORDS = ("enum", "const", "required", "example", "examples", "default", "description",
                  "documentation", "deprecated", "title", "$comment", "$schema", "$id", "format", "type")  # fmt: skip
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_ANNOTATIONS = {"description", "example", "examples", "deprecated", "documentation", "title", "$comment"}


# -- formats: the two the importer has always asserted; "uri" stays an annotation, as in 2020-12


def is_uuid(value: object) -> bool:
    try:
        return not isinstance(value, str) or bool(uuid.UUID(value))
    except ValueError:
        return False


def is_date_time(value: object) -> bool:
    """An ISO 8601 date and time (Marquez accepts one without a time zone, and so do we)."""
    if not isinstance(value, str):
        return True
    try:
        return "T" in value and bool(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return False


_FORMATS: dict[str, Callable[[object], bool]] = {"uuid": is_uuid, "date-time": is_date_time, "uri": lambda v: True}


# -- the vendored files ---------------------------------------------------------------------


@cache
def documents() -> dict[str, dict]:
    """Every vendored schema, by its ``$id``."""
    docs = {}
    for path in sorted(resource_path("schema", "openlineage").rglob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        docs[doc["$id"]] = doc
    return docs


@cache
def cores() -> dict[str, str]:
    """Core spec version (``2-0-2``) -> its ``$id``."""
    return {m.group(1): i for i in documents() if (m := _CORE_ID.match(i))}


def core_id(version: str = NEWEST) -> str:
    return f"{BASE}{version}/OpenLineage.json"


def _definitions(doc: dict) -> str:
    """Where a file keeps its definitions: ``$defs`` (1-0-2 on) or ``definitions`` (1-0-0, 1-0-1)."""
    return "$defs" if "$defs" in doc else "definitions"


def _adapt(node: Any) -> Any:
    """A draft 2020-12 schema as fastjsonschema's draft 7 reads it the same way.

    >>> _adapt({"$ref": "#/$defs/Base", "required": ["a"], "dependentRequired": {"a": ["b"]}})
    {'required': ['a'], 'dependencies': {'a': ['b']}, 'allOf': [{'$ref': '#/$defs/Base'}]}
    """
    if isinstance(node, list):
        return [_adapt(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "dependentRequired":
            out["dependencies"] = value
        elif key == "const":  # the same, and fastjsonschema compiles const only with detailed exceptions
            out["enum"] = [value]
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _adapt(schema) for name, schema in value.items()}
        elif key in _DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = _adapt(value)
    if "$ref" in out and set(out) - _ANNOTATIONS - {"$ref"}:  # draft 7 ignores a $ref's siblings
        out["allOf"] = [{"$ref": out.pop("$ref")}, *out.get("allOf", [])]
    return out


@cache
def _adapted() -> dict[str, dict]:
    return {i: {**_adapt(doc), "$schema": _DRAFT7} for i, doc in documents().items()}


def _fetch(uri: str) -> Any:
    return _adapted().get(uri.split("#", 1)[0], _NEVER)


_HANDLERS = {scheme: _fetch for scheme in ("http", "https", "file", "ftp", "data")}


@cache
def _registry() -> referencing.Registry:
    never = referencing.Resource.from_contents(_NEVER, default_specification=referencing.jsonschema.DRAFT202012)
    resources = [(i, referencing.Resource.from_contents(doc)) for i, doc in documents().items()]
    # referencing declares retrieve as an attrs alias of its private field, which mypy cannot see.
    return referencing.Registry(retrieve=lambda uri: never).with_resources(resources)  # type: ignore[call-arg]


@cache
def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker([])
    checker.checks("uuid")(is_uuid)
    checker.checks("date-time")(is_date_time)
    return checker


class Validator:
    """One schema of the vendored files (a file's ``$id`` and a JSON pointer in it), compiled."""

    def __init__(self, target: str):
        self.target = target
        self._gate = fastjsonschema.compile(
            {"$schema": _DRAFT7, "$ref": target}, handlers=_HANDLERS, formats=_FORMATS,
            use_default=False, detailed_exceptions=False,
        )  # fmt: skip
        self._reference: jsonschema.Draft202012Validator | None = None

    def ok(self, value: Any) -> bool:
        try:
            self._gate(value)
            return True
        except fastjsonschema.JsonSchemaException:
            return False

    def error(self, value: Any) -> jsonschema.ValidationError | None:
        """The most relevant error in ``value``, or None if it is valid."""
        if self.ok(value):
            return None
        if self._reference is None:
            self._reference = jsonschema.Draft202012Validator(
                {"$ref": self.target}, registry=_registry(), format_checker=_format_checker()
            )
        # None when the two disagree: trust the reference one.
        return best_error(self._reference.iter_errors(value))


def best_error(errors) -> jsonschema.ValidationError | None:
    """The most relevant error, looked for inside ``anyOf`` and ``oneOf`` too (the cores wrap
    each facets object in an ``anyOf``), leaving out the branches that only failed because they
    refer to a file OpenLineage never published."""
    best = jsonschema.exceptions.best_match(errors)
    while best is not None and best.validator in ("anyOf", "oneOf") and best.context:
        useful = [e for e in best.context if not (e.validator == "not" and e.validator_value == {})]
        if not useful:
            break
        best = jsonschema.exceptions.best_match(useful)
    return best


@cache
def validator(target: str) -> Validator:
    """The compiled validator of ``target``, compiled once and kept (the targets are finitely
    many: the definitions of the vendored files)."""
    return Validator(target)


# -- which schema ---------------------------------------------------------------------------


def event_kind(event: dict) -> str:
    """RunEvent, JobEvent or DatasetEvent, by what the event holds (a run, a job, a dataset).

    >>> event_kind({"run": {}, "job": {}}), event_kind({"job": {}}), event_kind({"dataset": {}})
    ('RunEvent', 'JobEvent', 'DatasetEvent')
    """
    if "run" in event:
        return "RunEvent"
    if "job" in event:
        return "JobEvent"
    return "DatasetEvent" if "dataset" in event else "RunEvent"


class Core(NamedTuple):
    version: str
    note: tuple[str, str] | None  # (kind of warning, message) when not the version named


@lru_cache(maxsize=256)
def core_for(url: object, kind: str) -> Core:
    """The core spec an event naming ``url`` in ``schemaURL`` is checked against.

    >>> core_for("https://openlineage.io/spec/1-0-5/OpenLineage.json#/$defs/RunEvent", "RunEvent")
    Core(version='1-0-5', note=None)
    >>> core_for("https://openlineage.io/spec/1-0-1/OpenLineage.json#/definitions/JobEvent", "JobEvent").note[1]
    'schemaURL names OpenLineage 1-0-1, which has no JobEvent: checked against OpenLineage 2-0-2'
    """
    if not isinstance(url, str):  # the core schema rejects it, or it is missing
        return Core(NEWEST, None)
    base = url.split("#", 1)[0]
    m = _CORE_ID.match(base)
    if not m or m.group(1) not in cores():
        return Core(NEWEST, (f"schemaURL {base}", f"schemaURL {url!r} names no OpenLineage spec this "
                             f"importer has: checked against OpenLineage {NEWEST}"))  # fmt: skip
    version = m.group(1)
    doc = documents()[base]
    if kind not in doc[_definitions(doc)]:
        return Core(NEWEST, (f"schemaURL {base} {kind}", f"schemaURL names OpenLineage {version}, which has "
                             f"no {kind}: checked against OpenLineage {NEWEST}"))  # fmt: skip
    return Core(version, None)


def _definition(version: str, name: str) -> str:
    doc = documents()[core_id(version)]
    return f"{core_id(version)}#/{_definitions(doc)}/{name}"


@cache
def _core_validator(version: str, name: str) -> Validator:
    return validator(_definition(version, name))


@cache
def _place_validator(version: str, place: str) -> Validator:
    """The definition in core ``version`` that holds the facets of ``place``."""
    doc = documents()[core_id(version)]
    definition = _PLACES[place][0]
    if definition not in doc[_definitions(doc)]:  # StaticDataset: 2-0-0 on
        definition = "Dataset"
    return _core_validator(version, definition)


@lru_cache(maxsize=1024)
def facet_schema(url: object) -> Validator | None:
    """The validator of the standard facet ``url`` names in ``_schemaURL``, or None when no
    vendored file defines it (a custom facet, or a version not vendored)."""
    if not isinstance(url, str):
        return None
    base, _, fragment = url.partition("#")
    doc = documents().get(base)
    if doc is None:
        return None
    defs = doc.get(_definitions(doc)) or {}
    name = None
    if fragment.startswith("/"):
        parts = fragment.split("/")
        if len(parts) == 3 and parts[1] in ("$defs", "definitions") and parts[2] in defs:
            name = parts[2]
    elif not fragment and not _CORE_ID.match(base):  # a facet file: its facet is named like the file
        stem = base.rsplit("/", 1)[-1].removesuffix(".json")
        name = stem if stem in defs else None
    if name is None or (_CORE_ID.match(base) and not name.endswith("Facet")):
        return None
    return validator(f"{base}#/{_definitions(doc)}/{name}")


# -- checking an event ----------------------------------------------------------------------

# Where facets sit, by the definition in the core that holds them: (key of the facets, the
# definition, a stand-in for the rest of the object, so that only the facets can fail).
_DATASET = {"namespace": "", "name": ""}
_PLACES = {
    "run": ("Run", {"runId": _NIL_UUID}),
    "job": ("Job", _DATASET),
    "inputs": ("InputDataset", _DATASET),
    "outputs": ("OutputDataset", _DATASET),
    "dataset": ("StaticDataset", _DATASET),
}
_FACET_KEYS = {"run": ("facets",), "job": ("facets",), "inputs": ("facets", "inputFacets"),
               "outputs": ("facets", "outputFacets"), "dataset": ("facets",)}  # fmt: skip


class Checked(NamedTuple):
    event: dict | None  # the event without the facets dropped; None when it is rejected
    problem: tuple[str, str] | None  # (JSON pointer, message) of why it is rejected
    notices: list[tuple[str, str, str]]  # (JSON pointer, message, kind of warning)


def check(
    event: dict, read: Mapping[str, tuple[str, Callable[[Any], tuple[str, str] | None]]] | None = None
) -> Checked:
    """Check ``event`` (a JSON object) as the module docstring says.

    ``read`` maps the names of the facets an importer reads to the standard facet of that name
    (``SchemaDatasetFacet``) and a check of what it reads (pointer and message of what is wrong,
    or None). A facet that its own standard schema of that name passed needs no more; any other
    (a custom one under a standard name) that fails the check is dropped like one that fails its
    schema.
    """
    kind = event_kind(event)
    url = event.get("schemaURL")
    core = core_for(url if isinstance(url, str) else None, kind)
    notices: list[tuple[str, str, str]] = []
    skeleton, places = _skeleton(event)
    if "schemaURL" not in event:
        skeleton["schemaURL"] = f"{core_id(core.version)}#/$defs/{kind}"
        notices.append(("", f"no schemaURL: read as an OpenLineage {NEWEST} {kind} (the spec requires "
                            "schemaURL; Marquez accepts events without it)", "no schemaURL"))  # fmt: skip
    elif core.note:
        notices.append(("", core.note[1], core.note[0]))
    error = _core_validator(core.version, kind).error(skeleton)
    if error is not None:
        return Checked(None, (_pointer(error.absolute_path), event_message(error)), [])
    dropped: dict[tuple, set[str]] = {}
    for path, place, facets in places:
        why: dict[str, str] = {}
        unknown: dict[str, Any] = {}  # facets that name no vendored schema: checked as facets
        checked_as: dict[str, str] = {}  # facet -> the definition its own schema is
        for name, body in facets.items():
            url = body.get("_schemaURL") if isinstance(body, dict) else None
            own = facet_schema(url) if isinstance(url, str) else None
            if own is None:
                unknown[name] = body
            elif not own.ok(body) and (wrong := own.error(body)) is not None:
                why[name] = f"{_facet_message(wrong)} (its schema: {url})"
            else:
                checked_as[name] = own.target.rsplit("/", 1)[-1]
        if unknown:
            place_check, stand_in = _place_validator(core.version, place), _PLACES[place][1]
            key = path[-1]
            if not place_check.ok({**stand_in, key: unknown}):
                for name, body in unknown.items():
                    if (wrong := place_check.error({**stand_in, key: {name: body}})) is not None:
                        why[name] = (
                            f"{_facet_message(wrong, skip=2)} (as OpenLineage {core.version} defines a facet here)"
                        )
        if read:
            for name, (standard, read_check) in read.items():
                if name not in facets or name in why or checked_as.get(name) == standard:
                    continue
                if wrong_read := read_check(facets[name]):
                    why[name] = f"{wrong_read[1]} (not what this importer reads)"
        for name, reason in why.items():
            dropped.setdefault(path, set()).add(name)
            notices.append((_pointer((*path, name)), f"facet {name!r} dropped: {reason}", f"facet {name} {reason}"))
    return Checked(_without(event, dropped) if dropped else event, None, notices)


def _skeleton(event: dict) -> tuple[dict, list[tuple[tuple, str, dict]]]:
    """The event with every facets object emptied, and where those facets were."""
    skeleton = dict(event)
    places: list[tuple[tuple, str, dict]] = []

    def empty(holder: Any, path: tuple, place: str) -> Any:
        if not isinstance(holder, dict):
            return holder
        copy = None
        for key in _FACET_KEYS[place]:
            facets = holder.get(key)
            if isinstance(facets, dict) and facets:
                copy = copy if copy is not None else dict(holder)
                copy[key] = {}
                places.append(((*path, key), place, facets))
        return copy if copy is not None else holder

    for place in ("run", "job", "dataset"):
        if place in event:
            skeleton[place] = empty(event[place], (place,), place)
    for place in ("inputs", "outputs"):
        datasets = event.get(place)
        if isinstance(datasets, list):
            skeleton[place] = [empty(d, (place, i), place) for i, d in enumerate(datasets)]
    return skeleton, places


def _without(event: dict, dropped: dict[tuple, set[str]]) -> dict:
    """A copy of ``event`` without the dropped facets (only what holds them is copied)."""
    out = dict(event)
    copied: set[str] = set()
    for path, names in dropped.items():
        if path[0] in ("inputs", "outputs"):
            if path[0] not in copied:
                out[path[0]] = list(out[path[0]])
                copied.add(path[0])
            container, index = out[path[0]], path[1]
        else:
            container, index = out, path[0]
        holder = container[index] = dict(container[index])
        holder[path[-1]] = {k: v for k, v in holder[path[-1]].items() if k not in names}
    return out


def _pointer(path) -> str:
    pointer = ""
    for token in path:
        pointer = pointer_join(pointer, token)
    return pointer


def _relative(error: jsonschema.ValidationError, skip: int) -> jsonschema.ValidationError:
    copy = type(error).create_from(error)
    copy.parent = None
    copy.path = copy.relative_path = deque(list(error.absolute_path)[skip:])
    return copy


def _facet_message(error: jsonschema.ValidationError, skip: int = 0) -> str:
    return event_message(_relative(error, skip) if skip else error, whole="the facet")


def event_message(error: jsonschema.ValidationError, whole: str = "the event") -> str:
    """One plain sentence for a schema error in an event (or, with ``whole``, in a facet)."""
    label = ".".join(map(str, error.absolute_path)) or whole
    value = error.instance
    if isinstance(value, str) and "{{" in value:
        return f"{label} is a template ({value!r}), not a value: a test expectation, not an event"
    if error.validator == "format":
        what = {"uuid": "a UUID", "date-time": "an ISO 8601 date-time"}.get(error.validator_value)
        if what:
            return f"{label} must be {what}, not {value!r}"
    if error.validator == "not" and isinstance(error.validator_value, dict) and "required" in error.validator_value:
        return f"{label} must not have all of {', '.join(error.validator_value['required'])}"
    return describe(error, whole=whole)
