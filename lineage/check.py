"""The CI gate: what a proposed change (changed files, or nodes taken away) does to its users.

The current graph is compared with the graph as it would be after the change, computed on a
private in-memory copy of the store: the database itself is never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from lineage.analyses import Simulation, simulate
from lineage.analyses.finding import is_live
from lineage.graph import load_graph
from lineage.ingest import ImportSession
from lineage.records import Problem
from lineage.store import Store

FAIL_ON = ("broken", "degraded", "any")
USER_KINDS = ("model", "consumer")


@dataclass(frozen=True)
class Verdict:
    node: str
    impact: str  # "broken" or "degraded"
    why: str


@dataclass(frozen=True)
class CheckResult:
    before: nx.DiGraph
    after: nx.DiGraph
    removed: tuple[str, ...]
    removed_edges: tuple[tuple[str, str], ...]
    added: tuple[str, ...]
    added_edges: tuple[tuple[str, str], ...]
    simulation: Simulation
    users: tuple[Verdict, ...]  # live models and consumers hit, broken first
    problems: tuple[Problem, ...]

    def fails(self, fail_on: str) -> bool:
        if self.problems:
            return True
        if fail_on == "any":
            return bool(self.simulation.broken or self.simulation.degraded or self.users)
        wanted = {"broken"} if fail_on == "broken" else {"broken", "degraded"}
        return any(v.impact in wanted for v in self.users)


def check_change(
    store: Store,
    paths: Sequence[str | Path] = (),
    *,
    fmt: str | None = None,
    source: str | None = None,
    remove: Iterable[str] = (),
    remove_edges: Iterable[tuple[str, str]] = (),
) -> CheckResult:
    """Compare the current graph with the graph after importing ``paths`` (as new generations
    of their sources) and removing ``remove`` and ``remove_edges``."""
    before = load_graph(store)
    problems: tuple[Problem, ...] = ()
    if paths:
        # Imported into a copy, which holds the same configs: rules as the store.
        copy = store.copy_in_memory()
        try:
            problems = tuple(ImportSession(copy, paths, fmt=fmt, source=source).commit().problems)
            after = load_graph(copy)
        finally:
            copy.close()
    else:
        after = before.copy()
    taken = set(remove)
    after.remove_nodes_from(taken)
    after.remove_edges_from(list(remove_edges))
    # Removed: declared before, and now gone or only still named by something that reads it.
    removed = sorted(
        n for n in before
        if before.nodes[n].get("declared", True)
        and (n not in after or not after.nodes[n].get("declared", True))
    )  # fmt: skip
    removed_set = set(removed)
    removed_edges = sorted(
        (u, v) for u, v in before.edges
        if u not in removed_set and v not in removed_set and not after.has_edge(u, v)
    )  # fmt: skip
    simulation = simulate(before, removed, removed_edges)
    users: dict[str, Verdict] = {}
    # A user that still declares reading something the change removes is broken for the gate.
    for node in removed:
        if node in after:
            for reader in sorted(after._succ[node]):
                if _is_user(after, reader):
                    users.setdefault(reader, Verdict(
                        reader, "broken", f"still reads {node}, which the change removes"
                    ))  # fmt: skip
    # So is one that reads a feature or a column the change leaves with nothing to be made of
    # because a column is gone (dropped from the SQL that makes it): the column it reads is gone
    # as surely as a removed feature. (A feature whose whole dataset goes still degrades its
    # readers: the rule for datasets stays as it was.)
    for gone in simulation.broken:
        kinds = {before.nodes[n].get("kind") for n in gone.lost}
        if before.nodes[gone.node].get("kind") in ("feature", "field") and "field" in kinds:
            for reader in sorted(before._succ[gone.node]):
                if _is_user(before, reader) and reader not in users:
                    users[reader] = Verdict(reader, "broken", f"reads {gone.node}, which the change breaks"
                                                              f" (it loses {', '.join(gone.lost[:3])})")  # fmt: skip
    for affected, label in [(a, "broken") for a in simulation.broken] + [(a, "degraded") for a in simulation.degraded]:
        if affected.node not in users and _is_user(before, affected.node):
            users[affected.node] = Verdict(affected.node, label, _why(affected, label))
    ordered = sorted(users.values(), key=lambda v: (v.impact != "broken", v.node))
    return CheckResult(
        before=before, after=after, removed=tuple(removed), removed_edges=tuple(removed_edges),
        added=tuple(sorted(n for n in after if n not in before)),
        added_edges=tuple(sorted(e for e in after.edges if not before.has_edge(*e))),
        simulation=simulation, users=tuple(ordered), problems=problems,
    )  # fmt: skip


def _is_user(graph: nx.DiGraph, node: str) -> bool:
    return graph.nodes[node].get("kind") in USER_KINDS and is_live(graph, node)


def _why(affected, label: str) -> str:
    parts = []
    if affected.lost:
        parts.append("loses " + ", ".join(affected.lost))
    if affected.changed:
        more = len(affected.changed) - 3
        parts.append("reads changed " + ", ".join(affected.changed[:3])
                     + (f" and {more} more" if more > 0 else ""))  # fmt: skip
    if affected.weight_lost:
        parts.append(f"{affected.weight_lost:.0%} of its input weight gone")
    return "; ".join(parts) or label
