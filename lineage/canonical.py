"""A fingerprint of the current graph that ignores how and when it was imported.

Two databases that hold the same nodes and edges with the same attributes have the same
:func:`canonical_hash`, whatever the order of their imports, their import ids or timestamps.
Tags are a set (their order only says which source named them first), so they are sorted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_form(nodes: Mapping[str, Mapping[str, Any]], edges: Mapping[tuple, Mapping[str, Any]]) -> str:
    """The graph as one JSON text: nodes by id, edges by (source, target, kind), keys sorted.

    Takes what :meth:`lineage.store.Store.snapshot` returns.

    >>> canonical_form({"model:m": {"id": "model:m", "tags": ["b", "a"], "attributes": {"y": 1, "x": 2}}}, {})
    '{"edges":[],"nodes":[{"attributes":{"x":2,"y":1},"id":"model:m","tags":["a","b"]}]}'
    """
    node_list = [{**data, "tags": sorted(data.get("tags") or [])} for _, data in sorted(nodes.items())]
    edge_list = [dict(data) for _, data in sorted(edges.items())]
    return json.dumps({"nodes": node_list, "edges": edge_list}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip


def canonical_hash(nodes: Mapping[str, Mapping[str, Any]], edges: Mapping[tuple, Mapping[str, Any]]) -> str:
    """SHA-256 (hex) of :func:`canonical_form`: equal for equal graphs, whatever the insertion order.

    >>> a = {"feature:f": {"id": "feature:f", "owner": "ads"}, "model:m": {"id": "model:m"}}
    >>> b = dict(reversed(list(a.items())))
    >>> canonical_hash(a, {}) == canonical_hash(b, {})
    True
    >>> canonical_hash(a, {}) == canonical_hash({**a, "feature:f": {"id": "feature:f", "owner": "search"}}, {})
    False
    >>> len(canonical_hash({}, {}))
    64
    """
    return hashlib.sha256(canonical_form(nodes, edges).encode("utf-8")).hexdigest()
