"""The reports the explorer writes to a file, made by the code the command line uses: a node's
impact report (``lineage impact --format``, ``lineage report``) and a simulation's report
(``lineage simulate``, as text or JSON). Every file is complete or absent (:mod:`lineage.atomic`)."""

from __future__ import annotations

import os
from collections.abc import Iterable

import networkx as nx

from lineage.analyses import simulate
from lineage.atomic import write_atomic
from lineage.render.impact_report import REPORT_FORMATS, build, bundle, render_report, write_bundle
from lineage.render.reports import simulation_json, simulation_text
from lineage.render.text import to_json
from lineage.store import Store

IMPACT_FORMATS = (*REPORT_FORMATS, "bundle")  # the bundle: every format, and SVG and GraphML
SIMULATION_FORMATS = ("text", "json")


def write_impact_report(store: Store, graph: nx.DiGraph, node: str, fmt: str, target: str | os.PathLike[str], *,
                        flag_history: Iterable = ()) -> None:  # fmt: skip
    """Write ``node``'s impact report to ``target``: one of :data:`REPORT_FORMATS`, or the
    bundle (a folder, or a zip archive if ``target`` ends in ``.zip``). Raises OSError."""
    if fmt == "bundle":
        write_bundle(target, bundle(store, graph, [node], flag_history=flag_history))
        return
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(IMPACT_FORMATS)})")
    text = render_report(build(store, graph, node, flag_history=flag_history), fmt)
    write_atomic(target, text.encode("utf-8"))


def simulation_report(graph: nx.DiGraph, removed: Iterable[str], removed_edges: Iterable[tuple[str, str]],
                      fmt: str) -> str:  # fmt: skip
    """What ``lineage simulate`` prints for these removals from ``graph`` (``fmt`` "text" or
    "json").

    >>> g = nx.DiGraph([("a", "b")])
    >>> print(simulation_report(g, ["a"], [], "text").splitlines()[1])
    broken: 1
    """
    result = simulate(graph, list(removed), list(removed_edges))
    if fmt == "json":
        return to_json(simulation_json(graph, result))
    if fmt == "text":
        return simulation_text(result) + "\n"
    raise ValueError(f"unknown simulation report format {fmt!r} (known: {', '.join(SIMULATION_FORMATS)})")


def write_simulation_report(graph: nx.DiGraph, removed: Iterable[str], removed_edges: Iterable[tuple[str, str]],
                            fmt: str, target: str | os.PathLike[str]) -> None:  # fmt: skip
    """Write :func:`simulation_report` to ``target``, whole or not at all. Raises OSError."""
    write_atomic(target, simulation_report(graph, removed, removed_edges, fmt).encode("utf-8"))


def write_impact_report_from(db_path: str | os.PathLike[str], node: str, fmt: str,
                             target: str | os.PathLike[str]) -> str:  # fmt: skip
    """:func:`write_impact_report` on the database at ``db_path`` as it is now (what ``lineage
    report`` reads), in a process that may run Graphviz (the explorer's layout process); the
    path written."""
    from lineage.graph import load_flag_history, load_graph

    with Store.open(db_path) as store:
        write_impact_report(store, load_graph(store), node, fmt, target, flag_history=load_flag_history(store))
    return os.fspath(target)
