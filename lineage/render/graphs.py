"""Graph exports of a scene (any view or selection): SVG, PNG, PDF, DOT (Graphviz), GraphML and
JSON. Graphviz sees internal ids (``n0``, ``n1`` ...) and escaped labels, never raw names."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET  # noqa: S405 (builds our own document; never parses input)
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from lineage.fields import shown_name
from lineage.render.escape import graphviz_label, xml_id, xml_safe
from lineage.views.scenes import Scene

if TYPE_CHECKING:
    from lineage.graphviz import AGraph

KIND_COLOURS = {
    "dataset": ("#dbe7f5", "#3b73b9", "cylinder"), "feature": ("#dcf0dc", "#3c9a4a", "box"),
    "job": ("#fbe7cf", "#d9822b", "hexagon"), "model": ("#e7dcf5", "#7a4fc0", "box"),
    "consumer": ("#d5efee", "#2a9d95", "parallelogram"), "flag": ("#fbf1c7", "#c9a20e", "cds"),
    "field": ("#eef3fa", "#5b8fd0", "note"), "group": ("#eceff1", "#546e7a", "box3d"),
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
        label = graphviz_label(shown_name(data.get("name") or node, data.get("kind")))
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
    """GraphML that networkx, rustworkx, Gephi, yEd and Cytoscape read: one key per attribute,
    of one type (boolean, long, double or string: the type every value of it has, else string),
    lists joined with commas; an attribute a node or edge lacks (None) is left out, not written
    as empty text. Nodes also carry yEd's graphics (a shape of their kind's colour, labelled with
    the name), so yEd shows their names when it opens the file. Attribute values are exact
    except for what XML 1.0 cannot hold (see :func:`xml_safe`; JSON keeps everything). Node ids
    stay distinct: each is :func:`xml_id` of the name (a backslash as ``\\\\``, a character XML
    cannot hold as ``\\uXXXX``), which :func:`xml_id_unescape` reverses."""
    clean = nx.DiGraph()
    node_types = _attribute_types(data for _, data in graph.nodes(data=True))
    edge_types = _attribute_types(data for _, _, data in graph.edges(data=True))
    for node, data in graph.nodes(data=True):
        clean.add_node(xml_id(node), **_typed(data, node_types))
    for u, v, data in graph.edges(data=True):
        clean.add_edge(xml_id(u), xml_id(v), **_typed(data, edge_types))
    out = io.BytesIO()
    nx.write_graphml(clean, out, encoding="utf-8")
    # ElementTree writes a CR in element text as is, and every XML parser reads it back as LF
    # (ours too, below); a character reference survives. Attribute values are already escaped,
    # so a raw CR in the output is always one from text.
    written = _with_yed_labels(out.getvalue().replace(b"\r", b"&#13;"), graph)
    return written.replace(b"\r", b"&#13;")


GRAPHML_TYPES = (bool, int, float)  # narrowest first; anything else is a string


def _attribute_types(datas: Iterable[dict[str, Any]]) -> dict[str, type]:
    """The one type each attribute is written as: bool, int or float when every value it has
    is one (ints among floats are floats), else str.

    >>> _attribute_types([{"w": 1, "b": True, "s": "x"}, {"w": 0.5, "b": None, "s": 3}])
    {'w': <class 'float'>, 'b': <class 'bool'>, 's': <class 'str'>}
    """
    seen: dict[str, set[type]] = {}
    for data in datas:
        for key, value in data.items():
            kinds = seen.setdefault(key, set())
            if value is not None:
                kinds.add(type(_scalar(value)))
    chosen: dict[str, type] = {}
    for key, kinds in seen.items():
        if kinds <= {bool} and kinds:
            chosen[key] = bool
        elif kinds <= {int} and kinds:
            chosen[key] = int
        elif kinds <= {int, float} and kinds:
            chosen[key] = float
        else:
            chosen[key] = str
    return chosen


def _typed(data: dict[str, Any], types: dict[str, type]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        kind = types[key]
        value = _scalar(value)
        out[xml_safe(key)] = xml_safe(str(value)) if kind is str else kind(value)
    return out


YED = "http://www.yworks.com/xml/graphml"
GRAPHML = "http://graphml.graphdrawing.org/xmlns"


def _with_yed_labels(document: bytes, graph: nx.DiGraph) -> bytes:
    """``document`` with its booleans spelt as XML Schema spells them, and yEd's node graphics
    added: a ``nodegraphics`` key and, in each node, a ShapeNode of its kind's colour with its
    name as the label (what yEd draws; other readers skip it, or read the label as one more
    attribute)."""
    ET.register_namespace("", GRAPHML)
    ET.register_namespace("y", YED)
    root = ET.fromstring(document)  # noqa: S314 (networkx's output just written, not input)
    # XML Schema booleans are "true" and "false": networkx writes Python's "True" and "False",
    # which stricter readers (rustworkx) refuse.
    booleans = {k.get("id") for k in root.iter(f"{{{GRAPHML}}}key") if k.get("attr.type") == "boolean"}
    for element in root.iter(f"{{{GRAPHML}}}data"):
        if element.get("key") in booleans and element.text:
            element.text = element.text.lower()
    # attr.name and attr.type as well: a reader that does not know yEd's (rustworkx) needs them
    key = ET.Element(f"{{{GRAPHML}}}key", {"for": "node", "id": "yed_graphics", "yfiles.type": "nodegraphics",
                                           "attr.name": "yed_graphics", "attr.type": "string"})  # fmt: skip
    root.insert(len(root.findall(f"{{{GRAPHML}}}key")), key)
    names = {xml_id(n): d.get("name") or n for n, d in graph.nodes(data=True)}
    kinds = {xml_id(n): d.get("kind") for n, d in graph.nodes(data=True)}
    for node in root.iter(f"{{{GRAPHML}}}node"):
        nid = node.get("id", "")
        fill, border, _ = KIND_COLOURS.get(kinds.get(nid) or "", ("#eeeeee", "#757575", "box"))
        data = ET.SubElement(node, f"{{{GRAPHML}}}data", {"key": "yed_graphics"})
        shape = ET.SubElement(data, f"{{{YED}}}ShapeNode")
        label = xml_safe(str(names.get(nid, nid)))
        ET.SubElement(shape, f"{{{YED}}}Geometry", {"width": str(max(60, 7 * len(label[:40]) + 16)), "height": "30"})
        ET.SubElement(shape, f"{{{YED}}}Fill", {"color": fill, "transparent": "false"})
        ET.SubElement(shape, f"{{{YED}}}BorderStyle", {"color": border, "type": "line", "width": "1.0"})
        ET.SubElement(shape, f"{{{YED}}}NodeLabel").text = label
        ET.SubElement(shape, f"{{{YED}}}Shape", {"type": "roundrectangle"})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


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
