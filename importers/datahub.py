"""DataHub metadata files: what ``datahub ingest`` writes with its ``file`` sink (a JSON list of
MCE snapshots and MCPs, mixed).

URNs give identity: a DataHub dataset, model group, model or training run becomes the node the
other importers make of the same thing (see :mod:`lineage.identity`), and keeps its URN as an
alias. A dbt entity (platform ``dbt``) and its warehouse table, which DataHub links as siblings
or by an upstream of type ``COPY``, are one node, named by the table; its ``dbt_unique_id`` is
the dbt importer's alias ``dbt:UNIQUE_ID``. Everything a catalog says is *declared*, except what
a run (``dataProcessInstance``) read and wrote: that is *observed*, an edge of the job the run
belongs to.

``changeType: PATCH`` MCPs hold JSON Patch operations (RFC 6902) which apply, in file order, to
what the file said before for the same entity and aspect, the way DataHub's patch templates do:
see :func:`apply_patch`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from lineage import identity
from lineage.fields import Fields, field_id
from lineage.records import MAX_PLACES, EdgeRecord, InputError, Location, NodeRecord, Problem, merge_nodes

from ._kit.document import DocumentImporter, having
from ._kit.shapes import Shape, optional
from ._kit.structured import location, pointer_join

Evidence = Literal["declared", "observed"]  # as lineage.records.EdgeRecord takes it
_PROPERTIES: dict[str, Any] = {
    "type": "object",
    "properties": {"customProperties": optional("object"), "name": optional("string")},
}
_URNS: dict[str, Any] = {"type": ["array", "null"], "items": {"type": "string"}}
# The aspects this importer reads, with the types it needs (DataHub writes many more).
ASPECT_SHAPES = {name: Shape(schema) for name, schema in {
    **{name: _PROPERTIES for name in (
        "datasetProperties", "mlPrimaryKeyProperties", "mlModelGroupProperties",
        "mlModelDeploymentProperties", "dataProcessInstanceProperties", "dataJobInfo", "dashboardInfo",
        "chartInfo", "editableDatasetProperties", "containerProperties")},
    "mlFeatureProperties": {**_PROPERTIES, "properties": {**_PROPERTIES["properties"], "sources": _URNS}},
    "mlPrimaryKeyProperties": {**_PROPERTIES, "properties": {**_PROPERTIES["properties"], "sources": _URNS}},
    "mlModelProperties": {**_PROPERTIES, "properties": {
        **_PROPERTIES["properties"], **{k: _URNS for k in ("groups", "mlFeatures", "trainingJobs", "deployments")}}},
    "mlFeatureTableProperties": {"type": "object", "properties": {"mlFeatures": _URNS, "mlPrimaryKeys": _URNS}},
    "status": {"type": "object", "properties": {"removed": optional("boolean")}},
    "versionProperties": {"type": "object", "properties": {
        "version": {"type": "object", "properties": {"versionTag": optional(["string", "number"])}}}},
    "mlTrainingRunProperties": {"type": "object", "properties": {"id": optional("string")}},
    "container": {"type": "object", "properties": {"container": optional("string")}},
    "ownership": {"type": "object", "properties": {"owners": optional("array")}},
    "globalTags": {"type": "object", "properties": {"tags": optional("array")}},
    "schemaMetadata": {"type": "object", "properties": {"fields": optional("array")}},
    "deprecation": {"type": "object", "properties": {"note": optional("string")}},
    "dataProcessInstanceRunEvent": {"type": "object", "properties": {"result": optional("object")}},
    **{name: {"type": "object", "properties": {key: optional("array") for key in keys}} for name, keys in (
        ("dataProcessInstanceInput", ("inputs", "inputEdges")),
        ("dataProcessInstanceOutput", ("outputs", "outputEdges")),
        ("dataJobInputOutput", ("inputDatasets", "inputDatasetEdges", "outputDatasets", "outputDatasetEdges")),
    )},
    "upstreamLineage": {"type": "object", "properties": {"upstreams": {
        "type": ["array", "null"], "items": {"type": "object", "properties": {"dataset": optional("string")}}}}},
    "glossaryTerms": {"type": "object", "properties": {"terms": optional("array")}},
    "siblings": {"type": "object", "properties": {"siblings": _URNS, "primary": optional("boolean")}},
    "dataProcessInstanceRelationships": {"type": "object", "properties": {
        "parentTemplate": optional("string"), "parentInstance": optional("string")}},
}.items()}  # fmt: skip
SNIFF_MARKERS = (b'"proposedSnapshot"', b'"entityUrn"', b'"aspectName"')
ENTITY_KINDS = {
    "dataset": "dataset", "mlFeature": "feature", "mlPrimaryKey": "feature", "mlModel": "model",
    "mlModelGroup": "model", "mlModelDeployment": "consumer", "dataProcessInstance": "job",
    "dataJob": "job", "dashboard": "consumer", "chart": "consumer",
}  # fmt: skip


# -- JSON Patch (changeType PATCH) ------------------------------------------------------------

# The fields of each aspect this importer reads, from DataHub's schemas (acryl-datahub 1.7,
# metadata/schemas/*.avsc): a patch may set these, and no other field.
FIELDS = {name: tuple(fields.split()) for name, fields in {
    "datasetProperties": "customProperties externalUrl name qualifiedName description uri created lastModified tags",
    "editableDatasetProperties": "created lastModified deleted description name",
    "containerProperties": "customProperties externalUrl name qualifiedName description env created lastModified",
    "mlFeatureProperties": "customProperties description dataType version sources",
    "mlPrimaryKeyProperties": "customProperties description dataType version sources",
    "mlFeatureTableProperties": "customProperties description mlFeatures mlPrimaryKeys",
    "mlModelProperties": "customProperties externalUrl trainingJobs downstreamJobs name description date created "
                         "lastModified version type hyperParameters hyperParams trainingMetrics onlineMetrics "
                         "mlFeatures tags deployments groups",
    "mlModelGroupProperties": "customProperties trainingJobs downstreamJobs externalUrl name description createdAt "
                              "created lastModified version",
    "mlModelDeploymentProperties": "customProperties externalUrl description createdAt version status",
    "mlTrainingRunProperties": "customProperties externalUrl id outputUrls hyperParams trainingMetrics",
    "dataProcessInstanceProperties": "customProperties externalUrl name type created",
    "dataProcessInstanceRelationships": "parentTemplate parentInstance upstreamInstances",
    "dataProcessInstanceInput": "inputs inputEdges",
    "dataProcessInstanceOutput": "outputs outputEdges",
    "dataProcessInstanceRunEvent": "timestampMillis eventGranularity partitionSpec messageId externalUrl status "
                                   "attempt result durationMillis",
    "dataJobInfo": "customProperties externalUrl name description type flowUrn created lastModified status env",
    "dataJobInputOutput": "inputDatasets inputDatasetEdges outputDatasets outputDatasetEdges inputDatajobs "
                          "inputDatajobEdges inputDatasetFields outputDatasetFields fineGrainedLineages",
    "dashboardInfo": "customProperties externalUrl title description charts chartEdges datasets datasetEdges "
                     "dashboards lastModified dashboardUrl access lastRefreshed",
    "chartInfo": "customProperties externalUrl title description lastModified chartUrl inputs inputEdges type "
                 "access lastRefreshed",
    "upstreamLineage": "upstreams fineGrainedLineages",
    "ownership": "owners ownerTypes lastModified",
    "globalTags": "tags",
    "glossaryTerms": "terms auditStamp",
    "siblings": "siblings primary",
    "status": "removed lifecycleStage lifecycleLastUpdated",
    "deprecation": "deprecated decommissionTime note actor replacement",
    "container": "container",
    "versionProperties": "versionSet version aliases comment sortId versioningScheme sourceCreatedTimestamp "
                         "metadataCreatedTimestamp isLatest",
    "schemaMetadata": "schemaName platform version created lastModified deleted dataset cluster hash platformSchema "
                      "fields primaryKeys foreignKeysSpecs foreignKeys",
}.items()}  # fmt: skip
ATTRIBUTION = "attribution\u241fsource"  # a key field inside a record: attribution.source
_EDGE = ("destinationUrn",)
_FINE = ("transformOperation", "downstreams", "query", "upstreams")  # /fineGrainedLineages/OP/DOWN/QUERY/UP
_URN_LIST: tuple[str, ...] = ()  # an array of URNs: each is its own key
# The arrays DataHub's patch templates address by keys rather than by index, with the fields of an
# item the path names after the array, in order (a patch may change the order with arrayPrimaryKeys).
KEYED: dict[str, dict[str, tuple[str, ...]]] = {
    "upstreamLineage": {"upstreams": ("dataset",), "fineGrainedLineages": _FINE},
    "ownership": {"owners": ("owner", "type")},
    "globalTags": {"tags": ("tag",)},
    "glossaryTerms": {"terms": ("urn",)},
    "siblings": {"siblings": _URN_LIST},
    "dataJobInputOutput": {"inputDatasets": _URN_LIST, "outputDatasets": _URN_LIST, "inputDatajobs": _URN_LIST,
                           "inputDatasetEdges": _EDGE, "outputDatasetEdges": _EDGE, "inputDatajobEdges": _EDGE,
                           "fineGrainedLineages": _FINE},
    "dataProcessInstanceInput": {"inputs": _URN_LIST, "inputEdges": _EDGE},
    "dataProcessInstanceOutput": {"outputs": _URN_LIST, "outputEdges": _EDGE},
    "dataProcessInstanceRelationships": {"upstreamInstances": _URN_LIST},
    "chartInfo": {"inputs": _URN_LIST, "inputEdges": _EDGE},
    "dashboardInfo": {"charts": _URN_LIST, "datasets": _URN_LIST, "chartEdges": _EDGE, "datasetEdges": _EDGE,
                      "dashboards": _EDGE},
    "mlModelProperties": {k: _URN_LIST for k in ("groups", "mlFeatures", "trainingJobs", "deployments")},
    "mlFeatureProperties": {"sources": _URN_LIST},
    "mlPrimaryKeyProperties": {"sources": _URN_LIST},
    "mlFeatureTableProperties": {"mlFeatures": _URN_LIST, "mlPrimaryKeys": _URN_LIST},
}  # fmt: skip
_LIST_KEYS = ("downstreams", "upstreams")  # key fields that hold a list of URNs (fine-grained lineage)
_BAD_ESCAPE = re.compile(r"~(?![01])")


class PatchError(ValueError):
    """Why a patch operation cannot apply, and where in the operation (``/path``, ``/value``)."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(message)
        self.where = where


def patch_path(path: Any) -> list[str]:
    """The reference tokens of a JSON Patch path (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``).

    >>> patch_path("/upstreams/urn:li:dataset:(urn:li:dataPlatform:s3,my-bucket~1a.txt,PROD)")
    ['upstreams', 'urn:li:dataset:(urn:li:dataPlatform:s3,my-bucket/a.txt,PROD)']
    >>> patch_path("/owners/urn:li:corpuser:jdoe/TECHNICAL_OWNER//")
    ['owners', 'urn:li:corpuser:jdoe', 'TECHNICAL_OWNER', '', '']
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError("a patch path must be text that starts with '/'", "/path")
    if _BAD_ESCAPE.search(path):
        raise PatchError(f"the patch path {path!r} has a '~' that is not '~0' or '~1'", "/path")
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def apply_patch(aspect: dict, name: str, op: Any, keys: dict[str, tuple[str, ...]] | None = None) -> dict:
    """``aspect`` after one JSON Patch operation (``add``, ``remove`` or ``replace``), as DataHub's
    patch templates apply it; ``aspect`` itself is left as it was. The arrays of :data:`KEYED`
    (or of ``keys``, a patch's ``arrayPrimaryKeys``) are addressed by the keys of their items:
    ``add`` puts the value in place of the items with those keys, ``remove`` takes away every
    item whose first keys are those of the path (``*`` matches any). Anything else is a JSON
    pointer into objects (a ``customProperties`` map is made when the path adds to it) or into
    other arrays by index. Removing what is not there changes nothing; replacing it is an error.

    >>> up = "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)"
    >>> apply_patch({}, "upstreamLineage", {"op": "add", "path": f"/upstreams/{up}", "value": {"type": "COPY"}})
    {'upstreams': [{'type': 'COPY', 'dataset': 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)'}]}
    >>> apply_patch({"customProperties": {"a": "1"}}, "datasetProperties",
    ...             {"op": "remove", "path": "/customProperties/a"})
    {'customProperties': {}}
    """
    if not isinstance(op, dict):
        raise PatchError("a patch operation must be an object")
    kind = op.get("op")
    if kind not in ("add", "remove", "replace"):
        raise PatchError(f"unsupported patch operation {kind!r} (DataHub applies add, remove and replace)", "/op")
    tokens = patch_path(op.get("path"))
    if kind != "remove" and "value" not in op:
        raise PatchError(f"{'an' if kind == 'add' else 'a'} {kind} operation needs a 'value'")
    value = op.get("value")
    field_name = tokens[0]
    if field_name not in FIELDS.get(name, ()):
        raise PatchError(f"unknown path {op['path']!r}: {name} has no field {field_name!r}", "/path")
    keyed = {**KEYED.get(name, {}), **(keys or {})}
    if field_name in keyed and len(tokens) > 1:
        return _patch_keyed(aspect, kind, field_name, tokens[1:], keyed[field_name], value, op["path"])
    return _patch_pointer(aspect, kind, tokens, value, op["path"], top=True)


def _patch_keyed(aspect, kind, field_name, tokens, key_fields, value, path) -> dict:
    items = aspect.get(field_name)
    items = [] if items is None else items
    if not isinstance(items, list):
        raise PatchError(f"{field_name!r} is not a list", "/path")
    if not key_fields:  # an array of URNs
        if len(tokens) != 1:
            raise PatchError(f"unknown path {path!r}: {field_name} holds URNs, one token after it", "/path")
        kept = [item for item in items if item != tokens[0]]
        if kind == "remove":
            return {**aspect, field_name: kept}
        _check_added(value, str, f"{field_name} holds URNs: the value must be text", kind, kept, items, path)
        return {**aspect, field_name: [*kept, value]}
    if len(tokens) > len(key_fields):
        raise PatchError(f"unknown path {path!r}: {field_name} items are keyed by {', '.join(key_fields)}", "/path")
    pairs = list(zip(key_fields, tokens, strict=False))
    kept = [item for item in items if not all(_key_matches(item, f, token) for f, token in pairs)]
    if kind == "remove":
        return {**aspect, field_name: kept}
    _check_added(value, dict, f"an item of {field_name} must be an object", kind, kept, items, path)
    item = dict(value)
    for key_field, token in pairs:  # the keys the path names are the item's, as DataHub rebuilds it
        if token not in ("", "NONE", "*"):
            _set_key(item, key_field, token)
    return {**aspect, field_name: [*kept, item]}


def _check_added(value: Any, wanted: type, must: str, kind: str, kept: list, items: list, path: str) -> None:
    """An add or replace adds a value of the type wanted; a replace replaces an item."""
    if not isinstance(value, wanted):
        raise PatchError(f"{must}, not {type(value).__name__}", "/value")
    if kind == "replace" and len(kept) == len(items):
        raise PatchError(f"nothing to replace at {path!r}", "/path")


def _key_value(item: dict, key_field: str) -> Any:
    value: Any = item
    for part in key_field.split("\u241f"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _key_matches(item: Any, key_field: str, token: str) -> bool:
    if not isinstance(item, dict):
        return False
    if token == "*":
        return True
    value = _key_value(item, key_field)
    if isinstance(value, list):
        return token in value
    if value is None or value == "":
        return token in ("", "NONE")
    return str(value) == token


def _set_key(item: dict, key_field: str, token: str) -> None:
    *outer, last = key_field.split("\u241f")
    target = item
    for part in outer:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = {}
        target[part] = inner = dict(inner)
        target = inner
    if target.get(last) in (None, "", []):
        target[last] = [token] if last in _LIST_KEYS else token


def _patch_pointer(container: Any, kind: str, tokens: list[str], value: Any, path: str, top: bool = False) -> Any:
    token, rest = tokens[0], tokens[1:]
    if isinstance(container, dict):
        if not rest:
            if kind == "remove":
                return {k: v for k, v in container.items() if k != token}
            if kind == "replace" and token not in container:
                raise PatchError(f"nothing to replace at {path!r}", "/path")
            return {**container, token: value}
        child = container.get(token)
        if child is None and top and token == "customProperties" and kind == "add":
            child = {}
        if child is None and kind == "remove":
            return container
        if not isinstance(child, dict | list):
            raise PatchError(f"unknown path {path!r}: nothing at {token!r} to go into", "/path")
        return {**container, token: _patch_pointer(child, kind, rest, value, path)}
    if isinstance(container, list):
        if token == "-" and not rest and kind == "add":
            return [*container, value]
        if not token.isdigit() or (token != "0" and token.startswith("0")):
            raise PatchError(f"unknown path {path!r}: {token!r} is not an index of a list", "/path")
        index = int(token)
        if index > len(container) or (index == len(container) and (rest or kind != "add")):
            if kind == "remove":
                return container
            raise PatchError(f"unknown path {path!r}: the list has no item {index}", "/path")
        copy = list(container)
        if rest:
            copy[index] = _patch_pointer(copy[index], kind, rest, value, path)
        elif kind == "add":
            copy.insert(index, value)
        elif kind == "remove":
            del copy[index]
        else:
            copy[index] = value
        return copy
    raise PatchError(f"unknown path {path!r}", "/path")


class _FieldRef(NamedTuple):
    """A field a ``schemaField`` URN names: its id, its dataset's node, the URN, the column."""

    id: str
    dataset: NodeRecord
    urn: str
    column: str


_ANNOTATION = re.compile(r"\[[^\]]*\]\.?")  # [version=2.0]. or [type=struct]. in a v2 field path


def simple_field_path(path: str) -> str:
    """A column as DataHub's field path names it, without the v2 path's type annotations.

    >>> simple_field_path("[version=2.0].[type=struct].address.[type=string].zip")
    'address.zip'
    >>> simple_field_path("user_id")
    'user_id'
    """
    if not path.startswith("[version=2.0]"):
        return path
    return _ANNOTATION.sub("", path).strip(".") or path


def fine_grained(aspects: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(upstream field URN, downstream field URN, what the entry says of how) for each pair of a
    dataset's or a job's ``fineGrainedLineages``: its transform operation and confidence score.

    >>> a = {"upstreamLineage": {"fineGrainedLineages": [{"upstreams": ["u1", "u2"], "downstreams": ["d"],
    ...      "transformOperation": "SUM", "confidenceScore": 0.2}]}}
    >>> [(u, d) for u, d, _ in fine_grained(a)], next(fine_grained(a))[2]
    ([('u1', 'd'), ('u2', 'd')], {'transformations': [{'description': 'SUM'}], 'confidence': 0.2})
    """
    for aspect in ("upstreamLineage", "dataJobInputOutput"):
        for entry in (aspects.get(aspect) or {}).get("fineGrainedLineages") or []:
            if not isinstance(entry, dict):
                continue
            said: dict[str, Any] = {}
            if isinstance(entry.get("transformOperation"), str) and entry["transformOperation"]:
                said["transformations"] = [{"description": entry["transformOperation"]}]
            if isinstance(entry.get("confidenceScore"), int | float) and not isinstance(entry["confidenceScore"], bool):
                said["confidence"] = entry["confidenceScore"]
            for up in entry.get("upstreams") or []:
                for down in entry.get("downstreams") or []:
                    if isinstance(up, str) and isinstance(down, str):
                        yield up, down, said


def split_urn(urn: str) -> tuple[str, list[str]]:
    """(entity type, key parts) of a DataHub URN; nested URNs stay whole.

    >>> split_urn("urn:li:dataset:(urn:li:dataPlatform:s3,bucket/a.parquet,PROD)")
    ('dataset', ['urn:li:dataPlatform:s3', 'bucket/a.parquet', 'PROD'])
    >>> split_urn("urn:li:tag:pii")
    ('tag', ['pii'])
    """
    if not isinstance(urn, str) or not urn.startswith("urn:li:"):
        raise ValueError(f"not a DataHub URN: {urn!r}")
    entity, _, key = urn[len("urn:li:") :].partition(":")
    if not entity or not key:
        raise ValueError(f"not a DataHub URN: {urn!r}")
    if not (key.startswith("(") and key.endswith(")")):
        return entity, [key]
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in key[1:-1]:
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += ch == "("
        depth -= ch == ")"
        current.append(ch)
    parts.append("".join(current))
    return entity, parts


def _platform(urn: str) -> str:
    return urn.rsplit(":", 1)[-1] if urn.startswith("urn:li:dataPlatform:") else urn


@dataclass
class _Entity:
    urn: str
    type: str
    location: Location
    aspects: dict[str, Any] = field(default_factory=dict)
    places: list[Location] = field(default_factory=list)  # the other records about it (provenance)


class DataHubImporter(DocumentImporter):
    name = "datahub"
    description = "DataHub metadata files (datahub ingest file sink): MCEs and MCPs"
    reads = "*.json files of MCE snapshots and MCPs as DataHub's file sink writes them"
    priority = 30

    looks = (having(SNIFF_MARKERS, b"urn:li:"),)
    sniff_gunzips = True

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        doc = self.load(path)  # a list of records, or one record
        file, data, lines = doc.file, doc.data, doc.lines
        if not isinstance(data, list):
            data = [data] if isinstance(data, dict) else None
        if data is None:
            raise InputError(Location(file, line=1), "expected a JSON list of MCE and MCP records")
        entities: dict[str, _Entity] = {}
        for index, record in enumerate(data):
            where = location(file, lines, f"/{index}")
            yield from _collect(record, index, where, entities, lambda p: location(file, lines, p))
        yield from _Builder(entities).records()


def _collect(record, index, where, entities, loc) -> Iterator[Problem]:
    if not isinstance(record, dict):
        yield Problem(where, "a record must be a JSON object (an MCE or an MCP)")
        return
    if "proposedSnapshot" in record:
        snapshot = record["proposedSnapshot"]
        if not isinstance(snapshot, dict) or len(snapshot) != 1:
            yield Problem(where, "proposedSnapshot must hold exactly one snapshot")
            return
        ((kind, body),) = snapshot.items()
        if not isinstance(body, dict) or not isinstance(body.get("urn"), str):
            yield Problem(loc(f"/{index}/proposedSnapshot"), "the snapshot has no 'urn'")
            return
        entity = _entity(body["urn"], entities, where)
        if isinstance(entity, Problem):
            yield entity
            return
        aspects = body.get("aspects") or []
        a_pointer = pointer_join(pointer_join(f"/{index}/proposedSnapshot", kind), "aspects")
        if not isinstance(aspects, list):
            yield Problem(loc(a_pointer), "aspects must be a list")
            return
        for position, aspect in enumerate(aspects):
            if isinstance(aspect, dict) and len(aspect) == 1:
                ((name, value),) = aspect.items()
                short = name.rsplit(".", 1)[-1]  # MLFeatureProperties -> mlFeatureProperties
                cut = 2 if short.startswith("ML") else 1
                short = short[:cut].lower() + short[cut:]
                yield from _set_aspect(entity, short, value, loc, pointer_join(pointer_join(a_pointer, position), name))
        return
    urn, aspect_name = record.get("entityUrn"), record.get("aspectName")
    if not isinstance(urn, str):
        yield Problem(where, "an MCP needs an 'entityUrn'")
        return
    if not isinstance(aspect_name, str):
        yield Problem(where, "an MCP needs an 'aspectName'")
        return
    entity = _entity(urn, entities, where)
    if isinstance(entity, Problem):
        yield entity
        return
    aspect = record.get("aspect")
    if isinstance(aspect, dict) and "json" in aspect:
        value = aspect["json"]
    elif isinstance(aspect, dict) and isinstance(aspect.get("value"), str):
        try:
            value = json.loads(aspect["value"])
        except json.JSONDecodeError as exc:
            yield Problem(loc(f"/{index}/aspect/value"), f"the aspect is not valid JSON: {exc.msg}")
            return
    else:
        yield Problem(where, "an MCP needs an 'aspect' with 'json' or a JSON 'value'")
        return
    put = _patch_aspect if record.get("changeType") == "PATCH" else _set_aspect
    if "json" in aspect:
        yield from put(entity, aspect_name, value, loc, f"/{index}/aspect/json")
    else:  # JSON inside a string: lines inside it are not the file's, so point at the string
        yield from put(entity, aspect_name, value, lambda _: loc(f"/{index}/aspect/value"), "")


def _set_aspect(entity: _Entity, name: str, value: Any, loc, pointer: str) -> Iterator[Problem]:
    """Keep an aspect if it has the shape this importer reads, else say where it is wrong."""
    shape = ASPECT_SHAPES.get(name)
    if not isinstance(value, dict):  # every DataHub aspect is a record
        patch = " (JSON Patch operations need changeType PATCH)" if isinstance(value, list) else ""
        wrong: tuple[str, str] | None = (pointer, f"an aspect must be an object, not {type(value).__name__}{patch}")
    else:
        wrong = shape.error(value, pointer) if shape else None
    if wrong:
        yield Problem(loc(wrong[0]), f"{name} aspect: {wrong[1]}")
    else:
        entity.aspects[name] = value


def _patch_aspect(entity: _Entity, name: str, value: Any, loc, pointer: str) -> Iterator[Problem]:
    """Apply a PATCH MCP's operations, in order, to what the file said before of the aspect (an
    empty aspect if nothing). A bad operation is a problem at its pointer; the others apply.
    The operations are a list, or DataHub's GenericJsonPatch ``{"arrayPrimaryKeys", "patch"}``."""
    shape = ASPECT_SHAPES.get(name)
    if shape is None or name not in FIELDS:
        return  # an aspect this importer does not read, patched or not
    keys, ops, ops_pointer = None, value, pointer
    if isinstance(value, dict) and "patch" in value:
        keys, ops, ops_pointer = value.get("arrayPrimaryKeys") or {}, value["patch"], pointer_join(pointer, "patch")
        if not isinstance(keys, dict) or not all(
            isinstance(v, list) and v and all(isinstance(f, str) for f in v) for v in keys.values()
        ):
            yield Problem(loc(pointer_join(pointer, "arrayPrimaryKeys")),
                          f"{name} patch: arrayPrimaryKeys must map fields to lists of key fields")  # fmt: skip
            return
        keys = {field_name: tuple(fields) for field_name, fields in keys.items()}
    if not isinstance(ops, list):
        yield Problem(
            loc(ops_pointer),
            f"{name} patch: a PATCH aspect must be a list of JSON Patch operations, not {type(ops).__name__}",
        )
        return
    base = entity.aspects.get(name)
    base = base if isinstance(base, dict) else {}

    def run(check_each: bool) -> tuple[dict, list[Problem]]:
        current, problems = base, []
        for position, op in enumerate(ops):
            op_pointer = pointer_join(ops_pointer, position)
            try:
                patched = apply_patch(current, name, op, keys)
            except PatchError as exc:
                problems.append(Problem(loc(op_pointer + exc.where), f"{name} patch: {exc}"))
                continue
            if check_each and (wrong := shape.error(patched)):
                problems.append(Problem(loc(op_pointer), f"{name} patch: after this operation {wrong[1]}"))
                continue
            current = patched
        return current, problems

    result, problems = run(check_each=False)
    if shape.error(result):  # find the operations that made it wrong, and leave them out
        result, problems = run(check_each=True)
    yield from problems
    entity.aspects[name] = result


# Key parts a URN of each kind has at least (dataset: platform, name, env).
KEY_PARTS = {"dataset": 2, "mlModelGroup": 2, "mlModel": 2, "dataJob": 2, "dashboard": 2, "chart": 2,
             "mlModelDeployment": 2}  # fmt: skip


def urn_problem(urn: str) -> str | None:
    """Why ``urn`` is not a URN this importer can read, or None.

    >>> urn_problem("urn:li:dataset:(urn:li:dataPlatform:s3,bucket/a.parquet,PROD)") is None
    True
    >>> urn_problem("urn:li:dataset:(urn:li:dataPlatform:s3)")
    "a dataset URN has at least 2 key parts: 'urn:li:dataset:(urn:li:dataPlatform:s3)'"
    """
    try:
        kind, parts = split_urn(urn)
    except ValueError as exc:
        return str(exc)
    if len(parts) < KEY_PARTS.get(kind, 1):
        return f"a {kind} URN has at least {KEY_PARTS[kind]} key parts: {urn!r}"
    return None


def _entity(urn: str, entities: dict[str, _Entity], where: Location) -> _Entity | Problem:
    if why := urn_problem(urn):
        return Problem(where, why)
    kind, _ = split_urn(urn)
    if urn not in entities:
        entities[urn] = _Entity(urn, kind, where)
    else:
        entity = entities[urn]
        if where != entity.location and where not in entity.places and len(entity.places) < MAX_PLACES - 1:
            entity.places.append(where)
    return entities[urn]


def _named_urn_problem(urn: Any) -> str | None:
    """Why a URN an aspect names cannot be read (a name that is not a string is one too)."""
    return urn_problem(urn) if isinstance(urn, str) else f"a URN must be text, not {urn!r}"


def _is_dbt(urn: str) -> bool:
    """Whether ``urn`` is a dataset of DataHub's dbt platform (the dbt entity beside a table)."""
    kind, parts = split_urn(urn)
    return kind == "dataset" and _platform(parts[0]) == "dbt"


_RUN_NAME = re.compile(r"^[^_]+_(urn:li:.+)$")  # dbt's run name: INVOCATION-ID_URN-OF-THE-MODEL


class _Builder:
    def __init__(self, entities: dict[str, _Entity]):
        self.entities = entities
        self.removed = {u for u, e in entities.items() if (e.aspects.get("status") or {}).get("removed")}
        # A feature table groups features: it is kept on each feature, not made a node.
        self.feature_table_of: dict[str, str] = {}
        for entity in entities.values():
            if entity.type == "mlFeatureTable":
                props = entity.aspects.get("mlFeatureTableProperties") or {}
                for urn in (props.get("mlFeatures") or []) + (props.get("mlPrimaryKeys") or []):
                    self.feature_table_of[urn] = split_urn(entity.urn)[1][-1]
        self.same_as, self.members = self.siblings()

    def siblings(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Datasets that are one thing: siblings (``siblings`` aspect), and a dbt entity and the
        table upstream or downstream of it by ``COPY``, which is how DataHub's dbt source links
        them (with or without siblings). Each group is named by one of them: not a dbt entity
        when a table is in the group (the table is the name every other source knows), else
        the one DataHub says is primary, else the lowest URN. Returns URN -> that URN, and
        that URN -> the group (it first)."""
        parent: dict[str, str] = {}

        def find(urn: str) -> str:
            while parent.setdefault(urn, urn) != urn:
                parent[urn] = parent.setdefault(parent[urn], parent[urn])
                urn = parent[urn]
            return urn

        def link(a: str, b: Any) -> None:
            if (
                isinstance(b, str)
                and b != a
                and not urn_problem(b)
                and split_urn(b)[0] == "dataset"
                and (b not in self.removed)
            ):
                parent[find(a)] = find(b)

        primary = set()
        for urn, entity in self.entities.items():
            if entity.type != "dataset" or urn in self.removed:
                continue
            siblings = entity.aspects.get("siblings") or {}
            for other in siblings.get("siblings") or []:
                link(urn, other)
            if siblings.get("primary") is True:
                primary.add(urn)
            for upstream in (entity.aspects.get("upstreamLineage") or {}).get("upstreams") or []:
                other = upstream.get("dataset") if isinstance(upstream, dict) else None
                copy = isinstance(other, str) and upstream.get("type") == "COPY" and not urn_problem(other)
                if copy and isinstance(other, str) and _is_dbt(urn) != _is_dbt(other):
                    link(urn, other)
        groups: dict[str, list[str]] = {}
        for urn in list(parent):
            groups.setdefault(find(urn), []).append(urn)
        same_as, members = {}, {}
        for group in groups.values():
            first = min(group, key=lambda u: (_is_dbt(u), u not in primary, u))
            members[first] = [first, *sorted(u for u in group if u != first)]
            same_as.update(dict.fromkeys(group, first))
        return same_as, members

    def node_for(self, urn: str, where: Location) -> NodeRecord | None:
        """The node a URN stands for (declared when its entity is in the file, else named)."""
        if urn_problem(urn):
            return None
        kind, parts = split_urn(urn)
        if kind not in ENTITY_KINDS or urn in self.removed:
            return None
        if kind == "dataProcessInstance":
            return self.run_job(urn, where, ())
        group = self.members.get(self.same_as.get(urn, urn), [urn])
        first = group[0]
        kind, parts = split_urn(first)
        present = [self.entities[u] for u in group if u in self.entities]
        namespace, name = self.identity(kind, parts, self.entities.get(first))
        node = NodeRecord(ENTITY_KINDS[kind], name, namespace, reference=not present, aliases=tuple(group),
                          location=(self.entities[first] if first in self.entities else present[0]).location
                          if present else where)  # fmt: skip
        for entity in sorted(present, key=lambda e: e.urn == first):  # the naming one last: it wins
            self.describe(node, entity)
        return node

    def training_run(self, entity: _Entity | None) -> tuple[str, str] | None:
        """(namespace, name) of an MLflow training run in an experiment, as the MLflow importer names it."""
        aspects = entity.aspects if entity else {}
        run_id = (aspects.get("mlTrainingRunProperties") or {}).get("id")
        container = (aspects.get("container") or {}).get("container")
        experiment = ((self.entities[container].aspects.get("containerProperties") or {}).get("name")
                      if container in self.entities else None)  # fmt: skip
        if run_id and experiment:
            name = (aspects.get("dataProcessInstanceProperties") or {}).get("name")
            return identity.training_run(experiment, name, run_id)
        return None

    def run_job(self, urn: str, where: Location, seen: tuple[str, ...]) -> NodeRecord | None:
        """The job a run (``dataProcessInstance``) belongs to: its ``parentTemplate`` (a dataJob;
        a dataFlow; a dbt model's entity, whose job is named by the run's ``dbt_name``), else the
        job of its ``parentInstance``, else the template its name ends with (dbt names a run
        ``INVOCATION_URN``), else a job of its own name. An MLflow training run is a job of its
        own, as the MLflow importer makes it."""
        entity = self.entities.get(urn)
        aspects = entity.aspects if entity else {}
        at = entity.location if entity else where
        if entity is not None and (named := self.training_run(entity)):
            node = NodeRecord("job", named[1], named[0], location=at, aliases=(urn,))
            self.describe(node, entity)
            return node
        props = aspects.get("dataProcessInstanceProperties") or {}
        relations = aspects.get("dataProcessInstanceRelationships") or {}
        template, parent = relations.get("parentTemplate"), relations.get("parentInstance")
        if isinstance(template, str) and not urn_problem(template):
            return self.template_job(template, props, at)
        if isinstance(parent, str) and parent in self.entities and parent not in seen and not urn_problem(parent):
            return self.run_job(parent, at, (*seen, urn))
        name = props.get("name") or split_urn(urn)[1][0]
        if (match := _RUN_NAME.match(name)) and not urn_problem(match.group(1)):
            return self.template_job(match.group(1), props, at)
        return NodeRecord("job", name, "datahub", location=at, aliases=(urn,))

    def template_job(self, template: str, props: dict, where: Location) -> NodeRecord | None:
        kind, parts = split_urn(template)
        if kind == "dataJob":
            node = self.node_for(template, where)
        elif kind == "dataFlow" and len(parts) > 1:
            node = NodeRecord("job", parts[1], _platform(parts[0]), location=where, aliases=(template,))
        else:
            dbt_name = (props.get("customProperties") or {}).get("dbt_name")
            name = dbt_name if isinstance(dbt_name, str) and dbt_name else parts[1 if len(parts) > 1 else 0]
            namespace = _platform(parts[0]) if kind == "dataset" and len(parts) > 1 else kind
            node = NodeRecord("job", name, namespace, location=where)
        if node is not None:
            node.reference = False
        return node

    def identity(self, kind: str, parts: list[str], entity: _Entity | None) -> tuple[str, str]:
        aspects = entity.aspects if entity else {}
        if kind == "dataset":
            platform = _platform(parts[0])
            adapter = ((aspects.get("datasetProperties") or {}).get("customProperties") or {}).get("manifest_adapter")
            if platform == "dbt" and isinstance(adapter, str) and adapter:
                platform = adapter  # a dbt entity with no table in the file: named as the dbt importer does
            return identity.dataset_from_platform(platform, parts[1])
        if kind in ("mlFeature", "mlPrimaryKey"):
            return (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
        if kind == "mlModelGroup":
            platform = _platform(parts[0])
            return (identity.MLFLOW, parts[1]) if platform == identity.MLFLOW else (platform, parts[1])
        if kind == "mlModel":
            platform, name = _platform(parts[0]), parts[1]
            groups = (aspects.get("mlModelProperties") or {}).get("groups") or []
            version = ((aspects.get("versionProperties") or {}).get("version") or {}).get("versionTag")
            if platform == identity.MLFLOW and groups and version and not urn_problem(groups[0]):
                group = split_urn(groups[0])[1][1]
                return identity.MLFLOW, f"{group}/v{version}"
            return platform, name
        if kind == "dataJob":
            flow = split_urn(parts[0])[1] if parts[0].startswith("urn:li:") else [parts[0]]
            return "/".join(flow[:2]), parts[1]
        if kind in ("dashboard", "chart", "mlModelDeployment"):
            return _platform(parts[0]), parts[1]
        return kind, ",".join(parts)

    def describe(self, node: NodeRecord, entity: _Entity) -> None:
        """Add what ``entity`` says to ``node`` (several entities may describe one node)."""
        a = entity.aspects
        props = {}
        for name in ("datasetProperties", "mlFeatureProperties", "mlPrimaryKeyProperties",
                     "mlModelProperties", "mlModelGroupProperties", "mlModelDeploymentProperties",
                     "dataProcessInstanceProperties", "dataJobInfo", "dashboardInfo", "chartInfo",
                     "editableDatasetProperties"):  # fmt: skip
            props.update({k: v for k, v in (a.get(name) or {}).items() if isinstance(v, str | int | float)})
            custom = (a.get(name) or {}).get("customProperties")
            if custom:
                node.attributes.setdefault("properties", {}).update(custom)
        for key in ("description", "dataType", "title", "name", "externalUrl"):
            if key in props and key != "name":
                node.attributes[key] = props[key]
        unique_id = ((a.get("datasetProperties") or {}).get("customProperties") or {}).get("dbt_unique_id")
        if isinstance(unique_id, str) and unique_id:  # the dbt importer's alias of the same model
            node.aliases = tuple(dict.fromkeys((*node.aliases, f"dbt:{unique_id}")))
        owners = (a.get("ownership") or {}).get("owners") or []
        if owners and isinstance(owners[0], dict):
            node.owner = str(owners[0].get("owner", "")).rsplit(":", 1)[-1] or node.owner
        tags = [str(t.get("tag", "")).rsplit(":", 1)[-1] for t in
                (a.get("globalTags") or {}).get("tags") or [] if isinstance(t, dict)]  # fmt: skip
        node.tags = tuple(dict.fromkeys((*node.tags, *tags)))
        terms = [str(t.get("urn", "")).rsplit(":", 1)[-1] for t in
                 (a.get("glossaryTerms") or {}).get("terms") or [] if isinstance(t, dict)]  # fmt: skip
        if terms:
            known = node.attributes.get("glossary_terms") or []
            node.attributes["glossary_terms"] = list(dict.fromkeys((*known, *terms)))
        fields = (a.get("schemaMetadata") or {}).get("fields") or []
        if fields:
            node.attributes["fields"] = [f.get("fieldPath") for f in fields if isinstance(f, dict)]
        deprecation = a.get("deprecation") or {}
        if deprecation.get("deprecated"):
            node.status = "deprecated"
            node.deprecation_reason = deprecation.get("note") or None
        if entity.type == "mlPrimaryKey" and "primary-key" not in node.tags:
            node.tags = (*node.tags, "primary-key")
        training = a.get("mlTrainingRunProperties") or {}
        if training.get("id"):
            node.attributes["run_id"] = training["id"]
            node.aliases = tuple(dict.fromkeys((*node.aliases, f"runs:/{training['id']}")))
        table = self.feature_table_of.get(entity.urn)
        if table:
            node.attributes["feature_table"] = table

    @staticmethod
    def add_run(job: NodeRecord, entity: _Entity) -> None:
        """Keep the latest run of a job: its status and result (``dataProcessInstanceRunEvent``)."""
        run = entity.aspects.get("dataProcessInstanceRunEvent") or {}
        if not run:
            return
        when = run.get("timestampMillis")
        latest = job.attributes.get("run") or {}
        if isinstance(latest.get("time"), int | float) and isinstance(when, int | float) and when < latest["time"]:
            return
        job.attributes["run"] = {"status": run.get("status"), "result": (run.get("result") or {}).get("type"),
                                 "time": when, "instance": entity.urn}  # fmt: skip

    def records(self) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        by_id: dict[str, NodeRecord] = {}
        emitted: dict[str, NodeRecord | None] = {}

        def node(urn: str, where: Location) -> NodeRecord | None:
            if urn not in emitted:
                made = self.node_for(urn, where)
                if made is not None and made.id in by_id:  # another URN of the same node
                    merge_nodes(by_id[made.id], made)
                    made = by_id[made.id]
                elif made is not None:
                    by_id[made.id] = made
                emitted[urn] = made
            return emitted[urn]

        edges: list[tuple[str, str, str, Evidence, Location]] = []
        for urn, entity in self.entities.items():
            if entity.type not in ENTITY_KINDS or urn in self.removed:
                continue
            made = node(urn, entity.location)
            if made is not None and entity.type != "dataProcessInstance":
                places = [p for p in (entity.location, *entity.places) if p != made.location]
                made.places = tuple(dict.fromkeys((*made.places, *places)))[: MAX_PLACES - 1]
            if made is not None and entity.type == "dataProcessInstance":
                self.add_run(made, entity)
            for source, target, kind, evidence in self.relations(entity):
                edges.append((source, target, kind, evidence, entity.location))
        kept: list[EdgeRecord | Problem] = []
        for source, target, kind, evidence, where in edges:
            if why := next(filter(None, (_named_urn_problem(source), _named_urn_problem(target))), None):
                kept.append(Problem(where, why))
                continue
            s, t = node(source, where), node(target, where)
            if s is None or t is None or (s.id == t.id and source != target):  # siblings: one node
                continue
            kept.append(EdgeRecord(s.id, t.id, kind, evidence=evidence, location=where))
        fields = Fields()
        for urn, entity in self.entities.items():
            if entity.type not in ("dataset", "dataJob") or urn in self.removed:
                continue
            for up, down, said in fine_grained(entity.aspects):
                made_from, into = (self.field_of(u, entity.location, node) for u in (up, down))
                if made_from is None or into is None or made_from.id == into.id:
                    continue  # not two fields; or one field under two sibling names (a dbt model's COPY)
                ids = [self.field_node(end, entity.location, fields, kept) for end in (made_from, into)]
                kept.append(EdgeRecord(ids[0], ids[1], "derives", attributes=said, location=entity.location))
        yield from by_id.values()
        yield from fields.nodes.values()
        yield from kept

    def field_of(self, urn: str, where: Location, node: Any) -> _FieldRef | None:
        """The field a ``schemaField`` URN names, or None for another URN."""
        if urn_problem(urn):
            return None
        kind, parts = split_urn(urn)
        if kind != "schemaField" or len(parts) != 2:
            return None
        dataset = node(parts[0], where)
        if dataset is None:
            return None
        column = simple_field_path(parts[1])
        return _FieldRef(field_id(dataset.name, column, dataset.namespace), dataset, urn, column)

    def field_node(self, ref: _FieldRef, where: Location, fields: Fields, kept: list[EdgeRecord | Problem]) -> str:
        """The field ``ref`` names (made once, with the ``has_field`` edge from its dataset and
        what the dataset's schema says of it; every URN it is named by an alias)."""
        fid, dataset, urn, column = ref
        if fid not in fields.nodes:
            schema = self.schema_of(split_urn(urn)[1][0])  # of the dataset as this URN names it
            _, edge = fields.add((dataset.kind, dataset.name, dataset.namespace), column, aliases=dataset.aliases,
                                 attributes=schema.get(column), location=where)  # fmt: skip
            if edge is not None:
                kept.append(edge)
        node = fields.nodes[fid]
        if urn not in node.aliases:
            node.aliases = (*node.aliases, urn)
        return fid

    def schema_of(self, urn: str) -> dict[str, dict[str, Any]]:
        """Column -> its type and description, as a dataset's ``schemaMetadata`` says them."""
        entity = self.entities.get(urn)
        schema = (entity.aspects.get("schemaMetadata") or {}) if entity else {}
        out = {}
        for f in schema.get("fields") or []:
            if isinstance(f, dict) and isinstance(f.get("fieldPath"), str):
                out[simple_field_path(f["fieldPath"])] = {"type": f.get("nativeDataType"),
                                                          "description": f.get("description")}  # fmt: skip
        return out

    def relations(self, entity: _Entity) -> Iterator[tuple[str, str, str, Evidence]]:
        a, urn = entity.aspects, entity.urn
        declared: Final = "declared"
        observed: Final = "observed"
        for upstream in (a.get("upstreamLineage") or {}).get("upstreams") or []:
            if isinstance(upstream, dict) and upstream.get("dataset"):
                yield upstream["dataset"], urn, "derives", declared
        for name in ("mlFeatureProperties", "mlPrimaryKeyProperties"):
            for source in (a.get(name) or {}).get("sources") or []:
                yield source, urn, "derives", declared
        model = a.get("mlModelProperties") or {}
        for feature in model.get("mlFeatures") or []:
            yield feature, urn, "reads", declared
        for job in model.get("trainingJobs") or []:
            yield job, urn, "writes", declared
        for deployment in model.get("deployments") or []:
            yield urn, deployment, "reads", declared
        for group in model.get("groups") or []:
            yield urn, group, "version_of", declared
        # What a run read and wrote is observed: edges of the job it belongs to.
        io = {**(a.get("dataProcessInstanceInput") or {}), **(a.get("dataProcessInstanceOutput") or {})}
        for key, direction in (("inputs", "in"), ("inputEdges", "in"), ("outputs", "out"),
                               ("outputEdges", "out")):  # fmt: skip
            for item in io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield (other, urn, "reads", observed) if direction == "in" else (urn, other, "writes", observed)
        job_io = a.get("dataJobInputOutput") or {}
        for key in ("inputDatasets", "inputDatasetEdges"):
            for item in job_io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield other, urn, "reads", declared
        for key in ("outputDatasets", "outputDatasetEdges"):
            for item in job_io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield urn, other, "writes", declared
        consumed = (
            ("chartInfo", ("inputs", "inputEdges")),
            ("dashboardInfo", ("charts", "chartEdges", "datasets", "datasetEdges")),
        )
        for info, keys in consumed:
            for key in keys:
                for item in (a.get(info) or {}).get(key) or []:
                    other = item.get("destinationUrn") if isinstance(item, dict) else item
                    if isinstance(other, str):
                        yield other, urn, "reads", declared
