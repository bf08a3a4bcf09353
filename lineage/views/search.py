"""The explorer's search: nodes whose text or REF matches, narrowed by facets (kind, owner, tag,
status, source), and the values each facet offers. No UI: the window only lists what it finds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from lineage.refs import candidates
from lineage.views.filters import node_filter
from lineage.views.spec import FACETS

if TYPE_CHECKING:
    from lineage.store import Store

SEARCH_RESULTS = 500


def search_nodes(
    store: Store, graph: nx.DiGraph | None, text: str, chosen: Mapping[str, Any], *, limit: int = SEARCH_RESULTS
) -> list[str]:
    """The ids of the nodes to list, best first, at most ``limit``: what ``text`` names as a REF
    (the CLI's resolution: id, alias, short name) first, then full-text matches (every node when
    there is no text), each passing every facet in ``chosen`` (facet -> value). With ``graph``
    None (the explorer before the whole graph is in), the nodes are looked up in ``store``."""
    if not text and not chosen:
        return []
    named = [m.id for m in candidates(store, text)] if text else []
    found = store.search(text, limit=limit) if text else sorted(graph) if graph is not None else []
    ids = list(dict.fromkeys(named + found))
    only = node_filter(store, chosen)
    out: list[str] = []
    for node_id in ids:
        data = (graph.nodes[node_id] if node_id in graph else None) if graph is not None else store.node(node_id)
        if data is None or not only.matches(node_id, data):
            continue
        out.append(node_id)
        if len(out) >= limit:
            break
    return out


def facet_values(store: Store, graph: nx.DiGraph) -> dict[str, list[str]]:
    """Each facet's values, sorted, blanks left out (an owner facet also offers teams).

    >>> g = nx.DiGraph()
    >>> g.add_node("m", kind="model", owner="ana", team="ads", status="active")
    >>> class Empty:
    ...     def all_tags(self): return []
    ...     def importers(self): return ["dbt"]
    >>> facet_values(Empty(), g)["owner"]
    ['ads', 'ana']
    """
    values: dict[str, set[Any]] = {facet: set() for facet in FACETS}
    for _, data in graph.nodes(data=True):
        values["kind"].add(data.get("kind"))
        values["owner"].update(v for v in (data.get("owner"), data.get("team")) if v)
        values["status"].add(data.get("status"))
    values["tag"] = set(store.all_tags())
    values["source"] = set(store.importers())
    return {facet: sorted(v for v in found if v) for facet, found in values.items()}
