"""The explorer's main window: search and facets on the left, the canvas, the inspector and
the mode panel on the right. The window holds one :class:`lineage.views.spec.ViewSpec`; every
picture is the :class:`lineage.views.scenes.Scene` it asks for, computed and laid out on a worker
thread; this module only turns clicks and keys into new specs."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import networkx as nx
from lineage_gui.canvas import GraphView
from lineage_gui.items import EdgeItem, NodeItem, display_label
from lineage_gui.panels import ModePanel
from lineage_gui.plain import message, tooltip
from lineage_gui.refresh import NewDataWatcher, RefreshBar
from lineage_gui.style import is_dark, kind_style
from lineage_gui.tours import NotesView, TourPanel
from lineage_gui.worker import LayoutRunner, render_elsewhere, warm_up
from PySide6.QtCore import (
    QObject,
    QRunnable,
    QSettings,
    QStringListModel,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QTextOption, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSpinBox,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from lineage.analyses import find_all
from lineage.graph import load_flag_history, load_graph
from lineage.refs import RefError, resolve
from lineage.render.escape import clip, printable
from lineage.render.text import where
from lineage.store import Store
from lineage.views.focus import default_focus
from lineage.views.scenes import Scene, build_scene, diff_inputs
from lineage.views.search import facet_values, search_nodes
from lineage.views.spec import MODES, ViewSpec
from lineage.views.tours import Step, match_finding, step_of

ANY = "(any)"
MODE_KEYS = {mode: f"Ctrl+{i}" for i, mode in enumerate(MODES, start=1)}


class ViewFields:
    """``window.state``: the window's :class:`ViewSpec` read and set field by field, for scripts
    and tests. Setting a field replaces the spec (no new picture until one is requested); the
    removals read as sets, which is what the simulation makes of them."""

    def __init__(self, window: MainWindow):
        object.__setattr__(self, "_window", window)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._window.spec, name)
        return frozenset(value) if name in ("removed", "removed_edges") else value

    def __setattr__(self, name: str, value: Any) -> None:
        self._window.spec = self._window.spec.replace(**{name: value})


class ToggleRemoval(QUndoCommand):
    """Remove a node or an edge in the simulation, or put it back (undoable)."""

    def __init__(self, window: MainWindow, node: str | None = None, edge: tuple[str, str] | None = None):
        what = node or f"{edge[0]} -> {edge[1]}"
        super().__init__(f"toggle {what}")
        self.window, self.node, self.edge = window, node, edge

    def redo(self) -> None:
        self._flip()

    def undo(self) -> None:
        self._flip()

    def _flip(self) -> None:
        self.window.toggle_removal(node=self.node, edge=self.edge)


class Background(QObject):
    """Runs functions on the thread pool; results come back on the UI thread, in ``then``."""

    done = Signal(object, object)  # callback, result

    def __init__(self, parent=None):
        super().__init__(parent)
        self.done.connect(lambda then, result: then(result))

    def run(self, fn, then) -> None:
        signal = self.done

        class Job(QRunnable):
            def run(self) -> None:
                signal.emit(then, fn())

        QThreadPool.globalInstance().start(Job())


@dataclass
class Drawn:
    scene: Scene | None = None
    nodes: dict[str, NodeItem] = field(default_factory=dict)


class MainWindow(QMainWindow):
    viewShown = Signal()  # a laid-out scene is on the canvas  # noqa: N815 (Qt signal style)

    def __init__(self, db_path: str, *, focus: str | None = None, depth: int = 2,
                 mode: str = "explore", remember: bool = True):  # fmt: skip
        super().__init__()
        self.remember = remember
        self.dark = is_dark()
        self.background = Background(self)
        warm_up()
        self.runner = LayoutRunner(self)
        self.runner.ready.connect(self.show_scene)
        self.runner.failed.connect(self.layout_failed)
        self.undo_stack = QUndoStack(self)
        self.drawn = Drawn()
        self.findings: dict | None = None
        self.generation = 0  # bumped after an import: cached pictures are stale
        self.frozen = False
        self.started = 0.0
        self.resize(1500, 920)
        self.setAcceptDrops(True)

        self.canvas = GraphView(self)
        self.canvas.nodeActivated.connect(self.node_activated)
        self.canvas.nodeClicked.connect(self.node_clicked)
        self.canvas.edgeClicked.connect(self.edge_clicked)
        self.canvas.badgeClicked.connect(self.toggle_expanded)
        self.canvas.contextRequested.connect(self.context_menu)
        self.canvas.scene().selectionChanged.connect(self.selection_changed)
        self.refresh_bar = RefreshBar()
        self.refresh_bar.refreshRequested.connect(self.refresh_from_database)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.refresh_bar)
        column.addWidget(self.canvas)
        self.setCentralWidget(central)
        self.new_data = NewDataWatcher(lambda: self.store, self._importing_here, self)
        self.new_data.newData.connect(self.refresh_bar.show)
        self._build_search_dock()
        self._build_side_docks()
        self._sized = False
        self._build_status_bar()
        self._build_actions()
        self.open_database(db_path, focus=focus, depth=depth)
        if remember:
            self._restore_settings()
        self.set_mode(mode)

    # -- database ---------------------------------------------------------------------------

    def open_database(self, db_path: str, *, focus: str | None = None, depth: int = 2) -> None:
        if getattr(self, "store", None) is not None:
            self.runner.wait()
            self.store.close()
        self.db_path = db_path
        self.store = Store.open(db_path)
        self.setWindowTitle(f"Lineage Explorer — {db_path}")
        self.reload_graph()
        self.tour_panel.attach(self.store)
        self.spec = ViewSpec(focus=focus or focus_of(self.graph), depth=depth)
        self.depth.blockSignals(True)
        self.depth.setValue(depth)
        self.depth.blockSignals(False)
        if self.remember:
            settings = QSettings()
            recent = [p for p in (settings.value("recent") or []) if p != db_path]
            settings.setValue("recent", [db_path, *recent][:10])
            self._fill_recent()

    def reload_graph(self) -> None:
        with self.store.reading():  # graph, facets and generations of one snapshot, mid-import too
            self.graph: nx.DiGraph = load_graph(self.store)
            self.sources = self.store.importers_by_node()
            self.findings = None
            names = sorted({*self.graph.nodes, *(d["name"] for _, d in self.graph.nodes(data=True))})
            self.search.completer().setModel(QStringListModel(names, self))
            self._fill_facets()
            self.panel.set_generations(self.store.imports())
            self.new_data.loaded(self.store.last_import_id())
        self.refresh_bar.hide()
        self.counts.setText(f"{self.graph.number_of_nodes()} nodes · {self.graph.number_of_edges()} edges")

    def refresh_from_database(self) -> None:
        """Show what others imported meanwhile, keeping the focus when it is still there."""
        self.reload_graph()
        self.generation += 1
        if self.spec.focus not in self.graph:
            self.spec = self.spec.replace(focus=focus_of(self.graph))
        self.note_for_next_view = "Refreshed: " + self.counts.text()
        self.statusBar().showMessage(self.note_for_next_view)
        self.request_scene()

    def _importing_here(self) -> bool:
        flow = getattr(self, "import_flow", None)
        return flow is not None and flow.busy()

    # -- building ---------------------------------------------------------------------------

    def _build_search_dock(self) -> None:
        panel = QWidget()
        layout = QVBoxLayout(panel)
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
        for facet in ("kind", "owner", "tag", "status", "source"):
            combo = QComboBox()
            # A 10,000-character owner must not widen the dock: the combo keeps a fixed width.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.currentIndexChanged.connect(lambda _: self.run_search())
            self.facets[facet] = combo
            form.addRow(facet.capitalize(), combo)
        self.depth = QSpinBox()
        self.depth.setRange(1, 12)
        self.depth.setToolTip("Hops shown up and down from the focused node")
        self.depth.valueChanged.connect(self.depth_changed)
        form.addRow("Depth", self.depth)
        self.results = QListWidget()
        self.results.itemActivated.connect(lambda item: self.set_focus(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.search)
        layout.addLayout(form)
        layout.addWidget(self.results)
        dock = QDockWidget("Search", self)
        dock.setObjectName("search")
        dock.setWidget(scrolling(panel))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.search_dock = dock

    def _build_side_docks(self) -> None:
        self.inspector = QTextBrowser()
        self.inspector.setOpenLinks(False)
        # Links carry the node id percent-encoded (see inspector_html), so any id survives.
        self.inspector.anchorClicked.connect(
            lambda url: self.set_focus(url.fragment(QUrl.ComponentFormattingOption.FullyDecoded)))
        # A long name without spaces wraps rather than widening the page.
        self.inspector.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        dock = QDockWidget("Inspector", self)
        dock.setObjectName("inspector")
        dock.setWidget(self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.panel = ModePanel(self)
        self.panel.traceRequested.connect(self.trace_between)
        self.panel.impactChanged.connect(self.impact_changed)
        self.panel.findingChosen.connect(self.show_finding)
        self.panel.generationChosen.connect(self.diff_since)
        self.panel.clearRemovals.connect(self.clear_removals)
        self.panel.undo_button.clicked.connect(self.undo_stack.undo)
        self.panel.redo_button.clicked.connect(self.undo_stack.redo)
        self.mode_dock = QDockWidget("Mode", self)
        self.mode_dock.setObjectName("mode")
        self.mode_dock.setWidget(scrolling(self.panel))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.mode_dock)
        self.tour_panel = TourPanel(self)
        self.tour_panel.recordRequested.connect(self.record_step)
        self.tour_panel.stepChosen.connect(self.apply_step)
        self.tour_panel.presentRequested.connect(self.present)
        self.tour_dock = QDockWidget("Tour", self)
        self.tour_dock.setObjectName("tour")
        self.tour_dock.setWidget(scrolling(self.tour_panel))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.tour_dock)
        self.tabifyDockWidget(self.mode_dock, self.tour_dock)
        self.mode_dock.raise_()
        self.notes_view = NotesView()
        self.notes_dock = QDockWidget("Notes", self)
        self.notes_dock.setObjectName("notes")
        self.notes_dock.setWidget(self.notes_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.notes_dock)
        self.notes_dock.hide()
        self.presenting: list | None = None
        self.inspector_dock = dock


    def _build_status_bar(self) -> None:
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.counts = QLabel()
        self.note_for_next_view = ""  # shown in front of the next view's status
        self.statusBar().addPermanentWidget(self.counts)
        self.statusBar().addPermanentWidget(self.busy)

    def _build_actions(self) -> None:
        def action(menu, text, slot, shortcut=None, checkable=False):
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.setCheckable(checkable)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        action(file_menu, "&Open database…", self.choose_database, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        action(file_menu, "&Import…", self.choose_import, "Ctrl+I")
        action(file_menu, "&Export picture…", self.choose_export, "Ctrl+E")
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([undo, redo])
        action(edit_menu, "&Find…", self.search.setFocus, QKeySequence.StandardKey.Find)
        action(edit_menu, "Remove selected (simulate)", self.remove_selected, QKeySequence.StandardKey.Delete)
        view_menu = bar.addMenu("&View")
        action(view_menu, "&Fit to view", self.canvas.fit, "F")
        action(view_menu, "Zoom &in", lambda: self.canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        action(view_menu, "Zoom &out", lambda: self.canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        action(view_menu, "&Re-layout", self.relayout, "Ctrl+L")
        self.freeze_action = action(view_menu, "&Freeze layout", self.toggle_freeze, "Ctrl+Shift+L", True)
        group_menu = view_menu.addMenu("&Group by")
        self.group_actions = QActionGroup(self)
        for label, key in (("Nothing", None), ("Team", "team"), ("Owner", "owner"), ("Namespace", "namespace")):
            act = action(group_menu, label, lambda _=False, k=key: self.set_group(k), checkable=True)
            act.setChecked(key is None)
            self.group_actions.addAction(act)
        tools = bar.addMenu("&Tools")
        toolbar = self.addToolBar("Modes")
        toolbar.setObjectName("modes")
        self.mode_actions = QActionGroup(self)
        self.mode_action: dict[str, QAction] = {}
        for mode in MODES:
            act = action(tools, mode.capitalize(), lambda _=False, m=mode: self.set_mode(m),
                         MODE_KEYS[mode], True)  # fmt: skip
            self.mode_actions.addAction(act)
            self.mode_action[mode] = act
            toolbar.addAction(act)
        toolbar.addSeparator()
        toolbar.addAction(self.freeze_action)
        tools.addSeparator()
        action(tools, "&Record view in tour", self.record_step, "Ctrl+R")
        action(tools, "&Present tour", self.present, "F5")
        help_menu = bar.addMenu("&Help")
        action(help_menu, "&About", self.about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in QSettings().value("recent") or []:
            act = QAction(path, self)
            act.triggered.connect(lambda _=False, p=path: self.switch_database(p))
            self.recent_menu.addAction(act)

    def _fill_facets(self) -> None:
        values = facet_values(self.store, self.graph, self.sources)
        for facet, combo in self.facets.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY, None)
            for value in values[facet]:  # shown clipped, chosen by the full value
                combo.addItem(display_label(value), value)
                combo.setItemData(combo.count() - 1, tooltip(value), Qt.ItemDataRole.ToolTipRole)
            combo.blockSignals(False)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def fit_to_screen(self) -> None:
        """Keep the window inside its screen's free area at any scale (QT_SCALE_FACTOR=2 on a
        1600×1000 screen leaves 800×500 logical pixels), whatever was asked or remembered."""
        from PySide6.QtGui import QGuiApplication

        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or QGuiApplication.platformName() in ("offscreen", "minimal"):
            return  # no real screen: keep the asked size (screenshots are 1600×1000 everywhere)
        free = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.size()  # title bar and borders
        width = min(self.width(), free.width() - frame.width())
        height = min(self.height(), free.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, 320), max(height, 240))
        geometry = self.frameGeometry()
        x = min(max(geometry.x(), free.x()), free.right() - geometry.width() + 1)
        y = min(max(geometry.y(), free.y()), free.bottom() - geometry.height() + 1)
        if (x, y) != (geometry.x(), geometry.y()):
            self.move(max(x, free.x()), max(y, free.y()))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._sized:
            self.fit_to_screen()
        super().showEvent(event)
        if not self._sized and not (self.remember and QSettings().value("window/state")):
            # The canvas gets the room: side panels start narrow (the user can widen them).
            self.resizeDocks([self.search_dock, self.inspector_dock], [260, 380], Qt.Orientation.Horizontal)
            self.resizeDocks([self.inspector_dock, self.mode_dock], [380, 480], Qt.Orientation.Vertical)
        self._sized = True

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.remember:
            settings = QSettings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
        self.new_data.timer.stop()
        self.runner.wait()
        # Free the items now, while Qt and Python both still hold them, not at interpreter exit.
        self.canvas.scene().clear()
        self.drawn = Drawn()
        self.store.close()
        super().closeEvent(event)

    # -- modes and scenes --------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self._enter_mode(mode)
        self.request_scene()

    def _enter_mode(self, mode: str) -> None:
        """Switch the mode and its panel, without asking for a picture yet."""
        self.spec = self.spec.replace(mode=mode)
        self.mode_action[mode].setChecked(True)
        self.panel.show_mode(mode)
        if mode == "trace" and self.spec.trace is None:
            self.panel.trace_from.setText(self.spec.focus)
        if mode == "findings" and self.findings is None:
            self.compute_findings()
        if mode == "diff" and self.spec.since is None and self.panel.generations.count():
            self.spec = self.spec.replace(since=self.panel.generations.itemData(0))

    @property
    def state(self) -> ViewFields:
        """The current view, field by field (see :class:`ViewFields`)."""
        return ViewFields(self)

    def scene_factory(self):
        """A function computing the current scene (for the worker); what a diff compares is read
        from the store here, on the UI thread."""
        graph, spec, inputs = self.graph, self.spec, None
        if spec.mode == "diff" and spec.since:
            inputs = diff_inputs(self.store, spec.since, label=spec.since[:19].replace("T", " "))
        return lambda: build_scene(graph, spec, diff=inputs)

    def request_scene(self) -> None:
        if not self.graph.number_of_nodes():
            self.show_empty()
            return
        if not self.spec.focus:
            self.note_for_next_view = ""  # no view follows: the note stays where it was shown
            return
        self.started = time.perf_counter()
        self.busy.show()
        self.statusBar().showMessage("Laying out…")
        self.runner.request((self.spec.key(), self.generation), self.scene_factory())

    def relayout(self) -> None:
        self.runner.cache.clear()
        self.request_scene()

    def show_scene(self, scene: Scene, placed) -> None:
        self.busy.hide()
        canvas_scene = self.canvas.scene()
        canvas_scene.blockSignals(True)
        canvas_scene.clear()
        canvas_scene.blockSignals(False)
        self.drawn = Drawn(scene)
        for (u, v), path in placed.edges.items():
            canvas_scene.addItem(EdgeItem(u, v, scene.graph.edges[u, v], path, self.dark,
                                          state=scene.edge_state.get((u, v))))  # fmt: skip
        for node in scene.graph:
            attrs = scene.graph.nodes[node]
            item = NodeItem(node, attrs, kind_style(attrs.get("kind"), self.dark), self.dark,
                            focus=node == scene.focus, hidden=scene.hidden.get(node, 0),
                            state=scene.node_state.get(node), expanded=node in self.spec.expanded)  # fmt: skip
            item.setPos(*placed.positions[node])
            canvas_scene.addItem(item)
            self.drawn.nodes[node] = item
        canvas_scene.setSceneRect(self.canvas.scene_rect_with_margin())
        self.canvas.fit()
        focus_item = self.drawn.nodes.get(scene.focus) if scene.focus else None
        zoomed = focus_item is not None and self.canvas.readable_around(focus_item.sceneBoundingRect().center())
        elapsed = (time.perf_counter() - self.started) * 1000
        hint = {"simulate": "further away; the panel counts them",
                "impact": "further out; the panel counts them"}.get(
            self.spec.mode, "not shown: focus a node nearer what you need or lower the depth")  # fmt: skip
        left_out = f" · {scene.left_out} more {hint}" if scene.left_out else ""
        # What led to this view (an import, a refresh) stays in front of what the view shows.
        note, self.note_for_next_view = self.note_for_next_view, ""
        self.statusBar().showMessage(
            f"{note + ' · ' if note else ''}"
            f"{scene.title} · {len(scene.graph)} nodes · {placed.engine} layout {elapsed:.0f} ms{left_out}"
            f"{' · zoomed in on the focus, too big to read whole: F shows all' if zoomed else ''}"
        )
        self.panel.set_summary(self.spec.mode, scene.summary)
        if scene.focus and scene.focus in self.graph:
            self.show_inspector(scene.focus)
        self.viewShown.emit()

    def show_empty(self) -> None:
        """An empty database is a view too: say so, and how to fill it."""
        self.busy.hide()
        self.drawn = Drawn()
        self.canvas.show_message(
            "This database holds no lineage yet",
            "Import lineage files: File ▸ Import… (Ctrl+I), or drop files or a folder here.\n"
            "From a shell: lineage import PATH … (OpenLineage events, manifests, dbt, MLflow, DataHub, …),\n"
            "or build the demo: lineage demo.",
        )
        self.statusBar().showMessage(f"{self.db_path}: empty, nothing imported yet")
        # From the event loop, as a laid-out view would be: this may run inside __init__, before
        # anyone could connect to viewShown.
        QTimer.singleShot(0, self.viewShown.emit)

    def layout_failed(self, message: str) -> None:
        self.busy.hide()
        self.note_for_next_view = ""  # it belonged to this view, not to a later one
        self.statusBar().showMessage(f"Layout failed: {message}")

    # -- interactions -------------------------------------------------------------------------

    def set_focus(self, node_id: str) -> None:
        if not node_id or node_id not in self.graph:
            return
        self.spec = self.spec.replace(focus=node_id, expanded=frozenset())
        if self.frozen and node_id in self.drawn.nodes:
            self.canvas.scene().clearSelection()
            self.drawn.nodes[node_id].setSelected(True)
            self.show_inspector(node_id)
            return
        if self.spec.mode in ("findings", "diff", "trace"):
            self.spec = self.spec.replace(mode="explore")
            self.mode_action["explore"].setChecked(True)
            self.panel.show_mode("explore")
        self.request_scene()

    def node_activated(self, node_id: str) -> None:
        if node_id.startswith("group:"):
            self.spec = self.spec.replace(open_groups=self.spec.open_groups | {node_id})
            self.request_scene()
        else:
            self.set_focus(node_id)

    def toggle_expanded(self, node_id: str) -> None:
        self.spec = self.spec.toggle_expanded(node_id)
        self.request_scene()

    def node_clicked(self, node: str) -> None:
        if self.spec.mode == "simulate" and not node.startswith("group:"):
            self.undo_stack.push(ToggleRemoval(self, node=node))

    def edge_clicked(self, source: str, target: str) -> None:
        if self.spec.mode == "simulate":
            self.undo_stack.push(ToggleRemoval(self, edge=(source, target)))

    def remove_selected(self) -> None:
        if self.spec.mode != "simulate":
            return
        for item in self.canvas.scene().selectedItems():
            if isinstance(item, NodeItem):
                self.undo_stack.push(ToggleRemoval(self, node=item.node_id))

    def toggle_removal(self, *, node: str | None = None, edge: tuple[str, str] | None = None) -> None:
        """Remove a node or an edge in the simulation, or put it back (see :class:`ToggleRemoval`)."""
        self.spec = self.spec.toggle_removed(node) if node is not None else self.spec.toggle_removed_edge(edge)
        self.after_removal_change()

    def remove_nodes(self, nodes: list[str]) -> None:
        """Remove ``nodes`` in the simulation (those not removed yet), in one new picture."""
        self.spec = self.spec.replace(removed=tuple(dict.fromkeys([*self.spec.removed, *nodes])))
        self.after_removal_change()

    def after_removal_change(self) -> None:
        self.panel.removed_list.clear()
        self.panel.removed_list.addItems(sorted(self.spec.removed))
        self.panel.removed_list.addItems(f"{u} -> {v}" for u, v in sorted(self.spec.removed_edges))
        self.request_scene()

    def clear_removals(self) -> None:
        self.undo_stack.clear()
        self.spec = self.spec.replace(removed=(), removed_edges=())
        self.after_removal_change()

    def depth_changed(self, value: int) -> None:
        self.spec = self.spec.replace(depth=value)
        self.request_scene()

    def impact_changed(self) -> None:
        self.spec = self.spec.replace(upstream=self.panel.upstream.isChecked())
        self.request_scene()

    def trace_between(self, source_ref: str, target_ref: str) -> None:
        try:
            source, target = resolve(self.store, source_ref), resolve(self.store, target_ref)
        except RefError as exc:
            self.statusBar().showMessage(str(exc).splitlines()[0])
            return
        self.spec = self.spec.replace(trace=(source, target))
        self.panel.trace_from.setText(source)
        self.panel.trace_to.setText(target)
        if self.spec.mode != "trace":
            self.set_mode("trace")
        else:
            self.request_scene()

    def show_finding(self, finding) -> None:
        self.spec = self.spec.replace(finding=finding)
        if self.spec.mode != "findings":
            self.set_mode("findings")
        else:
            self.request_scene()

    def diff_since(self, when: str) -> None:
        self.spec = self.spec.replace(since=when)
        self.request_scene()

    def set_group(self, key: str | None) -> None:
        self.spec = self.spec.replace(group_by=key, open_groups=frozenset())
        self.request_scene()

    def toggle_freeze(self, checked: bool) -> None:
        self.frozen = checked
        self.statusBar().showMessage("Layout frozen: clicks keep positions" if checked else "Layout follows the focus")

    def compute_findings(self) -> None:
        graph = self.graph
        history = load_flag_history(self.store)
        self.statusBar().showMessage("Looking for findings…")

        def done(found) -> None:
            self.findings = found
            self.panel.set_findings(found, lambda n: (self.graph.nodes[n].get("name") if n in self.graph else n))

        self.background.run(lambda: find_all(graph, flag_history=history), done)

    def context_menu(self, node_id: str, where) -> None:
        menu = QMenu(self)
        menu.addAction("Focus here", lambda: self.set_focus(node_id))
        menu.addAction("Impact of this", lambda: (self.set_focus(node_id), self.set_mode("impact")))
        menu.addAction("Trace from here", lambda: self.panel.trace_from.setText(node_id))
        menu.addAction("Trace to here", lambda: self.trace_to_here(node_id))
        menu.addAction("Remove (simulate)", lambda: self.remove_in_simulation(node_id))
        menu.exec(where)

    def trace_to_here(self, node_id: str) -> None:
        self.trace_between(self.panel.trace_from.text() or self.spec.focus, node_id)

    def remove_in_simulation(self, node_id: str) -> None:
        # One picture: the removal asks for it (asking on entering the mode too laid out twice).
        self._enter_mode("simulate")
        self.undo_stack.push(ToggleRemoval(self, node=node_id))

    # -- tours -------------------------------------------------------------------------------

    def record_step(self) -> None:
        """The current view as a tour step (with its layout when the layout is frozen)."""
        positions = ({n: [item.pos().x(), item.pos().y()] for n, item in self.drawn.nodes.items()}
                     if self.frozen else None)  # fmt: skip
        title = self.drawn.scene.title if self.drawn.scene else self.spec.focus
        self.tour_panel.add_step(step_of(self.spec, title=title, positions=positions))
        self.statusBar().showMessage(f"Recorded step {self.tour_panel.steps.count()}")

    def apply_step(self, step: Step) -> None:
        """Show a tour step: its mode and its inputs."""
        finding = None
        if step.finding:
            if self.findings is None:
                history = load_flag_history(self.store)
                self.findings = find_all(self.graph, flag_history=history)
            finding = match_finding(self.findings, step.finding)
        self.spec = self.spec.replace(
            focus=step.focus if step.focus and step.focus in self.graph else self.spec.focus,
            depth=ViewSpec.bounded_depth(step.depth), trace=tuple(step.trace) if step.trace else None,
            upstream=step.upstream, removed=tuple(n for n in step.removed if n in self.graph),
            removed_edges=tuple((e[0], e[1]) for e in step.removed_edges), since=step.since,
            group_by=step.group_by, finding=finding, mode=step.mode if step.mode in MODES else "explore",
        )  # fmt: skip
        self.mode_action[self.spec.mode].setChecked(True)
        self.panel.show_mode(self.spec.mode)
        self.request_scene()

    def present(self) -> None:
        steps = self.tour_panel.current_steps()
        if not steps:
            self.statusBar().showMessage("Record a step first")
            return
        self.presenting = steps
        self._saved_docks = [d for d in self.findChildren(QDockWidget) if d.isVisible()]
        for dock in self._saved_docks:
            dock.hide()
        self.menuBar().hide()
        for bar in self.findChildren(QToolBar):
            bar.hide()
        self.notes_dock.show()
        self.showFullScreen()
        self.resizeDocks([self.notes_dock], [max(320, self.width() // 4)], Qt.Orientation.Horizontal)
        self.present_step(0)

    def present_step(self, index: int) -> None:
        index = max(0, min(index, len(self.presenting) - 1))
        self.presenting_at = index
        step = self.presenting[index]
        self.notes_view.show_step(index + 1, len(self.presenting), step)
        self.apply_step(step)

    def end_presentation(self) -> None:
        self.presenting = None
        self.notes_dock.hide()
        for dock in self._saved_docks:
            dock.show()
        self.menuBar().show()
        for bar in self.findChildren(QToolBar):
            bar.show()
        self.showNormal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.presenting is not None:
            key = event.key()
            if key in (Qt.Key.Key_Right, Qt.Key.Key_Space, Qt.Key.Key_PageDown):
                self.present_step(self.presenting_at + 1)
                return
            if key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
                self.present_step(self.presenting_at - 1)
                return
            if key == Qt.Key.Key_Escape:
                self.end_presentation()
                return
        super().keyPressEvent(event)

    # -- search, inspector, import ----------------------------------------------------------------

    def run_search(self) -> None:
        self.results.clear()
        text = self.search.text().strip()
        chosen = {f: c.currentData() for f, c in self.facets.items() if c.currentData() is not None}
        for node_id in search_nodes(self.store, self.graph, self.sources, text, chosen):
            data = self.graph.nodes[node_id]
            item = QListWidgetItem(f"{display_label(data['name'])}   ·  {data['kind']}")
            item.setToolTip(tooltip(node_id))
            item.setData(Qt.ItemDataRole.UserRole, node_id)
            self.results.addItem(item)

    def focus_search(self) -> None:
        text = self.search.text().strip()
        try:
            self.set_focus(resolve(self.store, text))
        except RefError as exc:
            if exc.matches:  # ambiguous: the matches head the results; the user picks one
                self.run_search()
                self.statusBar().showMessage(f"{len(exc.matches)} nodes match {text!r}: pick one")
            elif self.results.count():
                self.set_focus(self.results.item(0).data(Qt.ItemDataRole.UserRole))
            else:
                self.statusBar().showMessage(str(exc))

    def selection_changed(self) -> None:
        selected = self.canvas.scene().selectedItems()
        nodes = [i for i in selected if isinstance(i, NodeItem)]
        edges = [i for i in selected if isinstance(i, EdgeItem)]
        if nodes and not nodes[0].node_id.startswith("group:"):
            self.show_inspector(nodes[0].node_id)
        elif edges:
            self.inspector.setHtml(edge_html(edges[0], self.store))

    def show_inspector(self, node_id: str) -> None:
        node = self.store.node(node_id)
        if node is None:
            return
        incoming, outgoing = self.store.edges_of(node_id)
        provenance = self.store.node_provenance(node_id)
        self.inspector.setHtml(inspector_html(node, incoming, outgoing, provenance,
                                              self.store.aliases_of(node_id)))  # fmt: skip

    def choose_database(self) -> None:
        wanted = "Lineage databases (*.db);;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, "Open a lineage database", "", wanted)
        if path:
            self.switch_database(path)

    def switch_database(self, path: str) -> None:
        try:
            self.open_database(path)
        except Exception as exc:  # a StoreError says what is wrong with the file
            QMessageBox.warning(self, "Cannot open the database", message(str(exc)))
            return
        self.runner.cache.clear()
        self.undo_stack.clear()
        self.set_mode("explore")

    def choose_export(self) -> None:
        wanted = ("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;Graphviz DOT (*.dot);;"
                  "GraphML (*.graphml);;JSON (*.json)")
        path, _ = QFileDialog.getSaveFileName(self, "Export the picture", "lineage.png", wanted)
        if path:
            self.export_picture(path)

    def export_picture(self, path: str) -> None:
        """Save exactly what the canvas shows (the whole picture, not only the visible part).

        Every format is made in memory and written with :func:`lineage.atomic.write_atomic`:
        the file appears whole or not at all, and an old one survives a full disk untouched."""
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize
        from PySide6.QtGui import QImage, QImageWriter, QPageSize, QPainter, QPdfWriter
        from PySide6.QtSvg import QSvgGenerator

        from lineage.atomic import write_atomic

        scene = self.canvas.scene()
        rect = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        suffix = path.rsplit(".", 1)[-1].lower()
        if suffix in ("dot", "graphml", "json") and self.drawn.scene is not None:
            from lineage.render.graphs import render

            # DOT comes from Graphviz, which only ever runs in the layout process (lineage/graphviz.py)
            data = render_elsewhere(self.drawn.scene, suffix) if suffix == "dot" else render(self.drawn.scene, suffix)
            # exactly the nodes and edges on screen, with their states
            if self._write_export(path, data, write_atomic):
                self.statusBar().showMessage(f"Exported the view to {path}")
            return
        image_formats = {bytes(f).decode().lower() for f in QImageWriter.supportedImageFormats()}
        if suffix not in ("svg", "pdf") and suffix not in image_formats:
            QMessageBox.warning(self, "Export failed", message(f"{path}: could not write the image"))
            return
        content = QByteArray()
        buffer = QBuffer(content)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if suffix == "svg":
            device = QSvgGenerator()
            device.setOutputDevice(buffer)
            device.setSize(QSize(int(rect.width()), int(rect.height())))
            device.setViewBox(rect)
            device.setTitle(self.drawn.scene.title if self.drawn.scene else "lineage")
        elif suffix == "pdf":
            device = QPdfWriter(buffer)
            device.setPageSize(QPageSize(rect.size(), QPageSize.Unit.Point))
            device.setPageMargins(QMarginsF(0, 0, 0, 0))
        else:
            device = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_ARGB32)
            device.fill(self.canvas.backgroundBrush().color())
        painter = QPainter(device)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, source=rect)
        painter.end()
        if isinstance(device, QImage) and not device.save(buffer, suffix.upper()):
            QMessageBox.warning(self, "Export failed", message(f"{path}: could not write the image"))
            return
        del device  # a PDF writer finishes its file when it goes
        buffer.close()
        if self._write_export(path, bytes(content.data()), write_atomic):
            self.statusBar().showMessage(f"Exported the picture to {path}")

    def _write_export(self, path: str, data: bytes, write_atomic) -> bool:
        try:
            write_atomic(path, data)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", message(f"{path}: cannot write: {exc.strerror or exc}"))
            return False
        return True

    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import lineage files")
        if paths:
            self.start_import(paths)

    def start_import(self, paths: list[str]) -> bool:
        from lineage_gui.import_flow import ImportFlow

        if getattr(self, "import_flow", None) is None:
            self.import_flow = ImportFlow(self, self.db_path)
            self.import_flow.finished.connect(self.import_finished)
        return self.import_flow.start(paths)

    def import_finished(self, report) -> None:
        self.reload_graph()
        self.generation += 1
        written = [u for u in report.units if u.outcome and not u.outcome.unchanged]
        n = len(report.reclassified)
        again = f"; {n} earlier import{'s' if n != 1 else ''} classified again" if n else ""
        warned = len(report.notices)
        first = printable(str(report.notices[0]))[:200] if warned else ""
        warnings = f"; {warned} warning{'s' if warned != 1 else ''}: {first}" if warned else ""
        self.note_for_next_view = f"Imported {len(written)} of {len(report.units)} sources{again}{warnings}"
        self.statusBar().showMessage(self.note_for_next_view)
        if self.spec.focus not in self.graph:
            self.spec = self.spec.replace(focus=focus_of(self.graph))
        self.request_scene()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        from lineage_gui.import_flow import paths_from_mime

        paths = paths_from_mime(event.mimeData())
        if paths:
            self.start_import(paths)
            event.acceptProposedAction()

    def about(self) -> None:
        QMessageBox.about(self, "Lineage Explorer",
                          "Lineage Explorer: what depends on what in your ML system.")  # fmt: skip


def scrolling(panel: QWidget) -> QWidget:
    """``panel`` in a scroll area: a dock may then be narrower than its widest row, so the
    window fits a small (or scaled) screen; the panel scrolls instead of pushing the window."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def focus_of(graph: nx.DiGraph) -> str:
    """Where the window's view starts: the graph's default focus, or none on an empty graph."""
    return default_focus(graph) if graph.number_of_nodes() else ""


def _e(value) -> str:
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


def edge_html(item: EdgeItem, store: Store) -> str:
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
