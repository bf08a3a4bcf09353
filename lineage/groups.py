"""Group counts for summary lines: the largest first, the rest counted (a million-node graph
has hundreds of owners). Imports nothing heavy, so quick commands may use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def largest_groups(groups: Mapping[str, Any], limit: int) -> tuple[list[tuple[str, Any]], int]:
    """The ``limit`` largest of ``groups`` (a count, or counts by label, per group), largest
    first and by name among equals, and how many groups were left out: a summary line stays
    readable when a million-node graph has hundreds of owners.

    >>> largest_groups({"a": 1, "b": 5, "c": 5, "d": 2}, 3)
    ([('b', 5), ('c', 5), ('d', 2)], 1)
    >>> largest_groups({"x": {"broken": 1, "degraded": 4}, "y": {"broken": 2}}, 5)
    ([('x', {'broken': 1, 'degraded': 4}), ('y', {'broken': 2})], 0)
    """

    def size(value: Any) -> int:
        return sum(value.values()) if isinstance(value, Mapping) else value

    ranked = sorted(groups.items(), key=lambda kv: (-size(kv[1]), kv[0]))
    return ranked[:limit], max(0, len(ranked) - limit)
