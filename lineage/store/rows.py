"""The shapes of rows: the columns queries select, graph rows by name, rows as dicts, JSON as stored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

NODE_COLUMNS = (
    "kind", "name", "namespace", "owner", "team", "tags", "status",
    "deprecated_on", "deprecation_reason", "attributes", "declared",
)  # fmt: skip
NODE_SELECT = (
    "SELECT id, kind, name, namespace, owner, team, tags, status, deprecated_on,"
    " deprecation_reason, attributes, declared FROM nodes"
)
NODE_INSERT = (
    "INSERT INTO nodes (id, kind, name, namespace, owner, team, tags, status, deprecated_on,"
    " deprecation_reason, attributes, declared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The columns of NodeRow.
GRAPH_NODE_SELECT = (
    "SELECT id, kind, name, namespace, owner, team, status, deprecated_on, declared,"
    " json_extract(attributes, '$.current') FROM nodes"
)
EDGE_SELECT = "SELECT source, target, kind, weight, declared, observed, attributes FROM edges"
EDGE_KEYS = ("source", "target", "kind", "weight", "declared", "observed", "attributes")
# The columns of EdgeRow.
GRAPH_EDGE_SELECT = "SELECT source, target, kind, weight, declared, observed FROM edges"


class NodeRow(NamedTuple):
    """A node as the graph is built from it (``lineage.graph.build_graph``)."""

    id: str
    kind: str
    name: str
    namespace: str
    owner: str | None
    team: str | None
    status: str
    deprecated_on: str | None
    declared: int  # some source declares the node, not only names it
    current: Any  # its ``current`` attribute (False for a model version no longer served), or None


class EdgeRow(NamedTuple):
    """An edge as the graph is built from it."""

    source: str
    target: str
    kind: str
    weight: float | None
    declared: int
    observed: int


def to_json(value: Any) -> str:
    """JSON as the store writes it: keys sorted, compact, not ASCII-escaped."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def node_dict(row: Sequence[Any]) -> dict[str, Any]:
    """A node row (NODE_SELECT's columns) as a dict, its JSON parsed."""
    d = dict(zip(("id", *NODE_COLUMNS), row, strict=True))
    d["tags"] = json.loads(d["tags"]) if d["tags"] else []
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] else {}
    d["declared"] = bool(d["declared"])
    return d


def edge_dict(row: Sequence[Any]) -> dict[str, Any]:
    """An edge row (EDGE_SELECT's columns) as a dict, its JSON parsed."""
    d = dict(zip(EDGE_KEYS, row, strict=True))
    d["declared"] = bool(d["declared"])
    d["observed"] = bool(d["observed"])
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] else {}
    return d
