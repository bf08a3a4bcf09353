"""A finding: a debt pattern an analysis reports, naming its nodes and saying why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx


@dataclass(frozen=True)
class Finding:
    """One reported instance of a debt pattern.

    ``nodes`` are the graph nodes it names, most important first (a loop's cycle, a cascade's
    chain, a flag and its targets); ``reason`` says in one sentence why it was reported;
    ``details`` holds what is particular to the pattern (JSON-ready values only).
    """

    kind: str
    nodes: tuple[str, ...]
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def owner_of(graph: nx.DiGraph, node: str) -> str | None:
    data = graph.nodes[node]
    return data.get("owner") or data.get("team")


def is_live(graph: nx.DiGraph, node: str) -> bool:
    """Active and, for a model version, still current (not superseded)."""
    data = graph.nodes[node]
    return data.get("status") != "deprecated" and data.get("current") is not False


def model_weights(graph: nx.DiGraph, model: str) -> dict[str, float] | None:
    """Each weighted input's share of the model's total input weight, or None without weights."""
    weights = {u: d["weight"] for u, d in graph._pred[model].items() if d.get("weight") is not None}
    total = sum(weights.values())
    if not total:
        return None
    return {u: w / total for u, w in weights.items()}


def names(graph: nx.DiGraph, nodes) -> str:
    return ", ".join(graph.nodes[n].get("name") or n for n in nodes)
