"""Simulate removing signals: which nodes break, which degrade, and how much weight models lose."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx


@dataclass(frozen=True)
class Affected:
    """A broken or degraded node: the inputs it loses and, with weights, the share lost.

    ``lost`` are inputs removed or broken (gone); ``changed`` are inputs still there but
    degraded. ``weight_lost`` is the share of the node's weighted inputs that are gone (None
    when its inputs carry no weights). ``distance`` is the hops from the nearest removal.
    """

    node: str
    distance: int
    lost: tuple[str, ...]
    changed: tuple[str, ...]
    weight_lost: float | None


@dataclass(frozen=True)
class Simulation:
    removed: tuple[str, ...]
    removed_edges: tuple[tuple[str, str], ...]
    broken: tuple[Affected, ...]
    degraded: tuple[Affected, ...]
    unaffected_count: int
    by_distance: dict[int, dict[str, int]] = field(default_factory=dict)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    by_owner: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def broken_ids(self) -> frozenset[str]:
        return frozenset(a.node for a in self.broken)

    @property
    def degraded_ids(self) -> frozenset[str]:
        return frozenset(a.node for a in self.degraded)


def simulate(
    graph: nx.DiGraph,
    remove: Iterable[str] = (),
    remove_edges: Iterable[tuple[str, str]] = (),
) -> Simulation:
    """Remove nodes and edges hypothetically and classify every other node.

    * **broken**: has at least one input, and every input is removed, broken, or arrives over
      a removed edge. This is the least fixpoint, so a cycle cannot keep itself alive or break
      itself: a loop that still has an outside input is degraded, not broken.
    * **degraded**: not broken, but at least one input is removed, broken or degraded.
    * **unaffected**: the rest. Nodes without inputs are never broken unless removed.

    >>> g = nx.DiGraph([("f1", "m"), ("f2", "m"), ("m", "c"), ("f1", "x")])
    >>> nx.set_edge_attributes(g, {("f1", "m"): 0.75, ("f2", "m"): 0.25}, "weight")
    >>> s = simulate(g, ["f1"])
    >>> [a.node for a in s.broken], [a.node for a in s.degraded], s.unaffected_count
    (['x'], ['m', 'c'], 1)
    >>> s.degraded[0].weight_lost
    0.75
    >>> [a.node for a in simulate(g, ["f1", "f2"]).broken]
    ['m', 'x', 'c']

    A field (a ``has_field`` edge from its dataset) breaks with its dataset, or when every field
    it is made of is gone, its dataset still there:

    >>> t = nx.DiGraph([("d", "d#a"), ("e", "e#b"), ("d#a", "e#b"), ("e#b", "feat"), ("feat", "m"), ("f2", "m")])
    >>> nx.set_edge_attributes(t, {("d", "d#a"): ("has_field",), ("e", "e#b"): ("has_field",)}, "kinds")
    >>> nx.set_node_attributes(t, {"d#a": "field", "e#b": "field"}, "kind")
    >>> [a.node for a in simulate(t, ["d#a"]).broken], [a.node for a in simulate(t, ["d#a"]).degraded]
    (['e#b', 'feat'], ['m'])
    >>> [a.node for a in simulate(t, ["e"]).broken]
    ['e#b', 'feat']
    """
    removed = sorted(set(remove))
    for node in removed:
        if node not in graph:
            raise nx.NodeNotFound(f"{node} is not in the graph")
    cut = {(u, v) for u, v in remove_edges}
    for u, v in cut:
        if not graph.has_edge(u, v):
            raise nx.NetworkXError(f"there is no edge {u} -> {v}")
    gone = set(removed)
    pred = graph._pred

    # Everything the removal can reach, with its distance from the nearest removal.
    distance: dict[str, int] = {}
    queue: deque[str] = deque()
    for node in removed:
        for succ in graph._succ[node]:
            if succ not in gone and succ not in distance:
                distance[succ] = 1
                queue.append(succ)
    for _, v in sorted(cut):
        if v not in gone and v not in distance:
            distance[v] = 1
            queue.append(v)
    while queue:
        node = queue.popleft()
        for succ in graph._succ[node]:
            if succ not in gone and succ not in distance and (node, succ) not in cut:
                distance[succ] = distance[node] + 1
                queue.append(succ)

    # Least fixpoint of "broken": grow from nodes whose every input is already lost. A field's
    # dataset is no input like the others: the field breaks with it, and else when every field
    # it is made of is lost (its dataset still being there does not keep it).
    broken: set[str] = set()
    nodes = graph._node
    # Only a field has a dataset it is part of: the kind is one look, the edges many (a hub's readers).
    box = {v: _container(pred[v]) if nodes[v].get("kind") == "field" else None for v in distance}
    needed = {v: len(pred[v]) - (box[v] is not None) for v in distance}
    lost_count = {v: sum(1 for u in pred[v] if u != box[v] and (u in gone or (u, v) in cut)) for v in distance}
    ready = deque(v for v in distance
                  if (box[v] is not None and (box[v] in gone or (box[v], v) in cut))
                  or (needed[v] and lost_count[v] == needed[v]))  # fmt: skip
    while ready:
        node = ready.popleft()
        if node in broken:
            continue
        broken.add(node)
        for succ in graph._succ[node]:
            if succ in distance and succ not in broken and (node, succ) not in cut:
                if node == box[succ]:
                    ready.append(succ)
                    continue
                lost_count[succ] += 1
                if lost_count[succ] == needed[succ]:
                    ready.append(succ)

    def describe(node: str) -> Affected:
        inputs = pred[node]
        lost, changed = [], []
        for u in inputs:  # one pass: the inputs of a hub's readers are most of the cost
            if u in gone or u in broken or (cut and (u, node) in cut):
                lost.append(u)
            elif u in distance:
                changed.append(u)
        lost.sort()
        changed.sort()
        return Affected(node, distance[node], tuple(lost), tuple(changed), _weight_lost(inputs, lost))

    order = sorted(distance, key=lambda n: (distance[n], n))
    broken_list = tuple(describe(n) for n in order if n in broken)
    degraded_list = tuple(describe(n) for n in order if n not in broken)
    unaffected = graph.number_of_nodes() - len(gone) - len(distance)
    attrs = graph._node
    return Simulation(
        removed=tuple(removed),
        removed_edges=tuple(sorted(cut)),
        broken=broken_list,
        degraded=degraded_list,
        unaffected_count=unaffected,
        by_distance=_groups(broken_list, degraded_list, lambda a: a.distance),
        by_kind=_groups(broken_list, degraded_list, lambda a: attrs[a.node].get("kind") or "?"),
        by_owner=_groups(
            broken_list,
            degraded_list,
            lambda a: attrs[a.node].get("owner") or attrs[a.node].get("team") or "(no owner)",
        ),  # fmt: skip
    )


def _container(inputs: dict) -> str | None:
    """The dataset a node is a field of (its ``has_field`` input), if it is one."""
    for source, data in inputs.items():
        if "has_field" in (data.get("kinds") or ()):
            return source
    return None


def _weight_lost(inputs: dict, lost: list[str]) -> float | None:
    """The share of the weight of ``inputs`` (a node's predecessors and their edges) that
    ``lost`` (sorted) carried; None without weights."""
    total = sum([w for d in inputs.values() if (w := d.get("weight")) is not None])
    if not total:
        return None
    return round(sum([inputs[u].get("weight") or 0.0 for u in lost]) / total, 6)


def _groups(broken, degraded, key) -> dict:
    counts: dict = {}
    for label, items in (("broken", broken), ("degraded", degraded)):
        for group, n in Counter(key(a) for a in items).items():
            counts.setdefault(group, {"broken": 0, "degraded": 0})[label] = n
    return dict(sorted(counts.items()))
