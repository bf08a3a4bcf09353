"""Dead and repurposed configuration flags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from lineage.analyses.finding import Finding, names


@dataclass(frozen=True)
class FlagGeneration:
    """What one generation (import) of one source said a flag configures."""

    flag: str
    source: str
    valid_at: str
    targets: frozenset[str]


def dead_flags(graph: nx.DiGraph, history: Iterable[FlagGeneration] = ()) -> list[Finding]:
    """Flags that configure nothing, or only deprecated or undeclared nodes; and repurposed
    flags, whose targets were swapped for others between two generations of a source.

    >>> g = nx.DiGraph([("flag:a", "m"), ("flag:b", "old")])
    >>> g.add_node("flag:c")
    >>> nx.set_node_attributes(g, "flag", "kind"); g.nodes["m"]["kind"] = "model"
    >>> g.nodes["old"].update(kind="job", status="deprecated")
    >>> [(f.nodes, f.details["why"]) for f in dead_flags(g)]
    [(('flag:b', 'old'), 'only_dead_targets'), (('flag:c',), 'configures_nothing')]
    >>> hist = [FlagGeneration("flag:a", "s", "2025", frozenset({"x"})),
    ...         FlagGeneration("flag:a", "s", "2026", frozenset({"m"}))]
    >>> [(f.nodes, f.details["before"]) for f in dead_flags(g, hist) if "before" in f.details]
    [(('flag:a', 'm'), ['x'])]
    """
    found = []
    for flag in sorted(n for n, k in graph.nodes(data="kind") if k == "flag"):
        targets = sorted(graph._succ[flag])
        if not targets:
            found.append(Finding("dead_flags", (flag,), "configures nothing",
                                 {"why": "configures_nothing"}))  # fmt: skip
            continue
        dead = [t for t in targets if graph.nodes[t].get("status") == "deprecated"
                or graph.nodes[t].get("declared") is False]  # fmt: skip
        if len(dead) == len(targets):
            found.append(Finding(
                "dead_flags", (flag, *targets),
                f"configures only deprecated or undeclared nodes: {names(graph, targets)}",
                {"why": "only_dead_targets", "targets": targets},
            ))  # fmt: skip
    found += repurposed_flags(graph, history)
    return sorted(found, key=lambda f: f.nodes)


def repurposed_flags(graph: nx.DiGraph, history: Iterable[FlagGeneration]) -> list[Finding]:
    """Flags some of whose targets were dropped and others added from one generation of a
    source to the next: the same switch now does something else (the Knight Capital failure)."""
    by_flag_source: dict[tuple[str, str], list[FlagGeneration]] = defaultdict(list)
    for generation in history:
        by_flag_source[generation.flag, generation.source].append(generation)
    found = []
    for (flag, source), generations in sorted(by_flag_source.items()):
        if flag not in graph:
            continue
        generations.sort(key=lambda g: g.valid_at)
        for old, new in zip(generations, generations[1:], strict=False):
            dropped, added = old.targets - new.targets, new.targets - old.targets
            if dropped and added:
                now = sorted(t for t in new.targets if t in graph)
                found.append(Finding(
                    "dead_flags", (flag, *now),
                    f"repurposed on {new.valid_at[:10]}: configured {', '.join(sorted(dropped))}, "
                    f"now {', '.join(sorted(added))}",
                    {"why": "repurposed", "before": sorted(old.targets), "after": sorted(new.targets),
                     "changed_at": new.valid_at, "previous_at": old.valid_at, "source": source},
                ))  # fmt: skip
    return found
