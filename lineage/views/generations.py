"""The generations a user picks from: every import, newest first, each named by its time,
importer, file and counts, and the moment just after it (what Diff compares the graph with, and
what an as-of view shows). Several imports often share a time (every file of one ``lineage
import``, all of the demo's current snapshot): each is still a generation of its own, told apart
by its import id (:func:`lineage.when.after_import`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lineage.when import AFTER, after_import, just_before, moment_time, split_moment

BEFORE_EVERYTHING = "0000"  # a moment before any import: the empty graph


@dataclass(frozen=True)
class Generation:
    """One import as a choice: ``moment`` is the state just after it."""

    moment: str
    label: str
    import_id: int


def generations(imports: Iterable[dict[str, Any]]) -> list[Generation]:
    """Every import (rows as :meth:`lineage.store.Store.imports` gives them), newest first in
    the order of history (valid_at, then id), as the recent end of a list is the one wanted.

    >>> rows = [{"id": 1, "valid_at": "2025-09-01T00:00:00.000000Z", "importer": "manifest",
    ...          "path": "h/serving.yaml", "node_count": 12, "edge_count": 7},
    ...         {"id": 2, "valid_at": "2026-03-01T00:00:00.000000Z", "importer": "dbt",
    ...          "path": "c/manifest.json", "node_count": 1, "edge_count": 1}]
    >>> for g in generations(rows):
    ...     print(g.label)
    2026-03-01 00:00  dbt  manifest.json  (1 node, 1 edge)
    2025-09-01 00:00  manifest  serving.yaml  (12 nodes, 7 edges)
    >>> generations(rows)[0].moment
    '2026-03-01T00:00:00.000000Z#2'
    """
    rows = sorted(imports, key=lambda r: (r["valid_at"], r["id"]), reverse=True)
    return [Generation(after_import(r["valid_at"], r["id"]), _label(r), r["id"]) for r in rows]


def _label(row: dict[str, Any]) -> str:
    name = str(row["path"]).rstrip("/").rpartition("/")[2] or str(row["path"])
    counts = f"{_n(row.get('node_count'), 'node')}, {_n(row.get('edge_count'), 'edge')}"
    return f"{row['valid_at'][:16].replace('T', ' ')}  {row['importer']}  {name}  ({counts})"


def _n(count: int | None, noun: str) -> str:
    return f"{count or 0} {noun}{'' if count == 1 else 's'}"


def default_since(choices: list[Generation]) -> str | None:
    """The moment Diff starts from: just after the generation before the newest, so it shows
    at once what the newest import changed (before everything when there is one import).

    >>> default_since([Generation("b", "", 2), Generation("a", "", 1)]), default_since([Generation("a", "", 1)])
    ('a', '0000')
    >>> default_since([]) is None
    True
    """
    if len(choices) > 1:
        return choices[1].moment
    return BEFORE_EVERYTHING if choices else None


def earlier_state(since: str) -> str:
    """The moment a diff "since" ``since`` compares with: just after the import a generation
    names (``T#N``), or just before a time (a date given by a user: what changed then or later).

    >>> earlier_state("2026-03-01T00:00:00.000000Z#7")
    '2026-03-01T00:00:00.000000Z#7'
    >>> earlier_state("2026-03-01T00:00:00.000000Z")
    '2026-02-28T23:59:59.999999Z'
    >>> earlier_state(BEFORE_EVERYTHING)
    '0000'
    """
    if AFTER in since or since == BEFORE_EVERYTHING:
        return since
    return just_before(split_moment(since)[0])


def since_label(since: str, imports: Iterable[dict[str, Any]]) -> str:
    """What a diff "since" ``since`` is titled with: the generation's label, or the time.

    >>> since_label("2026-03-01T00:00:00.000000Z#2", [{"id": 2, "valid_at": "2026-03-01T00:00:00.000000Z",
    ...     "importer": "dbt", "path": "manifest.json", "node_count": 1, "edge_count": 1}])
    '2026-03-01 00:00  dbt  manifest.json  (1 node, 1 edge)'
    >>> since_label("2026-03-01T00:00:00.000000Z", []), since_label(BEFORE_EVERYTHING, [])
    ('2026-03-01 00:00:00', 'before the first import')
    """
    if since == BEFORE_EVERYTHING:
        return "before the first import"
    if AFTER in since:
        _, import_id = split_moment(since)
        row = next((r for r in imports if r["id"] == import_id), None)
        if row is not None:
            return _label(row)
    return moment_time(since)
