"""Which import brought each change: a diff says a node was added, this says with which import.

The graph at a moment is the merge of the imports current then, one a source (its newest); a
node or an edge is in it while some current import names it. Replaying the imports after the
earlier moment in the order of history, each replacing its source's previous one, tells when
each node or edge last came into the graph (or left it). So a diff from before a source's first
import says its nodes were added with that import, not just that "everything was added".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Step(Generic[Key]):
    """One import: its id, its source, and the keys (node ids or edge keys) its facts name."""

    import_id: int
    source: str
    keys: frozenset[Key]


@dataclass(frozen=True)
class Arrivals(Generic[Key]):
    """By key: the import after which it was last in the graph from then on (``came``), or the
    import that last took it out (``left``)."""

    came: dict[Key, int]
    left: dict[Key, int]


def arrivals(start: Iterable[Step[Key]], later: Iterable[Step[Key]]) -> Arrivals[Key]:
    """Replay ``later`` (in the order of history) over the imports current at the start.

    A key is in the graph while a current import names it: ``came[key]`` is the import that
    last brought it in, ``left[key]`` the one that last took it out (a key that came and left
    again has only the later of the two).

    >>> s = lambda i, source, *keys: Step(i, source, frozenset(keys))
    >>> a = arrivals([s(1, "x", "a")], [s(2, "y", "b"), s(3, "x", "b"), s(4, "z", "a")])
    >>> a.came, a.left
    ({'b': 2, 'a': 4}, {})
    >>> a = arrivals([s(1, "x", "a")], [s(2, "x", "b")])  # x's new generation drops a
    >>> a.came, a.left
    ({'b': 2}, {'a': 2})
    """
    current: dict[str, frozenset[Key]] = {step.source: step.keys for step in start}
    holders: dict[Key, int] = {}  # how many current imports name each key
    for keys in current.values():
        for key in keys:
            holders[key] = holders.get(key, 0) + 1
    came: dict[Key, int] = {}
    left: dict[Key, int] = {}
    for step in later:
        before = current.get(step.source, frozenset())
        current[step.source] = step.keys
        for key in sorted(before - step.keys, key=repr):  # sorted: the dicts' order is the output's
            holders[key] -= 1
            if not holders[key]:
                left[key] = step.import_id
                came.pop(key, None)
        for key in sorted(step.keys - before, key=repr):
            holders[key] = holders.get(key, 0) + 1
            if holders[key] == 1:
                came[key] = step.import_id
                left.pop(key, None)
    return Arrivals(came, left)


def brought_by(keys: Iterable[Key], by: Mapping[Key, int]) -> dict[int, list[Key]]:
    """``keys`` grouped by the import that brought them (or took them out), each group in the
    order of ``keys``; a key no import accounts for is left out.

    >>> brought_by(["a", "b", "c"], {"a": 4, "b": 2, "c": 4})
    {4: ['a', 'c'], 2: ['b']}
    """
    groups: dict[int, list[Key]] = {}
    for key in keys:
        if key in by:
            groups.setdefault(by[key], []).append(key)
    return groups
