"""The search panel: a search box with completion, the facets, the depth and the matches. It
reads the model's graph and store, sets the depth on the model, and asks for a focus."""

from __future__ import annotations

from lineage_gui.items import display_label
from lineage_gui.model import ExplorerModel
from lineage_gui.plain import tooltip
from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lineage.refs import RefError, resolve
from lineage.views.search import search_nodes

ANY = "(any)"
FACETS = ("kind", "owner", "tag", "status", "source")


class SearchPanel(QWidget):
    focusRequested = Signal(str)  # a node id  # noqa: N815 (Qt signal style)
    message = Signal(str)  # for the status bar

    def __init__(self, model: ExplorerModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, tags, owners…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        completer = QCompleter(self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(completer)
        self.search.textChanged.connect(lambda _: self.run_search())
        self.search.returnPressed.connect(self.focus_search)
        form = QFormLayout()
        self.facets: dict[str, QComboBox] = {}
        for facet in FACETS:
            combo = QComboBox()
            # A 10,000-character owner must not widen the dock: the combo keeps a fixed width.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.addItem(ANY, None)  # the values come with the whole graph
            combo.currentIndexChanged.connect(lambda _: self.run_search())
            self.facets[facet] = combo
            form.addRow(facet.capitalize(), combo)
        self.depth_box = QSpinBox()
        self.depth_box.setRange(1, 12)
        self.depth_box.setToolTip("Hops shown up and down from the focused node")
        self.depth_box.valueChanged.connect(model.set_depth)
        form.addRow("Depth", self.depth_box)
        self.results = QListWidget()
        # One click focuses a result (as a link would), Enter too; a double click is one click more.
        focus = lambda item: self.focusRequested.emit(item.data(Qt.ItemDataRole.UserRole))  # noqa: E731
        self.results.itemClicked.connect(focus)
        self.results.itemActivated.connect(focus)
        layout.addWidget(self.search)
        layout.addLayout(form)
        layout.addWidget(self.results)

    def show_depth(self, depth: int) -> None:
        """Show ``depth`` without setting it again on the model."""
        self.depth_box.blockSignals(True)
        self.depth_box.setValue(depth)
        self.depth_box.blockSignals(False)

    def graph_loaded(self) -> None:
        """Fill the completion and the facets with what the model's load read."""
        model = self.model
        self.search.completer().setModel(QStringListModel(model.names, self))
        values = model.facets
        for facet, combo in self.facets.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY, None)
            for value in values.get(facet, []):  # shown clipped, chosen by the full value
                combo.addItem(display_label(value), value)
                combo.setItemData(combo.count() - 1, tooltip(value), Qt.ItemDataRole.ToolTipRole)
            combo.blockSignals(False)

    def run_search(self) -> None:
        self.results.clear()
        model = self.model
        text = self.search.text().strip()
        chosen = {f: c.currentData() for f, c in self.facets.items() if c.currentData() is not None}
        graph = model.graph if model.ready else None  # before it is in, nodes are looked up in the store
        for node_id in search_nodes(model.store, graph, text, chosen):
            data = model.node_data(node_id)
            item = QListWidgetItem(f"{display_label(data['name'])}   ·  {data['kind']}")
            item.setToolTip(tooltip(node_id))
            item.setData(Qt.ItemDataRole.UserRole, node_id)
            self.results.addItem(item)

    def focus_search(self) -> None:
        text = self.search.text().strip()
        try:
            self.focusRequested.emit(resolve(self.model.store, text))
        except RefError as exc:
            if exc.matches:  # ambiguous: the matches head the results; the user picks one
                self.run_search()
                self.message.emit(f"{len(exc.matches)} nodes match {text!r}: pick one")
            elif self.results.count():
                self.focusRequested.emit(self.results.item(0).data(Qt.ItemDataRole.UserRole))
            else:
                self.message.emit(str(exc))
