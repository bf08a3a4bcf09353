"""Text, JSON and Markdown renderings of simulations, findings, diffs and checks."""

from __future__ import annotations

from typing import Any

import networkx as nx

from lineage.analyses import FINDING_KINDS, Diff, Finding, Simulation
from lineage.changes import Changes, import_label
from lineage.check import CheckResult
from lineage.render.escape import code, md, printable  # noqa: F401 (md and code: part of this module's API)
from lineage.render.text import graph_node_json, owner_counts
from lineage.when import moment_time


def _node(graph: nx.DiGraph, node: str) -> dict[str, Any]:
    if node in graph:
        return graph_node_json(graph, node)
    kind, _, rest = node.partition(":")
    return {"id": node, "kind": kind, "name": rest.rpartition("/")[2], "namespace": None,
            "owner": None, "team": None, "status": None}  # fmt: skip


# -- simulation -------------------------------------------------------------------------------


def simulation_json(graph: nx.DiGraph, sim: Simulation) -> dict[str, Any]:
    def affected(items):
        return [
            {**_node(graph, a.node), "distance": a.distance, "lost": list(a.lost),
             "changed": list(a.changed), "weight_lost": a.weight_lost}
            for a in items
        ]  # fmt: skip

    return {
        "removed": [_node(graph, n) for n in sim.removed],
        "removed_edges": [list(e) for e in sim.removed_edges],
        "broken": affected(sim.broken),
        "degraded": affected(sim.degraded),
        "unaffected_count": sim.unaffected_count,
        "summary": {
            "by_distance": {str(k): v for k, v in sim.by_distance.items()},
            "by_kind": sim.by_kind,
            "by_owner": sim.by_owner,
        },
    }


def _some(ids, shown: int = 3) -> str:
    listed = ", ".join(map(printable, ids[:shown]))
    return listed + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def _affected_line(a) -> str:
    parts = []
    if a.lost:
        parts.append("loses " + _some(a.lost))
    if a.changed:
        parts.append("changed: " + _some(a.changed))
    if a.weight_lost is not None:
        parts.append(f"{a.weight_lost:.0%} of its input weight lost")
    return f"    hop {a.distance}  {printable(a.node)}  ({'; '.join(parts)})"


def simulation_text(sim: Simulation) -> str:
    removed = ", ".join(map(printable, sim.removed)) or "nothing"
    out = [f"removing {removed}"]
    if sim.removed_edges:
        out.append("and the edges " + ", ".join(f"{printable(u)} -> {printable(v)}"
                                                for u, v in sim.removed_edges))  # fmt: skip
    for title, items in (("broken", sim.broken), ("degraded", sim.degraded)):
        out.append(f"{title}: {len(items)}")
        out += [_affected_line(a) for a in items]
    out.append(f"unaffected: {sim.unaffected_count}")
    if sim.broken or sim.degraded:
        out.append("by kind:  " + _group_text(sim.by_kind))
        out.append("by owner: " + owner_counts(sim.by_owner, _labelled_counts))
    return "\n".join(out)


def _group_text(groups: dict) -> str:
    return ", ".join(f"{printable(str(key))} {_labelled_counts(counts)}" for key, counts in groups.items())


def _labelled_counts(counts: dict) -> str:
    return "(" + ", ".join(f"{n} {label}" for label, n in counts.items() if n) + ")"


# -- findings ---------------------------------------------------------------------------------


def finding_json(graph: nx.DiGraph, finding: Finding) -> dict[str, Any]:
    return {**finding.details, "nodes": [_node(graph, n) for n in finding.nodes],
            "reason": finding.reason}  # fmt: skip


def findings_json(graph: nx.DiGraph, findings: dict[str, list[Finding]]) -> dict[str, Any]:
    return {kind: [finding_json(graph, f) for f in items] for kind, items in findings.items()}


def findings_text(findings: dict[str, list[Finding]]) -> str:
    out = []
    for kind, items in findings.items():
        title = kind.replace("_", " ")
        out.append(f"{title} ({len(items)}): {FINDING_KINDS[kind]}")
        for f in items:
            hidden = " [hidden]" if f.details.get("hidden") else ""
            out.append(f"  - {' -> '.join(map(printable, f.nodes[:6]))}"
                       f"{' ...' if len(f.nodes) > 6 else ''}{hidden}")  # fmt: skip
            out.append(f"    {printable(f.reason)}")
    return "\n".join(out)


# -- diff -------------------------------------------------------------------------------------


def diff_json(result: Diff) -> dict[str, Any]:
    def changed(items):
        return [{"key": list(c.key) if isinstance(c.key, tuple) else c.key,
                 "fields": {k: {"before": a, "after": b} for k, (a, b) in c.fields.items()}}
                for c in items]  # fmt: skip

    return {
        "nodes": {"added": list(result.nodes_added), "removed": list(result.nodes_removed),
                  "changed": changed(result.nodes_changed)},
        "edges": {"added": [list(e) for e in result.edges_added],
                  "removed": [list(e) for e in result.edges_removed],
                  "changed": changed(result.edges_changed)},
    }  # fmt: skip


def diff_text(result: Diff, label_from: str, label_to: str) -> str:
    out = [f"changes from {label_from} to {label_to}"]
    if result.empty:
        return out[0] + ": none"
    return "\n".join(out + _diff_lines(result))


def _diff_lines(result: Diff, told: frozenset[str] = frozenset()) -> list[str]:
    """A line a change, the nodes added or removed in ``told`` left out (said already)."""
    out = []
    for sign, items in (("+", result.nodes_added), ("-", result.nodes_removed)):
        out += [f"{sign} {printable(n)}" for n in items if n not in told]
    for c in result.nodes_changed:
        fields = ", ".join(f"{k}: {printable(repr(a))} -> {printable(repr(b))}"
                           for k, (a, b) in c.fields.items())  # fmt: skip
        out.append(f"~ {printable(c.key)}  ({fields})")
    for sign, edges in (("+", result.edges_added), ("-", result.edges_removed)):
        out += [f"{sign} {printable(s)} -> {printable(t)}  [{k}]" for s, t, k in edges]
    for c in result.edges_changed:
        s, t, k = c.key
        fields = ", ".join(f"{f}: {a!r} -> {b!r}" for f, (a, b) in c.fields.items())
        out.append(f"~ {printable(s)} -> {printable(t)}  [{k}]  ({printable(fields)})")
    return out


def changes_json(changes: Changes) -> dict[str, Any]:
    """:func:`diff_json`, with the import that brought each node added or took each node
    removed out (``added_with`` / ``removed_with``: id -> import id), those imports
    (``imports``: import id -> importer, source, path, valid_at) and whether the earlier state
    precedes every import (``before_first_import``)."""
    out = diff_json(changes.diff)
    out["nodes"]["added_with"] = dict(changes.added_with)
    out["nodes"]["removed_with"] = dict(changes.removed_with)
    out["imports"] = {str(i): {k: row[k] for k in ("importer", "source", "path", "valid_at")}
                      for i, row in sorted(changes.imports.items())}  # fmt: skip
    out["before_first_import"] = changes.before_everything()
    return out


def changes_text(changes: Changes, label_from: str, label_to: str) -> str:
    """:func:`diff_text`, the nodes added (and removed) grouped under the import that brought
    them (took them out): "added with FILE at TIME"."""
    result = changes.diff
    out = [f"changes from {label_from} to {label_to}"]
    if result.empty:
        return out[0] + ": none"
    if changes.before_everything() and changes.first_import is not None:
        out.append(f"(the database held nothing then: its first import is dated {moment_time(changes.first_import)})")
    for sign, verb, groups in (("+", "added", changes.added_groups()), ("-", "removed", changes.removed_groups())):
        for import_id, nodes in groups.items():
            row = changes.imports[import_id]
            out.append(f"{verb} with {printable(import_label(row))} ({row['importer']}, {_n(len(nodes), 'node')}):")
            out += [f"{sign} {printable(n)}" for n in nodes]
    return "\n".join(out + _diff_lines(result, frozenset({*changes.added_with, *changes.removed_with})))


# -- check ------------------------------------------------------------------------------------


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


CHECK_ROWS = 50  # rows of each table in a pull-request comment (GitHub takes 65,536 characters)


def _left_out(total: int, noun: str) -> list[str]:
    if total <= CHECK_ROWS:
        return []
    return ["", f"… {total - CHECK_ROWS:,} more {noun} (`lineage check --json` has every one)."]


def check_markdown(result: CheckResult, fail_on: str) -> str:
    failed = result.fails(fail_on)
    broken = [v for v in result.users if v.impact == "broken"]
    degraded = [v for v in result.users if v.impact == "degraded"]
    verdict = "❌ fails" if failed else "✅ passes"
    out = [f"## Lineage check {verdict} (fail on: {fail_on})", ""]
    if result.problems:
        out += ["The change does not import cleanly:", ""]
        out += [f"- {code(p)}" for p in result.problems[:CHECK_ROWS]]
        out += _left_out(len(result.problems), "problems")
        out.append("")
    out.append(
        f"The change removes {_n(len(result.removed), 'node')} and "
        f"{_n(len(result.removed_edges), 'edge')}, adds {_n(len(result.added), 'node')} and "
        f"{_n(len(result.added_edges), 'edge')}. It breaks {len(broken)} and degrades "
        f"{len(degraded)} of the live models and consumers."
    )
    if result.removed:
        shown = ", ".join(code(n) for n in result.removed[:CHECK_ROWS])
        more = len(result.removed) - CHECK_ROWS
        out += ["", "Removed: " + shown + (f" and {more:,} more" if more > 0 else "")]
    if result.users:
        out += ["", "| impact | node | kind | owner | why |", "|---|---|---|---|---|"]
        for v in result.users[:CHECK_ROWS]:
            data = result.before.nodes[v.node] if v.node in result.before else {}
            owner = data.get("owner") or data.get("team") or "—"
            out.append(f"| {v.impact} | {code(v.node)} | {md(data.get('kind', '?'))} | {md(owner)} |"
                       f" {md(v.why)} |")  # fmt: skip
        out += _left_out(len(result.users), "models and consumers")
    sim = result.simulation
    if sim.broken or sim.degraded:
        out += ["", f"<details><summary>Everything downstream: {len(sim.broken)} broken, "
                    f"{len(sim.degraded)} degraded</summary>", "",
                "| impact | hop | node | kind |", "|---|---|---|---|"]  # fmt: skip
        affected = [("broken", a) for a in sim.broken] + [("degraded", a) for a in sim.degraded]
        for label, a in affected[:CHECK_ROWS]:
            kind = result.before.nodes[a.node].get("kind", "?")
            out.append(f"| {label} | {a.distance} | {code(a.node)} | {md(kind)} |")
        out += _left_out(len(affected), "nodes downstream")
        out += ["", "</details>"]
    return "\n".join(out)


def check_json(result: CheckResult, fail_on: str) -> dict[str, Any]:
    graph = result.before
    return {
        "fails": result.fails(fail_on),
        "fail_on": fail_on,
        "problems": [str(p) for p in result.problems],
        "removed": [_node(graph, n) for n in result.removed],
        "removed_edges": [list(e) for e in result.removed_edges],
        "added": [_node(result.after, n) for n in result.added],
        "added_edges": [list(e) for e in result.added_edges],
        "users": [{**_node(graph, v.node), "impact": v.impact, "why": v.why} for v in result.users],
        "simulation": simulation_json(graph, result.simulation),
    }
