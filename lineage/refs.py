"""Resolve what a user types (a REF) to a node id.

A REF is a node id (``feature:ads/query_terms``), ``kind:name`` (``feature:query_terms``), or
a name that only one node has (``query_terms``).
"""

from __future__ import annotations

import difflib

from lineage.records import NODE_KINDS
from lineage.store import Store


class RefError(LookupError):
    """A REF that names no node, or more than one; ``candidates`` are the closest ids."""

    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


def resolve(store: Store, ref: str) -> str:
    """The id of the one node ``ref`` names; raises :class:`RefError` otherwise."""
    if store.node(ref) is not None:
        return ref
    kind, sep, rest = ref.partition(":")
    if sep and kind in NODE_KINDS:
        matches = store.ids_named(rest, kind)
    else:
        matches = store.ids_named(ref)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise RefError(f"{ref!r} is ambiguous: {len(matches)} nodes have that name", matches[:10])
    raise RefError(f"no node matches {ref!r}", closest(store, ref))


def closest(store: Store, ref: str, limit: int = 5) -> list[str]:
    """The ids whose name or id looks most like ``ref``."""
    names_ids = store.names_and_ids()
    by_name: dict[str, list[str]] = {}
    for name, nid in names_ids:
        by_name.setdefault(name, []).append(nid)
        by_name.setdefault(nid, []).append(nid)
    _, _, bare = ref.rpartition(":")
    bare = (bare.rpartition("/")[2] or bare).lower()
    # Names that contain what was typed come first (shortest first), then look-alikes.
    near = sorted((k for k in by_name if bare and bare in k.lower()), key=lambda k: (len(k), k))
    near += difflib.get_close_matches(ref, by_name, n=limit, cutoff=0.6)
    near += difflib.get_close_matches(bare, by_name, n=limit, cutoff=0.6)
    out: list[str] = []
    for key in near:
        for nid in sorted(by_name[key]):
            if nid not in out:
                out.append(nid)
    return out[:limit]
