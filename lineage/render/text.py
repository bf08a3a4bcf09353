"""Text and JSON renderings of nodes and analyses, shared by the CLI and other front ends.

The JSON shapes are a documented contract (docs/cli.md, "JSON output"): a NODE is
``{"id", "kind", "name", "namespace", "owner", "team", "status"}``; keys are sorted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lineage.groups import largest_groups
from lineage.render.escape import printable, printable_lines  # noqa: F401 (part of this module's API for the CLI)

if TYPE_CHECKING:  # annotations only: `lineage show` never loads networkx or the analyses
    import networkx as nx

    from lineage.analyses import Impact, Reach, Trace

NODE_KEYS = ("id", "kind", "name", "namespace", "owner", "team", "status")


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def node_json(node_id: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The NODE object of the JSON contract, from graph or store attributes.

    >>> node_json("model:m", {"kind": "model", "name": "m", "namespace": ""})["status"]
    'active'
    """
    out: dict[str, Any] = {"id": node_id}
    for key in NODE_KEYS[1:]:
        out[key] = attrs.get(key)
    out["status"] = out["status"] or "active"
    return out


def graph_node_json(graph: nx.DiGraph, node_id: str) -> dict[str, Any]:
    return node_json(node_id, graph.nodes[node_id])


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """Columns aligned with two spaces, no trailing blanks.

    >>> print(table([("a", 1), ("bbb", 22)], ("NAME", "N")))
    NAME  N
    a     1
    bbb   22
    """
    cells = [list(map(_cell, header))] + [list(map(_cell, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return printable(str(value))


def nodes_text(nodes: Sequence[Mapping[str, Any]]) -> str:
    rows = [(n["id"], n["kind"], n["name"], n.get("owner") or n.get("team"), n.get("status")) for n in nodes]
    return table(rows, ("ID", "KIND", "NAME", "OWNER", "STATUS"))


def _edge_flags(edge: Mapping[str, Any]) -> str:
    flags = [edge["kind"]]
    flags += [e for e in ("declared", "observed") if edge.get(e)]
    if edge.get("weight") is not None:
        flags.append(f"weight {edge['weight']:g}")
    return ", ".join(flags)


def where(p: Mapping[str, Any]) -> str:
    """A provenance row as ``file:line``, ``file#/pointer`` or ``file[table row N]``."""
    if "line" in p:
        return f"{p['file']}:{p['line']}"
    if "pointer" in p:
        return f"{p['file']}#{p['pointer']}"
    if "table" in p:
        return f"{p['file']}[{p['table']} row {p.get('row')}]"
    return p["file"]


def show_text(
    node: Mapping[str, Any],
    incoming: Sequence[Mapping],
    outgoing: Sequence[Mapping],
    provenance: Sequence[Mapping],
) -> str:
    out = [printable(node["id"])]
    fields = [
        ("kind", node["kind"]),
        ("name", node["name"]),
        ("namespace", node["namespace"] or None),
        ("owner", node.get("owner")),
        ("team", node.get("team")),
        ("status", _status_text(node)),
        ("tags", ", ".join(node.get("tags") or []) or None),
    ]
    out += [f"  {k + ':':<11}{_cell(v)}" for k, v in fields if v is not None]
    attributes = node.get("attributes") or {}
    if attributes:
        out.append("  attributes:")
        for key in sorted(attributes):
            value = attributes[key]
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            out.append(f"    {_cell(key)}: {_cell(text)}")
    out.append(f"inputs ({len(incoming)}):")
    out += [f"  <- {_cell(e['source'])}  [{_edge_flags(e)}]" for e in incoming]
    out.append(f"outputs ({len(outgoing)}):")
    out += [f"  -> {_cell(e['target'])}  [{_edge_flags(e)}]" for e in outgoing]
    if node.get("aliases"):
        out.append("aliases:")
        out += [f"  {_cell(a)}" for a in node["aliases"]]
    out.append(f"sources ({len(provenance)}):")
    out += [f"  {_cell(where(p))}  ({p['importer']}, import #{p['import_id']})" for p in provenance]
    return "\n".join(out)


def _status_text(node: Mapping[str, Any]) -> str:
    status = node.get("status") or "active"
    if status == "deprecated":
        since = node.get("deprecated_on")
        reason = node.get("deprecation_reason")
        status += f" since {since}" if since else ""
        status += f": {reason}" if reason else ""
    return status


def show_json(
    node: Mapping[str, Any],
    incoming: Sequence[Mapping],
    outgoing: Sequence[Mapping],
    provenance: Sequence[Mapping],
) -> dict[str, Any]:
    full = node_json(node["id"], node)
    for key in ("tags", "attributes", "deprecated_on", "deprecation_reason", "aliases"):
        full[key] = node.get(key)
    return {"node": full, "inputs": list(incoming), "outputs": list(outgoing),
            "provenance": list(provenance)}  # fmt: skip


def trace_text(result: Trace) -> str:
    n = len(result.paths)
    if n == 0:
        return f"no path from {printable(result.source)} to {printable(result.target)}"
    more = " (more exist: raise --max-paths)" if result.truncated else ""
    plural = "s" if n != 1 else ""
    ends = f"from {printable(result.source)} to {printable(result.target)}"
    head = f"{n} path{plural} {ends}, shortest first{more}"
    body = [f"{i}. " + " -> ".join(map(printable, path)) for i, path in enumerate(result.paths, start=1)]
    return "\n".join([head, *body])


def trace_json(graph: nx.DiGraph, result: Trace) -> dict[str, Any]:
    return {
        "paths": [[graph_node_json(graph, n) for n in path] for path in result.paths],
        "truncated": result.truncated,
    }


OWNERS_SHOWN = 10  # owners named on a summary line: the rest are counted (--json lists them all)


def owner_counts(by_owner: Mapping[str, Any], value_text: Callable[[Any], str] = str) -> str:
    """``by_owner`` on one line, largest first, the first OWNERS_SHOWN named and the rest counted.

    >>> owner_counts({f"t{i:02}": i for i in range(12)})
    't11 11, t10 10, t09 9, t08 8, t07 7, t06 6, t05 5, t04 4, t03 3, t02 2 and 2 more owners (--json lists them all)'
    >>> owner_counts({"ml": {"broken": 2}}, lambda c: f"({c['broken']} broken)")
    'ml (2 broken)'
    """
    shown, more = largest_groups(by_owner, OWNERS_SHOWN)
    text = ", ".join(f"{printable(k)} {value_text(v)}" for k, v in shown)
    return text + (f" and {more:,} more owner{'s' if more != 1 else ''} (--json lists them all)" if more else "")


def _reach_text(title: str, reach: Reach) -> list[str]:
    out = [f"{title}: {len(reach.nodes)} node{'s' if len(reach.nodes) != 1 else ''}"]
    hop = None
    for r in reach.nodes:
        if r.distance != hop:
            hop = r.distance
            out.append(f"  hop {hop} ({reach.by_distance[hop]}):")
        out.append(f"    {printable(r.node)}")
    if reach.nodes:
        out.append("  by kind:  " + ", ".join(f"{k} {v}" for k, v in reach.by_kind.items()))
        out.append("  by owner: " + owner_counts(reach.by_owner))
    return out


def impact_text(result: Impact) -> str:
    depth = "all" if result.depth is None else str(result.depth)
    out = [f"impact of {printable(result.node)} (depth: {depth})"]
    out += _reach_text("downstream", result.downstream)
    if result.upstream is not None:
        out += _reach_text("upstream", result.upstream)
    return "\n".join(out)


def _reach_json(nodes: Mapping[str, Mapping[str, Any]], reach: Reach) -> list[dict[str, Any]]:
    return [{**node_json(r.node, nodes[r.node]), "distance": r.distance} for r in reach.nodes]


def _summary_json(reach: Reach) -> dict[str, Any]:
    return {
        "by_distance": {str(k): v for k, v in reach.by_distance.items()},
        "by_kind": reach.by_kind,
        "by_owner": reach.by_owner,
        "count": len(reach.nodes),
    }


def impact_json(graph: nx.DiGraph | Mapping[str, Mapping[str, Any]], result: Impact) -> dict[str, Any]:
    """The JSON of an impact, given the graph it was found in, or the attributes (kind, name,
    namespace, owner, team, status) of the start and of every node it reached, by id."""
    nodes: Mapping[str, Mapping[str, Any]] = graph if isinstance(graph, Mapping) else graph.nodes
    out: dict[str, Any] = {
        "node": node_json(result.node, nodes[result.node]),
        "depth": result.depth,
        "downstream": _reach_json(nodes, result.downstream),
        "upstream": _reach_json(nodes, result.upstream) if result.upstream else [],
        "summary": {"downstream": _summary_json(result.downstream)},
    }
    if result.upstream is not None:
        out["summary"]["upstream"] = _summary_json(result.upstream)
    return out
