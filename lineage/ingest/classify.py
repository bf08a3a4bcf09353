"""Give log-only nodes their real kind: by the manifests' rules, or by a node already known.

OpenLineage knows only datasets and jobs. A manifest may declare rules (``classify:``) that say
which names are features, models or consumers; and a dataset that has the name of a model some
config or registry declares *is* that model. These are the pure decisions over records;
``lineage.ingest.reclassify`` applies them against the store, and again when rules or declarations change.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lineage.fields import field_id
from lineage.records import EdgeRecord, Location, NodeRecord, evidence_set, merge_nodes, node_id

if TYPE_CHECKING:
    from lineage.store import ImportUnit

ADOPTABLE_KINDS = ("model", "feature", "consumer", "flag")


@dataclass(frozen=True)
class Rule:
    """Nodes whose name (and namespace) match these globs are of ``kind``."""

    kind: str
    name: str = "*"
    namespace: str = "*"
    applies_to: str = "*"  # the kind the log gave: dataset, job, or any

    def matches(self, node: NodeRecord) -> bool:
        return (
            fnmatch.fnmatchcase(node.name, self.name)
            and fnmatch.fnmatchcase(node.namespace, self.namespace)
            and fnmatch.fnmatchcase(node.kind, self.applies_to)
        )


def rules_from(settings: Iterable[Mapping[str, Any]]) -> list[Rule]:
    return [Rule(s["kind"], s.get("name", "*"), s.get("namespace", "*"), s.get("applies_to", "*")) for s in settings]


Identity = tuple[str, str, str, str]  # id, kind, namespace, name
EdgeKey = tuple[str, str, str]  # source, target, kind


def _basename(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def reclassify(node: NodeRecord, rules: list[Rule], known: Callable[[str], list[Identity]]) -> NodeRecord | None:
    """The node this log node really is, or None when it stays as it is.

    >>> rules = [Rule("model", "models/*")]
    >>> n = NodeRecord("dataset", "models/ctr", "s3://b", classifiable=True)
    >>> reclassify(n, rules, lambda name: []).id
    'model:s3://b/models/ctr'
    >>> known = {"ctr": [("model:ads/ctr", "model", "ads", "ctr")]}
    >>> reclassify(n, rules, lambda name: known.get(name, [])).id
    'model:ads/ctr'
    """
    kind = next((r.kind for r in rules if r.matches(node)), None)
    # A log that knows the kind (a serving log's models) only adopts a node of that kind.
    wanted = (kind,) if kind else (node.kind,) if node.kind in ADOPTABLE_KINDS else ADOPTABLE_KINDS
    for name in dict.fromkeys((node.name, _basename(node.name))):
        same = [k for k in known(name) if k[1] in wanted]
        if len(same) == 1:
            _, k_kind, k_namespace, k_name = same[0]
            return _renamed(node, k_kind, k_name, k_namespace)
    if kind and kind != node.kind:
        return _renamed(node, kind, node.name, node.namespace)
    return None


def _renamed(node: NodeRecord, kind: str, name: str, namespace: str) -> NodeRecord:
    attributes = dict(node.attributes)
    if (name, namespace) != (node.name, node.namespace) or kind != node.kind:
        attributes.setdefault("seen_as", node_id(node.kind, node.name, node.namespace))
    return NodeRecord(
        kind=kind, name=name, namespace=namespace, owner=node.owner, team=node.team,
        tags=node.tags, status=node.status, deprecated_on=node.deprecated_on,
        deprecation_reason=node.deprecation_reason, attributes=attributes,
        location=node.location, reference=node.reference, aliases=node.aliases,
        classifiable=node.classifiable,
    )  # fmt: skip


def by_alias(node: NodeRecord, owner_of: Callable[[str], Identity | None]) -> NodeRecord | None:
    """The node another source knows under one of this node's aliases, if it is the same kind
    (or this node's kind is only a guess from a log).

    >>> owners = {"urn:x": ("model:mlflow/churn", "model", "mlflow", "churn")}
    >>> by_alias(NodeRecord("model", "churn_v", aliases=("urn:x",)), owners.get).id
    'model:mlflow/churn'
    >>> by_alias(NodeRecord("job", "churn", aliases=("urn:x",)), owners.get) is None
    True
    """
    for alias in node.aliases:
        owner = owner_of(alias)
        if owner and owner[0] != node.id and (owner[1] == node.kind or node.classifiable):
            return _renamed(node, owner[1], owner[3], owner[2])
    return None


def apply(
    unit: ImportUnit, decide: Callable[[NodeRecord], NodeRecord | None]
) -> tuple[ImportUnit, dict[str, NodeRecord]]:
    """``unit`` with its nodes renamed as ``decide`` says, merging and rewriting edges, and the
    nodes renamed (old id -> new node), which decide the result given the unit. ``unit`` and its
    records are left as they are: what changes is copied."""
    renames: dict[str, NodeRecord] = {}
    for nid, node in unit.nodes.items():
        new = decide(node)
        if new is not None and new.id != nid:
            renames[nid] = new
    if not renames:
        return unit, renames
    renamed = merge_renamed(unit, renames)
    models = [n for n in renamed.nodes.values() if n.kind == "model"]
    features, edges = column_lineage_plan(models, renames, renamed.nodes.__contains__)
    for feature, places in features:
        if feature.id not in renamed.nodes:
            renamed.nodes[feature.id] = feature
            renamed.node_locations[feature.id] = places
    for key, (edge, places) in edges.items():
        if key not in renamed.edges:
            renamed.edges[key] = edge
            renamed.edge_locations[key] = places
        renamed.edge_evidence[key] = evidence_set(*renamed.edge_evidence.get(key, ()), "observed")
    return renamed, renames


def merge_renamed(unit: ImportUnit, renames: dict[str, NodeRecord]) -> ImportUnit:
    """``unit`` with the nodes of ``renames`` (old id -> new node) renamed, those that become one
    merged, and its edges rewritten and merged; in the order of the ids as read. A new unit:
    ``unit`` is left as it is. Where several nodes become one, ``renames`` of the first of them
    becomes the merged node."""
    nodes: dict[str, NodeRecord] = {}
    locations: dict[str, list[Location]] = {}
    first: dict[str, str] = {}  # new id -> the id as read of the node that took it first
    merged: set[str] = set()  # new ids whose node here is a copy, free to merge into
    # By id as read, not as listed: where several become one, which says a single value last
    # (its seen_as, say) must not depend on the order of entries in a file.
    for nid, node in sorted(unit.nodes.items()):
        new = renames.get(nid, node)
        if new.id in nodes:
            # Stated if either was stated (declared, not guessed, not only named): a log's guess
            # merged into a mere reference stays a guess, and classifies nothing.
            if new.id not in merged:
                nodes[new.id] = replace(nodes[new.id])
                merged.add(new.id)
                if first[new.id] in renames:  # the rename that took the id is the merged node
                    renames[first[new.id]] = nodes[new.id]
            stated = nodes[new.id].stated or new.stated
            merge_nodes(nodes[new.id], new)
            nodes[new.id].classifiable = not stated
        else:
            nodes[new.id] = new
            first[new.id] = nid
        # The lists as read are shared, not copied (a million of them), and never changed: a
        # merge makes a new one.
        places = unit.node_locations.get(nid, [])
        locations[new.id] = locations[new.id] + places if new.id in locations else places
    edges: dict[EdgeKey, EdgeRecord] = {}
    evidence: dict[EdgeKey, frozenset[str]] = {}
    edge_locations: dict[EdgeKey, list[Location]] = {}
    for key, edge in unit.edges.items():
        edge = renamed_edge(edge, renames)
        edges.setdefault(edge.key, edge)
        said = unit.edge_evidence.get(key, frozenset())
        evidence[edge.key] = evidence_set(*evidence[edge.key], *said) if edge.key in evidence else said
        places = unit.edge_locations.get(key, [])
        edge_locations[edge.key] = edge_locations[edge.key] + places if edge.key in edge_locations else places
    return replace(unit, nodes=nodes, node_locations=locations, edges=edges, edge_evidence=evidence,
                   edge_locations=edge_locations)  # fmt: skip


def renamed_edge(edge: EdgeRecord, renames: Mapping[str, NodeRecord]) -> EdgeRecord:
    """``edge`` between its ends as renamed (itself when neither is)."""
    source, target = renamed_ends(edge.key, renames)
    if (source, target) != (edge.source, edge.target):
        edge = replace(edge, source=source, target=target)
    return edge


def renamed_ends(key: EdgeKey, renames: Mapping[str, NodeRecord]) -> tuple[str, str]:
    """The ends of the edge ``key`` (source, target, kind) as renamed."""
    source, target, _ = key
    return (renames[source].id if source in renames else source,
            renames[target].id if target in renames else target)  # fmt: skip


ColumnPlan = tuple[list[tuple[NodeRecord, list[Location]]], dict[EdgeKey, tuple[EdgeRecord, list[Location]]]]


def column_lineage_plan(
    models: Iterable[NodeRecord], renames: Mapping[str, NodeRecord], has_node: Callable[[str], bool]
) -> ColumnPlan:
    """A field that feeds a model is a feature: column lineage into a model output becomes
    dataset -> feature -> model, observed like the events that said it; where the unit has the
    field as a node (:mod:`lineage.fields`), field -> feature instead of dataset -> feature,
    so that dropping the column breaks the feature.

    Given the models of a unit as classified (in its order), its renames and which node ids it
    has, the features it gains (each with its places: kept only where no node has its id, the
    first of a feature's entries first) and the edges it says (key -> edge and places: added
    where the unit has no such edge; every one of them is observed).

    >>> model = NodeRecord("model", "m", attributes={"column_lineage": {"y": [["w", "t", "c"]]}})
    >>> features, edges = column_lineage_plan([model], {}, {"dataset:w/t", "model:m"}.__contains__)
    >>> [f.id for f, _ in features], [k[2] for k in edges]
    (['feature:w/t.c'], ['derives', 'reads'])
    >>> _, edges = column_lineage_plan([model], {}, {"dataset:w/t", "field:w/t#c", "model:m"}.__contains__)
    >>> [k[:2] for k in edges]
    [('field:w/t#c', 'feature:w/t.c'), ('feature:w/t.c', 'model:m')]
    """
    features: list[tuple[NodeRecord, list[Location]]] = []
    planned: set[str] = set()
    edges: dict[EdgeKey, tuple[EdgeRecord, list[Location]]] = {}
    for model in models:
        for sources in (model.attributes.get("column_lineage") or {}).values():
            for namespace, name, column in sources:
                dataset_id = node_id("dataset", name, namespace)
                dataset_id = renames[dataset_id].id if dataset_id in renames else dataset_id
                # Guessed from a log like the model it feeds: it classifies no other log.
                feature = NodeRecord(
                    "feature", f"{name}.{column}", namespace, location=model.location,
                    attributes={"field": column, "dataset": dataset_id}, classifiable=True,
                )  # fmt: skip
                places = [model.location] if model.location else []
                features.append((feature, places))
                planned.add(feature.id)
                column_node = field_id(name, column, namespace)
                feeds = column_node if has_node(column_node) else dataset_id
                for source, target, kind in ((feeds, feature.id, "derives"),
                                             (feature.id, model.id, "reads")):  # fmt: skip
                    if not (has_node(source) or source in planned):
                        continue
                    edge = EdgeRecord(source, target, kind, evidence="observed", location=model.location)
                    edges.setdefault((source, target, kind), (edge, places))
    return features, edges
