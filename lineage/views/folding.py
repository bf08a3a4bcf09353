"""Big views stay readable: what does not fit is folded into groups, never left out.

A view of what a node reaches (its impact) may hold tens of thousands of nodes over dozens of
hops. Drawn one by one they are a moiré of spokes; cut at a limit, the rest vanishes. Instead,
each hop with more than ``INDIVIDUAL`` nodes keeps its ``HUBS`` biggest hubs (most successors)
as themselves and folds the rest into one group per kind ("1,602 datasets · hop 4"). Opening a
group (``ViewSpec.open_groups``) splits it one level further: by owner (or team), then by
namespace, then into parts of ``PART`` nodes by id; a group of at most ``INDIVIDUAL`` nodes is
drawn node by node. Every reached node is drawn or inside exactly one group.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

INDIVIDUAL = 8  # a hop, or an opened group, of at most this many nodes is drawn node by node
HUBS = 2  # nodes of a folded hop that stay themselves: those with the most successors
PART = 40  # an opened group that owner and namespace do not split is cut into parts this big
SPLITS = ("kind", "owner", "namespace")  # the keys a group is split by, in order, when opened


@dataclass(frozen=True)
class Folded:
    """How the nodes of a view are drawn: ``rep[node]`` is the drawn node that stands for it
    (itself, or a group's id); ``groups`` are the attributes of each group drawn."""

    rep: dict[str, str]
    groups: dict[str, dict[str, Any]]


def fold_hops(
    graph: nx.DiGraph, levels: Sequence[Iterable[str]], *, opened: frozenset[str] = frozenset(),
    direction: str = "down", first_hop: int = 1, hubs: int = HUBS, by_kind: bool = True,
) -> Folded:  # fmt: skip
    """Fold the nodes first reached at each hop (``levels[d - first_hop]``: those of hop ``d``),
    keeping ``hubs`` of each as themselves, into a group per kind (with ``by_kind`` False, one
    group per hop, split by kind when opened).

    >>> g = nx.DiGraph([("f", f"d{i:02}") for i in range(20)] + [("d00", "x"), ("d00", "y")])
    >>> nx.set_node_attributes(g, "dataset", "kind")
    >>> folded = fold_hops(g, [[f"d{i:02}" for i in range(20)], ["x", "y"]])
    >>> sorted(folded.groups.values(), key=str)[0]["name"], folded.rep["d00"], folded.rep["x"]
    ('18 datasets · hop 1', 'd00', 'x')
    >>> [n for n, r in folded.rep.items() if r == n and n.startswith("d")]  # the two hubs
    ['d00', 'd01']
    """
    rep: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for hop, level in enumerate(levels, start=first_hop):
        nodes = sorted(level)
        if len(nodes) > INDIVIDUAL and hubs:
            biggest = sorted(nodes, key=lambda n: (-len(graph._succ[n]), n))[:hubs]
            rep.update((n, n) for n in biggest)  # in this order, not a set's: the drawing follows it
            kept = set(biggest)
            nodes = [n for n in nodes if n not in kept]
        root = f"group:{direction}{hop}"
        _place(graph, nodes, root, 0, opened | {root} if by_kind else opened, rep, groups, _Where(hop, direction))
    return Folded(rep, groups)


@dataclass(frozen=True)
class _Where:
    hop: int
    direction: str
    labels: tuple[tuple[str, str], ...] = ()  # (key, value) of each split made so far

    def under(self, key: str, value: str) -> _Where:
        return _Where(self.hop, self.direction, (*self.labels, (key, value)))


def _value(graph: nx.DiGraph, node: str, key: str) -> str:
    data = graph._node[node]
    if key == "owner":
        return data.get("owner") or data.get("team") or "(no owner)"
    return data.get(key) or f"(no {key})"


def _place(graph: nx.DiGraph, nodes: list[str], gid: str, split: int, opened: frozenset[str],
           rep: dict[str, str], groups: dict[str, dict[str, Any]], where: _Where) -> None:  # fmt: skip
    if not nodes:
        return
    if len(nodes) <= INDIVIDUAL or (gid in opened and split > len(SPLITS)):
        rep.update((n, n) for n in nodes)  # small, or an opened part: node by node
        return
    if gid not in opened:
        groups[gid] = _group(nodes, where)
        rep.update((n, gid) for n in nodes)
        return
    while split < len(SPLITS):
        key = SPLITS[split]
        split += 1
        by: dict[str, list[str]] = {}
        for n in nodes:
            by.setdefault(_value(graph, n, key), []).append(n)
        if len(by) > 1 or key == "kind":  # a split that divides nothing is skipped (kind names the group)
            for value, members in sorted(by.items()):
                child = f"{gid}|{key}={json.dumps(value)}"
                _place(graph, members, child, split, opened, rep, groups, where.under(key, value))
            return
    if len(nodes) <= PART:  # nothing splits it further, and it is one part: node by node
        rep.update((n, n) for n in nodes)
        return
    for start in range(0, len(nodes), PART):  # nothing splits it further: parts by id
        part = nodes[start : start + PART]
        child = f"{gid}|part={start // PART}"
        span = (f"{start + 1:,}–{start + len(part):,} of {len(nodes):,}", "")
        _place(graph, part, child, len(SPLITS) + 1, opened, rep, groups,
               _Where(where.hop, where.direction, (*where.labels, ("part", span[0]))))  # fmt: skip


def _group(nodes: list[str], where: _Where) -> dict[str, Any]:
    """A group's attributes: its label says how many of what, at which hop, of whom."""
    labels = dict(where.labels)
    kind = labels.get("kind", "node")
    noun = kind if len(nodes) == 1 else f"{kind}s"
    hop = f"hop {where.hop}" + {"up": " upstream", "near": " away", "via": " from the source"}.get(where.direction, "")
    parts = [f"{len(nodes):,} {noun}" if "part" not in labels else f"{noun} {labels['part']}", hop]
    parts += [v for k, v in where.labels if k in ("owner", "namespace")]
    return {"kind": "group", "name": " · ".join(parts), "members": len(nodes), "status": "active",
            "hop": where.hop}  # fmt: skip


def folded_graph(
    graph: nx.DiGraph, nodes: Iterable[str], folded: Folded, *, keep: Callable[[str, str], bool] | None = None,
) -> nx.DiGraph:  # fmt: skip
    """The graph to draw: ``nodes`` and those standing for themselves with their attributes,
    the groups, and one edge between two drawn nodes for the edges between what they stand for
    (``count`` of them, their kinds, the largest weight, either's declared/observed), of the
    pairs of drawn nodes ``keep`` keeps (every pair without it).

    >>> g = nx.DiGraph([("f", "a"), ("f", "b"), ("a", "c"), ("b", "c")])
    >>> folded = Folded({"a": "G", "b": "G", "c": "c"}, {"G": {"kind": "group", "members": 2}})
    >>> drawn = folded_graph(g, ["f"], folded)
    >>> sorted(drawn.edges(data="count"))
    [('G', 'c', 2), ('f', 'G', 2)]
    """
    rep = {**folded.rep, **{n: n for n in nodes}}
    drawn = nx.DiGraph()
    for node, stands_for in rep.items():
        if node == stands_for:
            drawn.add_node(node, **graph._node[node])
    for gid, attrs in folded.groups.items():
        drawn.add_node(gid, **attrs)
    for u in rep:
        a = rep[u]
        for v, data in graph._succ[u].items():
            b = rep.get(v)
            if b is None or a == b or (keep is not None and not keep(a, b)):
                continue
            if drawn.has_edge(a, b):
                fold_edge(drawn.edges[a, b], data)
            else:
                drawn.add_edge(a, b, **{**data, "count": 1})
    return drawn


def fold_edge(folded: dict[str, Any], data: Mapping[str, Any]) -> None:
    """One more edge between the same two drawn nodes: counted, its kinds added, the largest weight
    and either edge's declared or observed kept (as the graph merges the edges of two sources),
    so the folded edge does not depend on which member edge came first.

    >>> a = {"kinds": ("reads",), "weight": 0.2, "declared": True, "observed": False, "count": 1}
    >>> fold_edge(a, {"kinds": ("writes",), "weight": 0.5, "declared": False, "observed": True})
    >>> a
    {'kinds': ('reads', 'writes'), 'weight': 0.5, 'declared': True, 'observed': True, 'count': 2}
    """
    folded["count"] = folded.get("count", 1) + data.get("count", 1)
    folded["kinds"] = tuple(sorted({*folded.get("kinds", ()), *data.get("kinds", ())}))
    weights = [w for w in (folded.get("weight"), data.get("weight")) if w is not None]
    folded["weight"] = max(weights) if weights else None
    for flag in ("declared", "observed"):
        folded[flag] = bool(folded.get(flag) or data.get(flag))
