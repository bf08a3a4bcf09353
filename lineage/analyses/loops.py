"""Feedback loops and undeclared consumers: what only logs reveal."""

from __future__ import annotations

import networkx as nx

from lineage.analyses.engine import Graph, split
from lineage.analyses.finding import Finding, names

MAX_HIDDEN_TRIED = 50  # hidden edges whose loops are compared to pick the one to show


def _shortest_cycle_through(sub: nx.DiGraph, u: str, v: str) -> list[str]:
    """The shortest cycle that uses the edge u -> v, as [u, v, ..., back before u]."""
    if u == v:
        return [u]
    return [u, *nx.shortest_path(sub, v, u)[:-1]]


def feedback_loops(graph: Graph) -> list[Finding]:
    """Every cycle: one finding per strongly connected component, with a representative cycle.

    Given a :class:`~lineage.analyses.engine.GraphIndex`, the components come from the
    compiled engine (the same result).

    A loop is **hidden** when one of its edges is only observed (in logs) and declared nowhere;
    the representative cycle then goes through such an edge, so the report shows it.

    >>> g = nx.DiGraph([("m", "c"), ("c", "log"), ("log", "f"), ("f", "m"), ("x", "x")])
    >>> nx.set_edge_attributes(g, True, "declared")
    >>> g.edges["log", "f"]["declared"] = False
    >>> g.edges["log", "f"]["observed"] = True
    >>> [(f.nodes, f.details["hidden"]) for f in feedback_loops(g)]
    [(('log', 'f', 'm', 'c'), True), (('x',), False)]
    >>> from lineage.analyses.engine import GraphIndex
    >>> feedback_loops(GraphIndex(g)) == feedback_loops(g)
    True
    """
    graph, index = split(graph)
    found = []
    for component in index.cycles() if index else nx.strongly_connected_components(graph):
        members = sorted(component)
        first = members[0]
        if len(members) == 1 and not graph.has_edge(first, first):
            continue
        sub = graph.subgraph(members)
        hidden = sorted((u, v) for u, v, d in sub.edges(data=True) if d.get("observed") and not d.get("declared"))
        if hidden:
            # Show the tightest loop a hidden edge closes (a model's output read first).
            candidates = sorted(hidden, key=lambda e: (graph.nodes[e[0]].get("kind") != "model", e))
            cycle = min((_shortest_cycle_through(sub, *e) for e in candidates[:MAX_HIDDEN_TRIED]),
                        key=len)  # fmt: skip
            hidden_edge = (cycle[0], cycle[1] if len(cycle) > 1 else cycle[0])
        elif len(members) == 1:
            cycle = [first]
        else:
            # Start where a reader expects a loop to start: the busiest model in it, if any.
            models = [n for n in members if graph.nodes[n].get("kind") == "model"] or members
            start = min(models, key=lambda n: (-sub.degree(n), n))
            cycle = min(
                (_shortest_cycle_through(sub, start, succ) for succ in sorted(sub._succ[start])),
                key=len,
            )
        where = f"the edge {hidden_edge[0]} -> {hidden_edge[1]} is only observed in logs" if hidden else ""
        reason = f"a change to any of these {len(members)} nodes comes back to itself" + (
            f"; hidden: {where}" if hidden else ""
        )
        found.append(Finding(
            "feedback_loops", tuple(cycle), reason,
            {"hidden": bool(hidden), "size": len(members), "members": members,
             "hidden_edges": [list(e) for e in hidden]},
        ))  # fmt: skip
    return sorted(found, key=lambda f: (not f.details["hidden"], -f.details["size"], f.nodes))


def undeclared_consumers(graph: nx.DiGraph) -> list[Finding]:
    """Consumers seen reading a model's output in logs that no config or registry declares.

    >>> g = nx.DiGraph()
    >>> g.add_node("m", kind="model"); g.add_node("c", kind="consumer", name="c")
    >>> g.add_edge("m", "c", declared=False, observed=True)
    >>> [(f.nodes, f.reason) for f in undeclared_consumers(g)]
    [(('c', 'm'), 'reads m in logs, but no config or registry declares it')]
    """
    found = []
    for node, kind in graph.nodes(data="kind"):
        if kind != "consumer":
            continue
        models = sorted(
            u for u, d in graph._pred[node].items()
            if graph.nodes[u].get("kind") == "model" and d.get("observed") and not d.get("declared")
        )  # fmt: skip
        if models:
            found.append(Finding(
                "undeclared_consumers", (node, *models),
                f"reads {names(graph, models)} in logs, but no config or registry declares it",
                {"models": models},
            ))  # fmt: skip
    return sorted(found, key=lambda f: f.nodes)
