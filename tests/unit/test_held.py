"""Units held until their commit (lineage.ingest.held): the records compressed, loaded back as
read, and the summary that classifying the other units of the commit needs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lineage.ingest import ImportSession, reclassify
from lineage.ingest.discover import Input
from lineage.ingest.held import HeldUnit
from lineage.ingest.read import read_input
from lineage.ingest.registry import importer_named
from lineage.records import NodeRecord

REAL = Path(__file__).parent.parent / "importers" / "data" / "real"
SPARK = REAL / "openlineage" / "spark-cll"


def test_a_plan_holds_its_units_without_their_records():
    (held,) = ImportSession(None, [SPARK]).plan().units
    assert isinstance(held, HeldUnit) and isinstance(held.body, bytes)
    assert held.shell.nodes == {} and held.shell.edges == {} and held.shell.node_locations == {}
    read = read_input(Input(SPARK, importer_named("openlineage")), source=held.shell.source,
                      valid_at=held.shell.valid_at)  # fmt: skip
    assert (held.node_count, held.edge_count) == (len(read.nodes), len(read.edges))
    unit = held.load()
    assert unit.nodes == {k: replace(n, places=()) for k, n in read.nodes.items()}
    assert unit.edges == {k: replace(e, places=()) for k, e in read.edges.items()}
    assert unit.node_locations == read.node_locations and unit.edge_locations == read.edge_locations
    assert unit.edge_evidence == read.edge_evidence
    assert (unit.content_hash, unit.problems, unit.notices) == (read.content_hash, read.problems, read.notices)


def test_a_summary_keeps_what_classifies_others():
    unit = read_input(Input(SPARK, importer_named("openlineage")), source="s", valid_at="2026-01-01T00:00:00Z")
    declared = NodeRecord("model", "ctr", "ads", aliases=("urn:ctr",), attributes={"big": "x" * 100})
    unit.nodes[declared.id] = declared
    summary = reclassify.summary(unit)
    # Its stated nodes by identity and aliases only (not their attributes): the declared model and
    # the fields the events' column lineage names (said, not guessed); every alias; the log's names.
    fields = [NodeRecord("field", n.name, n.namespace, aliases=n.aliases) for n in unit.nodes.values()
              if n.kind == "field"]  # fmt: skip
    assert len(fields) == 7  # tests/importers/cases/openlineage/spark_cll_folder lists them
    stated = sorted(summary.stated, key=lambda n: n.id)
    assert stated == sorted([NodeRecord("model", "ctr", "ads", aliases=("urn:ctr",)), *fields], key=lambda n: n.id)
    assert summary.aliases == {a for n in unit.nodes.values() for a in n.aliases}
    logged = [n for n in unit.nodes.values() if n.classifiable]
    assert logged and {n.name for n in logged} <= summary.names
    assert {n.name.rstrip("/").rsplit("/", 1)[-1] for n in logged} <= summary.names
