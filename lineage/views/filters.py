"""Which nodes a view's facets match (kind, owner or team, tag, status, source importer): the
search's narrowing and the canvas's filter are one test. What becomes of the nodes a view's
facets do not match (dimmed or hidden) is :func:`lineage.views.scenes.filter_scene`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lineage.store import Store


@dataclass(frozen=True)
class NodeFilter:
    """The facets chosen, and the two sets the graph's attributes do not hold, read from the
    store once: the nodes with the chosen tag, and those a current import by the chosen
    source mentions.

    >>> only = NodeFilter((("kind", "model"), ("owner", "ads")))
    >>> only.matches("m", {"kind": "model", "team": "ads"}), only.matches("d", {"kind": "dataset"})
    (True, False)
    >>> NodeFilter((("tag", "pii"),), tagged=frozenset({"a"})).matches("b", {})
    False
    >>> NodeFilter(()).matches("x", {})
    True
    """

    chosen: tuple[tuple[str, str], ...]
    tagged: frozenset[str] = frozenset()
    sourced: frozenset[str] = frozenset()

    def matches(self, node_id: str, data: Mapping[str, Any]) -> bool:
        for facet, value in self.chosen:
            if facet == "owner":
                if value not in (data.get("owner"), data.get("team")):
                    return False
            elif facet == "tag":
                if node_id not in self.tagged:
                    return False
            elif facet == "source":
                if node_id not in self.sourced:
                    return False
            elif data.get(facet) != value:  # kind, status
                return False
        return True

    def __bool__(self) -> bool:
        return bool(self.chosen)


def node_filter(store: Store, chosen: Mapping[str, str] | tuple[tuple[str, str], ...]) -> NodeFilter:
    """The filter of ``chosen`` (facet -> value), with what it needs from ``store``."""
    pairs = tuple(sorted(dict(chosen).items()))
    facets = dict(pairs)
    tagged = store.nodes_with_tag(facets["tag"]) if "tag" in facets else set()
    sourced = store.nodes_from_importer(facets["source"]) if "source" in facets else set()
    return NodeFilter(pairs, frozenset(tagged), frozenset(sourced))
