"""What changed in a store between two moments, and which import brought each added or
removed node: what ``lineage diff`` prints and the explorer's Diff summarises.

A moment is a time or the state just after one import (:func:`lineage.when.after_import`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineage.analyses import Diff, diff
from lineage.analyses.arrivals import Step, arrivals, brought_by
from lineage.store import Store
from lineage.when import split_moment


@dataclass(frozen=True)
class Changes:
    """A diff of two moments, with the import that brought each node added (``added_with``)
    or took each node removed out (``removed_with``), and those imports' rows (``imports``, by
    id: importer, source, path, valid_at, ...). ``first_import`` is the valid_at of the store's
    first import (None: it has none), to say when the earlier moment precedes all of them."""

    diff: Diff
    added_with: dict[str, int]
    removed_with: dict[str, int]
    imports: dict[int, dict[str, Any]]
    first_import: str | None
    start: str = ""  # the earlier moment

    def added_groups(self) -> dict[int, list[str]]:
        """The nodes added, by the import that brought them, oldest import first."""
        return _in_history_order(brought_by(self.diff.nodes_added, self.added_with), self.imports)

    def removed_groups(self) -> dict[int, list[str]]:
        """The nodes removed, by the import that took them out, oldest import first."""
        return _in_history_order(brought_by(self.diff.nodes_removed, self.removed_with), self.imports)

    def before_everything(self) -> bool:
        """Whether the earlier moment precedes the store's first import (the graph was empty)."""
        return self.first_import is not None and split_moment(self.start)[0] < self.first_import


def _in_history_order(groups: dict[int, list[str]], imports: dict[int, dict[str, Any]]) -> dict[int, list[str]]:
    return dict(sorted(groups.items(), key=lambda item: (imports[item[0]]["valid_at"], item[0])))


Snapshot = tuple[dict[str, Any], dict[Any, Any]]


def changes_between(
    store: Store, start: str, end: str | None = None, *, before: Snapshot | None = None, after: Snapshot | None = None
) -> Changes:
    """The changes from the moment ``start`` to ``end`` (None: now). ``before`` and ``after``
    are the snapshots of those moments when the caller has read them already."""
    with store.reading_once():
        before = before if before is not None else store.snapshot(start)
        after = after if after is not None else store.snapshot(end)
        current, later = store.said_between(start, end)
        rows = store.generations()
    result = diff(*before, *after)
    came = arrivals([Step(s.import_id, s.source, s.nodes) for s in current],
                    [Step(s.import_id, s.source, s.nodes) for s in later])  # fmt: skip
    added = {n: came.came[n] for n in result.nodes_added if n in came.came}
    removed = {n: came.left[n] for n in result.nodes_removed if n in came.left}
    wanted = set(added.values()) | set(removed.values())
    imports = {row["id"]: row for row in rows if row["id"] in wanted}
    return Changes(result, added, removed, imports, rows[0]["valid_at"] if rows else None, start)


def import_label(row: dict[str, Any], *, short: bool = False) -> str:
    """An import as the diff names it: its file (``short``: its last part) and its date.

    >>> row = {"path": "a/serving.yaml", "valid_at": "2025-09-01T00:00:00.000000Z"}
    >>> import_label(row), import_label(row, short=True)
    ('a/serving.yaml at 2025-09-01 00:00', 'serving.yaml at 2025-09-01 00:00')
    """
    path = str(row["path"])
    shown = (path.rstrip("/").rpartition("/")[2] or path) if short else path
    return f"{shown} at {row['valid_at'][:16].replace('T', ' ')}"
