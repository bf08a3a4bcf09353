"""All findings at once: the debt patterns of "Hidden Technical Debt in ML Systems"."""

from __future__ import annotations

from collections.abc import Iterable

from lineage.analyses.cascades import correction_cascades
from lineage.analyses.columns import ColumnHistory, changed_feature_columns, unused_fields
from lineage.analyses.engine import INDEX_FROM, Graph, GraphIndex, split
from lineage.analyses.finding import Finding
from lineage.analyses.flags import FlagGeneration, dead_flags
from lineage.analyses.hotspots import cace_hotspots
from lineage.analyses.loops import feedback_loops, undeclared_consumers
from lineage.analyses.signals import (
    EPSILON,
    bundled_features,
    deprecated_in_use,
    epsilon_features,
    legacy_features,
    unused_features,
)

# The keys of `lineage findings --json`, in report order, with the sentence the README gives.
FINDING_KINDS: dict[str, str] = {
    "feedback_loops": "a model's output flows back into its own inputs",
    "undeclared_consumers": "a consumer reads a model in the logs that no config declares",
    "unused_features": "a feature no model or consumer reads",
    "unused_fields": "a column no feature or model reads, of a table they read column by column",
    "changed_feature_columns": "a feature whose column is gone or changed type since a model reading it was trained",
    "legacy_features": "a feature only old model versions read, or a deprecated one still read",
    "epsilon_features": "a feature carrying almost none of any model's weight",
    "bundled_features": "weak features that came along with a bundle from one source",
    "correction_cascades": "models stacked on models",
    "dead_flags": "a flag that configures nothing live, or was repurposed",
    "deprecated_in_use": "a deprecated signal that live models and consumers still depend on",
    "cace_hotspots": "the nodes whose change reaches the most",
}


def find_all(
    graph: Graph,
    *,
    flag_history: Iterable[FlagGeneration] = (),
    column_history: ColumnHistory | None = None,
    epsilon: float = EPSILON,
    top: int = 10,
    only: Iterable[str] | None = None,
) -> dict[str, list[Finding]]:
    """Every finding kind, each a list (empty when nothing is found), in report order. The flag
    and column findings that read history read ``flag_history`` and ``column_history``
    (:func:`lineage.graph.load_flag_history`, :func:`lineage.graph.load_column_history`).

    The whole-graph steps (loops, unused features, deprecated signals in use, hotspots) run on
    a :class:`~lineage.analyses.engine.GraphIndex`: the one given, or one built here once for
    a graph of ``INDEX_FROM`` nodes or more (smaller graphs stay in networkx; the findings are
    the same either way).
    """
    wanted = set(only) if only is not None else set(FINDING_KINDS)
    unknown = wanted - set(FINDING_KINDS)
    if unknown:
        raise ValueError(f"unknown finding kind {sorted(unknown)[0]!r} (known: {', '.join(FINDING_KINDS)})")
    graph, index = split(graph)
    whole_graph = {"feedback_loops", "unused_features", "deprecated_in_use", "cace_hotspots"}
    if index is None and len(graph) >= INDEX_FROM and wanted & whole_graph:
        index = GraphIndex(graph)
    indexed: Graph = graph if index is None else index
    runs = {
        "feedback_loops": lambda: feedback_loops(indexed),
        "undeclared_consumers": lambda: undeclared_consumers(graph),
        "unused_features": lambda: unused_features(indexed),
        "unused_fields": lambda: unused_fields(graph),
        "changed_feature_columns": lambda: changed_feature_columns(graph, column_history or ColumnHistory()),
        "legacy_features": lambda: legacy_features(graph),
        "epsilon_features": lambda: epsilon_features(graph, epsilon),
        "bundled_features": lambda: bundled_features(graph, epsilon),
        "correction_cascades": lambda: correction_cascades(graph),
        "dead_flags": lambda: dead_flags(graph, flag_history),
        "deprecated_in_use": lambda: deprecated_in_use(indexed),
        "cace_hotspots": lambda: cace_hotspots(indexed, top),
    }
    return {kind: runs[kind]() for kind in FINDING_KINDS if kind in wanted}


def touching(findings: dict[str, list[Finding]], node: str) -> dict[str, list[Finding]]:
    """Only the findings that name ``node`` (a loop names all its members)."""
    return {k: [f for f in v if node in f.nodes or node in f.details.get("members", ())] for k, v in findings.items()}
