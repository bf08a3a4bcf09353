"""Classify import units against the store, and derive the classification of earlier imports
again when the context they were classified in changes.

A log node's kind and identity depend on the manifests' ``classify:`` rules and on the nodes other
sources *state* (declare, not guess from a log). So that the same files give the same graph in any
order and in any number of commands, classification is a function of exactly those, over the
current imports, and never of what was imported first:

* the rules of all current manifests, ordered by source;
* the stated nodes of all current imports (a log's guesses never classify another log);
* the owner of an alias: the stated node with that alias of the lowest rank (manifests first,
  then by source and id).

Each import that classification can change is kept as read (``lineage.ingest.rawunits``) with the names
and aliases it looks up. When a commit changes the rules, or the stated nodes or aliases under one
of those names, :func:`settle` classifies the affected imports again from what was kept, without
reading their files, and rewrites those whose facts changed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lineage.ingest import classify, rawunits
from lineage.records import NodeRecord, owners_as_read
from lineage.store import Derivation, ImportUnit, Store, StoreError, UnitOutcome

Identity = classify.Identity


@dataclass(frozen=True)
class Summary:
    """What classifying the other units of a commit needs from one unit: its rules, its stated
    nodes (identity and aliases only), and the names and aliases it looks up. Small beside the
    unit, so a commit can hold every unit's summary and one unit's records at a time."""

    source: str
    rank: int
    rules: tuple[dict[str, Any], ...]
    stated: tuple[NodeRecord, ...]
    names: frozenset[str]  # of its classifiable nodes, and their last path parts
    aliases: frozenset[str]  # of all its nodes


def summary(unit: ImportUnit) -> Summary:
    """The :class:`Summary` of ``unit``."""
    names: set[str] = set()
    aliases: set[str] = set()
    stated = []
    for node in unit.nodes.values():
        if node.classifiable:
            names |= {node.name, node.name.rstrip("/").rsplit("/", 1)[-1]}
        elif node.stated:
            stated.append(NodeRecord(node.kind, node.name, node.namespace, aliases=node.aliases))
        aliases.update(node.aliases)
    rules = tuple(s.value for s in unit.settings if s.section == "classify")
    return Summary(unit.source, unit.rank, rules, tuple(stated), frozenset(names), frozenset(aliases))


def rules(store: Store, summaries: Sequence[Summary], exclude_sources: Iterable[str]) -> list[classify.Rule]:
    """The rules of the current manifests and of the units summed up, ordered by source, then as written."""
    stored = store.settings("classify", exclude_sources=exclude_sources)
    ranked = [(s["_source"], 0, i, s) for i, s in enumerate(stored)]
    ranked += [(u.source, 1, i, rule) for u in summaries for i, rule in enumerate(u.rules)]
    return classify.rules_from(value for *_, value in sorted(ranked, key=lambda r: r[:3]))


class Classifier:
    """Makes each node the node it really is: by a shared alias, then, for nodes from logs, by the
    rules and by the name of a stated node.

    The context is the current imports (leaving out ``exclude_sources``, which the units summed up
    replace) together with the units summed up (:func:`summary`): it is settled when the
    classifier is made, so the units may then be classified, and written, one at a time.
    """

    def __init__(self, store: Store, summaries: Sequence[Summary], exclude_sources: Iterable[str] = ()):
        exclude = set(exclude_sources)
        self._owners = _alias_owners(store, summaries, exclude)
        wanted: set[str] = set().union(*(u.names for u in summaries))
        in_units: dict[str, list[Identity]] = {}
        for unit in summaries:
            for node in unit.stated:
                final = self._by_alias(node) or node  # a stated node is only ever renamed by an alias
                in_units.setdefault(final.name, []).append((final.id, final.kind, final.namespace, final.name))
        stated: dict[str, list[Identity]] = {}
        for identity in store.identities(wanted, exclude_sources=exclude) if wanted else ():
            stated.setdefault(identity[3], []).append(identity)
        self._stated, self._in_units = stated, in_units
        self._rules = rules(store, summaries, exclude)

    def _by_alias(self, node: NodeRecord) -> NodeRecord | None:
        return classify.by_alias(node, self._owners.get) if node.aliases else None

    def _known(self, name: str) -> list[Identity]:
        return sorted(set(self._stated.get(name, []) + self._in_units.get(name, [])))

    def decide(self, node: NodeRecord) -> NodeRecord | None:
        """The node ``node`` (as read) really is, or None when it stays as it is."""
        found = self._by_alias(node)
        if found is None and node.classifiable:
            found = classify.reclassify(node, self._rules, self._known)
        return found

    def classify(self, unit: ImportUnit) -> tuple[ImportUnit, dict[str, NodeRecord]]:
        """``unit`` as classified (a new one; ``unit`` is left as it is) and the nodes renamed in
        it (old id -> new node)."""
        owned = owners_as_read(unit.nodes.values())
        new, renamed = classify.apply(unit, self.decide)
        aliases = {a: (raw, renamed[raw].id if raw in renamed else raw) for a, raw in owned.items()}
        return replace(new, owned_aliases=aliases), renamed


def classify_units(
    store: Store, units: Sequence[ImportUnit], exclude_sources: Iterable[str] = ()
) -> list[tuple[ImportUnit, dict[str, NodeRecord]]]:
    """Each of ``units`` classified in the context of the current imports (leaving out
    ``exclude_sources``) and of ``units`` themselves (:class:`Classifier`)."""
    classifier = Classifier(store, [summary(u) for u in units], exclude_sources)
    return [classifier.classify(unit) for unit in units]


def _alias_owners(store: Store, summaries: Sequence[Summary], exclude: set[str]) -> dict[str, Identity]:
    """Alias -> the node its owner ends up as, among current imports and the units summed up.

    The owner is the stated node with the alias of the lowest rank (manifests first, then by
    source and id as read). A stored owner is stored as classified; an owner in a unit may
    itself be another's by an alias of its own (b's model is a's, so c's model that shares an
    alias with b's is a's too): that chain is followed here, as classifying again follows it
    between imports, so one command and several agree.
    """
    wanted: set[str] = set().union(*(u.aliases for u in summaries))
    if not wanted:
        return {}
    stored = store.alias_owners(wanted, exclude_sources=exclude)
    ranked: dict[str, tuple[tuple[Any, ...], Identity, NodeRecord | None]] = {
        alias: (rank, identity, None) for alias, (rank, identity) in stored.items()
    }
    for unit in summaries:
        for node in unit.stated:
            for alias in node.aliases:
                rank = (unit.rank, unit.source, node.id)
                if alias not in ranked or rank < ranked[alias][0]:
                    ranked[alias] = (rank, (node.id, node.kind, node.namespace, node.name), node)
    return _follow_chains(ranked)


def _follow_chains(ranked: dict[str, tuple[tuple[Any, ...], Identity, NodeRecord | None]]) -> dict[str, Identity]:
    """Alias -> what its owner ends up as: a stored owner as it is; an owner read now as the
    owner of its own first alias that is another node of its kind ends up as (a cycle stops
    where it closes). A loop with its own stack, not recursion: a file may hold a chain of
    thousands of aliases."""
    final: dict[str, Identity] = {}
    for start in ranked:
        stack: list[list[Any]] = [[start, 0]]  # [alias, next of its owner's aliases to try]
        on_path = {start}
        while stack:
            frame = stack[-1]
            alias, index = frame
            _, identity, node = ranked[alias]
            if alias in final or node is None:
                final.setdefault(alias, identity)
                stack.pop()
                on_path.discard(alias)
                continue
            result, deeper = None, None
            for index in range(index, len(node.aliases)):  # noqa: B020 (resumes where it left off)
                other = node.aliases[index]
                if other in on_path or ranked[other][2] is None:
                    found = ranked[other][1]
                elif other in final:
                    found = final[other]
                else:
                    deeper = other
                    break
                if found[0] != node.id and found[1] == node.kind:
                    result = found
                    break
            if deeper is not None:
                frame[1] = index
                stack.append([deeper, 0])
                on_path.add(deeper)
                continue
            final[alias] = result or identity
            stack.pop()
            on_path.discard(alias)
    return final


def keep_as_read(unit: ImportUnit, body: bytes | None = None) -> ImportUnit:
    """``unit`` remembering itself as read (before classifying), if classification can change it;
    ``body``: ``unit`` encoded already (:func:`lineage.ingest.rawunits.encode`)."""
    if not rawunits.depends_on_context(unit):
        return unit
    return replace(unit, derivation=Derivation(body or rawunits.encode(unit), rawunits.context_keys(unit)))


def seal(unit: ImportUnit, renamed: dict[str, NodeRecord]) -> ImportUnit:
    """``unit`` (as classified) recording how it was classified: the digest of its renames."""
    if unit.derivation is None:
        return unit
    return replace(unit, derivation=replace(unit.derivation, digest=rawunits.digest(renamed)))


def rule_list(store: Store) -> list[tuple[str, str, str, str]]:
    """The current rules as plain tuples, to tell whether a commit changed them."""
    return [(r.kind, r.name, r.namespace, r.applies_to) for r in rules(store, [], ())]


def settle(
    store: Store, written: Sequence[int], replaced: Sequence[int], rules_changed: bool, recheck: Sequence[int] = ()
) -> list[tuple[ImportUnit, UnitOutcome]]:
    """Classify again the current imports whose context this commit changed (all of them when the
    rules changed), rewriting those whose facts change; call inside ``Store.write``.

    ``written`` are the imports of this commit (classified in the new context already, so not
    looked at again unless a rewrite changes their context) and ``replaced`` the generations they
    made history; ``recheck`` are imports of this commit to classify again all the same (when the
    commit held an old snapshot, which is history and so was the wrong context). Returns each
    import rewritten, as last classified, and what rewriting it changed in the graph.
    """
    keys = None if rules_changed else store.authority_keys([*written, *replaced])
    skip = set(written) - set(recheck)
    kept = store.derivations(None)
    extra = set(recheck) & set(kept)
    rewritten: dict[int, tuple[ImportUnit, UnitOutcome]] = {}
    # Each round moves a change one import further along a chain of aliases: a chain visits
    # each kept import at most once, so more rounds than that means renames that go round.
    for _ in range(len(kept) + 2):
        if keys is not None and not keys and not extra:
            return list(rewritten.values())
        changed: list[int] = []
        before: set[str] = set()
        for import_id in sorted(set(store.derivations(keys)) | extra):
            if import_id in skip:
                continue
            shell, body, digest = store.derivation(import_id)
            try:
                unit = rawunits.decode(body, shell)
            except (zlib.error, ValueError, KeyError, TypeError) as exc:
                raise StoreError(
                    f"{store.path}: the copy kept of {shell.path} (import {import_id}) is damaged ({exc});"
                    " nothing was written; import that file again with --force"
                ) from exc
            ((unit, renamed),) = classify_units(store, [unit], exclude_sources=[unit.source])
            new_digest = rawunits.digest(renamed)
            if new_digest != digest:
                before |= store.authority_keys([import_id])
                outcome = store.rederive(import_id, unit, new_digest)
                if import_id in rewritten:  # rewritten in an earlier round too: count both
                    earlier = rewritten.pop(import_id)[1]
                    for count in ("nodes_added", "nodes_removed", "edges_added", "edges_removed"):
                        setattr(outcome, count, getattr(outcome, count) + getattr(earlier, count))
                rewritten[import_id] = (unit, outcome)
                changed.append(import_id)
        # What the rewritten imports stated before and after is the context that changed now.
        keys = before | store.authority_keys(changed) if changed else set()
        skip, extra = set(), set()
    raise StoreError(
        f"{store.path}: classification does not settle: aliases rename nodes in a cycle through"
        f" {', '.join(sorted(str(u.path) for u, _ in rewritten.values())[:5])}; nothing was written"
    )
