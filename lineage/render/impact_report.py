"""The impact report of one or more nodes: what a change reaches, what removing it breaks, the
findings that touch it, and where every edge was said; as HTML, Markdown, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx

from lineage.analyses import Finding, Impact, Simulation, find_all, impact, simulate
from lineage.analyses.findings import touching
from lineage.atomic import atomic_folder, atomic_path, write_atomic
from lineage.render.escape import clip, csv_cell
from lineage.render.graphs import render
from lineage.render.reports import code, md, simulation_json
from lineage.render.text import graph_node_json, where
from lineage.resources import resource_path
from lineage.store import Store
from lineage.views.scenes import impact_scene

REPORT_FORMATS = ("html", "md", "csv", "json")
MARKDOWN_ROWS = 50  # a pull-request comment stays readable; the CSV has every row


@dataclass
class ImpactReport:
    node: str
    graph: nx.DiGraph
    impact: Impact
    simulation: Simulation
    findings: dict[str, list[Finding]]
    provenance: list[dict[str, Any]]  # one row per edge of the impact subgraph
    svg: str


def build(store: Store, graph: nx.DiGraph, node: str, *, flag_history=()) -> ImpactReport:
    result = impact(graph, node, upstream=True)
    scene = impact_scene(graph, node)
    edges = []
    for u, v, data in scene.graph.edges(data=True):
        places = []
        for kind in data.get("kinds", ()):
            places += [where(p) for p in store.edge_provenance(u, v, kind)]
        edges.append({"source": u, "target": v, "kinds": list(data.get("kinds", ())),
                      "declared": data.get("declared"), "observed": data.get("observed"),
                      "weight": data.get("weight"), "sources": places})  # fmt: skip
    svg = render(scene, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # inline: no XML prolog, no DOCTYPE
    found = {k: v for k, v in touching(find_all(graph, flag_history=flag_history), node).items() if v}
    return ImpactReport(node, graph, result, simulate(graph, [node]), found, edges, svg)


def _node(report: ImpactReport, node: str) -> dict[str, Any]:
    return graph_node_json(report.graph, node)


def to_json(report: ImpactReport) -> dict[str, Any]:
    down, up = report.impact.downstream, report.impact.upstream
    return {
        "node": _node(report, report.node),
        "downstream": [{**_node(report, r.node), "distance": r.distance} for r in down.nodes],
        "upstream": [{**_node(report, r.node), "distance": r.distance} for r in up.nodes] if up else [],
        "summary": {"by_distance": {str(k): v for k, v in down.by_distance.items()},
                    "by_kind": down.by_kind, "by_owner": down.by_owner, "count": len(down.nodes)},
        "simulation": simulation_json(report.graph, report.simulation),
        "findings": {k: [{"nodes": list(f.nodes), "reason": f.reason} for f in v]
                     for k, v in report.findings.items()},
        "edges": report.provenance,
    }  # fmt: skip


def to_csv(report: ImpactReport) -> str:
    """Every node downstream and upstream, one row each: never capped."""
    state = {a.node: ("broken", a) for a in report.simulation.broken}
    state.update({a.node: ("degraded", a) for a in report.simulation.degraded})
    out = io.StringIO()
    # RFC 4180 line ends: the writer then quotes a cell holding a lone CR too, which it would
    # leave bare with "\n" (and a reader would take as the end of the row).
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["direction", "distance", "id", "kind", "name", "namespace", "owner", "team", "status",
                     "if_removed", "weight_lost"])  # fmt: skip
    up = report.impact.upstream.nodes if report.impact.upstream else ()
    for direction, reached in (("downstream", report.impact.downstream.nodes), ("upstream", up)):
        for r in reached:
            data = report.graph.nodes[r.node]
            downstream = direction == "downstream"
            removed_state, affected = state.get(r.node, ("unaffected", None)) if downstream else ("", None)
            weight = affected.weight_lost if affected is not None and affected.weight_lost is not None else ""
            writer.writerow([csv_cell(v) for v in (
                direction, r.distance, r.node, data.get("kind"), data.get("name"), data.get("namespace"),
                data.get("owner"), data.get("team"), data.get("status"), removed_state, weight)])  # fmt: skip
    return out.getvalue()


FULL_DATA = "the CSV, JSON and HTML reports have every row: `lineage impact REF --format csv` or `lineage report`"


def _capped(rows: list[str], noun: str, total: int | None = None) -> list[str]:
    """At most MARKDOWN_ROWS table rows (of ``total``), then a line saying how many were left out."""
    total = len(rows) if total is None else total
    if total <= MARKDOWN_ROWS:
        return rows
    left = total - MARKDOWN_ROWS
    return rows[:MARKDOWN_ROWS] + ["", f"… {left:,} more {noun} ({FULL_DATA})."]


def to_markdown(report: ImpactReport) -> str:
    """The report for a pull-request comment: every table capped at MARKDOWN_ROWS rows with a
    count of what was left out, so it stays well under GitHub's 65,536 characters."""
    data = report.graph.nodes[report.node]
    down = report.impact.downstream
    sim = report.simulation
    lines = [f"## Impact of {code(clip(report.node))}", "",
             f"{md(data.get('kind'))} owned by {md(clip(data.get('owner') or data.get('team') or 'nobody'))}; "
             f"a change reaches **{len(down.nodes)}** nodes downstream. Removing it breaks "
             f"**{len(sim.broken)}** and degrades **{len(sim.degraded)}**.", "",
             "| hop | nodes |", "|---|---|"]  # fmt: skip
    lines += _capped([f"| {d} | {n} |" for d, n in down.by_distance.items()], "hops")
    lines += ["", "| kind | nodes |", "|---|---|"]
    lines += _capped([f"| {md(k)} | {v} |" for k, v in down.by_kind.items()], "kinds")
    lines += ["", "| owner | nodes |", "|---|---|"]
    lines += _capped([f"| {md(clip(k))} | {v} |" for k, v in down.by_owner.items()], "owners")
    affected = [("broken", a) for a in sim.broken] + [("degraded", a) for a in sim.degraded]
    if affected:
        lines += ["", "| if removed | hop | node | weight lost |", "|---|---|---|---|"]
        rows = []
        for label, a in affected[: MARKDOWN_ROWS + 1]:
            lost = f"{a.weight_lost:.0%}" if a.weight_lost is not None else "—"
            rows.append(f"| {label} | {a.distance} | {code(clip(a.node))} | {lost} |")
        lines += _capped(rows, "nodes broken or degraded", len(affected))
    if report.findings:
        lines += ["", "Findings that touch it:", ""]
        found = [(k, f) for k, v in report.findings.items() for f in v]
        items = [f"- **{k.replace('_', ' ')}**: {md(clip(f.reason, 400))}" for k, f in found[: MARKDOWN_ROWS + 1]]
        lines += _capped(items, "findings", len(found))
    return "\n".join(lines) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:80] or "node"


def slug(node: str) -> str:
    """A file name for a node id.

    >>> slug("feature:ads/historical_ctr")
    'feature_ads_historical_ctr'
    """
    return _slug(node)


def to_html(report: ImpactReport) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_path("templates")),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )  # fmt: skip
    env.filters["clip"] = clip
    template = env.get_template("impact.html.j2")
    state = {a.node: a for a in report.simulation.broken + report.simulation.degraded}
    return template.render(
        report=report, node=report.graph.nodes[report.node], node_id=report.node, graph=report.graph,
        svg=jinja2.utils.markupsafe.Markup(report.svg), down=report.impact.downstream,
        up=report.impact.upstream, broken={a.node for a in report.simulation.broken}, state=state,
        findings=report.findings, edges=report.provenance,
    )  # fmt: skip


def bundle(store: Store, graph: nx.DiGraph, nodes: Iterable[str], *, flag_history=()) -> dict[str, bytes]:
    """The impact report of each of ``nodes`` in every format (HTML, Markdown, CSV, JSON) and
    its impact view as SVG and GraphML, by file name (``slug(node).format``)."""
    files: dict[str, bytes] = {}
    for node in nodes:
        report = build(store, graph, node, flag_history=flag_history)
        for fmt in ("html", "md", "csv", "json"):
            files[f"{slug(node)}.{fmt}"] = render_report(report, fmt).encode("utf-8")
        scene = impact_scene(graph, node)
        for fmt in ("svg", "graphml"):
            files[f"{slug(node)}.{fmt}"] = render(scene, fmt)
    return files


def write_bundle(target: str | os.PathLike[str], files: Mapping[str, bytes]) -> None:
    """Write ``files`` (name to content) as a zip archive if ``target`` ends in ``.zip``, else
    into the folder ``target``: the whole bundle appears, or none of it (raises OSError)."""
    import zipfile  # the only zip lineage writes (tests/guarantees/test_file_safety.py)

    target = Path(target)
    if target.suffix.lower() == ".zip":
        with atomic_path(target) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        with atomic_folder(target) as folder:
            for name, data in files.items():
                write_atomic(folder / name, data)


def render_report(report: ImpactReport, fmt: str) -> str:
    if fmt == "html":
        return to_html(report)
    if fmt == "md":
        return to_markdown(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return json.dumps(to_json(report), indent=2, sort_keys=True, ensure_ascii=False)
    raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(REPORT_FORMATS)})")
