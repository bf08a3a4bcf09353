"""The merge policy: how the facts of current imports become one row per node and edge.

Facts merge in this order (the last says a single value): the imports of the highest rank
first (observed: what logs and other tools say), the lowest last (declared: the native
manifests, the teams' declarations); within a rank by source, then import id. It does not
depend on when each source was imported, so any import order gives the same graph. The queries
that read facts to merge sort by ``<key>, `` + :data:`MERGE_ORDER`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from lineage.store.rows import to_json

# The merge order of facts, after their key, in SQL over the imports table aliased ``i``.
MERGE_ORDER = "i.rank DESC, i.source, i.id"
# The same policy in SQL for what needs no JSON merged: a node or edge with one current fact
# (most of a large import) is that fact, with the defaults merge_node_facts and merge_edge_facts
# give it (columns as the nodes and edges tables have them; Python's `x or default` is
# coalesce(nullif(x, ''), default)). ``f`` is the fact; the caller joins it to the ids wanted.
SINGLE_NODE_FACT = """f.node_id, f.kind, f.name, f.namespace,
       CASE WHEN f.reference THEN NULL ELSE f.owner END, CASE WHEN f.reference THEN NULL ELSE f.team END,
       CASE WHEN f.reference THEN '[]' ELSE coalesce(nullif(f.tags, ''), '[]') END,
       CASE WHEN f.reference THEN 'active' ELSE coalesce(nullif(f.status, ''), 'active') END,
       CASE WHEN f.reference THEN NULL ELSE f.deprecated_on END,
       CASE WHEN f.reference THEN NULL ELSE f.deprecation_reason END,
       CASE WHEN f.reference THEN '{}' ELSE coalesce(nullif(f.attributes, ''), '{}') END,
       CASE WHEN f.reference THEN 0 ELSE 1 END"""
SINGLE_EDGE_FACT = """f.source, f.target, f.kind, f.weight, f.declared, f.observed,
       coalesce(nullif(f.attributes, ''), '{}')"""
# Which stated node owns an alias: the lowest rank first, then by source (then id as read).
ALIAS_OWNER_RANK = "i.rank"


def merge_node_facts(rows: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    """Merge fact rows (sorted by node id, then the merge order) into one row per node.

    The last fact (see the merge order, above) wins for single values; tags are united; attributes merge key by key.
    A reference only names the node and asserts nothing else.
    """
    i, n = 0, len(rows)
    while i < n:
        j = i + 1
        while j < n and rows[j][0] == rows[i][0]:
            j += 1
        if j == i + 1 and not rows[i][11]:
            r = rows[i]
            yield (r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "[]", r[7] or "active",
                   r[8], r[9], r[10] or "{}", 1)  # fmt: skip
        else:
            group = rows[i:j]
            first = group[0]
            owner = team = status = dep_on = dep_reason = None
            tags: list[str] = []
            attrs: dict[str, Any] = {}
            declared = 0
            for r in group:
                if r[11]:
                    continue
                declared = 1
                owner = r[4] if r[4] is not None else owner
                team = r[5] if r[5] is not None else team
                for t in json.loads(r[6]) if r[6] else ():
                    if t not in tags:
                        tags.append(t)
                if r[7] is not None:
                    status, dep_on, dep_reason = r[7], r[8], r[9]
                if r[10]:
                    attrs.update(json.loads(r[10]))
            yield (first[0], first[1], first[2], first[3], owner, team, to_json(tags),
                   status or "active", dep_on, dep_reason, to_json(attrs), declared)  # fmt: skip
        i = j


def merge_edge_facts(rows: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    """Merge edge fact rows (sorted by key, then the merge order): declared or observed by any source."""
    i, n = 0, len(rows)
    while i < n:
        j = i + 1
        while j < n and rows[j][:3] == rows[i][:3]:
            j += 1
        if j == i + 1:
            r = rows[i]
            yield (r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "{}")
        else:
            group = rows[i:j]
            weight = None
            attrs: dict[str, Any] = {}
            for r in group:
                weight = r[3] if r[3] is not None else weight
                if r[6]:
                    attrs.update(json.loads(r[6]))
            first = group[0]
            yield (first[0], first[1], first[2], weight, max(r[4] for r in group),
                   max(r[5] for r in group), to_json(attrs))  # fmt: skip
        i = j
