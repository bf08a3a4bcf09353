"""What a picture's legend explains: only the kinds, marks, edge styles and badges the scene
actually draws, in a fixed order (kinds, node marks, statuses, edges, badges), so a legend never
explains what is not on screen and never reorders itself between two views of the same things.

The explorer draws each :class:`Entry` with the canvas's own pens and colours (lineage_gui.legend);
``key`` says what to draw, ``text`` what it means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lineage.records import NODE_KINDS
from lineage.views.scenes import Scene


@dataclass(frozen=True)
class Entry:
    """One line of a legend: ``key`` is ``"kind:<kind>"``, ``"node:<state>"``, ``"status:<status>"``,
    ``"edge:<style>"`` or ``"badge:<badge>"``; ``text`` is what it means, in words."""

    key: str
    text: str


# Node marks in the order a legend lists them, with what they mean (a mode may say it better).
NODE_MARKS = {
    "focus": "focus",
    "path": "on a path between the ends",
    "member": "also in the finding",
    "removed": "removed (simulated)",
    "broken": "broken: every input is gone",
    "degraded": "degraded: some input is gone",
    "added": "added",
    "deleted": "removed since",
    "changed": "changed",
    "context": "faded: an end of an edge shown",
}
MARKS_BY_MODE = {
    ("findings", "path"): "what the finding is about",
    ("diff", "deleted"): "removed since then",
    ("diff", "added"): "added since then",
    ("simulate", "context"): "faded: an end of a removed edge",
    ("diff", "context"): "faded: an end of an edge added or removed",
}
STATUSES = {"deprecated": "deprecated (struck through)", "proposed": "proposed (dashed border)"}
EDGE_MARKS = {
    "path": "on a path",
    "removed": "removed (simulated)",
    "hidden": "hidden loop edge: only in logs, not declared",
    "added": "added since then",
    "deleted": "removed since then",
}
EDGE_MARKS_BY_MODE = {("findings", "path"): "in the loop or cascade"}


def legend_entries(scene: Scene, expanded: Iterable[str] = ()) -> list[Entry]:
    """The entries of ``scene``'s legend (``expanded``: the nodes drawn with their "−" badge).

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("m", kind="model", status="active")
    >>> g.add_node("d", kind="dataset", status="deprecated")
    >>> g.add_edge("d", "m", declared=False, observed=True, weight=0.5)
    >>> s = Scene("simulate", "", g, node_state={"d": "removed", "m": "broken"},
    ...           edge_state={("d", "m"): "removed"}, hidden={"m": 2})
    >>> [e.key for e in legend_entries(s)]  # doctest: +NORMALIZE_WHITESPACE
    ['kind:dataset', 'kind:model', 'node:removed', 'node:broken', 'status:deprecated',
     'edge:weight', 'edge:removed', 'badge:hidden']
    >>> [e.key for e in legend_entries(Scene("explore", "", g), expanded=["m"])]
    ['kind:dataset', 'kind:model', 'status:deprecated', 'edge:observed', 'edge:weight', 'badge:expanded']
    >>> [e.key for e in legend_entries(Scene("explore", "", g, unmatched=frozenset({"d"})))][:3]
    ['kind:dataset', 'kind:model', 'node:unmatched']
    >>> legend_entries(Scene("explore", "", nx.DiGraph()))
    []
    """
    graph = scene.graph
    entries = [Entry(f"kind:{kind}", _kind_text(kind)) for kind in _kinds(graph.nodes[n].get("kind") for n in graph)]
    states = {scene.node_state[n] for n in graph if n in scene.node_state}
    entries += [Entry(f"node:{s}", _mark_text(scene, s, text)) for s, text in NODE_MARKS.items() if s in states]
    if any(n in scene.unmatched for n in graph):
        entries.append(Entry("node:unmatched", "faint: not matched by the filter"))
    hops = sorted(int(s[3:]) for s in states if s.startswith("hop") and s[3:].isdigit())
    if hops:
        entries.append(Entry("node:hop", f"hops from the focus (1 to {hops[-1]})" if hops[-1] > 1 else "one hop away"))
    statuses = {graph.nodes[n].get("status") for n in graph}
    entries += [Entry(f"status:{s}", text) for s, text in STATUSES.items() if s in statuses]
    entries += _edge_entries(scene)
    if any(n in scene.hidden for n in graph):
        entries.append(Entry("badge:hidden", "neighbours not drawn: click shows them"))
    if any(n in graph for n in expanded):
        entries.append(Entry("badge:expanded", "neighbours shown: click folds them"))
    return entries


def _mark_text(scene: Scene, state: str, text: str) -> str:
    """What a node mark means in this scene: a trace marks both its ends as focus."""
    if state == "focus" and sum(1 for s in scene.node_state.values() if s == "focus") > 1:
        return "an end of the trace" if scene.mode == "trace" else "focus"
    return MARKS_BY_MODE.get((scene.mode, state), text)


def _kinds(kinds: Iterable[object]) -> list[str]:
    """The kinds present, the record kinds in their usual order, then groups, then any other."""
    present = {str(k) for k in kinds if k}
    order = [*NODE_KINDS, "group"]
    return [k for k in order if k in present] + sorted(present - set(order))


def _kind_text(kind: str) -> str:
    return "group: nodes folded into one (bigger holds more; double-click opens)" if kind == "group" else kind


def _edge_entries(scene: Scene) -> list[Entry]:
    """Edge styles drawn: solid (declared) needs no word, dashed does; weight and folded counts
    make edges thicker; then the edges a mode marks."""
    edges = [(e, scene.graph.edges[e]) for e in scene.graph.edges]
    marked = {scene.edge_state[e] for e, _ in edges if e in scene.edge_state}
    entries = []
    # An edge a mode marks carries its own entry; only the unmarked ones say "observed only".
    if any(not data.get("declared") and e not in scene.edge_state for e, data in edges):
        entries.append(Entry("edge:observed", "dashed: only observed, not declared"))
    if any(data.get("weight") is not None for _, data in edges):
        entries.append(Entry("edge:weight", "thicker: more weight"))
    if any((data.get("count") or 1) > 1 for _, data in edges):
        entries.append(Entry("edge:count", "thicker: stands for more edges"))
    mode = scene.mode
    entries += [Entry(f"edge:{s}", EDGE_MARKS_BY_MODE.get((mode, s), text)) for s, text in EDGE_MARKS.items()
                if s in marked]  # fmt: skip
    return entries
