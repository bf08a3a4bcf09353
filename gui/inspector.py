"""The inspector's pages, as HTML for a ``QTextBrowser``: a node (its fields, edges, aliases
and sources) or an edge (its kinds, evidence, weight and sources). No Qt here: every value from
the database is escaped, and links carry node ids percent-encoded (any id survives)."""

from __future__ import annotations

import html
from typing import Any, Protocol
from urllib.parse import quote

from lineage.render.escape import clip
from lineage.render.text import where
from lineage.store import Store


class ShownEdge(Protocol):
    """An edge as the canvas draws it (:class:`lineage_gui.items.EdgeItem`)."""

    source: str
    target: str
    attrs: dict[str, Any]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _sources_html(provenance: list) -> list[str]:
    parts = [f"<h4>Sources ({len(provenance)})</h4><ul>"]
    for p in provenance:
        parts.append(f"<li>{_e(where(p))} <small>({_e(p['importer'])}, import #{p['import_id']})</small></li>")
    parts.append("</ul>")
    return parts


def inspector_html(node: dict, incoming: list, outgoing: list, provenance: list,
                   aliases: list | None = None) -> str:  # fmt: skip
    """The inspector's page; every value from the database is escaped."""
    rows = [("kind", node["kind"]), ("namespace", node["namespace"] or "—"),
            ("owner", node.get("owner") or "—"), ("team", node.get("team") or "—"),
            ("status", node["status"])]  # fmt: skip
    if node.get("deprecated_on"):
        rows.append(("deprecated", f"since {node['deprecated_on']}: {node.get('deprecation_reason') or ''}"))
    if node.get("tags"):
        rows.append(("tags", ", ".join(node["tags"])))
    for key in sorted(node.get("attributes") or {}):
        rows.append((key, node["attributes"][key]))
    parts = [f"<h3>{_e(clip(node['name']))}</h3><p><code>{_e(clip(node['id']))}</code></p><table>"]
    parts += [f"<tr><td><b>{_e(clip(k))}</b>&nbsp;</td><td>{_e(clip(v, 300))}</td></tr>" for k, v in rows]
    parts.append("</table>")

    def edge_list(title: str, edges: list, end: str) -> None:
        parts.append(f"<h4>{_e(title)} ({len(edges)})</h4><ul>")
        for edge in edges:
            evidence = ", ".join(e for e in ("declared", "observed") if edge[e])
            weight = f", weight {edge['weight']:g}" if edge["weight"] is not None else ""
            parts.append(f'<li><a href="#{quote(edge[end], safe="")}">{_e(clip(edge[end]))}</a> '
                         f"<small>{_e(edge['kind'])}, {evidence}{_e(weight)}</small></li>")  # fmt: skip
        parts.append("</ul>")

    edge_list("Inputs", incoming, "source")
    edge_list("Outputs", outgoing, "target")
    if aliases:
        parts.append("<h4>Aliases</h4><ul>" + "".join(f"<li>{_e(clip(a))}</li>" for a in aliases) + "</ul>")
    parts += _sources_html(provenance)
    return "".join(parts)


def edge_html(item: ShownEdge, store: Store) -> str:
    """The inspector's page for an edge: its kinds, evidence, weight and where it was said."""
    attrs = item.attrs
    parts = [f"<h3>{_e(clip(item.source))} → {_e(clip(item.target))}</h3><table>"]
    rows = [("kinds", ", ".join(attrs.get("kinds", ()))),
            ("evidence", ", ".join(e for e in ("declared", "observed") if attrs.get(e)) or "—"),
            ("weight", attrs.get("weight") if attrs.get("weight") is not None else "—")]  # fmt: skip
    parts += [f"<tr><td><b>{_e(k)}</b>&nbsp;</td><td>{_e(v)}</td></tr>" for k, v in rows]
    parts.append("</table>")
    provenance = []
    for kind in attrs.get("kinds", ()):
        provenance += store.edge_provenance(item.source, item.target, kind)
    parts += _sources_html(provenance)
    return "".join(parts)
