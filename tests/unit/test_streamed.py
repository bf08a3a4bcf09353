"""A held unit classified and written a piece at a time (lineage.ingest.streamed) writes exactly
the rows of the whole unit classified (lineage.ingest.reclassify) and written
(lineage.store.facts.unit_rows): the same rows, counts, kept copy and alias owners."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lineage.ingest import reclassify
from lineage.ingest.discover import Input
from lineage.ingest.held import hold
from lineage.ingest.read import read_input
from lineage.ingest.registry import importer_named
from lineage.ingest.streamed import StreamedUnit
from lineage.records import EdgeRecord, Location, NodeRecord, Setting, evidence_set
from lineage.store import ImportUnit, Store
from lineage.store.facts import unit_rows

REAL = Path(__file__).parent.parent / "importers" / "data" / "real"


def _unit() -> ImportUnit:
    """A log whose rule makes two nodes one model (a merge, with edges that merge too), whose model
    says column lineage (a feature is added), with a node renamed alone and a stated node's alias."""
    unit = ImportUnit("openlineage", "log", "log.jsonl", "h", "t", "2026-01-01T00:00:00Z", {}, {}, {}, {}, {})

    def node(record: NodeRecord, *lines: int) -> str:
        unit.nodes[record.id] = record
        if lines:
            unit.node_locations[record.id] = [Location("log.jsonl", line=n) for n in lines]
        return record.id

    def edge(source: str, target: str, kind: str, *lines: int, evidence: str = "observed") -> None:
        record = EdgeRecord(source, target, kind, evidence=evidence)
        unit.edges[record.key] = record
        unit.edge_evidence[record.key] = evidence_set(evidence)
        if lines:
            unit.edge_locations[record.key] = [Location("log.jsonl", line=n) for n in lines]

    lineage = {"score": [["w", "src", "col"], ["w", "gone", "x"]]}
    d = node(NodeRecord("dataset", "m", "w", classifiable=True, attributes={"column_lineage": lineage},
                        aliases=("w://m",)), 3, 4)  # fmt: skip
    j = node(NodeRecord("job", "m", "w", classifiable=True, attributes={"runs": 2}), 5)
    src = node(NodeRecord("dataset", "src", "w", classifiable=True), 1)
    alone = node(NodeRecord("dataset", "models/ctr", "w", classifiable=True), 6)
    raw = node(NodeRecord("dataset", "raw", "w", classifiable=True, aliases=("w://raw",)))
    owner = node(NodeRecord("model", "owner", "reg", aliases=("urn:o",)), 9)
    known = node(NodeRecord("feature", "src.col", "w", classifiable=True))  # column lineage says it again
    edge(raw, d, "reads", 7)
    edge(raw, j, "reads", 8, evidence="declared")
    edge(src, j, "writes")
    edge(d, alone, "feeds", 10, 11)
    edge(raw, owner, "reads", 12)
    edge(src, known, "derives", 13, evidence="declared")
    unit.settings.append(Setting("classify", {"kind": "model", "name": "m"}, Location("log.jsonl", line=1)))
    unit.settings.append(Setting("classify", {"kind": "model", "name": "models/*"}, Location("log.jsonl", line=2)))
    return unit


def _real() -> ImportUnit:
    path = REAL / "openlineage" / "spark-cll"
    return read_input(Input(path, importer_named("openlineage")), source="s", valid_at="2026-01-01T00:00:00Z")


@pytest.mark.parametrize("make", [_unit, _real], ids=["merging", "real spark log"])
@pytest.mark.parametrize("keep", [True, False], ids=["kept", "not kept"])
def test_streamed_rows_are_the_rows_of_the_unit_classified(tmp_path, make, keep):
    unit = make()
    held = hold(unit)
    with Store.open(tmp_path / "s.db", create=True) as store:
        classifier = reclassify.Classifier(store, [held.summary], exclude_sources={unit.source})
        loaded = reclassify.keep_as_read(held.load(), body=held.body) if keep else held.load()
        whole, renamed = classifier.classify(loaded)
        whole = reclassify.seal(whole, renamed)
        streamed = StreamedUnit(held, classifier, keep=keep)
        rows = list(streamed)
    assert Counter(rows) == Counter(unit_rows(whole))
    assert (streamed.node_count, streamed.edge_count) == (len(whole.nodes), len(whole.edges))
    assert streamed.shell.owned_aliases == whole.owned_aliases
    assert streamed.renames.keys() == renamed.keys()
    if whole.derivation is None:
        assert streamed.shell.derivation is None
    else:
        assert streamed.shell.derivation is not None
        assert streamed.shell.derivation.keys == whole.derivation.keys
        assert streamed.shell.derivation.digest == whole.derivation.digest
        assert streamed.shell.derivation.body == held.body
    # Iterated again (a source found unchanged is counted, not written), the same rows.
    assert Counter(streamed) == Counter(rows)


def test_the_merging_unit_merges_and_adds_a_feature(tmp_path):
    """The case above is the one it means to be: two nodes become one, edges merge, column lineage adds."""
    unit = _unit()
    held = hold(unit)
    with Store.open(tmp_path / "s.db", create=True) as store:
        classifier = reclassify.Classifier(store, [held.summary], exclude_sources={unit.source})
        streamed = StreamedUnit(held, classifier, keep=True)
        rows = list(streamed)
    nodes = [r[0] for t, r in rows if t == "node_facts"]
    assert nodes.count("model:w/m") == 1 and "feature:w/src.col" in nodes and "model:w/models/ctr" in nodes
    edges = [r[:3] for t, r in rows if t == "edge_facts"]
    assert edges.count(("dataset:w/raw", "model:w/m", "reads")) == 1
    merged = next(r for t, r in rows if t == "edge_facts" and r[:3] == ("dataset:w/raw", "model:w/m", "reads"))
    assert merged[4:6] == (1, 1)  # declared by one, observed by the other
    # Two became one; a feature for the field not known yet (its dataset is unknown: no edge from it).
    assert streamed.node_count == len(unit.nodes) - 1 + 1 and "feature:w/gone.x" in nodes
    assert ("dataset:w/src", "feature:w/src.col", "derives") in edges
    assert not [e for e in edges if e[0] == "dataset:w/gone"]
    said = next(r for t, r in rows if t == "edge_facts" and r[:3] == ("dataset:w/src", "feature:w/src.col", "derives"))
    assert said[4:6] == (1, 1)  # declared by the log, observed as column lineage
