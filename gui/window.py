"""The explorer's main window: search on the left, the canvas, the inspector on the right."""

from __future__ import annotations

import html
import time

import networkx as nx
from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QDockWidget,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gui.canvas import GraphView
from gui.items import EdgeItem, NodeItem, node_size
from gui.style import is_dark, kind_style
from gui.worker import LayoutRunner
from lineage.graph import load_graph
from lineage.refs import RefError, resolve
from lineage.store import Store
from lineage.view import View, ViewRequest, default_focus, plan_view

SEARCH_RESULTS = 200


class MainWindow(QMainWindow):
    viewShown = Signal()  # a laid-out view is on the canvas  # noqa: N815 (Qt signal style)

    def __init__(self, db_path: str, *, focus: str | None = None, depth: int = 2,
                 remember: bool = True):  # fmt: skip
        super().__init__()
        self.db_path = db_path
        self.store = Store.open(db_path)
        self.graph: nx.DiGraph = load_graph(self.store)
        self.dark = is_dark()
        self.view: View | None = None
        self.started = 0.0
        self.runner = LayoutRunner(self)
        self.runner.ready.connect(self.show_view)
        self.runner.failed.connect(self.layout_failed)
        self.setWindowTitle(f"Lineage Explorer — {db_path}")
        self.resize(1400, 860)

        self.canvas = GraphView(self)
        self.canvas.nodeActivated.connect(self.set_focus)
        self.canvas.scene().selectionChanged.connect(self.selection_changed)
        self.setCentralWidget(self.canvas)
        self._build_search_dock()
        self._build_inspector_dock()
        self._build_status_bar()
        self._build_menus()
        self.remember = remember
        if remember:
            self._restore_settings()

        self.focus = focus or default_focus(self.graph)
        self.depth.setValue(depth)
        self.depth.valueChanged.connect(lambda _: self.request_view())
        self.request_view()

    # -- building -------------------------------------------------------------------------

    def _build_search_dock(self) -> None:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, tags, owners…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        names = sorted({*self.graph.nodes, *(d["name"] for _, d in self.graph.nodes(data=True))})
        completer = QCompleter(QStringListModel(names, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(completer)
        self.search.textChanged.connect(self.run_search)
        self.search.returnPressed.connect(self.focus_search)
        self.results = QListWidget()
        self.results.itemActivated.connect(lambda item: self.set_focus(item.data(Qt.ItemDataRole.UserRole)))
        self.depth = QSpinBox()
        self.depth.setRange(1, 12)
        self.depth.setToolTip("Hops shown up and down from the focused node")
        form = QFormLayout()
        form.addRow("Depth", self.depth)
        layout.addWidget(self.search)
        layout.addLayout(form)
        layout.addWidget(self.results)
        dock = QDockWidget("Search", self)
        dock.setObjectName("search")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _build_inspector_dock(self) -> None:
        self.inspector = QTextBrowser()
        self.inspector.setOpenLinks(False)
        self.inspector.anchorClicked.connect(lambda url: self.set_focus(url.fragment()))
        dock = QDockWidget("Inspector", self)
        dock.setObjectName("inspector")
        dock.setWidget(self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)

    def _build_status_bar(self) -> None:
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
        self.statusBar().addPermanentWidget(self.busy)

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None):
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        action(edit_menu, "&Find…", self.search.setFocus, QKeySequence.StandardKey.Find)
        view_menu = self.menuBar().addMenu("&View")
        action(view_menu, "&Fit to view", self.canvas.fit, "F")
        action(view_menu, "Zoom &in", lambda: self.canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        action(view_menu, "Zoom &out", lambda: self.canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        action(view_menu, "&Re-layout", self.relayout, "Ctrl+L")
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&About", self.about)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        recent = [p for p in (settings.value("recent") or []) if p != self.db_path]
        settings.setValue("recent", [self.db_path, *recent][:10])

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.remember:
            settings = QSettings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
        self.runner.wait()
        self.store.close()
        super().closeEvent(event)

    # -- views ----------------------------------------------------------------------------

    def set_focus(self, node_id: str) -> None:
        if node_id and node_id in self.graph:
            self.focus = node_id
            self.request_view()

    def request_view(self, *, fresh: bool = False) -> None:
        request = ViewRequest(self.focus, self.depth.value())
        hood = plan_view(self.graph, request)
        sizes = {n: node_size(self.graph.nodes[n].get("name") or n) for n in hood.nodes}
        if fresh:
            self.runner.cache.clear()
        self.started = time.perf_counter()
        self.busy.show()
        self.statusBar().showMessage(f"Laying out {len(hood.nodes)} nodes…")
        self.runner.request(self.graph, request, hood, sizes)

    def relayout(self) -> None:
        self.request_view(fresh=True)

    def show_view(self, view: View) -> None:
        self.view = view
        self.busy.hide()
        scene = self.canvas.scene()
        scene.clear()
        hood = view.hood
        for (u, v), path in view.layout.edges.items():
            scene.addItem(EdgeItem(u, v, self.graph.edges[u, v], path, self.dark))
        for node in hood.nodes:
            attrs = self.graph.nodes[node]
            item = NodeItem(node, attrs, kind_style(attrs.get("kind"), self.dark), self.dark,
                            focus=node == hood.focus, hidden=hood.hidden.get(node, 0))  # fmt: skip
            item.setPos(*view.layout.positions[node])
            scene.addItem(item)
            if node == hood.focus:
                item.setSelected(True)
        scene.setSceneRect(self.canvas.scene_rect_with_margin())
        self.canvas.fit()
        elapsed = (time.perf_counter() - self.started) * 1000
        left_out = (
            f" · {hood.left_out} more within {hood.depth} hops not shown: lower the depth or"
            " focus a node nearer what you need" if hood.left_out else ""
        )
        self.statusBar().showMessage(
            f"{hood.focus}: {len(hood.nodes)} nodes within {hood.depth} hops"
            f" · {view.layout.engine} layout {elapsed:.0f} ms{left_out}"
        )
        self.counts.setText(
            f"{self.graph.number_of_nodes()} nodes · {self.graph.number_of_edges()} edges"
        )
        self.show_inspector(hood.focus)
        self.viewShown.emit()

    def layout_failed(self, message: str) -> None:
        self.busy.hide()
        self.statusBar().showMessage(f"Layout failed: {message}")

    # -- search and inspector -------------------------------------------------------------

    def run_search(self, text: str) -> None:
        self.results.clear()
        if not text.strip():
            return
        for node_id in self.store.search(text, limit=SEARCH_RESULTS):
            if node_id in self.graph:
                attrs = self.graph.nodes[node_id]
                item = QListWidgetItem(f"{attrs['name']}   ·  {attrs['kind']}")
                item.setToolTip(node_id)
                item.setData(Qt.ItemDataRole.UserRole, node_id)
                self.results.addItem(item)

    def focus_search(self) -> None:
        text = self.search.text().strip()
        try:
            self.set_focus(resolve(self.store, text))
        except RefError as exc:
            if self.results.count():
                self.set_focus(self.results.item(0).data(Qt.ItemDataRole.UserRole))
            else:
                self.statusBar().showMessage(str(exc))

    def selection_changed(self) -> None:
        selected = [i for i in self.canvas.scene().selectedItems() if isinstance(i, NodeItem)]
        if selected:
            self.show_inspector(selected[0].node_id)

    def show_inspector(self, node_id: str) -> None:
        node = self.store.node(node_id)
        if node is None:
            return
        incoming, outgoing = self.store.edges_of(node_id)
        provenance = self.store.node_provenance(node_id)
        self.inspector.setHtml(inspector_html(node, incoming, outgoing, provenance))

    def about(self) -> None:
        QMessageBox.about(self, "Lineage Explorer",
                          "Lineage Explorer: what depends on what in your ML system.")  # fmt: skip


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def inspector_html(node: dict, incoming: list, outgoing: list, provenance: list) -> str:
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
    parts = [f"<h3>{_e(node['name'])}</h3><p><code>{_e(node['id'])}</code></p><table>"]
    parts += [f"<tr><td><b>{_e(k)}</b>&nbsp;</td><td>{_e(v)}</td></tr>" for k, v in rows]
    parts.append("</table>")

    def edge_list(title: str, edges: list, end: str) -> None:
        parts.append(f"<h4>{_e(title)} ({len(edges)})</h4><ul>")
        for edge in edges:
            evidence = "declared" if edge["declared"] else "observed"
            weight = f", weight {edge['weight']:g}" if edge["weight"] is not None else ""
            parts.append(f'<li><a href="#{_e(edge[end])}">{_e(edge[end])}</a> '
                         f"<small>{_e(edge['kind'])}, {evidence}{_e(weight)}</small></li>")  # fmt: skip
        parts.append("</ul>")

    edge_list("Inputs", incoming, "source")
    edge_list("Outputs", outgoing, "target")
    parts.append(f"<h4>Sources ({len(provenance)})</h4><ul>")
    for p in provenance:
        where = f"{p['file']}:{p['line']}" if "line" in p else p.get("pointer") or p["file"]
        parts.append(f"<li>{_e(where)} <small>({_e(p['importer'])}, import #{p['import_id']})</small></li>")
    parts.append("</ul>")
    return "".join(parts)
