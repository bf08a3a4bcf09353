"""Lay out a subgraph with Graphviz (through pygraphviz): node positions and edge splines.

Graphviz only ever sees internal ids (``n0``, ``n1``, ...) and sizes, never a node's name: a
label starting with ``<`` would be HTML to Graphviz, and names come from files we do not
control. Coordinates are returned in points with y growing downwards (screen convention).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from lineage.graphviz import AGraph

POINTS_PER_INCH = 72.0
SFDP_ABOVE = 400  # nodes; dot's rank layout gets slow and tall beyond this
# Spline routing is most of dot's time on tangled graphs (40 s for 500 random nodes and 1,000
# edges here, against 2 s with straight segments): route splines only where edges are sparse.
SPLINES_UP_TO_EDGES_PER_NODE = 2.0


@dataclass(frozen=True)
class EdgePath:
    """A cubic B-spline (1 + 3k points) from source to target, and the arrow's tip."""

    points: tuple[tuple[float, float], ...]
    arrow_tip: tuple[float, float] | None


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[float, float]]  # node centre
    sizes: dict[str, tuple[float, float]]  # node width, height
    edges: dict[tuple[str, str], EdgePath]
    width: float
    height: float
    engine: str
    guides: tuple[tuple[int, float], ...] = ()  # rings: (hop, radius) of each ring, round positions[root]
    centre: tuple[float, float] | None = None  # rings: where the root is


def layout(
    graph: nx.DiGraph,
    nodes: Iterable[str],
    sizes: Mapping[str, tuple[float, float]],
    *,
    engine: str | None = None,
    rankdir: str = "LR",
    root: str | None = None,
) -> Layout:
    """Lay out ``nodes`` of ``graph`` (and the edges among them); sizes are in points.

    ``engine`` is dot by default (sfdp for large views); ``twopi`` puts ``root`` in the centre
    and every other node on a ring by its hop distance.

    >>> g = nx.DiGraph([("a", "b")])
    >>> result = layout(g, ["a", "b"], {"a": (60, 20), "b": (60, 20)})
    >>> result.positions["a"][0] < result.positions["b"][0]
    True
    >>> len(result.edges[("a", "b")].points) % 3
    1
    """
    order = list(dict.fromkeys(nodes))
    internal = {node: f"n{i}" for i, node in enumerate(order)}
    engine = engine or ("dot" if len(order) <= SFDP_ABOVE else "sfdp")
    edge_list = [(u, v) for u, v in graph.subgraph(order).edges if u in internal]
    sparse = len(edge_list) <= SPLINES_UP_TO_EDGES_PER_NODE * max(len(order), 1)
    from lineage.graphviz import AGraph  # here, not at the top: see lineage/graphviz.py

    agraph = AGraph(directed=True, strict=False)
    agraph.graph_attr.update(
        rankdir=rankdir, nodesep="0.25", ranksep="0.9", splines="true" if sparse else "line",
        outputorder="edgesfirst", mclimit="0.5",
    )  # fmt: skip
    if engine == "sfdp":
        agraph.graph_attr.update(overlap="scale", splines="false", K="1.2")
    elif engine == "twopi":  # rings around the root, one per hop
        agraph.graph_attr.update(root=internal[root] if root in internal else "", ranksep="1.4",
                                 overlap="false", splines="false")  # fmt: skip
    agraph.node_attr.update(shape="box", fixedsize="true", label="")
    for node in order:
        w, h = sizes[node]
        agraph.add_node(internal[node], width=f"{w / POINTS_PER_INCH:.3f}", height=f"{h / POINTS_PER_INCH:.3f}")
    for u, v in sorted(edge_list, key=lambda e: (internal[e[0]], internal[e[1]])):
        agraph.add_edge(internal[u], internal[v])
    agraph.layout(prog=engine)
    return _read_back(agraph, order, internal, sizes, edge_list, engine)


def rings(
    graph: nx.DiGraph, root: str, distance: Mapping[str, int], sizes: Mapping[str, tuple[float, float]]
) -> Layout:
    """``root`` in the centre, every other node on the ring of its hop distance, each ring in
    the order of what it hangs from (so edges between rings stay short); edges are straight.

    >>> g = nx.DiGraph([("r", "a"), ("r", "b"), ("a", "c")])
    >>> placed = rings(g, "r", {"r": 0, "a": 1, "b": 1, "c": 2}, {n: (60, 20) for n in g})
    >>> [round(abs(complex(*placed.positions[n]) - complex(*placed.positions["r"]))) > 0 for n in "abc"]
    [True, True, True]
    """
    import math

    by_ring: dict[int, list[str]] = {}
    for node, hop in distance.items():
        if node in graph and node != root:
            by_ring.setdefault(hop, []).append(node)
    angle: dict[str, float] = {root: 0.0}
    radius_of: dict[int, float] = {0: 0.0}
    radius = 0.0
    positions: dict[str, tuple[float, float]] = {}
    for hop in sorted(by_ring):
        nodes = by_ring[hop]

        def parent_angle(n: str) -> float:
            """The circular mean of the angles of the nodes ``n`` hangs from, in [0, 2π)."""
            near = [angle[p] for p in (*graph._pred[n], *graph._succ[n]) if p in angle]
            if not near:
                return 0.0
            return math.atan2(sum(map(math.sin, near)), sum(map(math.cos, near))) % (2 * math.pi)

        wanted = {n: parent_angle(n) for n in nodes}
        nodes.sort(key=lambda n: (wanted[n], n))
        circumference = sum(sizes[n][0] + 30 for n in nodes)
        radius = max(radius + 240, circumference / (2 * math.pi))
        radius_of[hop] = radius
        # The ring's evenly spaced slots, turned to lie nearest to what each node hangs from (the
        # circular mean of the differences), not every ring starting at angle 0: a ring of a few
        # nodes sits beside its parents instead of on one line with every other ring's first node.
        slots = [2 * math.pi * i / len(nodes) for i in range(len(nodes))]
        turn = math.atan2(sum(math.sin(wanted[n] - a) for n, a in zip(nodes, slots, strict=True)),
                          sum(math.cos(wanted[n] - a) for n, a in zip(nodes, slots, strict=True)))  # fmt: skip
        for node, slot in zip(nodes, slots, strict=True):
            angle[node] = slot + turn
            positions[node] = (radius * math.cos(angle[node]), radius * math.sin(angle[node]))
    positions[root] = (0.0, 0.0)
    span = radius + 120
    positions = {n: (x + span, y + span) for n, (x, y) in positions.items()}
    edges = {(u, v): _straight(positions[u], positions[v]) for u, v in graph.edges if u in positions and v in positions}
    guides = tuple((hop, radius_of[hop]) for hop in sorted(by_ring))
    return Layout(positions=positions, sizes=dict(sizes), edges=edges, width=2 * span, height=2 * span,
                  engine="rings", guides=guides, centre=(span, span))  # fmt: skip


def _read_back(
    agraph: AGraph, order: Iterable[str], internal: Mapping[str, str],
    sizes: Mapping[str, tuple[float, float]], edge_list: Iterable[tuple[str, str]], engine: str,
) -> Layout:  # fmt: skip
    bb = [float(x) for x in (agraph.graph_attr.get("bb") or "0,0,0,0").split(",")]
    height = bb[3]

    def flip(x: float, y: float) -> tuple[float, float]:
        return (x - bb[0], height - y)

    positions = {}
    for node in order:
        x, y = (float(v) for v in agraph.get_node(internal[node]).attr["pos"].split(",")[:2])
        positions[node] = flip(x, y)
    edges = {}
    for u, v in edge_list:
        pos = agraph.get_edge(internal[u], internal[v]).attr.get("pos") if engine == "dot" else None
        edges[(u, v)] = _parse_spline(pos, flip) if pos else _straight(positions[u], positions[v])
    return Layout(
        positions=positions, sizes=dict(sizes), edges=edges, width=bb[2] - bb[0],
        height=height, engine=engine,
    )  # fmt: skip


def _parse_spline(pos: str, flip: Callable[[float, float], tuple[float, float]]) -> EdgePath:
    """Graphviz's ``pos`` of an edge: ``[e,x,y] [s,x,y] x,y x,y ...`` (first spline only)."""
    tip = None
    points = []
    for token in pos.split(";")[0].split():
        parts = token.split(",")
        if parts[0] == "e":
            tip = flip(float(parts[1]), float(parts[2]))
        elif parts[0] == "s":
            continue
        else:
            points.append(flip(float(parts[0]), float(parts[1])))
    return EdgePath(tuple(points), tip)


def _straight(a: tuple[float, float], b: tuple[float, float]) -> EdgePath:
    third = ((b[0] - a[0]) / 3, (b[1] - a[1]) / 3)
    points = (a, (a[0] + third[0], a[1] + third[1]), (b[0] - third[0], b[1] - third[1]), b)
    return EdgePath(points, None)


def keep_positions(new: Layout, old: Layout, graph: nx.DiGraph) -> Layout:
    """``new`` (a fresh layout of ``graph``) changed to keep every node that ``old`` placed where
    it was: a node new to the picture goes where the fresh layout puts it relative to its
    nearest neighbour that stays (or to the centre of those that stay), so the user keeps
    their place when a view grows or shrinks. Edges between two nodes that stay keep their old
    path; the others are drawn straight.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> old = Layout({"a": (0.0, 0.0), "b": (100.0, 0.0)}, {}, {}, 200, 50, "dot")
    >>> new = Layout({"a": (10.0, 10.0), "b": (60.0, 10.0), "c": (60.0, 90.0)}, {}, {}, 100, 100, "dot")
    >>> keep_positions(new, old, g).positions
    {'a': (0.0, 0.0), 'b': (100.0, 0.0), 'c': (100.0, 80.0)}
    """
    stays = [n for n in new.positions if n in old.positions]
    if not stays:
        return new
    positions = {n: old.positions[n] for n in stays}
    # Where the fresh layout is, relative to the old one: by the centre of the nodes that stay.
    dx = sum(old.positions[n][0] - new.positions[n][0] for n in stays) / len(stays)
    dy = sum(old.positions[n][1] - new.positions[n][1] for n in stays) / len(stays)
    for node in new.positions:
        if node in positions:
            continue
        anchors = [m for m in (*graph._pred.get(node, ()), *graph._succ.get(node, ())) if m in old.positions]
        if anchors:
            anchor = min(anchors)
            ox, oy = (
                old.positions[anchor][0] - new.positions[anchor][0],
                old.positions[anchor][1] - new.positions[anchor][1],
            )
        else:
            ox, oy = dx, dy
        positions[node] = _free_spot((new.positions[node][0] + ox, new.positions[node][1] + oy),
                                     new.sizes.get(node, (70.0, 30.0)), positions, new.sizes)  # fmt: skip
    edges = {
        e: old.edges[e] if e in old.edges and e[0] in old.positions and e[1] in old.positions
        else _straight(positions[e[0]], positions[e[1]])
        for e in new.edges
    }  # fmt: skip
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    return Layout(positions=positions, sizes=new.sizes, edges=edges, width=max(xs) - min(xs), height=max(ys) - min(ys),
                  engine=new.engine, guides=new.guides, centre=new.centre)  # fmt: skip


def _free_spot(
    at: tuple[float, float], size: tuple[float, float], placed: Mapping[str, tuple[float, float]],
    sizes: Mapping[str, tuple[float, float]], gap: float = 12.0,
) -> tuple[float, float]:  # fmt: skip
    """``at``, or the nearest point above or below it (in steps of the node's height and
    ``gap``) where a box of ``size`` overlaps none of the boxes ``placed``.

    >>> _free_spot((0.0, 0.0), (50.0, 20.0), {"a": (0.0, 0.0)}, {"a": (50.0, 20.0)})
    (0.0, 32.0)
    """
    w, h = size
    step = h + gap

    def clear(x: float, y: float) -> bool:
        for other, (ox, oy) in placed.items():
            ow, oh = sizes.get(other, (70.0, 30.0))
            if abs(x - ox) < (w + ow) / 2 + gap / 2 and abs(y - oy) < (h + oh) / 2 + gap / 2:
                return False
        return True

    x, y = at
    for k in range(len(placed) + 1):
        for dy in (0.0,) if k == 0 else (k * step, -k * step):
            if clear(x, y + dy):
                return (x, y + dy)
    return at
