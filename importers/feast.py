"""Feast feature registries, as ``feast registry-dump`` prints them (JSON on standard output).

Data sources become datasets, each feature of a feature view a feature ``VIEW.FEATURE`` made of
its data source's column (a field, by the source's ``field_mapping``), feature services
consumers; all in the namespace of the Feast project and all *declared*, each with the file and
line that said so. Entities are not nodes: the join keys a feature is looked up by are kept in
its attributes. Nothing in the dump is run or opened: UDF bodies and the paths of the ``infra``
section are ignored, data source URIs are kept as plain strings.

Each feature keeps, as an alias, the URN DataHub's Feast source gives it
(``urn:li:mlFeature:(PROJECT.VIEW,FEATURE)``), so DataHub's view of the registry becomes these
nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.fields import Fields
from lineage.records import EdgeRecord, Location, NodeRecord, Problem, node_id

from ._kit.document import DocumentImporter, having
from ._kit.located import Located
from ._kit.structured import pointer_join
from ._kit.values import is_name, type_name

# Feast's placeholder entity of entity-less views (feast.feature_view.DUMMY_ENTITY_NAME).
DUMMY_ENTITY = "__dummy"
# Tag keys Feast writes for itself: kept as annotations, not tags.
FEAST_TAG_PREFIXES = ("feast:", "feast.io/")

# Top-level list -> what one entry is called in messages. Feature views come first because
# on-demand views and feature services refer to them.
VIEW_SECTIONS = {
    "featureViews": "feature view",
    "streamFeatureViews": "stream feature view",
    "labelViews": "label view",
    "onDemandFeatureViews": "on-demand feature view",
}
# The keys of a view's spec that hold the data sources its features come from.
SOURCE_KEYS = ("streamSource", "batchSource", "source")

# A dump names views or services and sources or entities. Its keys are sorted, so a registry
# with many data sources fills the first KiB with them: a first key of dataSources or entities
# with keys only Feast writes is taken too.
LOOKS = (
    having((b'"featureViews"', b'"featureServices"'), (b'"dataSources"', b'"entities"')),
    having(
        (b'"timestampField"', b'"joinKey"', b'"dataSourceClassType"', b'Options"'),
        start=re.compile(rb'^\s*\{\s*"(dataSources|entities)"\s*:\s*\['),
    ),
)


def datahub_feature_urn(project: str, view: str, feature: str) -> str:
    """The URN DataHub's Feast source gives a feature of a view (its feature table is
    ``PROJECT.VIEW``).

    >>> datahub_feature_urn("demo", "driver_hourly_stats", "conv_rate")
    'urn:li:mlFeature:(demo.driver_hourly_stats,conv_rate)'
    """
    return f"urn:li:mlFeature:({project}.{view},{feature})"


class FeastImporter(DocumentImporter):
    name = "feast"
    description = "Feast feature registry (feast registry-dump): data sources, feature views, services"
    reads = "*.json printed by `feast registry-dump`"
    priority = 30
    looks = LOOKS
    not_an_object = "a Feast registry dump must be a JSON object"

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        doc = self.load_root(path)
        yield from _Reader(doc.file, doc.data, doc.lines).records()


@dataclass
class _View:
    kind: str  # "feature view", "on-demand feature view" ...
    name: str
    pointer: str
    spec: dict
    namespace: str
    meta: dict
    features: dict[str, str] = field(default_factory=dict)  # feature name -> pointer

    def feature_id(self, feature: str) -> str:
        return node_id("feature", f"{self.name}.{feature}", self.namespace)


class _Reader(Located):
    def __init__(self, file: str, data: dict, lines: dict[str, int]):
        super().__init__(file, lines)
        self.data = data
        project = data.get("project")
        if project is not None and not isinstance(project, str):
            self.problem("/project", f"project must be a string, not {type_name(project)}")
            project = None
        self.project = project
        self.sources: dict[str, NodeRecord] = {}  # name -> node (the first definition wins)
        self.fields = Fields()  # the columns of data sources features are
        self.source_pointers: dict[str, str] = {}  # name -> pointer of that definition
        self.source_edges: list[EdgeRecord] = []
        self.entities: dict[str, dict] = {}
        self.views: dict[str, _View] = {}

    # -- helpers ------------------------------------------------------------------------------

    def namespace(self, obj: dict) -> str:
        """The dump's project; older dumps only say it in each object."""
        if self.project is not None:
            return self.project
        own = obj.get("project")
        return own if isinstance(own, str) else ""

    def section(self, key: str) -> list[tuple[str, Any]]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(f"/{key}", f"{key} must be a list, not {type_name(value)}")
            return []
        return [(pointer_join(f"/{key}", i), item) for i, item in enumerate(value)]

    def features_of(self, spec: dict, spec_pointer: str, what: str) -> list[tuple[str, Any]]:
        """(pointer, item) of each feature a spec lists; a problem if they are not a list."""
        features = spec.get("features")
        pointer = pointer_join(spec_pointer, "features")
        if features is not None and not isinstance(features, list):
            self.problem(pointer, f"the features of {what} must be a list")
            return []
        return [(pointer_join(pointer, index), feature) for index, feature in enumerate(features or [])]

    def spec_of(self, item: Any, pointer: str, what: str) -> tuple[dict, str] | None:
        """The ``spec`` of a registry object (and its pointer), with a usable name."""
        if not isinstance(item, dict):
            self.problem(pointer, f"a {what} must be an object, not {type_name(item)}")
            return None
        spec = item.get("spec")
        if not isinstance(spec, dict):
            self.problem(pointer, f"a {what} needs a 'spec' object")
            return None
        spec_pointer = pointer_join(pointer, "spec")
        if not is_name(spec.get("name")):
            self.problem(spec_pointer, f"a {what} needs a 'name'")
            return None
        return spec, spec_pointer

    # -- reading ------------------------------------------------------------------------------

    def records(self) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        top_level = self.section("dataSources")
        for pointer, item in top_level:  # first all, so that they win over embedded copies
            self.data_source(item, pointer, "a data source", link=False)
        for pointer, item in top_level:
            if isinstance(item, dict) and is_name(item.get("name")) \
                    and self.source_pointers.get(item["name"]) == pointer:  # fmt: skip
                self.link_batch_source(item, pointer)
        for pointer, item in self.section("entities"):
            found = self.spec_of(item, pointer, "entity")
            if found:
                self.entities.setdefault(found[0]["name"], found[0])
        for key, kind in VIEW_SECTIONS.items():
            for pointer, item in self.section(key):
                self.collect_view(item, pointer, kind)
        out: list[NodeRecord | EdgeRecord] = []
        for view in self.views.values():
            out.extend(self.view_records(view))
        for pointer, item in self.section("featureServices"):
            out.extend(self.service_records(item, pointer))
        yield from self.sources.values()
        yield from self.fields.nodes.values()
        yield from self.source_edges
        yield from out
        yield from self.problems

    def data_source(self, raw: Any, pointer: str, what: str, link: bool = True) -> str | None:
        """Register a data source (top-level or embedded); its node id, or None if unusable.

        The first definition of a name wins: the top-level one, if the dump has it.
        """
        if not isinstance(raw, dict):
            self.problem(pointer, f"{what} must be an object, not {type_name(raw)}")
            return None
        name = raw.get("name")
        if not is_name(name):
            self.problem(pointer, f"{what} needs a 'name'")
            return None
        node = self.sources.get(name)
        if node is not None:
            if not link:  # two top-level definitions
                self.problem(pointer, f"data source {name!r} is defined twice (first at {node.location})")
            return node.id
        attributes: dict[str, Any] = {}
        for key, attr in (("type", "type"), ("dataSourceClassType", "class"),
                          ("timestampField", "timestamp_field"),
                          ("createdTimestampColumn", "created_timestamp_column"),
                          ("datePartitionColumn", "date_partition_column"),
                          ("fieldMapping", "field_mapping"), ("description", "description")):  # fmt: skip
            if raw.get(key) not in (None, "", {}):
                attributes[attr] = raw[key]
        for key, value in raw.items():
            if key == "requestDataOptions" and isinstance(value, dict):
                attributes["schema"] = [
                    {k: f[k] for k in ("name", "valueType") if k in f}
                    for f in _list(value.get("schema")) if isinstance(f, dict)
                ]  # fmt: skip
            elif key.endswith("Options") and isinstance(value, dict):
                attributes[key] = value  # where the data is (file uri, table, topic): opaque
        uri = (raw.get("fileOptions") or {}).get("uri") if isinstance(raw.get("fileOptions"), dict) else None
        if isinstance(uri, str) and uri:
            attributes["uri"] = uri
        attributes.update(_meta(raw.get("meta")))
        tags, annotations, team = _tags(raw.get("tags"))
        if annotations:
            attributes["annotations"] = annotations
        node = NodeRecord(
            "dataset", name, self.namespace(raw), owner=_str(raw.get("owner")), team=team, tags=tags,
            attributes=attributes, location=self.at(pointer),
        )  # fmt: skip
        self.sources[name] = node
        self.source_pointers[name] = pointer
        if link:
            self.link_batch_source(raw, pointer)
        return node.id

    def link_batch_source(self, raw: dict, pointer: str) -> None:
        """A push or stream source's batch source is upstream of it: batch -> push ``derives``."""
        batch = raw.get("batchSource")
        if batch is None:
            return
        node = self.sources[raw["name"]]
        b_pointer = pointer_join(pointer, "batchSource")
        upstream = self.data_source(batch, b_pointer, f"the batchSource of data source {node.name!r}")
        if upstream is not None and upstream != node.id:
            node.attributes["batch_source"] = batch["name"]
            self.source_edges.append(EdgeRecord(upstream, node.id, "derives", location=self.at(b_pointer)))

    def collect_view(self, item: Any, pointer: str, kind: str) -> None:
        found = self.spec_of(item, pointer, kind)
        if not found:
            return
        spec, spec_pointer = found
        name = spec["name"]
        if name in self.views:
            first = self.views[name]
            self.problem(spec_pointer, f"{kind} {name!r} is defined twice (first at {self.at(first.pointer)})")
            return
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        view = _View(kind, name, spec_pointer, spec, self.namespace(spec), meta)
        for f_pointer, feature in self.features_of(spec, spec_pointer, f"{kind} {name!r}"):
            fname = feature.get("name") if isinstance(feature, dict) else None
            if not is_name(fname):
                self.problem(f_pointer, f"a feature of {kind} {name!r} needs a 'name'")
            elif fname in view.features:
                self.problem(f_pointer, f"{kind} {name!r} has feature {fname!r} twice")
            else:
                view.features[fname] = f_pointer
        self.views[name] = view

    def view_entities(self, view: _View) -> list[dict]:
        columns = {
            c["name"]: c.get("valueType")
            for c in _list(view.spec.get("entityColumns")) if isinstance(c, dict) and is_name(c.get("name"))
        }  # fmt: skip
        out = []
        for index, entity_name in enumerate(_list(view.spec.get("entities"))):
            if entity_name == DUMMY_ENTITY:
                continue
            e_pointer = pointer_join(pointer_join(view.pointer, "entities"), index)
            if not is_name(entity_name):
                self.problem(e_pointer, f"an entity of {view.kind} {view.name!r} must be a name")
                continue
            entity = self.entities.get(entity_name)
            if entity is None:
                self.problem(e_pointer, f"{view.kind} {view.name!r} uses entity {entity_name!r}, "
                             "which the dump does not define")  # fmt: skip
                continue
            join_key = entity["joinKey"] if is_name(entity.get("joinKey")) else entity_name
            value_type = columns.get(join_key) or entity.get("valueType")
            out.append({"name": entity_name, "join_key": join_key,
                        **({"value_type": value_type} if value_type else {})})  # fmt: skip
        return out

    def upstream_of(self, view: _View) -> list[tuple[str, str, str]]:
        """(node id, pointer, source name) of what a view's features are derived from."""
        spec = view.spec
        if view.kind == "on-demand feature view":
            key = "sources" if "sources" in spec else "inputs"  # older dumps say inputs
            sources = spec.get(key) or {}
            if not isinstance(sources, dict):
                self.problem(pointer_join(view.pointer, key),
                             f"the {key} of {view.kind} {view.name!r} must be an object")  # fmt: skip
                return []
            upstream = []
            for source_name, source in sources.items():
                s_pointer = pointer_join(pointer_join(view.pointer, key), source_name)
                upstream.extend(self.odfv_source(view, source_name, source, s_pointer))
            return upstream
        stream = spec.get("streamSource")
        stream_batch = stream.get("batchSource") if isinstance(stream, dict) else None
        upstream = []
        for key in SOURCE_KEYS:
            raw = spec.get(key)
            if raw is None:
                continue
            if (key == "batchSource" and isinstance(stream_batch, dict) and isinstance(raw, dict)
                    and raw.get("name") == stream_batch.get("name")):  # fmt: skip
                continue  # reached through the stream source it feeds
            s_pointer = pointer_join(view.pointer, key)
            source_id = self.data_source(raw, s_pointer, f"the {key} of {view.kind} {view.name!r}")
            if source_id is not None:
                upstream.append((source_id, s_pointer, raw["name"]))
        return upstream

    def odfv_source(self, view: _View, source_name: str, source: Any, pointer: str) -> list[tuple[str, str, str]]:
        reader = f"{view.kind} {view.name!r}"
        if not isinstance(source, dict):
            self.problem(pointer, f"source {source_name!r} of {reader} must be an object")
            return []
        if "requestDataSource" in source:
            s_pointer = pointer_join(pointer, "requestDataSource")
            raw = source["requestDataSource"]
            source_id = self.data_source(raw, s_pointer, f"request source {source_name!r} of {reader}")
            return [(source_id, s_pointer, raw["name"])] if source_id else []
        for key in ("featureViewProjection", "featureView"):
            if key in source:
                return self.projection(source[key], pointer_join(pointer, key), reader)
        self.problem(pointer, f"source {source_name!r} of {reader} is neither a feature view "
                              "projection nor a request source")  # fmt: skip
        return []

    def projection(self, raw: Any, pointer: str, reader: str) -> list[tuple[str, str, str]]:
        """(feature node id, pointer, view name) of the features a projection of a view selects."""
        if not isinstance(raw, dict):
            self.problem(pointer, f"a feature view projection of {reader} must be an object")
            return []
        view_name = raw.get("featureViewName")
        if view_name is None and isinstance(raw.get("spec"), dict):  # a whole feature view (old dumps)
            view_name = raw["spec"].get("name")
        if not is_name(view_name):
            self.problem(pointer, f"a feature view projection of {reader} needs a 'featureViewName'")
            return []
        view = self.views.get(view_name)
        if view is None:
            self.problem(pointer, f"{reader} reads feature view {view_name!r}, which the dump "
                                  "does not define")  # fmt: skip
            return []
        columns = raw.get("featureColumns")
        if not isinstance(columns, list) or not columns:
            return [(view.feature_id(f), pointer, view.name) for f in view.features]
        out = []
        for index, column in enumerate(columns):
            c_pointer = pointer_join(pointer_join(pointer, "featureColumns"), index)
            name = column.get("name") if isinstance(column, dict) else None
            if not is_name(name):
                self.problem(c_pointer, f"a feature column of {reader} needs a 'name'")
            elif name not in view.features:
                self.problem(c_pointer, f"{reader} reads feature {name!r}, which {view.kind} "
                                        f"{view.name!r} does not have")  # fmt: skip
            else:
                out.append((view.feature_id(name), c_pointer, view.name))
        return out

    def view_records(self, view: _View) -> Iterator[NodeRecord | EdgeRecord]:
        spec = view.spec
        entities = self.view_entities(view)
        upstream = self.upstream_of(view)
        view_tags, view_annotations, view_team = _tags(spec.get("tags"))
        common: dict[str, Any] = {"view": view.name, "view_kind": view.kind}
        if entities:
            common["entities"] = entities
        for key, attr in (("ttl", "ttl"), ("online", "online"), ("offline", "offline"),
                          ("description", "view_description"), ("mode", "mode"),
                          ("labelerField", "labeler_field")):  # fmt: skip
            if spec.get(key) not in (None, ""):
                common[attr] = spec[key]
        if view_annotations:
            common["view_annotations"] = view_annotations
        common.update(_meta(view.meta))
        sources = list(dict.fromkeys(label for _, _, label in upstream))
        if sources:
            common["sources"] = sources
        for fname, f_pointer in view.features.items():
            feature = _at(self.data, f_pointer)
            tags, annotations, team = _tags(feature.get("tags"))
            attributes = dict(common)
            if feature.get("valueType"):
                attributes["value_type"] = feature["valueType"]
            if feature.get("description"):
                attributes["description"] = feature["description"]
            if annotations:
                attributes["annotations"] = annotations
            role = (view_annotations or {}).get(f"feast.io/field-role:{fname}")
            if role:
                attributes["role"] = role  # a label view says which fields are labels
            node = NodeRecord(
                "feature", f"{view.name}.{fname}", view.namespace, owner=_str(spec.get("owner")),
                team=team or view_team, tags=tuple(dict.fromkeys((*view_tags, *tags))),
                attributes=attributes, location=self.at(f_pointer),
                # Without a project (an old dump that names none), DataHub's URN is not known.
                aliases=(datahub_feature_urn(view.namespace, view.name, fname),) if view.namespace else (),
            )  # fmt: skip
            yield node
            for source_id, s_pointer, label in upstream:
                if source_id == node.id:
                    continue
                source = self.sources.get(label)
                if source is not None and source.id == source_id and view.kind != "on-demand feature view":
                    # The feature is a column of its data source (by the source's field mapping).
                    column = _source_column(source.attributes.get("field_mapping"), fname)
                    source_id = self.column(source, column, self.at(s_pointer))
                yield EdgeRecord(source_id, node.id, "derives", location=self.at(s_pointer))

    def column(self, source: NodeRecord, column: str, where: Location) -> str:
        """The field of ``column`` of data source ``source`` (made once, with its ``has_field``)."""
        fid, edge = self.fields.add((source.kind, source.name, source.namespace), column, location=where)
        if edge is not None:
            self.source_edges.append(edge)
        return fid

    def service_records(self, item: Any, pointer: str) -> Iterator[NodeRecord | EdgeRecord]:
        found = self.spec_of(item, pointer, "feature service")
        if not found:
            return
        spec, spec_pointer = found
        name = spec["name"]
        reader = f"feature service {name!r}"
        tags, annotations, team = _tags(spec.get("tags"))
        attributes: dict[str, Any] = {}
        if spec.get("description"):
            attributes["description"] = spec["description"]
        if isinstance(spec.get("loggingConfig"), dict):
            attributes["logging"] = spec["loggingConfig"]  # where served features are logged: opaque
        if annotations:
            attributes["annotations"] = annotations
        attributes.update(_meta(item.get("meta")))
        node = NodeRecord(
            "consumer", name, self.namespace(spec), owner=_str(spec.get("owner")), team=team, tags=tags,
            attributes=attributes, location=self.at(spec_pointer),
        )  # fmt: skip
        edges: dict[str, EdgeRecord] = {}
        for pointer, raw in self.features_of(spec, spec_pointer, reader):
            for feature_id, f_pointer, _ in self.projection(raw, pointer, reader):
                edges.setdefault(feature_id, EdgeRecord(feature_id, node.id, "reads",
                                                        location=self.at(f_pointer)))  # fmt: skip
        yield node
        yield from edges.values()


def _source_column(mapping: Any, feature: str) -> str:
    """The data source's column a feature is read from: Feast's ``field_mapping`` renames a
    source column to a feature's name.

    >>> _source_column({"conv": "conv_rate"}, "conv_rate"), _source_column(None, "acc_rate")
    ('conv', 'acc_rate')
    """
    if isinstance(mapping, dict):
        for column, name in mapping.items():
            if name == feature and isinstance(column, str) and column:
                return column
    return feature


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _meta(meta: Any) -> dict[str, str]:
    """Registration times from a registry object's ``meta``."""
    if not isinstance(meta, dict):
        return {}
    out = {}
    for key, attr in (("createdTimestamp", "created"), ("lastUpdatedTimestamp", "last_updated")):
        if isinstance(meta.get(key), str):
            out[attr] = meta[key]
    return out


def _tags(raw: Any) -> tuple[tuple[str, ...], dict[str, str], str | None]:
    """Feast tags (a string map) as node tags ``key=value``, Feast's own annotations, and team."""
    if not isinstance(raw, dict):
        return (), {}, None
    tags, annotations = [], {}
    for key, value in raw.items():
        if key.startswith(FEAST_TAG_PREFIXES):
            annotations[key] = value
        else:
            tags.append(f"{key}={value}")
    team = raw.get("team")
    return tuple(tags), annotations, team if isinstance(team, str) and team else None


def _at(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer this module built (no escapes in feature pointers matter)."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data
