"""What a view shows, as one value: the mode and every input the mode reads. The explorer's window,
a tour step and ``lineage export`` each describe their picture with a :class:`ViewSpec` and hand
it to :func:`lineage.views.scenes.build_scene`."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from lineage.analyses import Finding
from lineage.words import counted

MODES = ("explore", "trace", "impact", "simulate", "findings", "diff")
GROUP_KEYS = ("team", "owner", "namespace")
DEFAULT_DEPTH = 2
MAX_DEPTH = 12  # as `lineage view --depth`: a neighbourhood is at most this many hops
LIMIT = 300  # nodes laid out at once; the rest is counted and named as left out
FACETS = ("kind", "owner", "tag", "status", "source")  # what a view's nodes can be filtered by
UNMATCHED = ("dim", "hide")  # what a filter does to the nodes it does not match


def reach_words(depth: int, hops: tuple[int, int] | None) -> str:
    """How far a neighbourhood reaches, in words: ``depth`` both ways, or ``hops`` (up, down).

    >>> reach_words(1, None), reach_words(2, (2, 1))
    ('1 hop', '2 hops up, 1 down')
    """
    return counted(depth, "hop") if hops is None else f"{counted(hops[0], 'hop')} up, {hops[1]} down"


@dataclass(frozen=True)
class ViewSpec:
    """Everything that decides the picture. Change it with :meth:`replace` and the toggles.

    >>> spec = ViewSpec(focus="a").toggle_removed("x").toggle_removed("y").toggle_removed("x")
    >>> spec.removed, spec.mode
    (('y',), 'explore')
    >>> ViewSpec(depth=13)
    Traceback (most recent call last):
    ValueError: depth 13 is out of range (0 to 12)
    >>> ViewSpec(up=2, down=1).reach, ViewSpec(depth=3).reach
    ('2 hops up, 1 down', '3 hops')
    """

    mode: str = "explore"
    focus: str = ""
    depth: int = DEFAULT_DEPTH  # hops both ways (explore), unless up or down is set
    up: int | None = None  # explore: hops upstream only, as dbt's 2+model (with down: 2+model+1)
    down: int | None = None  # explore: hops downstream only (0 when only up is set)
    expanded: frozenset[str] = frozenset()  # nodes whose every neighbour is shown (explore)
    trace: tuple[str, ...] | None = None  # (source, target)
    upstream: bool = False  # impact: also what the focus depends on
    removed: tuple[str, ...] = ()  # simulate, in the order they were named
    removed_edges: tuple[tuple[str, str], ...] = ()
    finding: Finding | None = field(default=None, compare=False)  # findings: the one shown
    since: str | None = None  # diff: the import the changes are counted from
    group_by: str | None = None  # one of GROUP_KEYS
    open_groups: frozenset[str] = frozenset()  # groups shown member by member
    limit: int = LIMIT
    facets: tuple[tuple[str, str], ...] = ()  # (facet, value) pairs a node must all match
    unmatched: str = "dim"  # what the facets do to the nodes they do not match: dim or hide

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r} (known: {', '.join(MODES)})")
        for name, hops in (("depth", self.depth), ("up", self.up), ("down", self.down)):
            if hops is not None and not 0 <= hops <= MAX_DEPTH:
                raise ValueError(f"{name} {hops} is out of range (0 to {MAX_DEPTH})")
        if unknown := [f for f, _ in self.facets if f not in FACETS]:
            raise ValueError(f"cannot filter by {unknown[0]!r} (known: {', '.join(FACETS)})")
        if self.unmatched not in UNMATCHED:
            raise ValueError(f"unmatched nodes are dimmed or hidden, not {self.unmatched!r}")
        if self.group_by is not None and self.group_by not in GROUP_KEYS:
            raise ValueError(f"cannot group by {self.group_by!r} (team, owner or namespace)")
        if self.limit < 1:
            raise ValueError(f"limit {self.limit} is below 1")

    @staticmethod
    def bounded_depth(depth: int) -> int:
        """``depth`` brought into the range a view accepts (a tour written by hand may ask more).

        >>> ViewSpec.bounded_depth(1_000_000_000), ViewSpec.bounded_depth(-1)
        (12, 0)
        """
        return max(0, min(depth, MAX_DEPTH))

    @property
    def directional(self) -> bool:
        """Up and down are set apart: only ancestors up, only descendants down (no siblings)."""
        return self.up is not None or self.down is not None

    @property
    def hops(self) -> tuple[int, int]:
        """(up, down): how far a directional view reaches each way.

        >>> ViewSpec(up=3).hops, ViewSpec(depth=2).hops
        ((3, 0), (2, 2))
        """
        if not self.directional:
            return self.depth, self.depth
        return self.up or 0, self.down or 0

    @property
    def reach(self) -> str:
        """The view's reach in words, for titles and the status bar."""
        return reach_words(self.depth, self.hops if self.directional else None)

    def replace(self, **changes: Any) -> ViewSpec:
        """This view with some inputs changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def toggle_removed(self, node: str) -> ViewSpec:
        """Remove ``node`` in the simulation, or put it back."""
        if node in self.removed:
            return self.replace(removed=tuple(n for n in self.removed if n != node))
        return self.replace(removed=(*self.removed, node))

    def toggle_removed_edge(self, edge: tuple[str, str]) -> ViewSpec:
        """Remove an edge in the simulation, or put it back."""
        if edge in self.removed_edges:
            return self.replace(removed_edges=tuple(e for e in self.removed_edges if e != edge))
        return self.replace(removed_edges=(*self.removed_edges, edge))

    def toggle_expanded(self, node: str) -> ViewSpec:
        """Show every neighbour of ``node``, or stop showing them."""
        return self.replace(expanded=self.expanded ^ {node})

    def key(self) -> Hashable:
        """A hashable key for caching the picture: two equal keys draw the same scene (the
        finding counts by identity: it is one of the findings computed for this graph)."""
        finding = id(self.finding) if self.finding is not None else None
        return (self.mode, self.focus, self.depth, self.expanded, self.trace, self.upstream,
                self.removed, self.removed_edges, finding, self.since, self.group_by,
                self.open_groups, self.limit, self.up, self.down, self.facets,
                self.unmatched)  # fmt: skip
