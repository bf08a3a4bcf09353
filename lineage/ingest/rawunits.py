"""An import unit exactly as its importer read it, before classification, encoded for the store.

Classification depends on more than the file: on the manifests' ``classify:`` rules and on the
nodes other sources declare. The store keeps the unit as read so that its classification can be
derived again, without reading the file again, when those change. Only units that classification
can change are kept (:func:`depends_on_context`).

>>> from lineage.records import NodeRecord, Location
>>> unit = ImportUnit("openlineage", "s", "p", "h", "t", "t", {}, {}, {}, {}, {})
>>> node = NodeRecord("dataset", "ctr", "s3://b", classifiable=True, location=Location("p", line=2))
>>> unit.nodes[node.id] = node
>>> depends_on_context(unit)
True
>>> decode(encode(unit), unit).nodes == unit.nodes
True
>>> sorted(context_keys(unit))
['name:ctr']
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lineage.records import EdgeRecord, Location, NodeRecord
from lineage.store import ImportUnit

_NODE_FIELDS = ("kind", "name", "namespace", "owner", "team", "tags", "status", "deprecated_on",
                "deprecation_reason", "attributes", "location", "reference", "classifiable", "aliases")  # fmt: skip
_EDGE_FIELDS = ("source", "target", "kind", "weight", "evidence", "attributes", "location")


def depends_on_context(unit: ImportUnit) -> bool:
    """Whether classification could change any node of ``unit``."""
    return any(n.classifiable or n.aliases for n in unit.nodes.values())


def context_keys(unit: ImportUnit) -> set[str]:
    """What the classification of ``unit`` looks up: ``name:`` the names (and last path parts)
    of its classifiable nodes, ``alias:`` the aliases of its nodes."""
    keys: set[str] = set()
    for node in unit.nodes.values():
        if node.classifiable:
            keys.add(f"name:{node.name}")
            keys.add(f"name:{node.name.rstrip('/').rsplit('/', 1)[-1]}")
        keys.update(f"alias:{a}" for a in node.aliases)
    return keys


def payload(unit: ImportUnit) -> bytes:
    """The records of ``unit`` as JSON (ASCII, so no lone surrogate can break it)."""
    nodes = [
        [nid, n.kind, n.name, n.namespace, n.owner, n.team, n.tags, n.status, n.deprecated_on,
         n.deprecation_reason, n.attributes, _plain(n.location), n.reference, n.classifiable, n.aliases]
        for nid, n in unit.nodes.items()
    ]  # fmt: skip
    evidence = unit.edge_evidence
    edges = [
        [key, e.source, e.target, e.kind, e.weight, e.evidence, e.attributes, _plain(e.location),
         sorted(evidence.get(key, ()))]
        for key, e in unit.edges.items()
    ]  # fmt: skip
    body = {
        "nodes": nodes,
        "edges": edges,
        "node_locations": [[nid, [_plain(x) for x in locs]] for nid, locs in unit.node_locations.items()],
        "edge_locations": [[key, [_plain(x) for x in locs]] for key, locs in unit.edge_locations.items()],
    }
    return json.dumps(body, separators=(",", ":"), check_circular=False).encode("ascii")


def digest(renames: Mapping[str, NodeRecord]) -> str:
    """A fingerprint of a classification: given the unit as read, its renames decide the result."""
    decided = sorted((old, new.kind, new.namespace, new.name) for old, new in renames.items())
    return hashlib.sha256(json.dumps(decided).encode("ascii")).hexdigest()


def encode(unit: ImportUnit) -> bytes:
    return zlib.compress(payload(unit), 1)


def decode(body: bytes, like: ImportUnit) -> ImportUnit:
    """The unit encoded in ``body``, with the source, path and times of ``like``."""
    data = json.loads(zlib.decompress(body))
    nodes = {nid: NodeRecord(**_fields(_NODE_FIELDS, values)) for nid, *values in data["nodes"]}
    edges, evidence = {}, {}
    for key, *values, seen in data["edges"]:
        edges[tuple(key)] = EdgeRecord(**_fields(_EDGE_FIELDS, values))
        evidence[tuple(key)] = set(seen)
    return replace(
        like, nodes=nodes, edges=edges, edge_evidence=evidence,
        node_locations={nid: [Location(*x) for x in locs] for nid, locs in data["node_locations"]},
        edge_locations={tuple(key): [Location(*x) for x in locs] for key, locs in data["edge_locations"]},
        problems=[], settings=[],
    )  # fmt: skip


def _plain(location: Location | None) -> tuple[Any, ...] | None:
    if location is None:
        return None
    return location.file, location.line, location.pointer, location.table, location.row


def _location(value: list[Any] | None) -> Location | None:
    return Location(*value) if value is not None else None


def _fields(names: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    out = dict(zip(names, values, strict=True))
    for name in ("tags", "aliases"):
        if name in out:
            out[name] = tuple(out[name])
    out["location"] = _location(out["location"])
    return out
