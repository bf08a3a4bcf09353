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
>>> json.loads(payload(unit))["nodes"][0][:3]
['dataset:s3://b/ctr', 'dataset', 'ctr']
>>> sorted(context_keys(unit))
['name:ctr']
"""

from __future__ import annotations

import hashlib
import json
import operator
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from lineage.records import EdgeRecord, Location, NodeRecord, evidence_set
from lineage.store import ImportUnit
from lineage.store.units import EdgeKey

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
        keys |= node_context_keys(node)
    return keys


def node_context_keys(node: NodeRecord) -> set[str]:
    """What classifying ``node`` looks up (:func:`context_keys`)."""
    keys = {f"alias:{a}" for a in node.aliases}
    if node.classifiable:
        keys.add(f"name:{node.name}")
        keys.add(f"name:{node.name.rstrip('/').rsplit('/', 1)[-1]}")
    return keys


# The parts of an encoded unit, in the order they come (records).
NODE, EDGE, NODE_PLACES, EDGE_PLACES = "nodes", "edges", "node_locations", "edge_locations"
CHUNK = 5_000  # rows encoded at a time: a million-node unit is never one list of lists in memory


def payload_parts(unit: ImportUnit) -> Iterator[bytes]:
    """The records of ``unit`` as JSON (ASCII, so no lone surrogate can break it), in parts:
    joined, they are one JSON object (nodes, edges, and the places of each)."""
    evidence = unit.edge_evidence
    sections: list[tuple[str, Iterable[list[Any]]]] = [
        (NODE, ([nid, n.kind, n.name, n.namespace, n.owner, n.team, n.tags, n.status, n.deprecated_on,
                    n.deprecation_reason, n.attributes, _plain(n.location), n.reference, n.classifiable, n.aliases]
                   for nid, n in unit.nodes.items())),
        (EDGE, ([key, e.source, e.target, e.kind, e.weight, e.evidence, e.attributes, _plain(e.location),
                    sorted(evidence.get(key, ()))]
                   for key, e in unit.edges.items())),
        (NODE_PLACES, ([nid, list(map(_PLACE, locs))] for nid, locs in unit.node_locations.items())),
        (EDGE_PLACES, ([key, list(map(_PLACE, locs))] for key, locs in unit.edge_locations.items())),
    ]  # fmt: skip
    for number, (name, rows) in enumerate(sections):
        yield f'{"{" if number == 0 else ","}"{name}":['.encode("ascii")
        first = True
        for chunk in _chunks(rows):
            text = _ENCODER.encode(chunk)[1:-1]  # "[a,b]" without its brackets
            yield (text if first else "," + text).encode("ascii")
            first = False
        yield b"]"
    yield b"}"


def payload(unit: ImportUnit) -> bytes:
    """:func:`payload_parts` joined."""
    return b"".join(payload_parts(unit))


_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def _chunks(rows: Iterable[list[Any]]) -> Iterator[list[list[Any]]]:
    chunk: list[list[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def digest(renames: Mapping[str, NodeRecord]) -> str:
    """A fingerprint of a classification: given the unit as read, its renames decide the result."""
    decided = sorted((old, new.kind, new.namespace, new.name) for old, new in renames.items())
    return hashlib.sha256(json.dumps(decided).encode("ascii")).hexdigest()


def encode(unit: ImportUnit) -> bytes:
    """:func:`payload`, compressed as it is made (so it is never whole in memory uncompressed)."""
    packer = zlib.compressobj(1)
    body = [packer.compress(part) for part in payload_parts(unit)]
    body.append(packer.flush())
    return b"".join(body)


def decode(body: bytes, like: ImportUnit) -> ImportUnit:
    """The unit encoded in ``body``, with the source, path and times of ``like``.

    Parsed a row at a time as it is decompressed (:func:`records`).
    """
    nodes: dict[str, NodeRecord] = {}
    edges: dict[EdgeKey, EdgeRecord] = {}
    evidence: dict[EdgeKey, frozenset[str]] = {}
    node_locations: dict[str, list[Location]] = {}
    edge_locations: dict[EdgeKey, list[Location]] = {}
    for part, key, value in records(body):
        if part == NODE:
            nodes[key] = value
        elif part == EDGE:
            edges[key], evidence[key] = value
        elif part == NODE_PLACES:
            node_locations[key] = value
        else:
            edge_locations[key] = value
    return replace(
        like, nodes=nodes, edges=edges, edge_evidence=evidence, node_locations=node_locations,
        edge_locations=edge_locations, problems=[], settings=[],
    )  # fmt: skip


def records(body: bytes) -> Iterator[tuple[str, Any, Any]]:
    """What ``body`` encodes, a row at a time as it is decompressed (the JSON of a million-node
    unit is never whole in memory), in order: every ``(NODE, id, NodeRecord)``, then every
    ``(EDGE, key, (EdgeRecord, evidence))``, ``(NODE_PLACES, id, [Location])`` and
    ``(EDGE_PLACES, key, [Location])``. Each id, kind and file name is one string however many
    rows repeat it. A damaged copy raises ValueError or zlib.error.
    """
    same: dict[str, str] = {}
    one = same.setdefault

    def key_of(value: list[str]) -> EdgeKey:
        source, target, kind = value
        return one(source, source), one(target, target), one(kind, kind)

    def places(value: list[list[Any]]) -> list[Location]:
        return [Location(one(file, file), *rest) for file, *rest in value]

    for section, row in _rows(body):
        if section == NODE:
            nid, *values = row
            fields = _fields(_NODE_FIELDS, values)
            fields["kind"] = one(fields["kind"], fields["kind"])
            yield NODE, one(nid, nid), NodeRecord(**fields)
        elif section == EDGE:
            key, *values, seen = row
            fields = _fields(_EDGE_FIELDS, values)
            edge_key = key_of(key)
            fields["source"], fields["target"], fields["kind"] = edge_key
            yield EDGE, edge_key, (EdgeRecord(**fields), evidence_set(*seen))
        elif section == NODE_PLACES:
            nid, locs = row
            yield NODE_PLACES, one(nid, nid), places(locs)
        elif section == EDGE_PLACES:
            key, locs = row
            yield EDGE_PLACES, key_of(key), places(locs)
        else:
            raise ValueError(f"no such part of a unit: {section!r}")


_READ = 1 << 18  # compressed bytes decompressed at a time
_JSON = json.JSONDecoder()


def _rows(body: bytes) -> Iterator[tuple[str, Any]]:
    """(section, row) of each row of an encoded unit (``{"nodes":[row,...],...}``), in order."""
    unpack = zlib.decompressobj()
    chunks = (body[i : i + _READ] for i in range(0, len(body), _READ))
    text, at = "", 0

    def more() -> bool:
        """Read on (dropping what was parsed); False at the end of the body."""
        nonlocal text, at
        for chunk in chunks:
            piece = unpack.decompress(chunk)
            if piece:
                text, at = text[at:] + piece.decode("ascii"), 0
                return True
        rest = unpack.flush()
        if not unpack.eof:
            raise zlib.error("the copy is cut short")
        if rest:
            text, at = text[at:] + rest.decode("ascii"), 0
            return True
        return False

    def mark() -> str:
        """The next character that is not white space, taken."""
        nonlocal at
        while True:
            while at < len(text) and text[at] in " \t\r\n":
                at += 1
            if at < len(text):
                at += 1
                return text[at - 1]
            if not more():
                raise ValueError("the copy ends too soon")

    def value() -> Any:
        """The next JSON value, whole (reading on until it is)."""
        nonlocal at
        mark()
        at -= 1
        while True:
            try:
                found, end = _JSON.raw_decode(text, at)
            except json.JSONDecodeError:
                if more():
                    continue
                raise
            if end == len(text) and more():  # a number may go on in the next piece
                continue
            at = end
            return found

    def expect(wanted: str) -> None:
        got = mark()
        if got != wanted:
            raise ValueError(f"expected {wanted!r} in the copy, found {got!r}")

    expect("{")
    while True:
        section = value()
        expect(":")
        expect("[")
        if mark() != "]":
            at -= 1
            while True:
                yield section, value()
                separator = mark()
                if separator == "]":
                    break
                if separator != ",":
                    raise ValueError(f"expected ',' or ']' in the copy, found {separator!r}")
        separator = mark()
        if separator == "}":
            break
        if separator != ",":
            raise ValueError(f"expected ',' or '}}' in the copy, found {separator!r}")
    while at == len(text) and more():
        pass
    if text[at:].strip():
        raise ValueError("the copy goes on after its end")


_PLACE = operator.attrgetter("file", "line", "pointer", "table", "row")  # a Location as a plain tuple


def _plain(location: Location | None) -> tuple[Any, ...] | None:
    return None if location is None else _PLACE(location)


def _location(value: list[Any] | None) -> Location | None:
    return Location(*value) if value is not None else None


def _fields(names: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    out = dict(zip(names, values, strict=True))
    for name in ("tags", "aliases"):
        if name in out:
            out[name] = tuple(out[name])
    out["location"] = _location(out["location"])
    return out
