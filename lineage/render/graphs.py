"""Graph exports of a scene (any view or selection): SVG, PNG, PDF, DOT (Graphviz), GraphML and
JSON. Graphviz sees internal ids (``n0``, ``n1`` ...) and escaped labels, never raw names."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import networkx as nx

from lineage.render.escape import graphviz_label, xml_id, xml_safe
from lineage.views.scenes import Scene

if TYPE_CHECKING:
    from lineage.graphviz import AGraph

KIND_COLOURS = {
    "dataset": ("#dbe7f5", "#3b73b9", "cylinder"), "feature": ("#dcf0dc", "#3c9a4a", "box"),
    "job": ("#fbe7cf", "#d9822b", "hexagon"), "model": ("#e7dcf5", "#7a4fc0", "box"),
    "consumer": ("#d5efee", "#2a9d95", "parallelogram"), "flag": ("#fbf1c7", "#c9a20e", "cds"),
    "group": ("#eceff1", "#546e7a", "box3d"),
}  # fmt: skip
STATE_COLOURS = {
    "focus": ("", "#1a73e8"), "path": ("", "#1a73e8"), "member": ("", "#7a4fc0"),
    "removed": ("#e0e0e0", "#616161"), "broken": ("#fcd5d2", "#c5221f"),
    "degraded": ("#fde7c4", "#e37400"), "added": ("#d7f5dd", "#188038"),
    "deleted": ("#eeeeee", "#c5221f"), "changed": ("#fff4c2", "#b06000"),
}  # fmt: skip
EDGE_STATE_COLOURS = {"path": "#1a73e8", "removed": "#c5221f", "hidden": "#9334e6", "added": "#188038",
                      "deleted": "#c5221f"}  # fmt: skip
GRAPH_FORMATS = ("svg", "png", "pdf", "dot", "graphml", "json")


def to_agraph(scene: Scene) -> AGraph:
    """The scene as a Graphviz graph: kinds as shapes and colours, states as colours, declared
    edges solid and observed-only ones dashed, weights as pen widths."""
    from lineage.graphviz import AGraph  # here, not at the top: see lineage/graphviz.py

    agraph = AGraph(directed=True, strict=False)
    agraph.graph_attr.update(rankdir="LR", nodesep="0.25", ranksep="0.7", fontname="Helvetica",
                             label=graphviz_label(scene.title, 120), labelloc="t", fontsize="12")  # fmt: skip
    agraph.node_attr.update(fontname="Helvetica", fontsize="10", style="filled", penwidth="1.2")
    agraph.edge_attr.update(color="#5f6368", arrowsize="0.7")
    internal = {node: f"n{i}" for i, node in enumerate(scene.graph)}
    for node, data in scene.graph.nodes(data=True):
        fill, border, shape = KIND_COLOURS.get(data.get("kind"), ("#eeeeee", "#888888", "box"))
        state = scene.node_state.get(node, "")
        state_fill, state_border = STATE_COLOURS.get(state, ("", ""))
        status = data.get("status")
        label = graphviz_label(data.get("name") or node)
        if status in ("deprecated", "proposed"):
            label = f"{label} ({status})"
        agraph.add_node(
            internal[node], label=label, tooltip=graphviz_label(node, 200), shape=shape,
            fillcolor=state_fill or fill, color=state_border or border,
            penwidth="2.6" if state_border else "1.2",
            style="filled,dashed" if status == "proposed" or state in ("removed", "deleted") else "filled",
        )  # fmt: skip
    for u, v, data in scene.graph.edges(data=True):
        state = scene.edge_state.get((u, v), "")
        weight = data.get("weight")
        agraph.add_edge(
            internal[u], internal[v], color=EDGE_STATE_COLOURS.get(state, "#5f6368"),
            style="dashed" if not data.get("declared", True) or state in ("removed", "deleted", "hidden") else "solid",
            penwidth=f"{1.0 + min(weight, 1.0) * 4:.2f}" if isinstance(weight, int | float) else "1.0",
            tooltip=graphviz_label(",".join(data.get("kinds", ()) or ()), 80),
        )  # fmt: skip
    return agraph


def render(scene: Scene, fmt: str) -> bytes:
    """The scene in ``fmt``: svg, png, pdf, dot, graphml or json."""
    if fmt == "graphml":
        return graphml(scene.graph)
    if fmt == "json":
        return json.dumps(scene_json(scene), indent=2, sort_keys=True, ensure_ascii=False).encode()
    if fmt not in ("svg", "png", "pdf", "dot"):
        raise ValueError(f"unknown graph format {fmt!r} (known: {', '.join(GRAPH_FORMATS)})")
    agraph = to_agraph(scene)
    if fmt == "dot":
        return agraph.string().encode()
    engine = "dot" if len(scene.graph) <= 400 else "sfdp"
    return agraph.draw(format=fmt, prog=engine)


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(map(str, value))
    return json.dumps(value, sort_keys=True, default=str)


def _xml_scalar(value: Any) -> Any:
    value = _scalar(value)
    return xml_safe(value) if isinstance(value, str) else value


def graphml(graph: nx.DiGraph) -> bytes:
    """GraphML that networkx reads back, with kinds and attributes (Gephi, yEd and Cytoscape
    open it): every attribute a scalar; lists joined with commas, None as empty text. Attribute
    values are exact except for what XML 1.0 cannot hold (see :func:`xml_safe`; JSON keeps
    everything). Node ids stay distinct: each is :func:`xml_id` of the name (a backslash as
    ``\\\\``, a character XML cannot hold as ``\\uXXXX``), which :func:`xml_id_unescape` reverses."""
    clean = nx.DiGraph()
    for node, data in graph.nodes(data=True):
        clean.add_node(xml_id(node), **{xml_safe(k): _xml_scalar(v) for k, v in data.items()})
    for u, v, data in graph.edges(data=True):
        clean.add_edge(xml_id(u), xml_id(v), **{xml_safe(k): _xml_scalar(v) for k, v in data.items()})
    out = io.BytesIO()
    nx.write_graphml(clean, out, encoding="utf-8")
    # ElementTree writes a CR in element text as is, and every XML parser reads it back as LF;
    # a character reference survives. Attribute values are already escaped, so a raw CR in
    # the output is always one from text.
    return out.getvalue().replace(b"\r", b"&#13;")


def scene_json(scene: Scene) -> dict[str, Any]:
    return {
        "title": scene.title,
        "mode": scene.mode,
        "focus": scene.focus,
        "nodes": [{"id": n, **{k: _scalar(v) if isinstance(v, set | frozenset) else v for k, v in d.items()},
                   "state": scene.node_state.get(n)} for n, d in scene.graph.nodes(data=True)],
        "edges": [{"source": u, "target": v, "kinds": list(d.get("kinds", ())), "weight": d.get("weight"),
                   "declared": d.get("declared"), "observed": d.get("observed"),
                   "state": scene.edge_state.get((u, v))} for u, v, d in scene.graph.edges(data=True)],
        "summary": scene.summary,
        "left_out": scene.left_out,
    }  # fmt: skip
