"""The records importers yield: nodes, edges and problems, each with where it was said.

Importers build these and never touch the database; :mod:`lineage.ingest`
validates them and hands them to :mod:`lineage.store` in one transaction.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

NODE_KINDS: tuple[str, ...] = ("dataset", "feature", "job", "model", "consumer", "flag", "field")
STATUSES: tuple[str, ...] = ("active", "proposed", "deprecated")
EVIDENCE: tuple[str, ...] = ("declared", "observed")

# Edge kinds in the direction data flows. Importers may add others that match EDGE_KIND_RE.
EDGE_KINDS: dict[str, str] = {
    "reads": "the target reads the source (feature -> model, model -> consumer, dataset -> job)",
    "writes": "the source writes the target (job -> dataset, consumer -> log)",
    "derives": "the target is derived from the source (dataset -> feature, dataset -> dataset)",
    "configures": "a config flag changes how the target behaves (flag -> model)",
    "has_field": "the target is a field (column) of the source dataset (dataset -> field)",
}
EDGE_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_GOOD_EDGE_KINDS: set[str] = set(EDGE_KINDS)  # kinds EDGE_KIND_RE has matched: matched once each


def node_id(kind: str, name: str, namespace: str = "") -> str:
    """The stable id of a node: ``kind:namespace/name``, or ``kind:name`` without namespace.

    >>> node_id("feature", "query_terms", "ads")
    'feature:ads/query_terms'
    >>> node_id("model", "ctr")
    'model:ctr'
    """
    return f"{kind}:{namespace}/{name}" if namespace else f"{kind}:{name}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input something was said: a line, a JSON pointer, or a table row.

    >>> str(Location("a.yaml", line=3))
    'a.yaml:3'
    >>> str(Location("a.json", pointer="/models/0"))
    'a.json#/models/0'
    >>> str(Location("mlflow.db", table="runs", row="7"))
    'mlflow.db[runs row 7]'
    """

    file: str
    line: int | None = None
    pointer: str | None = None
    table: str | None = None
    row: str | None = None

    def __eq__(self, other: object) -> bool:
        """As the dataclass's own (the same fields, each ``is`` or ``==``), but the line first:
        places are compared by the thousand (is this one kept already?) and differ by line."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        o: Location = other  # type: ignore[assignment]
        return (
            (self.line is o.line or self.line == o.line)
            and (self.file is o.file or self.file == o.file)
            and (self.pointer is o.pointer or self.pointer == o.pointer)
            and (self.table is o.table or self.table == o.table)
            and (self.row is o.row or self.row == o.row)
        )

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.pointer is not None:
            return f"{self.file}#{self.pointer}"
        if self.table is not None:
            return (
                f"{self.file}[{self.table} row {self.row}]" if self.row is not None else (f"{self.file}[{self.table}]")
            )
        return self.file


MAX_PLACES = 50  # provenance kept per node or edge per import (logs repeat a lot)


@dataclass(slots=True)
class NodeRecord:
    """A node as one source describes it.

    A *reference* only names a node (say, a feature a model reads) without
    asserting anything else about it; declared fields of other records win.
    """

    kind: str
    name: str
    namespace: str = ""
    owner: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    deprecated_on: str | None = None
    deprecation_reason: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    reference: bool = False
    # Logs only know datasets and jobs: such a node may be re-kinded on import by the
    # classification rules of the manifests, or by the identity of a node already known.
    classifiable: bool = False
    # Other names of the same thing (a DataHub URN, a dataset's URI, a models:/ URI): a node
    # that shares an alias with a node of another source becomes that node.
    aliases: tuple[str, ...] = ()
    # Further places the source said the same (a log repeats itself): kept as provenance, up
    # to MAX_PLACES per node or edge per import, so an importer that merges mentions keeps them.
    places: tuple[Location, ...] = ()

    @property
    def id(self) -> str:
        return node_id(self.kind, self.name, self.namespace)

    @property
    def stated(self) -> bool:
        """Declared by its source: neither guessed from a log nor only named. Only stated
        nodes classify the nodes of other imports and own aliases."""
        return not self.classifiable and not self.reference


def owners_as_read(nodes: Iterable[NodeRecord]) -> dict[str, str]:
    """Alias -> the lowest id of the stated nodes (declared: not guessed, not only named) that
    have it: the node that owns the alias within one import.

    >>> owners_as_read([NodeRecord("model", "b", aliases=("x",)), NodeRecord("model", "a", aliases=("x",))])
    {'x': 'model:a'}
    """
    owned: dict[str, str] = {}
    for node in nodes:
        if node.stated:
            for alias in node.aliases:
                if alias not in owned or node.id < owned[alias]:
                    owned[alias] = node.id
    return owned


def evidence_set(*kinds: str) -> frozenset[str]:
    """The set of these kinds of evidence, one shared object for each set: a set of its own for
    each of a million edges would be a sixth of what a log's unit holds.

    >>> evidence_set("observed", "declared") is evidence_set("declared", "observed", "declared")
    True
    """
    return _evidence_set(tuple(sorted(set(kinds))))


@functools.cache
def _evidence_set(kinds: tuple[str, ...]) -> frozenset[str]:
    return frozenset(kinds)


def merge_nodes(into: NodeRecord, other: NodeRecord) -> None:
    """Fold a later description of the same node from the same input into the first."""
    if into.reference and not other.reference:
        into.reference = False
    for attr in ("owner", "team", "status", "deprecated_on", "deprecation_reason"):
        value = getattr(other, attr)
        if value is not None:
            setattr(into, attr, value)
    into.tags = tuple(dict.fromkeys((*into.tags, *other.tags)))
    into.aliases = tuple(dict.fromkeys((*into.aliases, *other.aliases)))
    if other.attributes:
        into.attributes = {**into.attributes, **other.attributes}


@dataclass(slots=True)
class EdgeRecord:
    """An edge in the direction data flows, between two node ids."""

    source: str
    target: str
    kind: str = "reads"
    weight: float | None = None
    evidence: Literal["declared", "observed"] = "declared"
    attributes: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    places: tuple[Location, ...] = ()  # as NodeRecord.places

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.kind)


@dataclass(frozen=True, slots=True)
class Problem:
    """A bad record or input, reported as ``location: message``."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the import accepted but the user should know (a field a producer left out, a
    facet dropped because it broke its own schema): reported as ``location: warning: message``,
    never a reason to refuse the import."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


class InputError(Exception):
    """An input an importer cannot read at all (unparseable, wrong format)."""

    def __init__(self, location: Location, message: str):
        super().__init__(f"{location}: {message}")
        self.problem = Problem(location, message)


@dataclass(frozen=True, slots=True)
class Setting:
    """A configuration record a source declares (say, a classification rule of a manifest)."""

    section: str
    value: dict[str, Any]
    location: Location


@dataclass(frozen=True, slots=True)
class Progress:
    """How far an importer has read its input (for progress bars on long imports)."""

    done: int
    total: int


Record = NodeRecord | EdgeRecord | Problem | Notice | Setting | Progress


def check_node(node: NodeRecord) -> str | None:
    """Why a node record is invalid, or None.

    >>> check_node(NodeRecord("feature", "x"))
    >>> check_node(NodeRecord("widget", "x"))
    "unknown node kind 'widget' (expected one of dataset, feature, job, model, consumer, flag, field)"
    """
    if node.kind not in NODE_KINDS:
        return f"unknown node kind {node.kind!r} (expected one of {', '.join(NODE_KINDS)})"
    if not isinstance(node.name, str) or not node.name.strip():
        return "a node needs a non-empty name"
    if not isinstance(node.namespace, str):
        return "a node's namespace must be a string"
    if node.status is not None and node.status not in STATUSES:
        return f"unknown status {node.status!r} (expected one of {', '.join(STATUSES)})"
    for field_name, value in (("owner", node.owner), ("team", node.team), ("deprecated_on", node.deprecated_on),
                              ("deprecation_reason", node.deprecation_reason)):  # fmt: skip
        if value is not None and not isinstance(value, str):
            return f"a node's {field_name} must be text, not {type(value).__name__}"
    if node.tags and any(not isinstance(t, str) for t in node.tags):
        return "tags must be strings"
    if node.aliases and any(not isinstance(a, str) for a in node.aliases):
        return "aliases must be strings"
    if _has_surrogate(node):
        return LONE_SURROGATE
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = "text with a lone surrogate (an unpaired \\ud800-\\udfff escape) is not Unicode text"


def lone_surrogate(value: Any) -> bool:
    """Whether any text in ``value`` (JSON-like, keys included) holds a lone surrogate, which
    JSON and YAML escapes can spell but no UTF-8 file or database can hold.

    One check a string, not a character: ASCII text (``str.isascii``, which CPython knows
    without looking) holds none, other text is searched once. Pointers are left to
    :func:`lone_surrogate_at`, asked only when this finds one.

    >>> lone_surrogate({"a": ["x\\ud800"]}), lone_surrogate({"a": "\U0001f4a5", 3: None})
    (True, False)
    >>> lone_surrogate(("ok", {"\\udfff": 1})), lone_surrogate("é\\udc00"), lone_surrogate(["é", ("ü", 2.5)])
    (True, True, False)
    """
    search = _SURROGATE.search
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and search(item):
                return True
        elif kind is dict:
            for key, inner in item.items():
                if type(key) is str:
                    if not key.isascii() and search(key):
                        return True
                elif isinstance(key, str):
                    push(key)
                kind = type(inner)
                if kind is str:
                    if not inner.isascii() and search(inner):
                        return True
                elif inner is not None and kind is not int and kind is not float and kind is not bool:
                    push(inner)  # scalars hold no text
        elif kind is list or kind is tuple:
            extend(item)
        elif isinstance(item, str):  # subclasses, the rare case
            if search(item):
                return True
        elif isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str):
                    push(key)
                push(inner)
        elif isinstance(item, list | tuple):
            extend(item)
    return False


def lone_surrogate_at(value: Any) -> str | None:
    """The JSON pointer of the first text in ``value`` that holds a lone surrogate, or None.
    A loop with its own stack: YAML nests as deep as it likes. Pointers are built only once
    :func:`lone_surrogate` has found one (the rare case).

    >>> lone_surrogate_at({"steps": [{"title": "ok"}, {"note": "x\\udc00"}]})
    '/steps/1/note'
    """
    if not lone_surrogate(value):
        return None
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return pointer
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                step = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if isinstance(key, str) and _SURROGATE.search(key):
                    return step
                stack.append((step, inner))
        elif isinstance(item, list | tuple):
            stack.extend((f"{pointer}/{i}", inner) for i, inner in reversed(list(enumerate(item))))
    return None


def _has_surrogate(node: NodeRecord) -> bool:
    """JSON may spell a lone surrogate (``"\\ud800"``); no UTF-8 file or database can hold one.

    >>> _has_surrogate(NodeRecord("feature", "a\\ud800")), _has_surrogate(NodeRecord("feature", "\U0001f4a5"))
    (True, False)
    """
    # check_node has made sure these are text: one string to look at (ASCII in the usual case)
    text = "".join((node.name, node.namespace, node.owner or "", node.team or "", *node.tags, *node.aliases))
    if not text.isascii() and _SURROGATE.search(text):
        return True
    return bool(node.attributes) and lone_surrogate(node.attributes)


def check_setting(setting: Setting) -> str | None:
    """Why a setting is invalid, or None: a rule's text must be Unicode text, as a node's.

    >>> rule = Setting("classify", {"kind": "model", "name": "a\\ud800"}, Location("m.yaml", 3))
    >>> check_setting(rule) == LONE_SURROGATE
    True
    """
    return LONE_SURROGATE if lone_surrogate(setting.value) else None


def check_edge(edge: EdgeRecord) -> str | None:
    """Why an edge record is invalid, or None.

    >>> check_edge(EdgeRecord("feature:a", "model:b", weight=-1))
    'edge weight must be a non-negative number, not -1'
    """
    kind = edge.kind
    if not (type(kind) is str and kind in _GOOD_EDGE_KINDS):
        if not EDGE_KIND_RE.match(kind or ""):
            return f"edge kind {kind!r} must be a lower-case identifier"
        if len(_GOOD_EDGE_KINDS) < 1024:
            _GOOD_EDGE_KINDS.add(kind)
    if edge.evidence not in EVIDENCE:
        return f"edge evidence must be 'declared' or 'observed', not {edge.evidence!r}"
    w = edge.weight
    if w is not None and (isinstance(w, bool) or not isinstance(w, int | float) or w < 0 or w != w):
        return f"edge weight must be a non-negative number, not {w!r}"
    if edge.attributes and lone_surrogate(edge.attributes):
        return LONE_SURROGATE
    return None
