"""The inspector panel: the page of the node or edge chosen (see :mod:`lineage_gui.inspector`);
a click on a linked node asks for its focus."""

from __future__ import annotations

from collections.abc import Callable

from lineage_gui.inspector import ShownEdge, edge_html, inspector_html
from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextBrowser, QWidget

from lineage.store import Store


class InspectorView(QTextBrowser):
    focusRequested = Signal(str)  # a node id  # noqa: N815 (Qt signal style)

    def __init__(self, store: Callable[[], Store], parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setOpenLinks(False)
        # Links carry the node id percent-encoded (see inspector_html), so any id survives.
        self.anchorClicked.connect(
            lambda url: self.focusRequested.emit(url.fragment(QUrl.ComponentFormattingOption.FullyDecoded))
        )
        # A long name without spaces wraps rather than widening the page.
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def show_node(self, node_id: str) -> None:
        store = self.store()
        node = store.node(node_id)
        if node is None:
            return
        incoming, outgoing = store.edges_of(node_id)
        self.setHtml(inspector_html(node, incoming, outgoing, store.node_provenance(node_id),
                                    store.aliases_of(node_id)))  # fmt: skip

    def show_edge(self, edge: ShownEdge) -> None:
        self.setHtml(edge_html(edge, self.store()))
