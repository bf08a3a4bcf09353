"""The search panel: a search box with completion, the facets (which also filter the canvas:
the rest dimmed or hidden), the depth (both ways, or up and down apart) and the matches. It
reads the model's graph and store, sets the depth and the filter on the model, and asks for a
focus."""

from __future__ import annotations

from lineage_gui.items import display_label
from lineage_gui.model import ExplorerModel
from lineage_gui.plain import tooltip
from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lineage.refs import RefError, resolve
from lineage.views.search import search_nodes
from lineage.views.selector import parse_selector
from lineage.views.spec import FACETS, MAX_DEPTH, ViewSpec

ANY = "(any)"
ON_CANVAS = (("Dim the rest", "dim"), ("Hide the rest", "hide"), ("List only", None))


class SearchPanel(QWidget):
    focusRequested = Signal(str)  # a node id  # noqa: N815 (Qt signal style)
    message = Signal(str)  # for the status bar

    def __init__(self, model: ExplorerModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.listed_later: dict[str, str] = {}  # list-only facet values to choose once they are known
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
            combo.setMinimumContentsLength(10)  # the dock starts narrow
            combo.addItem(ANY, None)  # the values come with the whole graph
            combo.currentIndexChanged.connect(lambda _: self.facet_changed())
            self.facets[facet] = combo
            form.addRow(facet.capitalize(), combo)
        self.on_canvas = QComboBox()
        for label, how in ON_CANVAS:
            self.on_canvas.addItem(label, how)
        self.on_canvas.setToolTip("What the facets do to the nodes on the canvas they do not match")
        self.on_canvas.currentIndexChanged.connect(lambda _: self.filter_canvas())
        form.addRow("On canvas", self.on_canvas)
        self.depth_box = QSpinBox()
        self.depth_box.setRange(1, MAX_DEPTH)
        self.depth_box.setToolTip("Hops shown up and down from the focused node")
        self.depth_box.valueChanged.connect(model.set_depth)
        form.addRow("Depth", self.depth_box)
        self.apart = QCheckBox("Up and down apart")
        self.apart.setToolTip("Only what the focus reads (up) and what reads it (down), each as far as "
                              "you say: dbt's 2+model+1 (type that in the search box too)")  # fmt: skip
        self.apart.toggled.connect(lambda _: self.set_reach())
        self.up_box, self.down_box = QSpinBox(), QSpinBox()
        reach = QHBoxLayout()
        for label, box in (("↑", self.up_box), ("↓", self.down_box)):
            box.setRange(0, MAX_DEPTH)
            box.setPrefix(f"{label} ")
            box.setEnabled(False)
            box.valueChanged.connect(lambda _: self.set_reach())
            reach.addWidget(box)
        self.up_box.setToolTip("Hops upstream: what the focus reads, and what that reads")
        self.down_box.setToolTip("Hops downstream: what reads the focus, and what reads that")
        form.addRow(self.apart)
        form.addRow("Up, down", reach)
        self.results = QListWidget()
        # One click focuses a result (as a link would), Enter too; a double click is one click more.
        focus = lambda item: self.focusRequested.emit(item.data(Qt.ItemDataRole.UserRole))  # noqa: E731
        self.results.itemClicked.connect(focus)
        self.results.itemActivated.connect(focus)
        layout.addWidget(self.search)
        layout.addLayout(form)
        layout.addWidget(self.results)

    def show_view(self, spec: ViewSpec) -> None:
        """Show the depth, the reach up and down and the filter of ``spec`` (Back, Forward, a
        tour step, a remembered view) without setting them again on the model."""
        up, down = spec.hops
        boxes = [self.depth_box, self.apart, self.up_box, self.down_box, self.on_canvas, *self.facets.values()]
        for box in boxes:
            box.blockSignals(True)
        self.depth_box.setValue(max(spec.depth, 1))
        self.apart.setChecked(spec.directional)
        self.up_box.setValue(up if spec.directional else spec.depth)
        self.down_box.setValue(down if spec.directional else spec.depth)
        self.up_box.setEnabled(spec.directional)
        self.down_box.setEnabled(spec.directional)
        self.depth_box.setEnabled(not spec.directional)
        chosen = dict(spec.facets)
        if chosen:
            self.on_canvas.setCurrentIndex(self.on_canvas.findData(spec.unmatched))
        for facet, combo in self.facets.items():
            at = combo.findData(chosen[facet]) if facet in chosen else 0
            combo.setCurrentIndex(max(at, 0))
        for box in boxes:
            box.blockSignals(False)

    def chosen(self) -> dict[str, str]:
        """The facet values chosen (facet -> value)."""
        return {f: c.currentData() for f, c in self.facets.items() if c.currentData() is not None}

    def filter_canvas(self) -> None:
        """The facets as the view's filter, unless they only narrow the list."""
        how = self.on_canvas.currentData()
        chosen = self.chosen() if how is not None else {}
        if tuple(sorted(chosen.items())) != self.model.spec.facets or (chosen and how != self.model.spec.unmatched):
            self.model.set_filter(chosen, how)

    def set_reach(self) -> None:
        """Up and down apart, from the two boxes; or, unticked, the depth both ways again."""
        apart = self.apart.isChecked()
        for box in (self.up_box, self.down_box):
            box.setEnabled(apart)
        self.depth_box.setEnabled(not apart)
        if apart:
            self.model.set_reach(self.up_box.value(), self.down_box.value())
        else:
            self.model.set_reach(None, None)

    def graph_loaded(self) -> None:
        """Fill the completion and the facets with what the model's load read; the values
        chosen stay chosen (a refresh, a remembered view waiting for the values)."""
        model = self.model
        self.search.completer().setModel(QStringListModel(model.names, self))
        values = model.facets
        keep = {**self.chosen(), **self.listed_later, **dict(model.spec.facets)}
        self.listed_later = {}
        for facet, combo in self.facets.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY, None)
            for value in values.get(facet, []):  # shown clipped, chosen by the full value
                combo.addItem(display_label(value), value)
                combo.setItemData(combo.count() - 1, tooltip(value), Qt.ItemDataRole.ToolTipRole)
            if facet in keep:
                combo.setCurrentIndex(max(combo.findData(keep[facet]), 0))
            combo.blockSignals(False)
        if keep:
            self.run_search()

    def listed(self) -> dict[str, str]:
        """The facet values that narrow only the result list (On canvas: List only)."""
        return self.chosen() if self.on_canvas.currentData() is None else {}

    def show_listed(self, listed: dict[str, str]) -> None:
        """Narrow the list (only) by ``listed``, as a remembered view left it; values the
        facets do not hold yet (the graph still loading) are chosen once they come."""
        if not listed:
            return
        boxes = [self.on_canvas, *self.facets.values()]
        for box in boxes:
            box.blockSignals(True)
        self.on_canvas.setCurrentIndex([how for _, how in ON_CANVAS].index(None))
        for facet, value in listed.items():
            at = self.facets[facet].findData(value) if facet in self.facets else -1
            if at > 0:
                self.facets[facet].setCurrentIndex(at)
            elif facet in self.facets:
                self.listed_later[facet] = value
        for box in boxes:
            box.blockSignals(False)
        self.run_search()

    def facet_changed(self) -> None:
        self.run_search()
        self.filter_canvas()

    def run_search(self) -> None:
        self.results.clear()
        model = self.model
        text = self.search.text().strip()
        chosen = self.chosen()
        graph = model.graph if model.ready else None  # before it is in, nodes are looked up in the store
        for node_id in search_nodes(model.store, graph, text, chosen):
            data = model.node_data(node_id)
            item = QListWidgetItem(f"{display_label(data['name'])}   ·  {data['kind']}")
            item.setToolTip(tooltip(node_id))
            item.setData(Qt.ItemDataRole.UserRole, node_id)
            self.results.addItem(item)

    def focus_search(self) -> None:
        text = self.search.text().strip()
        selected = parse_selector(text, lambda ref: resolve(self.model.store, ref))
        if selected is not None:  # "2+name+1": the node, so far up and down
            node_id, up, down = selected
            self.model.set_spec(self.model.spec.replace(up=up, down=down), show=False)
            self.show_view(self.model.spec)
            self.focusRequested.emit(node_id)  # one picture, at the reach asked for
            return
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
