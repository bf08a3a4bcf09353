"""What changed between two states of the lineage: nodes and edges added, removed, changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NODE_FIELDS = ("kind", "name", "namespace", "owner", "team", "tags", "status", "deprecated_on",
               "deprecation_reason", "attributes", "declared")  # fmt: skip
EDGE_FIELDS = ("weight", "declared", "observed", "attributes")


@dataclass(frozen=True)
class Changed:
    """A node or edge present on both sides whose fields differ: field -> (before, after)."""

    key: Any
    fields: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class Diff:
    nodes_added: tuple[str, ...]
    nodes_removed: tuple[str, ...]
    nodes_changed: tuple[Changed, ...]
    edges_added: tuple[tuple[str, str, str], ...]
    edges_removed: tuple[tuple[str, str, str], ...]
    edges_changed: tuple[Changed, ...]

    @property
    def empty(self) -> bool:
        return not any((self.nodes_added, self.nodes_removed, self.nodes_changed,
                        self.edges_added, self.edges_removed, self.edges_changed))  # fmt: skip


def _changes(before: Mapping, after: Mapping, fields: tuple[str, ...]) -> tuple[Changed, ...]:
    out = []
    for key in sorted(before.keys() & after.keys()):
        delta = {f: (before[key].get(f), after[key].get(f)) for f in fields if before[key].get(f) != after[key].get(f)}
        if delta:
            out.append(Changed(key, delta))
    return tuple(out)


def diff(
    before_nodes: Mapping[str, Mapping], before_edges: Mapping[tuple, Mapping],
    after_nodes: Mapping[str, Mapping], after_edges: Mapping[tuple, Mapping],
) -> Diff:  # fmt: skip
    """Compare two snapshots (as :meth:`lineage.store.Store.snapshot` returns them).

    >>> a = {"f": {"owner": "x"}, "g": {}}
    >>> b = {"f": {"owner": "y"}, "h": {}}
    >>> d = diff(a, {}, b, {("f", "h", "reads"): {}})
    >>> d.nodes_added, d.nodes_removed, d.nodes_changed[0].fields, d.edges_added
    (('h',), ('g',), {'owner': ('x', 'y')}, (('f', 'h', 'reads'),))
    """
    return Diff(
        nodes_added=tuple(sorted(after_nodes.keys() - before_nodes.keys())),
        nodes_removed=tuple(sorted(before_nodes.keys() - after_nodes.keys())),
        nodes_changed=_changes(before_nodes, after_nodes, NODE_FIELDS),
        edges_added=tuple(sorted(after_edges.keys() - before_edges.keys())),
        edges_removed=tuple(sorted(before_edges.keys() - after_edges.keys())),
        edges_changed=_changes(before_edges, after_edges, EDGE_FIELDS),
    )
