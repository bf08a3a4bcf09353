"""Resolve what a user types (a REF) to a node id: the one rule set the CLI, tours and the
explorer's search share.

A REF is, in this order of precedence (the first rule that names any node decides):

1. a node id: ``feature:ads/query_terms``;
2. a name the node has, or an alias: its name (``jaffle_shop.main.customers``), or any other
   name a source gives it (``dbt:model.jaffle_shop.customers``,
   ``"jaffle_shop"."main"."customers"``, a DataHub URN, ``models:/churn_model/1``);
3. a short name: the last segments of its name (``customers``, ``main.customers``), its id
   without the kind (``ads/query_terms``), its dbt name (a model's ``stg_customers``, a
   source's ``my_source.my_table`` or ``my_table``), or, for a Feast feature, its feature view.

A field (a dataset's column, :mod:`lineage.fields`) is named like any node, and also as its
dataset's id or any name of the dataset with ``#COLUMN`` (``dataset:warehouse/events.clicks#ts``,
``urn:li:dataset:(...)#ts``: aliases of the field), or with a dot for the ``#`` as a short name
(``events.clicks.ts``, ``clicks.ts``); a short name names a field only where it names no other
node (a Feast feature is called as the column it is made of).

``kind:REF`` (``model:churn_model``, ``dataset:customers``) applies rules 2 and 3 to nodes of
that kind only. A quoted relation (``"db"."main"."customers"``, with backticks or brackets too)
that names nothing as typed is tried unquoted (``db.main.customers``).

A REF that names several nodes by the deciding rule is ambiguous: :class:`RefError` lists them
(id, kind, and the importers and files that say them), and the CLI exits with status 2, as for
a REF that names nothing (then with the closest ids).

``candidates(store, text)`` gives what a REF names without raising (the explorer's search shows
them); ``resolve(store, text)`` gives the one id or raises.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Container
from dataclasses import dataclass, field

from lineage.records import NODE_KINDS
from lineage.render.escape import printable
from lineage.store import Store

MAX_LISTED = 10  # matches an ambiguous REF's message lists
MAX_SOURCES = 3  # sources listed per match

_PART = r'(?:"[^"]*"|`[^`]*`|\[[^\]]*\]|[^."`\[\]]+)'
_QUOTED_RELATION = re.compile(rf"{_PART}(?:\.{_PART})*")


@dataclass(frozen=True)
class Match:
    """A node a REF names: its id and kind, the rule that matched (``id``, ``name`` for a
    name or an alias, ``short name``), and ``importer path`` of the sources that say it."""

    id: str
    kind: str
    rule: str
    sources: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        said = ", ".join(self.sources[:MAX_SOURCES]) + (", ..." if len(self.sources) > MAX_SOURCES else "")
        return f"{printable(self.id)}  ({self.kind}{'; ' + said if said else ''})"


class RefError(LookupError):
    """A REF that names no node, or more than one.

    ``candidates``: for a REF that names nothing, the closest ids (else empty); ``matches``: for
    an ambiguous REF, every node it names (:class:`Match`), also listed in the message.
    """

    def __init__(self, message: str, candidates: list[str], matches: list[Match] | None = None):
        super().__init__(message)
        self.candidates = candidates
        self.matches = matches or []


def unquote(text: str) -> str | None:
    """A quoted relation without its quotes (SQL, BigQuery and SQL Server quoting), or None
    when ``text`` is not one.

    >>> unquote('"jaffle_shop"."main"."customers"')
    'jaffle_shop.main.customers'
    >>> unquote('`project`.dataset.`table`')
    'project.dataset.table'
    >>> unquote('[dbo].[orders]')
    'dbo.orders'
    >>> unquote('main.customers') is None
    True
    """
    if not any(q in text for q in '"`[') or not _QUOTED_RELATION.fullmatch(text):
        return None
    parts = re.findall(_PART, text)
    return ".".join(p[1:-1] if p[:1] in '"`[' else p for p in parts)


def _named(store: Store, text: str, kind: str | None) -> tuple[str, list[str]]:
    """(rule, ids) of the first of rules 2 and 3 that names any node of ``kind``."""
    exact = sorted(set(store.ids_named(text, kind)) | set(store.ids_with_alias(text, kind)))
    if exact:
        return "name", exact
    short = store.ids_short_named(text, kind)
    # A column is often called as the feature it makes (Feast): a short name names a field only
    # where it names nothing else.
    others = [i for i in short if not i.startswith("field:")]
    return "short name", others or short


def _ids(store: Store, text: str) -> tuple[str, list[str]]:
    if store.node(text) is not None:
        return "id", [text]
    kind, sep, rest = text.partition(":")
    if sep and kind in NODE_KINDS and rest:
        # The whole text may still be an alias (a name with a colon): that counts first.
        whole = store.ids_with_alias(text)
        if whole:
            return "name", whole
        tries: list[tuple[str, str | None]] = [(rest, kind)]
    else:
        tries = [(text, None)]
    for typed, of_kind in list(tries):
        plain = unquote(typed)
        if plain is not None:
            tries.append((plain, of_kind))
    for typed, of_kind in tries:
        rule, ids = _named(store, typed, of_kind)
        if ids:
            return rule, ids
    return "", []


def candidates(store: Store, text: str) -> list[Match]:
    """Every node ``text`` names by the first rule that names any (see the module), by id;
    empty when it names none. A pure read of the store: the explorer's search may call it
    on every query.
    """
    if not text:
        return []
    rule, ids = _ids(store, text)
    if not ids:
        return []
    sources = store.node_sources(ids[: MAX_LISTED * 10])
    out = []
    for nid in ids:
        node = store.node(nid)
        said = tuple(f"{importer} {path}" for importer, path in sources.get(nid, []))
        out.append(Match(nid, node["kind"] if node else "", rule, said))
    return out


def resolve(store: Store, ref: str) -> str:
    """The id of the one node ``ref`` names; raises :class:`RefError` otherwise."""
    if ref and store.node(ref) is not None:  # the common case, one query
        return ref
    matches = candidates(store, ref)
    if len(matches) == 1:
        return matches[0].id
    if matches:
        lines = [f"{ref!r} is ambiguous: {len(matches)} nodes have that name"]
        lines += [f"  {m}" for m in matches[:MAX_LISTED]]
        if len(matches) > MAX_LISTED:
            lines.append(f"  ... and {len(matches) - MAX_LISTED} more")
        lines.append("name one by its id, or as kind:name")
        raise RefError("\n".join(lines), [], matches)
    raise RefError(f"no node matches {ref!r}", closest(store, ref))


def resolve_in(store: Store, graph: Container[str], ref: str) -> str:
    """Resolve ``ref`` as :func:`resolve` does (an id ``graph`` holds is taken as it is), and
    insist the node is in ``graph``, which may be the graph as it was: :class:`RefError` if not."""
    node_id = resolve(store, ref) if ref not in graph else ref
    if node_id not in graph:
        raise RefError(f"{node_id} did not exist then", [])
    return node_id


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
