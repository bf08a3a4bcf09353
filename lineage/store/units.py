"""What the write path takes and gives back: :class:`ImportUnit`, :class:`Derivation`, :class:`UnitOutcome`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from lineage.records import EdgeRecord, Location, NodeRecord, Notice, Problem, Setting

EdgeKey = tuple[str, str, str]  # (source, target, kind)

# The tables an import's rows go to.
NODE, EDGE, PLACE, ALIAS = "node_facts", "edge_facts", "provenance", "aliases"
FactRow = tuple[str, tuple[Any, ...]]
"""(table, row without the import id): one row an import writes."""


@dataclass(frozen=True)
class ImportUnit:
    """The validated, merged records of one source, ready to be written.

    Frozen: reading fills its containers once (``lineage.ingest.read``); each later step
    (classifying, keeping it as read, sealing) returns a new unit, so no step changes what
    another holds.
    """

    importer: str
    source: str
    path: str
    content_hash: str
    started_at: str
    valid_at: str
    nodes: dict[str, NodeRecord]
    edges: dict[EdgeKey, EdgeRecord]
    edge_evidence: dict[EdgeKey, frozenset[str]]  # shared: most edges have the same one
    node_locations: dict[str, list[Location]]
    edge_locations: dict[EdgeKey, list[Location]]
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # warnings, never a failure
    settings: list[Setting] = field(default_factory=list)
    derivation: Derivation | None = None
    # Alias -> (id as read, id as classified) of the stated node of this unit that owns it (the
    # lowest id as read); set by classification. None: every stated node's aliases, as they are.
    owned_aliases: dict[str, tuple[str, str]] | None = None
    # Merge precedence (lineage.ingest.protocol: DECLARED 0, OBSERVED 1): the lower rank wins.
    rank: int = 1


@dataclass(frozen=True)
class Derivation:
    """The unit as read (encoded), a digest of it as classified, and what classifying it looked
    up (see ``lineage.ingest.rawunits``): kept so its classification can be derived again."""

    body: bytes
    keys: set[str]
    digest: str = ""


@dataclass
class UnitOutcome:
    """What writing one unit changed."""

    import_id: int | None
    unchanged: bool
    replaced: int | None = None  # the generation this one made history
    current: bool = True  # False for a snapshot older than the current generation (history only)
    nodes_added: int = 0
    nodes_removed: int = 0
    edges_added: int = 0
    edges_removed: int = 0


class UnitRows(Protocol):
    """The rows of a unit too big to hold whole, made while they are written: iterated once;
    then ``node_count`` and ``edge_count`` say how many nodes and edges they held."""

    node_count: int
    edge_count: int

    def __iter__(self) -> Iterator[FactRow]: ...
