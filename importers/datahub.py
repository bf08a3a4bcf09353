"""DataHub metadata files: what ``datahub ingest`` writes with its ``file`` sink (a JSON list of
MCE snapshots and MCPs, mixed).

URNs give identity: a DataHub dataset, model group, model or training run becomes the node the
other importers make of the same thing (see :mod:`lineage.identity`), and keeps its URN as an
alias. Everything a catalog says is *declared*.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage_importers.logfiles import head as first_bytes
from lineage_importers.shapes import Shape, optional
from lineage_importers.structured import decode_text, load_json, location, pointer_join

from lineage import identity
from lineage.records import EdgeRecord, InputError, Location, NodeRecord, Problem

_PROPERTIES = {"type": "object", "properties": {"customProperties": optional("object"), "name": optional("string")}}
_URNS = {"type": ["array", "null"], "items": {"type": "string"}}
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
}.items()}  # fmt: skip
SNIFF_MARKERS = (b'"proposedSnapshot"', b'"entityUrn"', b'"aspectName"')
ENTITY_KINDS = {
    "dataset": "dataset", "mlFeature": "feature", "mlPrimaryKey": "feature", "mlModel": "model",
    "mlModelGroup": "model", "mlModelDeployment": "consumer", "dataProcessInstance": "job",
    "dataJob": "job", "dashboard": "consumer", "chart": "consumer",
}  # fmt: skip


def split_urn(urn: str) -> tuple[str, list[str]]:
    """(entity type, key parts) of a DataHub URN; nested URNs stay whole.

    >>> split_urn("urn:li:dataset:(urn:li:dataPlatform:s3,bucket/a.parquet,PROD)")
    ('dataset', ['urn:li:dataPlatform:s3', 'bucket/a.parquet', 'PROD'])
    >>> split_urn("urn:li:tag:pii")
    ('tag', ['pii'])
    """
    if not isinstance(urn, str) or not urn.startswith("urn:li:"):
        raise ValueError(f"not a DataHub URN: {urn!r}")
    entity, _, key = urn[len("urn:li:"):].partition(":")
    if not entity or not key:
        raise ValueError(f"not a DataHub URN: {urn!r}")
    if not (key.startswith("(") and key.endswith(")")):
        return entity, [key]
    parts, depth, current = [], 0, []
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


class DataHubImporter:
    name = "datahub"
    description = "DataHub metadata files (datahub ingest file sink): MCEs and MCPs"
    reads = "*.json files of MCE snapshots and MCPs as DataHub's file sink writes them"
    priority = 30

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or path.suffix.lower() != ".json":
            return False
        head = first_bytes(path)
        return any(marker in head for marker in SNIFF_MARKERS) and b"urn:li:" in head

    def read(self, path: Path) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        file = str(path)
        data, lines = load_json(decode_text(path.read_bytes(), file), file)
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
        (kind, body), = snapshot.items()
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
                (name, value), = aspect.items()
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
    if "json" in aspect:
        yield from _set_aspect(entity, aspect_name, value, loc, f"/{index}/aspect/json")
    else:  # JSON inside a string: lines inside it are not the file's, so point at the string
        yield from _set_aspect(entity, aspect_name, value, lambda _: loc(f"/{index}/aspect/value"), "")


def _set_aspect(entity: _Entity, name: str, value: Any, loc, pointer: str) -> Iterator[Problem]:
    """Keep an aspect if it has the shape this importer reads, else say where it is wrong."""
    shape = ASPECT_SHAPES.get(name)
    if not isinstance(value, dict):  # every DataHub aspect is a record
        wrong: tuple[str, str] | None = (pointer, f"an aspect must be an object, not {type(value).__name__}")
    else:
        wrong = shape.error(value, pointer) if shape else None
    if wrong:
        yield Problem(loc(wrong[0]), f"{name} aspect: {wrong[1]}")
    else:
        entity.aspects[name] = value


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
    return entities[urn]


def _named_urn_problem(urn: Any) -> str | None:
    """Why a URN an aspect names cannot be read (a name that is not a string is one too)."""
    return urn_problem(urn) if isinstance(urn, str) else f"a URN must be text, not {urn!r}"


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

    def node_for(self, urn: str, where: Location) -> NodeRecord | None:
        """The node a URN stands for (declared when its entity is in the file, else named)."""
        if urn_problem(urn):
            return None
        kind, parts = split_urn(urn)
        if kind not in ENTITY_KINDS or urn in self.removed:
            return None
        entity = self.entities.get(urn)
        namespace, name = self.identity(kind, parts, entity)
        node = NodeRecord(ENTITY_KINDS[kind], name, namespace, location=entity.location if entity else where,
                          reference=entity is None, aliases=(urn,))  # fmt: skip
        if entity is not None:
            self.describe(node, entity)
        return node

    def identity(self, kind: str, parts: list[str], entity: _Entity | None) -> tuple[str, str]:
        aspects = entity.aspects if entity else {}
        if kind == "dataset":
            return identity.dataset_from_platform(_platform(parts[0]), parts[1])
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
        if kind == "dataProcessInstance":
            props = aspects.get("dataProcessInstanceProperties") or {}
            run_id = (aspects.get("mlTrainingRunProperties") or {}).get("id")
            container = (aspects.get("container") or {}).get("container")
            experiment = ((self.entities.get(container).aspects.get("containerProperties") or {}).get("name")
                          if container in self.entities else None)  # fmt: skip
            if run_id and experiment:
                return identity.training_run(experiment, props.get("name"), run_id)
            return "datahub", props.get("name") or parts[0]
        if kind == "dataJob":
            flow = split_urn(parts[0])[1] if parts[0].startswith("urn:li:") else [parts[0]]
            return "/".join(flow[:2]), parts[1]
        if kind in ("dashboard", "chart", "mlModelDeployment"):
            return _platform(parts[0]), parts[1]
        return kind, ",".join(parts)

    def describe(self, node: NodeRecord, entity: _Entity) -> None:
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
        owners = (a.get("ownership") or {}).get("owners") or []
        if owners and isinstance(owners[0], dict):
            node.owner = str(owners[0].get("owner", "")).rsplit(":", 1)[-1] or None
        node.tags = tuple(str(t.get("tag", "")).rsplit(":", 1)[-1] for t in
                          (a.get("globalTags") or {}).get("tags") or [] if isinstance(t, dict))  # fmt: skip
        fields = (a.get("schemaMetadata") or {}).get("fields") or []
        if fields:
            node.attributes["fields"] = [f.get("fieldPath") for f in fields if isinstance(f, dict)]
        deprecation = a.get("deprecation") or {}
        if deprecation.get("deprecated"):
            node.status = "deprecated"
            node.deprecation_reason = deprecation.get("note") or None
        if entity.type == "mlPrimaryKey":
            node.tags = (*node.tags, "primary-key")
        run = a.get("dataProcessInstanceRunEvent") or {}
        if run:
            result = (run.get("result") or {}).get("type")
            node.attributes["run"] = {"status": run.get("status"), "result": result}
        training = a.get("mlTrainingRunProperties") or {}
        if training.get("id"):
            node.attributes["run_id"] = training["id"]
            node.aliases = (*node.aliases, f"runs:/{training['id']}")
        table = self.feature_table_of.get(entity.urn)
        if table:
            node.attributes["feature_table"] = table

    def records(self) -> Iterator[NodeRecord | EdgeRecord]:
        emitted: dict[str, NodeRecord] = {}

        def node(urn: str, where: Location) -> NodeRecord | None:
            if urn not in emitted:
                made = self.node_for(urn, where)
                if made is None:
                    return None
                emitted[urn] = made
            return emitted[urn]

        edges: list[tuple[str, str, str, Location]] = []
        for urn, entity in self.entities.items():
            if entity.type not in ENTITY_KINDS or urn in self.removed:
                continue
            node(urn, entity.location)
            for source, target, kind in self.relations(entity):
                edges.append((source, target, kind, entity.location))
        kept: list[EdgeRecord | Problem] = []
        for source, target, kind, where in edges:
            if why := next(filter(None, (_named_urn_problem(source), _named_urn_problem(target))), None):
                kept.append(Problem(where, why))
                continue
            s, t = node(source, where), node(target, where)
            if s is not None and t is not None:
                kept.append(EdgeRecord(s.id, t.id, kind, location=where))
        yield from emitted.values()
        yield from kept

    def relations(self, entity: _Entity) -> Iterator[tuple[str, str, str]]:
        a, urn = entity.aspects, entity.urn
        for upstream in (a.get("upstreamLineage") or {}).get("upstreams") or []:
            if isinstance(upstream, dict) and upstream.get("dataset"):
                yield upstream["dataset"], urn, "derives"
        for name in ("mlFeatureProperties", "mlPrimaryKeyProperties"):
            for source in (a.get(name) or {}).get("sources") or []:
                yield source, urn, "derives"
        model = a.get("mlModelProperties") or {}
        for feature in model.get("mlFeatures") or []:
            yield feature, urn, "reads"
        for job in model.get("trainingJobs") or []:
            yield job, urn, "writes"
        for deployment in model.get("deployments") or []:
            yield urn, deployment, "reads"
        for group in model.get("groups") or []:
            yield urn, group, "version_of"
        io = {**(a.get("dataProcessInstanceInput") or {}), **(a.get("dataProcessInstanceOutput") or {})}
        for key, direction in (("inputs", "in"), ("inputEdges", "in"), ("outputs", "out"),
                               ("outputEdges", "out")):  # fmt: skip
            for item in io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield (other, urn, "reads") if direction == "in" else (urn, other, "writes")
        job_io = a.get("dataJobInputOutput") or {}
        for key in ("inputDatasets", "inputDatasetEdges"):
            for item in job_io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield other, urn, "reads"
        for key in ("outputDatasets", "outputDatasetEdges"):
            for item in job_io.get(key) or []:
                other = item.get("destinationUrn") if isinstance(item, dict) else item
                if isinstance(other, str):
                    yield urn, other, "writes"
        consumed = (("chartInfo", ("inputs", "inputEdges")),
                    ("dashboardInfo", ("charts", "chartEdges", "datasets", "datasetEdges")))
        for info, keys in consumed:
            for key in keys:
                for item in (a.get(info) or {}).get(key) or []:
                    other = item.get("destinationUrn") if isinstance(item, dict) else item
                    if isinstance(other, str):
                        yield other, urn, "reads"

