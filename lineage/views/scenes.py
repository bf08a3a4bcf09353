"""What each explorer mode shows, computed without any UI (the explorer's model layer).

A :class:`Scene` is a small graph to draw (a bounded piece of the lineage), the state of each
node and edge in it (focus, on a path, removed, broken, degraded, added ...), and a few lines of
summary. :func:`build_scene` makes the scene a :class:`~lineage.views.spec.ViewSpec` asks for,
with the one builder registered for its mode (:data:`SCENES`). The Qt front end only lays it out
and paints it; the CLI's exports and the tours draw the same scenes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from lineage.analyses import Finding, diff, impact, simulate, trace
from lineage.analyses.trace import Trace, nodes_between
from lineage.changes import Changes, changes_between, import_label
from lineage.graph import load_around, load_graph
from lineage.groups import largest_groups
from lineage.views.filters import NodeFilter, node_filter
from lineage.views.folding import Folded, fold_edge, fold_hops, folded_graph
from lineage.views.generations import earlier_state
from lineage.views.neighbourhood import neighbourhood
from lineage.views.spec import LIMIT, MODES, ViewSpec, reach_words
from lineage.words import counted

if TYPE_CHECKING:
    from lineage.store import Store


@dataclass
class Scene:
    mode: str
    title: str
    graph: nx.DiGraph  # the nodes and edges to draw, with their attributes
    focus: str | None = None
    node_state: dict[str, str] = field(default_factory=dict)
    edge_state: dict[tuple[str, str], str] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)  # neighbours not shown, per node
    left_out: int = 0
    summary: list[str] = field(default_factory=list)
    engine: str | None = None  # None: Graphviz's dot (sfdp when large); "rings": by distance
    root: str | None = None  # the centre of a ring layout
    distance: dict[str, int] = field(default_factory=dict)  # hops from the root (rings)
    unmatched: frozenset[str] = frozenset()  # nodes the view's facets do not match: drawn faded


def _subgraph(graph: nx.DiGraph, nodes: Iterable[str]) -> nx.DiGraph:
    return graph.subgraph(list(dict.fromkeys(nodes))).copy()


def _hidden(graph: nx.DiGraph, shown: Iterable[str], known: set[str] | None = None) -> dict[str, int]:
    """For each node in ``shown``: how many of its neighbours are not in ``known`` (what a "+N"
    badge says; ``known`` defaults to ``shown``, and a folded view passes what its groups hold)."""
    known = set(shown) if known is None else known
    out = {}
    for node in shown:
        count = sum(1 for o in {*graph._succ[node], *graph._pred[node]} if o not in known)
        if count:
            out[node] = count
    return out


def explore_scene(
    graph: nx.DiGraph, focus: str, *, depth: int = 2, limit: int = LIMIT,
    expanded: Iterable[str] = (), opened: frozenset[str] = frozenset(), fold: bool = True,
    hops: tuple[int, int] | None = None,
) -> Scene:  # fmt: skip
    """The focused node's neighbourhood, plus every neighbour of the nodes the user expanded.
    More than ``limit`` nodes are folded (:mod:`lineage.views.folding`), the outermost hops
    first, until what is drawn fits, and so is every hop from the first of more than
    ``WIDEST_HOP`` nodes on (with ``limit`` at most ``LIMIT``): every node within ``depth``
    is drawn or in one group (``opened`` opens groups); with ``fold`` False, the nearest
    ``limit`` are drawn and the rest counted as left out (for a view grouped by team, owner or
    namespace afterwards). ``hops`` (up, down) reaches ancestors and descendants apart (see
    :func:`~lineage.views.neighbourhood.neighbourhood`).

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> s = explore_scene(g, "b", depth=1)
    >>> sorted(s.graph), s.hidden
    (['a', 'b', 'c'], {'c': 1})
    >>> sorted(explore_scene(g, "b", depth=1, expanded=["c"]).graph)
    ['a', 'b', 'c', 'd']
    >>> star = nx.DiGraph([("hub", f"n{i:02}") for i in range(30)])
    >>> sorted(explore_scene(star, "hub", depth=1, limit=10).graph)
    ['group:near1|kind="(no kind)"', 'hub', 'n00', 'n01']
    >>> explore_scene(g, "c", hops=(2, 0)).title
    'c: 3 nodes within 2 hops up, 0 down'
    """
    hood = neighbourhood(graph, focus, depth=depth, limit=limit if not fold else len(graph), hops=hops)
    reach = reach_words(depth, hops)
    depth = depth if hops is None else max(hops)
    within = set(hood.nodes)
    extras: list[str] = []
    for node in expanded:
        if node in within:
            extras += sorted(n for n in {*graph._succ[node], *graph._pred[node]} if n not in within)
    extras = list(dict.fromkeys(extras))
    levels = [[n for n in hood.nodes if hood.distance[n] == d] for d in range(1, depth + 1)]
    # A hop too wide to read is folded too, unless the view asks for more than the usual limit.
    widest = WIDEST_HOP if limit <= LIMIT else None
    if not fold or (len(within) + len(extras) <= limit and max(map(len, levels), default=0) <= (widest or limit)):
        nodes = list(dict.fromkeys([*hood.nodes, *extras]))[: max(limit, len(hood.nodes))]
        shown = set(nodes)
        title = f"{focus}: {counted(len(shown), 'node')} within {reach}"
        return Scene(
            "explore", title, _subgraph(graph, nodes), focus=focus, node_state={focus: "focus"},
            hidden=_hidden(graph, shown), left_out=hood.left_out,
        )  # fmt: skip
    inner, folded = _fold_to_fit(graph, [(levels, "near")], limit, opened, fixed=1 + len(extras), widest=widest)
    keep = [focus, *inner, *extras]
    sub = folded_graph(graph, keep, folded)
    represented = {*keep, *folded.rep}
    hidden = _hidden(graph, [n for n in sub if n not in folded.groups], represented)
    summary = [f"{len(folded.groups)} groups drawn: double-click one to open it"] if folded.groups else []
    return Scene(
        "explore", f"{focus}: {counted(len(represented), 'node')} within {reach}", sub, focus=focus,
        node_state={focus: "focus"}, hidden=hidden, summary=summary,
    )  # fmt: skip


WIDEST_HOP = 60  # Explore folds a wider hop even when the view fits: a column of hundreds is not read
TRACE_SHARE = 5  # a folded trace draws the shortest paths' nodes up to a fifth of its limit


def trace_scene(
    graph: nx.DiGraph, source: str, target: str, *, max_paths: int = 50, limit: int = LIMIT,
    opened: frozenset[str] = frozenset(),
) -> Scene:  # fmt: skip
    """Every node a path from ``source`` to ``target`` can pass, and the edges between them,
    highlighted; the summary names the shortest ``max_paths`` paths. Past ``limit`` nodes, the
    nodes of the shortest paths stay themselves (as many whole paths as fill a fifth of it), the
    rest fold into one group per hop from the source (``opened`` opens a group: by kind, then
    as Impact's groups open), and only the edges one hop onward, into the target and along the
    named paths are drawn: every node between the two is drawn or in one group.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "x")])
    >>> s = trace_scene(g, "a", "c")
    >>> sorted(s.graph), s.node_state["b"], s.edge_state[("a", "c")]
    (['a', 'b', 'c'], 'path', 'path')
    """
    found = trace(graph, source, target, max_paths=max_paths)
    route = nodes_between(graph, source, target) or {source, target}
    keep, folded, hop = _fold_route(graph, source, route, found.paths, limit, opened)
    keep_edge = None
    if folded.groups:  # the edges one hop onward, into the target and along the paths drawn
        on_path = {(u, v) for path in found.paths for u, v in zip(path, path[1:], strict=False)}
        at = {**{folded.rep[n]: hop[n] for n in folded.rep}, **{n: hop[n] for n in keep}}
        keep_edge = lambda a, b: at[b] == at[a] + 1 or b == target or (a, b) in on_path  # noqa: E731
    sub = folded_graph(graph, keep, folded, keep=keep_edge)
    node_state = {n: "path" for n in sub if n not in folded.groups and n in route}
    node_state[source] = node_state[target] = "focus"
    edge_state = {(u, v): "path" for u, v in sub.edges if u in node_state and v in node_state}
    summary = _trace_summary(graph, source, target, found)
    if folded.groups:
        summary.append(f"{len(route):,} nodes lie between them: {len(keep):,} on the shortest paths drawn, "
                       f"the rest in {len(folded.groups)} groups (double-click one to open it)")  # fmt: skip
    hidden = _hidden(graph, [n for n in sub if n not in folded.groups], {*keep, *folded.rep})
    return Scene("trace", f"paths from {source} to {target}", sub, focus=source,
                 node_state=node_state, edge_state=edge_state, hidden=hidden, summary=summary)  # fmt: skip


TRACE_LISTED = 10  # paths a trace's summary spells out; it counts the rest


def _trace_summary(graph: nx.DiGraph, source: str, target: str, found: Trace) -> list[str]:
    """The paths found, shortest first, the first ``TRACE_LISTED`` spelt out and the rest counted;
    with none, whether there is a path the other way (the panel's Reverse traces it)."""
    name = {n: graph.nodes[n].get("name") or n for n in (source, target)}
    if not found.paths:
        if nodes_between(graph, target, source):
            return [f"no path from {name[source]} to {name[target]}, but there is one from {name[target]} "
                    f"to {name[source]}: ⇄ Reverse traces it"]  # fmt: skip
        return ["no path between them, either way"]
    more = " (more exist)" if found.truncated else ""
    summary = [f"{counted(len(found.paths), 'path')}{more}"]
    summary += [" -> ".join(graph.nodes[n].get("name") or n for n in p) for p in found.paths[:TRACE_LISTED]]
    if len(found.paths) > TRACE_LISTED:
        summary.append(f"… and {counted(len(found.paths) - TRACE_LISTED, 'more path')}")
    return summary


def _fold_route(
    graph: nx.DiGraph, source: str, route: set[str], paths: Sequence[Sequence[str]], limit: int,
    opened: frozenset[str],
) -> tuple[list[str], Folded, dict[str, int]]:  # fmt: skip
    """The nodes of a trace drawn as themselves, the folding of the rest of ``route``, and the
    hop of each node of the route from ``source`` (along the route)."""
    hop = {source: 0}
    frontier = [source]
    while frontier:  # every node of the route is reached along it
        reached = []
        for u in frontier:
            for v in graph._succ[u]:
                if v in route and v not in hop:
                    hop[v] = hop[u] + 1
                    reached.append(v)
        frontier = reached
    if len(route) <= limit:
        return list(dict.fromkeys([*(n for path in paths for n in path), *sorted(route)])), Folded({}, {}), hop
    keep: dict[str, None] = {}
    for path in paths:  # shortest first: whole paths, as many as fill a fifth of the picture
        more = [n for n in path if n not in keep]
        if keep and len(keep) + len(more) > limit // TRACE_SHARE:
            break
        keep.update(dict.fromkeys(more))
    levels: list[list[str]] = [[] for _ in range(max(hop.values()))]
    for n in sorted(route):
        if n not in keep:
            levels[hop[n] - 1].append(n)
    return list(keep), fold_hops(graph, levels, opened=opened, direction="via", hubs=0, by_kind=False), hop


def impact_scene(
    graph: nx.DiGraph, node: str, *, upstream: bool = False, depth: int | None = None,
    limit: int = LIMIT, opened: frozenset[str] = frozenset(),
) -> Scene:  # fmt: skip
    """What a change to ``node`` reaches, in rings by hop distance, with counts. More than
    ``limit`` nodes are folded, the outermost hops first, as few as make it fit: a folded hop
    keeps its biggest hubs and groups the rest by kind, which ``opened`` opens one level further
    (:mod:`lineage.views.folding`). Every node reached is drawn or in exactly one group.

    >>> g = nx.DiGraph([("f", "m"), ("m", "c")])
    >>> nx.set_node_attributes(g, "model", "kind")
    >>> s = impact_scene(g, "f")
    >>> s.node_state, s.engine, s.left_out
    ({'f': 'focus', 'm': 'hop1', 'c': 'hop2'}, 'rings', 0)
    """
    result = impact(graph, node, depth=depth, upstream=upstream)
    down_levels = list(result.downstream.levels)
    up_levels: list[list[str]] = []
    if result.upstream is not None:  # a node both ways (a cycle) is drawn downstream only
        down_set = {n for level in down_levels for n in level}
        up_levels = [[n for n in level if n not in down_set] for level in result.upstream.levels]
    inner, folded = _fold_to_fit(graph, [(down_levels, "down"), (up_levels, "up")], limit, opened)
    rep = {**folded.rep, **{n: n for n in inner}}
    distance = {node: 0}
    for levels in (down_levels, up_levels):
        for hop, level in enumerate(levels, start=1):
            for n in level:
                distance.setdefault(rep[n], hop)
    # Only the edges from one ring to the next are drawn: the rest (within a ring, back to an
    # inner one) would cross the whole picture; the inspector lists every edge of a node.
    drawn = folded_graph(graph, [node, *inner], folded, keep=lambda a, b: abs(distance[b] - distance[a]) == 1)
    state = {n: "focus" if n == node else f"hop{min(d, 9)}" for n, d in distance.items()}
    down = result.downstream
    summary = [f"downstream: {len(down.nodes)} nodes"]
    summary += [f"  hop {d}: {n}" for d, n in down.by_distance.items()]
    summary += ["  by kind: " + ", ".join(f"{k} {v}" for k, v in down.by_kind.items())]
    owners, more = largest_groups(down.by_owner, 10)
    summary += ["  by owner: " + ", ".join(f"{k} {v}" for k, v in owners) + (f" and {more:,} more" if more else "")]
    if result.upstream is not None:
        summary.append(f"upstream: {len(result.upstream.nodes)} nodes")
    if folded.groups:
        summary.append(f"{len(folded.groups)} groups drawn: double-click one to open it")
    hidden = _hidden(graph, [n for n in drawn if n not in folded.groups], {node, *rep})
    return Scene("impact", f"impact of {node}", drawn, focus=node, node_state=state, hidden=hidden,
                 summary=summary, engine="rings", root=node, distance=distance)  # fmt: skip


def _fold_to_fit(
    graph: nx.DiGraph, sides: Sequence[tuple[list[list[str]], str]], limit: int, opened: frozenset[str],
    *, fixed: int = 1, widest: int | None = None,
) -> tuple[list[str], Folded]:  # fmt: skip
    """Of the levels of each side (``levels[d - 1]``: hop ``d``; the direction names the groups),
    the nodes drawn as themselves before the first folded hop, and the folding of the hops from
    there on: the outermost hops are folded first, as few as make the picture fit ``limit``
    with ``fixed`` nodes drawn besides (the focus, ...), and every hop from the first of more
    than ``widest`` nodes on. Each hop folds on its own, once."""
    inner: list[str] = [n for levels, _ in sides for level in levels for n in level]
    wide = [
        d
        for levels, _ in sides
        for d, level in enumerate(levels, start=1)
        if widest is not None and len(level) > widest
    ]
    if len(inner) + fixed <= limit and not wide:
        return inner, Folded({}, {})
    per_hop = {(d, side): fold_hops(graph, [levels[d - 1]], opened=opened, direction=side, first_hop=d)
               for levels, side in sides for d in range(1, len(levels) + 1)}  # fmt: skip
    drawn = {key: len(f.groups) + sum(1 for n, r in f.rep.items() if n == r) for key, f in per_hop.items()}
    sizes = {key: len(levels[key[0] - 1]) for levels, side in sides for key in per_hop if key[1] == side}
    start = max(len(levels) for levels, _ in sides)
    folded_count = sum(drawn[k] for k in per_hop if k[0] >= start)
    while start > 1 and (
        len(inner) - sum(sizes[k] for k in per_hop if k[0] >= start) + fixed + folded_count > limit
        or (wide and start > min(wide))
    ):
        start -= 1
        folded_count += sum(drawn[k] for k in per_hop if k[0] == start)
    chosen = [f for k, f in sorted(per_hop.items(), key=lambda kv: kv[0][1] == "down") if k[0] >= start]
    rep = {n: r for f in chosen for n, r in f.rep.items()}  # downstream last: it wins a node both ways
    groups = {g: attrs for f in chosen for g, attrs in f.groups.items()}
    inner = [n for levels, _ in sides for level in levels[: start - 1] for n in level]
    return inner, Folded(rep, groups)


def simulate_scene(
    graph: nx.DiGraph, removed: Iterable[str], removed_edges: Iterable[tuple[str, str]] = (),
    *, focus: str | None = None, limit: int = LIMIT, near: int = 2,
) -> Scene:  # fmt: skip
    """The removal simulation: what is removed, broken (red), and degraded (orange) within
    ``near`` hops of a removal; the summary counts all of it.

    >>> g = nx.DiGraph([("a", "m"), ("b", "m"), ("a", "x"), ("m", "c1"), ("c1", "c2")])
    >>> s = simulate_scene(g, ["a"])
    >>> s.node_state, s.left_out
    ({'a': 'removed', 'm': 'degraded', 'x': 'broken', 'c1': 'degraded'}, 1)
    """
    removed = [n for n in removed if n in graph]
    cut = [e for e in removed_edges if graph.has_edge(*e)]
    if not removed and not cut:
        scene = explore_scene(graph, focus, limit=limit) if focus else Scene("simulate", "", nx.DiGraph())
        scene.mode, scene.summary = "simulate", ["click a node or an edge to remove it"]
        return scene
    result = simulate(graph, removed, cut)
    state = {n: "removed" for n in removed}
    # Everything broken; what degrades only near the removal (the summary counts the rest).
    for a in result.broken:
        state.setdefault(a.node, "broken")
    for a in result.degraded:
        if a.distance <= near:
            state.setdefault(a.node, "degraded")
    nodes = list(state)[:limit]
    for u, v in cut:
        for n in (u, v):
            if n not in state:
                state[n] = "context"
                nodes.append(n)
    sub = _subgraph(graph, nodes)
    edge_state = {e: "removed" for e in cut if sub.has_edge(*e)}
    for u, v in sub.edges:
        if u in removed or (v in removed and (u, v) not in edge_state):
            edge_state.setdefault((u, v), "removed")
    total = len(result.broken) + len(result.degraded) + len(removed)
    weights = [f"  {a.node}: loses {a.weight_lost:.0%} of its input weight"
               for a in result.degraded + result.broken if a.weight_lost][:8]  # fmt: skip
    summary = [f"removed: {len(removed)} nodes, {len(cut)} edges", f"broken: {len(result.broken)}",
               f"degraded: {len(result.degraded)}", f"unaffected: {result.unaffected_count}", *weights]  # fmt: skip
    return Scene("simulate", f"removing {', '.join(removed) or 'edges'}", sub, focus=focus,
                 node_state={n: state[n] for n in sub}, edge_state=edge_state,
                 left_out=max(0, total - len([n for n in sub if state[n] != "context"])),
                 hidden=_hidden(graph, set(sub)), summary=summary)  # fmt: skip


def finding_scene(graph: nx.DiGraph, finding: Finding, *, limit: int = LIMIT) -> Scene:
    """The subgraph a finding is about: a loop, a cascade, a deprecated signal and its users."""
    nodes = [n for n in finding.nodes if n in graph]
    members = [n for n in finding.details.get("members", []) if n in graph]
    shown = list(dict.fromkeys(nodes + members))[:limit]
    sub = _subgraph(graph, shown)
    state = {n: "member" for n in shown}
    for n in nodes:
        state[n] = "path"
    if nodes:
        state[nodes[0]] = "focus"
    cycle = set(zip(nodes, nodes[1:] + nodes[:1], strict=False)) if finding.kind == "feedback_loops" else set()
    edge_state = {}
    for u, v in sub.edges:
        data = sub.edges[u, v]
        if data.get("observed") and not data.get("declared"):
            edge_state[(u, v)] = "hidden"
        elif (u, v) in cycle or (finding.kind == "correction_cascades" and u in nodes and v in nodes):
            edge_state[(u, v)] = "path"
    return Scene("findings", finding.kind.replace("_", " "), sub, focus=nodes[0] if nodes else None,
                 node_state=state, edge_state=edge_state, hidden=_hidden(graph, set(shown)),
                 left_out=len(nodes) + len(members) - len(shown), summary=[finding.reason])  # fmt: skip


def diff_scene(
    before: nx.DiGraph, after: nx.DiGraph, before_nodes: dict[str, Any], after_nodes: dict[str, Any],
    before_edges: dict[Any, Any], after_edges: dict[Any, Any], *, label: str = "", limit: int = LIMIT,
    changes: Changes | None = None,
) -> Scene:  # fmt: skip
    """What changed: nodes added (green), removed (struck), changed (yellow), with neighbours;
    with ``changes``, the summary says which import brought the nodes added or removed."""
    result = changes.diff if changes is not None else diff(before_nodes, before_edges, after_nodes, after_edges)
    state: dict[str, str] = {}
    for n in result.nodes_added:
        state[n] = "added"
    for n in result.nodes_removed:
        state[n] = "deleted"
    for c in result.nodes_changed:
        state.setdefault(c.key, "changed")
    for s, t, _ in (*result.edges_added, *result.edges_removed):
        for n in (s, t):
            state.setdefault(n, "context")
    union = nx.compose(before, after)
    shown = list(state)[:limit]
    sub = _subgraph(union, shown)
    edge_state = {}
    for s, t, _ in result.edges_added:
        if sub.has_edge(s, t):
            edge_state[(s, t)] = "added"
    for s, t, _ in result.edges_removed:
        if sub.has_edge(s, t) and not after.has_edge(s, t):
            edge_state[(s, t)] = "deleted"
    summary = [
        f"nodes: +{len(result.nodes_added)} -{len(result.nodes_removed)} ~{len(result.nodes_changed)}",
        f"edges: +{len(result.edges_added)} -{len(result.edges_removed)} ~{len(result.edges_changed)}",
    ]
    summary += _brought(changes) if changes is not None else []
    summary += [f"  ~ {c.key}: {', '.join(c.fields)}" for c in result.nodes_changed[:10]]
    return Scene("diff", f"changes since {label}" if label else "changes", sub,
                 node_state={n: state[n] for n in sub}, edge_state=edge_state,
                 left_out=len(state) - len(shown), summary=summary or ["no change"])  # fmt: skip


BROUGHT_SHOWN = 12  # imports named in a diff's summary; the rest are counted


def _brought(changes: Changes) -> list[str]:
    """ "added with FILE at TIME: N nodes" for each import that brought (or took out) nodes."""
    lines = []
    for verb, groups in (("added", changes.added_groups()), ("removed", changes.removed_groups())):
        for import_id, nodes in groups.items():
            lines.append(
                f"{verb} with {import_label(changes.imports[import_id], short=True)}: {counted(len(nodes), 'node')}"
            )
    if changes.first_import is not None and changes.before_everything():
        lines.insert(0, f"(nothing before: the first import is dated {changes.first_import[:16].replace('T', ' ')})")
    return lines[:BROUGHT_SHOWN] + (
        [f"… and {len(lines) - BROUGHT_SHOWN} more imports"] if len(lines) > BROUGHT_SHOWN else []
    )


def group_scene(scene: Scene, key: str, *, open_groups: Iterable[str] = ()) -> Scene:
    """Slice a scene: every node but the focus folded into one node per ``key`` value (team,
    owner or namespace), edges between groups counted; groups in ``open_groups`` stay open.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    >>> nx.set_node_attributes(g, {"a": "x", "b": "y", "c": "y"}, "team")
    >>> s = group_scene(Scene("explore", "", g, focus="a"), "team")
    >>> sorted(s.graph), s.graph.nodes["group:team=y"]["members"]
    (['a', 'group:team=y'], 2)
    """
    if key not in ("team", "owner", "namespace"):
        raise ValueError(f"cannot group by {key!r} (team, owner or namespace)")
    keep = set(open_groups)
    group_of: dict[str, str] = {}
    for node, data in scene.graph.nodes(data=True):
        value = data.get(key) or (data.get("team") if key == "owner" else None) or "(none)"
        group = f"group:{key}={value}"
        if node != scene.focus and group not in keep and scene.node_state.get(node) != "focus":
            group_of[node] = group
    grouped = nx.DiGraph()
    members: dict[str, int] = {}
    for node, data in scene.graph.nodes(data=True):
        if node in group_of:
            members[group_of[node]] = members.get(group_of[node], 0) + 1
        else:
            grouped.add_node(node, **data)
    for group, count in members.items():
        value = group.split("=", 1)[1]
        grouped.add_node(group, kind="group", name=f"{value} ({count})", members=count, status="active")
    for u, v, data in scene.graph.edges(data=True):
        a, b = group_of.get(u, u), group_of.get(v, v)
        if a == b:
            continue
        if grouped.has_edge(a, b):
            fold_edge(grouped.edges[a, b], data)
        else:
            grouped.add_edge(a, b, **{**data, "count": 1})
    return Scene(scene.mode, scene.title + f" (grouped by {key})", grouped, focus=scene.focus,
                 node_state={n: s for n, s in scene.node_state.items() if n in grouped},
                 edge_state={e: s for e, s in scene.edge_state.items() if grouped.has_edge(*e)},
                 hidden={n: c for n, c in scene.hidden.items() if n in grouped},
                 left_out=scene.left_out, summary=scene.summary,
                 engine=scene.engine if scene.engine != "rings" else None,
                 root=scene.root)  # fmt: skip


# -- one builder per mode ---------------------------------------------------------------------


@dataclass(frozen=True)
class DiffInputs:
    """What a diff view compares, read from the store beforehand (the explorer reads it on its UI
    thread and builds the scene on a worker)."""

    before: nx.DiGraph
    before_nodes: dict[str, Any]
    after_nodes: dict[str, Any]
    before_edges: dict[Any, Any]
    after_edges: dict[Any, Any]
    label: str
    changes: Changes | None = None


def diff_inputs(store: Store, since: str, *, label: str, until: str | None = None) -> DiffInputs:
    """The graph and snapshots at the earlier state of a diff ``since`` (see
    :func:`lineage.views.generations.earlier_state`: just after a generation, or just before a
    time) and now (or at the moment ``until``), with the import that brought each change."""
    before_when = earlier_state(since)
    with store.reading_once():
        before_nodes, before_edges = store.snapshot(before_when)
        after_nodes, after_edges = store.snapshot(until)
        before = load_graph(store, as_of=before_when)
        changes = changes_between(store, before_when, until, before=(before_nodes, before_edges),
                                  after=(after_nodes, after_edges))  # fmt: skip
    return DiffInputs(before, before_nodes, after_nodes, before_edges, after_edges, label, changes)


SceneBuilder = Callable[[nx.DiGraph, ViewSpec, "DiffInputs | None"], Scene]
SCENES: dict[str, SceneBuilder] = {}


def builds(mode: str) -> Callable[[SceneBuilder], SceneBuilder]:
    """Register the builder of ``mode``'s scene in :data:`SCENES`."""

    def register(builder: SceneBuilder) -> SceneBuilder:
        SCENES[mode] = builder
        return builder

    return register


@builds("explore")
def _explore(graph: nx.DiGraph, spec: ViewSpec, _: DiffInputs | None) -> Scene:
    # Also what a mode shows while its input is missing (no trace ends, no finding, no import).
    scene = explore_scene(graph, spec.focus, depth=spec.depth, expanded=spec.expanded, limit=spec.limit,
                          opened=spec.open_groups, fold=not spec.group_by,
                          hops=spec.hops if spec.directional else None)  # fmt: skip
    scene.mode = spec.mode
    return scene


@builds("trace")
def _trace(graph: nx.DiGraph, spec: ViewSpec, inputs: DiffInputs | None) -> Scene:
    if not spec.trace:
        return _explore(graph, spec, inputs)
    return trace_scene(graph, *spec.trace, limit=spec.limit, opened=spec.open_groups)


@builds("impact")
def _impact(graph: nx.DiGraph, spec: ViewSpec, _: DiffInputs | None) -> Scene:
    return impact_scene(graph, spec.focus, upstream=spec.upstream, limit=spec.limit, opened=spec.open_groups)


@builds("simulate")
def _simulate(graph: nx.DiGraph, spec: ViewSpec, _: DiffInputs | None) -> Scene:
    return simulate_scene(graph, spec.removed, spec.removed_edges, focus=spec.focus, limit=spec.limit)


@builds("findings")
def _findings(graph: nx.DiGraph, spec: ViewSpec, inputs: DiffInputs | None) -> Scene:
    return finding_scene(graph, spec.finding) if spec.finding is not None else _explore(graph, spec, inputs)


@builds("diff")
def _diff(graph: nx.DiGraph, spec: ViewSpec, inputs: DiffInputs | None) -> Scene:
    if not spec.since or inputs is None:
        return _explore(graph, spec, inputs)
    return diff_scene(inputs.before, graph, inputs.before_nodes, inputs.after_nodes, inputs.before_edges,
                      inputs.after_edges, label=inputs.label, changes=inputs.changes)  # fmt: skip


assert set(SCENES) == set(MODES), "every mode has one scene builder"


def explore_from_store(store: Store, spec: ViewSpec) -> Scene:
    """The picture ``build_scene`` makes of ``spec`` in explore mode, read around its focus in
    ``store`` instead of from the whole graph: what the explorer draws before the whole graph
    has loaded. A neighbourhood of ``depth`` hops, with the badges of what it leaves hidden,
    only depends on the nodes one hop further (two with expanded nodes, whose neighbours are
    drawn with badges of their own), so the scene is the one of the whole graph."""
    hops = max(spec.hops) + (2 if spec.expanded else 1)
    only = node_filter(store, spec.facets) if spec.facets else None
    return build_scene(load_around(store, spec.focus, hops), spec.replace(mode="explore"), only=only)


ANCHORS = ("focus", "removed")  # states of the nodes a filter never hides: what the view is about


def filter_scene(scene: Scene, only: NodeFilter, how: str) -> Scene:
    """``scene`` with the nodes ``only`` does not match dimmed (``how`` "dim": listed in
    ``unmatched``) or hidden ("hide": left out with their edges, and counted in the summary).
    The focus, a trace's ends and the removed nodes of a simulation stay whatever they are, and
    so do groups (open one to filter its members).

    >>> g = nx.DiGraph([("d", "m"), ("m", "c"), ("d", "j")])
    >>> for n, kind in [("d", "dataset"), ("m", "model"), ("c", "consumer"), ("j", "job")]:
    ...     g.nodes[n]["kind"] = kind
    >>> scene = Scene("explore", "t", g, focus="d", node_state={"d": "focus"})
    >>> dimmed = filter_scene(scene, NodeFilter((("kind", "model"),)), "dim")
    >>> sorted(dimmed.unmatched), dimmed.summary
    (['c', 'j'], ['2 nodes dimmed by the filter (kind model)'])
    >>> hidden = filter_scene(scene, NodeFilter((("kind", "model"),)), "hide")
    >>> sorted(hidden.graph), hidden.summary
    (['d', 'm'], ['2 nodes hidden by the filter (kind model)'])
    """
    if not only:
        return scene
    unmatched = frozenset(
        n for n, data in scene.graph.nodes(data=True)
        if scene.node_state.get(n) not in ANCHORS and n != scene.focus and data.get("kind") != "group"
        and not only.matches(n, data)
    )  # fmt: skip
    what = ", ".join(f"{facet} {value}" for facet, value in only.chosen)
    if how == "dim" or not unmatched:
        said = [f"{counted(len(unmatched), 'node')} dimmed by the filter ({what})"] if unmatched else []
        return dataclasses.replace(scene, unmatched=unmatched, summary=[*scene.summary, *said])
    kept = [n for n in scene.graph if n not in unmatched]
    return dataclasses.replace(
        scene, graph=_subgraph(scene.graph, kept),
        node_state={n: s for n, s in scene.node_state.items() if n not in unmatched},
        edge_state={e: s for e, s in scene.edge_state.items() if e[0] not in unmatched and e[1] not in unmatched},
        hidden={n: c for n, c in scene.hidden.items() if n not in unmatched},
        distance={n: d for n, d in scene.distance.items() if n not in unmatched},
        summary=[*scene.summary, f"{counted(len(unmatched), 'node')} hidden by the filter ({what})"],
    )  # fmt: skip


def build_scene(
    graph: nx.DiGraph, spec: ViewSpec, *, diff: DiffInputs | None = None, only: NodeFilter | None = None
) -> Scene:
    """The scene ``spec`` asks for, grouped when it says so; ``diff`` is what a diff view
    compares (see :func:`diff_inputs`); ``only`` filters it as ``spec.unmatched`` says (the
    filter of ``spec.facets``, read from the store: :func:`lineage.views.filters.node_filter`).

    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> scene = build_scene(g, ViewSpec(mode="trace", focus="a", trace=("a", "c")))
    >>> scene.mode, sorted(scene.graph), build_scene(g, ViewSpec(mode="trace", focus="a")).mode
    ('trace', ['a', 'b', 'c'], 'trace')
    """
    scene = SCENES[spec.mode](graph, spec, diff)
    if spec.group_by:
        scene = group_scene(scene, spec.group_by, open_groups=spec.open_groups)
    if only is not None:
        scene = filter_scene(scene, only, spec.unmatched)
    return scene
