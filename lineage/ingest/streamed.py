"""A held unit classified and written a piece at a time: the rows it writes are made from its
encoded records as they are written, so a million-node source is never whole in memory.

It writes what classifying the whole unit (:meth:`lineage.ingest.reclassify.Classifier.classify`)
and writing that (:func:`lineage.store.facts.unit_rows`) would, row for row, in two passes over
the records as read (:func:`lineage.ingest.rawunits.records`):

1. the nodes: what each is renamed to, which new ids several nodes take (they merge), the
   unit's own alias owners, and what it looks up (its context keys);
2. everything: each node, edge and place that merges with nothing is written as it comes,
   renamed; those that merge are kept aside (a few: nodes that become one, and the edges and
   places of those) and merged as :func:`lineage.ingest.classify.merge_renamed` merges them;
   the features and edges column lineage adds come last.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from lineage.ingest import classify, rawunits
from lineage.ingest.held import HeldUnit
from lineage.ingest.reclassify import Classifier
from lineage.records import EdgeRecord, Location, NodeRecord, evidence_set
from lineage.store import Derivation, ImportUnit
from lineage.store.facts import alias_rows, edge_fact_row, edge_place_rows, node_fact_row, node_place_rows
from lineage.store.units import ALIAS, EDGE, NODE, PLACE, EdgeKey, FactRow


class StreamedUnit:
    """The rows of ``held`` as ``classifier`` classifies it (a :class:`lineage.store.UnitRows`),
    and ``shell``, the unit without its records, to write them with. ``keep``: remember the unit
    as read (when it will be written; see :func:`lineage.ingest.reclassify.keep_as_read`)."""

    def __init__(self, held: HeldUnit, classifier: Classifier, *, keep: bool) -> None:
        self._body = held.body
        self.node_count = 0
        self.edge_count = 0
        self._renames: dict[str, NodeRecord] = {}
        self._ids: set[str] = set()  # every node id as classified
        self._merging: set[str] = set()  # the ids several nodes take
        self._models: list[tuple[str, NodeRecord]] = []  # (id as read, model) with column lineage
        owned: dict[str, str] = {}
        keys: set[str] = set()
        depends = False
        for part, nid, node in rawunits.records(self._body):
            if part != rawunits.NODE:
                break  # the nodes come first
            new = classifier.decide(node)
            if new is not None and new.id != nid:
                self._renames[nid] = new
            else:
                new = node
            if new.id in self._ids:
                self._merging.add(new.id)
            self._ids.add(new.id)
            if node.stated:
                for alias in node.aliases:
                    if alias not in owned or nid < owned[alias]:
                        owned[alias] = nid
            if node.classifiable or node.aliases:
                depends = True
                if keep:
                    keys |= rawunits.node_context_keys(node)
            if new.kind == "model" and new.attributes.get("column_lineage"):
                self._models.append((nid, new))
        renames = self._renames
        self._owned = {a: (raw, renames[raw].id if raw in renames else raw) for a, raw in owned.items()}
        derivation = None
        if keep and depends:
            derivation = Derivation(held.body, keys, rawunits.digest(renames))
        self.shell = replace(held.shell, derivation=derivation, owned_aliases=self._owned)

    @property
    def renames(self) -> dict[str, NodeRecord]:
        """The nodes renamed (id as read -> node as classified)."""
        return self._renames

    def __iter__(self) -> Iterator[FactRow]:
        renames, merging = self._renames, self._merging
        aside = _Aside()  # what merges, as read
        plan: classify.ColumnPlan | None = None
        planned_seen: set[EdgeKey] = set()
        self.node_count = self.edge_count = 0
        for part, key, value in rawunits.records(self._body):
            if part == rawunits.NODE:
                new = renames.get(key, value)
                if new.id in merging:
                    aside.nodes[key] = value
                    continue
                yield from self._node(new.id, new)
                continue
            if plan is None:  # the nodes are done: what column lineage adds is known
                plan = self._column_plan(aside)
            if part == rawunits.EDGE:
                edge, seen = value
                edge = classify.renamed_edge(edge, renames)
                if edge.source in merging or edge.target in merging:
                    aside.edges[key], aside.evidence[key] = value
                    continue
                if edge.key in plan[1]:
                    seen = evidence_set(*seen, "observed")
                    planned_seen.add(edge.key)
                self.edge_count += 1
                yield EDGE, edge_fact_row(edge.key, edge, seen)
            elif part == rawunits.NODE_PLACES:
                new_id = renames[key].id if key in renames else key
                if new_id in merging:
                    aside.node_places[key] = value
                    continue
                for row in node_place_rows(new_id, value):
                    yield PLACE, row
            else:
                source, target = classify.renamed_ends(key, renames)
                if source in merging or target in merging:
                    aside.edge_places[key] = value
                    continue
                for row in edge_place_rows((source, target, key[2]), value):
                    yield PLACE, row
        if plan is None:
            plan = self._column_plan(aside)
        yield from self._merged(aside, plan[1], planned_seen)
        yield from self._column_lineage(plan, planned_seen)

    def _node(self, nid: str, node: NodeRecord) -> Iterator[FactRow]:
        self.node_count += 1
        yield NODE, node_fact_row(nid, node)
        for row in alias_rows(nid, node, self._owned):
            yield ALIAS, row

    def _column_plan(self, aside: _Aside) -> classify.ColumnPlan:
        """What column lineage adds (:func:`lineage.ingest.classify.column_lineage_plan`), given
        the models in the order of their ids as read, merged ones as merged."""
        if not self._renames:  # classify.apply adds nothing to a unit it renames nothing in
            return [], {}
        merged = classify.merge_renamed(aside.unit(), dict(self._renames)).nodes if aside.nodes else {}
        # In the order of the classified unit: by id as read, a merged node where its first one was.
        models = [(nid, model) for nid, model in self._models if model.id not in merged]
        first: dict[str, str] = {}
        for nid, node in sorted(aside.nodes.items()):
            first.setdefault(self._renames.get(nid, node).id, nid)
        models += [(first[mid], model) for mid, model in merged.items() if model.kind == "model"]
        ordered = [model for _, model in sorted(models, key=lambda m: m[0])]
        return classify.column_lineage_plan(ordered, self._renames, self._ids.__contains__)

    def _merged(self, aside: _Aside, planned: dict[EdgeKey, Any], planned_seen: set[EdgeKey]) -> Iterator[FactRow]:
        """The rows of what was kept aside, merged."""
        if not (aside.nodes or aside.edges):
            return
        unit = classify.merge_renamed(aside.unit(), dict(self._renames))
        for nid, node in unit.nodes.items():
            yield from self._node(nid, node)
        for key, edge in unit.edges.items():
            seen = unit.edge_evidence[key]
            if key in planned:
                seen = evidence_set(*seen, "observed")
                planned_seen.add(key)
            self.edge_count += 1
            yield EDGE, edge_fact_row(key, edge, seen)
        for nid, places in unit.node_locations.items():
            for row in node_place_rows(nid, places):
                yield PLACE, row
        for edge_key, places in unit.edge_locations.items():
            for row in edge_place_rows(edge_key, places):
                yield PLACE, row

    def _column_lineage(self, plan: classify.ColumnPlan, planned_seen: set[EdgeKey]) -> Iterator[FactRow]:
        features, edges = plan
        added: set[str] = set()
        for feature, places in features:
            if feature.id not in self._ids and feature.id not in added:
                added.add(feature.id)
                yield from self._node(feature.id, feature)
                for row in node_place_rows(feature.id, places):
                    yield PLACE, row
        observed = evidence_set("observed")
        for key, (edge, places) in edges.items():
            if key not in planned_seen:
                self.edge_count += 1
                yield EDGE, edge_fact_row(key, edge, observed)
                for row in edge_place_rows(key, places):
                    yield PLACE, row


class _Aside:
    """The records as read of what merges: nodes that take one id, and their edges and places."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeRecord] = {}
        self.node_places: dict[str, list[Location]] = {}
        self.edges: dict[EdgeKey, EdgeRecord] = {}
        self.evidence: dict[EdgeKey, frozenset[str]] = {}
        self.edge_places: dict[EdgeKey, list[Location]] = {}

    def unit(self) -> ImportUnit:
        return ImportUnit("", "", "", "", "", "", self.nodes, self.edges, self.evidence, self.node_places,
                          self.edge_places)  # fmt: skip
