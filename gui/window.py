"""The explorer's main window: docks, menus and wiring. Search and facets on the left, the
canvas, the inspector and the mode panel on the right. What is shown lives in the
:class:`~lineage_gui.model.ExplorerModel` (the store, the graph, the findings and one
:class:`lineage.views.spec.ViewSpec`); clicks and keys become calls on it, and each of its
``changed`` signals becomes a picture, computed and laid out off the UI thread
(:mod:`lineage_gui.workers`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
from lineage_gui.as_of import AsOf
from lineage_gui.canvas import HISTORY_BUTTONS, GraphView
from lineage_gui.export import ExportError
from lineage_gui.export import export_picture as write_picture
from lineage_gui.items import EdgeItem, NodeItem
from lineage_gui.left_view import LeftViews
from lineage_gui.loading import LOAD_AT_ONCE
from lineage_gui.menus import build_menus
from lineage_gui.model import ExplorerModel
from lineage_gui.overlays import CanvasOverlays
from lineage_gui.panels import InspectorView, ModePanel, NotesView, SearchPanel, TourPanel
from lineage_gui.plain import message
from lineage_gui.presenter import Presenter, view_status
from lineage_gui.refresh import NewDataWatcher, RefreshBar
from lineage_gui.report_export import ReportExport
from lineage_gui.screen import fit_to_screen
from lineage_gui.status import StatusLine
from lineage_gui.style import background_colour, is_dark
from lineage_gui.theme import THEMES, apply_theme
from lineage_gui.tour_choice import TourRecorder
from lineage_gui.tour_export import TourExport
from lineage_gui.workers import LayoutRunner, warm_up
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from lineage.refs import RefError, resolve
from lineage.store import Store
from lineage.views.generations import since_label
from lineage.views.layout import Layout, keep_positions
from lineage.views.scenes import Scene, build_scene, diff_inputs, explore_from_store
from lineage.views.spec import DEFAULT_DEPTH, ViewSpec
from lineage.views.tours import Step, step_of

if TYPE_CHECKING:
    from lineage.ingest import ImportReport


class ViewFields:
    """``window.state``: the model's :class:`ViewSpec` read and set field by field, for scripts
    and tests. Setting a field replaces the spec (no new picture until one is requested); the
    removals read as sets, which is what the simulation makes of them."""

    def __init__(self, model: ExplorerModel):
        object.__setattr__(self, "_model", model)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model.spec, name)
        return frozenset(value) if name in ("removed", "removed_edges") else value

    def __setattr__(self, name: str, value: Any) -> None:
        self._model.set_spec(self._model.spec.replace(**{name: value}), show=False)


@dataclass
class Drawn:
    scene: Scene | None = None
    nodes: dict[str, NodeItem] = field(default_factory=dict)
    layout: Layout | None = None


def dock_widths(window_width: int) -> list[int]:
    """The search and inspector docks' first widths: narrow, so the canvas has most of the window.

    >>> dock_widths(1600), dock_widths(1000)
    ([240, 320], [200, 260])
    """
    return [max(200, round(window_width * 0.15)), max(260, round(window_width * 0.2))]


class MainWindow(QMainWindow):
    viewShown = Signal()  # a laid-out scene is on the canvas  # noqa: N815 (Qt signal style)

    def __init__(self, db_path: str, *, focus: str | None = None, depth: int | None = None,
                 mode: str | None = None, remember: bool = True, load_at_once: int = LOAD_AT_ONCE):  # fmt: skip
        """The explorer on ``db_path``. With none of ``focus``, ``depth`` and ``mode`` (and
        ``remember``), the view the database was left in (:mod:`lineage_gui.left_view`), else
        that focus (default: the most central feature), depth (2) and mode (explore)."""
        super().__init__()
        self.remember = remember
        self.dark = is_dark()
        self.model = model = ExplorerModel(self, load_at_once=load_at_once)
        self.undo_stack = model.undo_stack
        warm_up()
        self.runner = LayoutRunner(self)
        self.runner.ready.connect(self.show_scene)
        self.runner.failed.connect(self.layout_failed)
        self.closed = False
        self.drawn = Drawn()
        self.fresh_layout = False  # the next view is laid out afresh, not grown in place
        self.frozen = False
        self.started = 0.0
        self.import_flow: Any = None
        self.resize(1500, 920)
        self.setAcceptDrops(True)

        self.canvas = GraphView(self)
        self.canvas.nodeActivated.connect(self.node_activated)
        self.canvas.nodeClicked.connect(self.node_clicked)
        self.canvas.edgeClicked.connect(self.edge_clicked)
        self.canvas.badgeClicked.connect(model.toggle_expanded)
        self.canvas.contextRequested.connect(self.context_menu)
        self.canvas.scene().selectionChanged.connect(self.selection_changed)
        self.overlays = CanvasOverlays(self.canvas, remember=remember)  # the legend and the overview
        self.viewShown.connect(lambda: self.overlays.show_view(self.drawn.scene, self.spec.expanded, self.dark))
        self.refresh_bar = RefreshBar()
        self.refresh_bar.refreshRequested.connect(self.refresh_from_database)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.refresh_bar)
        column.addWidget(self.canvas)
        self.setCentralWidget(central)
        self.waiting = False  # the view asked for waits for the whole graph
        self.refreshing = False  # a refresh's or an import's reload is under way
        self.new_data = NewDataWatcher(lambda: self.store, self._importing_here, self)
        self.new_data.newData.connect(self.refresh_bar.show)
        self._build_docks()
        self.presenter = Presenter(self, self.notes_dock, self.notes_view, model.apply_step,
                                   lambda: model.spec, model.restore)  # fmt: skip
        self._sized = False
        self._build_status_bar()
        self.as_of = AsOf(self)
        column.insertWidget(1, self.as_of.bar)
        self.reports, self.tour_export = ReportExport(self), TourExport(self)
        self.tour_recorder = TourRecorder(self)
        build_menus(self)
        self.set_theme(str(QSettings().value("theme", "system")) if remember else "system", keep=False)
        model.changed.connect(lambda _spec: self.request_scene())
        model.modeChanged.connect(self.mode_shown)
        model.historyChanged.connect(self.history_moved)
        self.canvas.historyRequested.connect(self.go_in_history)
        model.graphChanged.connect(self.graph_loaded)
        model.loadProgress.connect(self.load_progress)
        model.loadFailed.connect(self.load_failed)
        model.findingsChanged.connect(lambda found: self.panel.set_findings(found, model.name_of))
        model.removalsChanged.connect(self.removals_shown)
        model.lookingForFindings.connect(lambda: self.statusBar().showMessage("Looking for findings…"))
        self.left_views = LeftViews(self)
        model.changed.connect(lambda _spec: self.left_views.save())
        self.open_database(db_path, focus=focus, depth=DEFAULT_DEPTH if depth is None else depth)
        if remember:
            self._restore_settings()
        asked = focus is not None or depth is not None or mode is not None
        # A remembered view drawn before the whole graph is in starts as Explore (its mode follows).
        if asked or not self.left_views.resume() or not model.ready:
            self.set_mode(mode or "explore")

    # -- what the model holds, for scripts and tests ------------------------------------------

    @property
    def spec(self) -> ViewSpec:
        return self.model.spec

    @spec.setter
    def spec(self, spec: ViewSpec) -> None:
        self.model.set_spec(spec, show=False)

    @property
    def state(self) -> ViewFields:
        """The current view, field by field (see :class:`ViewFields`)."""
        return ViewFields(self.model)

    @property
    def store(self) -> Store:
        assert self.model.store is not None
        return self.model.store

    @property
    def graph(self) -> nx.DiGraph:
        return self.model.graph

    @property
    def db_path(self) -> str:
        return self.model.db_path

    @property
    def findings(self) -> dict | None:
        return self.model.findings

    @property
    def presenting(self) -> list[Step] | None:
        return self.presenter.steps

    # -- database ---------------------------------------------------------------------------

    def open_database(self, db_path: str, *, focus: str | None = None, depth: int = 2) -> None:
        if self.model.store is not None:
            self.runner.wait()
        self.model.open(db_path, focus=focus, depth=depth)
        self.show_counts()
        if not self.model.ready:  # what is shown until the whole graph is in: the database as opened
            self.new_data.loaded(self.store.last_import_id())
        self.setWindowTitle(f"Lineage Explorer — {db_path}")
        self.tour_panel.attach(self.store)
        self.search_panel.show_view(self.spec)
        if self.remember:
            settings = QSettings()
            recent = [p for p in (settings.value("recent") or []) if p != db_path]
            settings.setValue("recent", [db_path, *recent][:10])
            self._fill_recent()

    def graph_loaded(self) -> None:
        """The model (re)loaded its whole graph: the panels follow, and a view waiting for it
        (or a refresh's) is drawn."""
        self.search_panel.graph_loaded()
        self.panel.set_generations(self.model.imports)
        self.new_data.loaded(self.model.last_import_id)
        self.refresh_bar.hide()
        self.loading_bar.hide()
        self.show_counts()
        if self.refreshing:
            self.refreshing = False
            self.model.new_generation()
            self.note_for_next_view = self.note_for_next_view or "Refreshed: " + self.counts.text()
            self.statusBar().showMessage(self.note_for_next_view)
            self.request_scene()
        elif self.waiting:
            self.request_scene()

    def show_counts(self) -> None:
        counts = self.model.counts
        self.counts.setText(f"{counts['nodes']:,} nodes · {counts['edges']:,} edges".replace(",", "\u2009"))

    def load_progress(self, rows: int, total: int) -> None:
        """The whole graph is loading off the UI thread: how far it is."""
        self.loading_bar.setRange(0, max(total, 1))
        self.loading_bar.setValue(min(rows, total))
        self.loading_bar.show()
        if self.waiting:
            self.show_waiting()

    def load_failed(self, message: str) -> None:
        self.loading_bar.hide()
        self.waiting = self.refreshing = False
        self.statusBar().showMessage(f"Could not load the whole graph: {message}")

    def refresh_from_database(self) -> None:
        """Show what others imported meanwhile, keeping the focus when it is still there."""
        self.reload_graph("")

    def reload_graph(self, note: str) -> None:
        """Read the graph again and then show the view again, ``note`` in front of its status."""
        self.refreshing = True
        self.note_for_next_view = note
        self.model.refresh()
        if self.model.loading():
            self.statusBar().showMessage((note + " · " if note else "") + "Loading the whole graph…")

    def _importing_here(self) -> bool:
        return self.import_flow is not None and self.import_flow.busy()

    # -- building ---------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.search_panel = SearchPanel(self.model)
        self.search_panel.focusRequested.connect(self.set_focus)
        self.search_panel.message.connect(self.statusBar().showMessage)
        self.search, self.facets = self.search_panel.search, self.search_panel.facets
        self.depth_box, self.results = self.search_panel.depth_box, self.search_panel.results
        self.search_dock = self._dock("Search", "search", scrolling(self.search_panel), left)
        self.inspector = InspectorView(lambda: self.store)
        self.inspector.focusRequested.connect(self.set_focus)
        self.inspector_dock = self._dock("Inspector", "inspector", self.inspector, right)
        self.panel = ModePanel(self)
        self.panel.traceRequested.connect(self.trace_between)
        self.panel.impactChanged.connect(lambda: self.model.set_upstream(self.panel.upstream.isChecked()))
        self.panel.findingChosen.connect(self.model.show_finding)
        self.panel.generationChosen.connect(self.model.diff_since)
        self.panel.clearRemovals.connect(self.model.clear_removals)
        self.panel.undo_button.clicked.connect(self.undo_stack.undo)
        self.panel.redo_button.clicked.connect(self.undo_stack.redo)
        self.mode_dock = self._dock("Mode", "mode", scrolling(self.panel), right)
        self.tour_panel = TourPanel(self)
        self.tour_panel.recordRequested.connect(lambda: self.tour_recorder.record())
        self.tour_panel.stepChosen.connect(self.model.apply_step)
        self.tour_panel.presentRequested.connect(self.present)
        self.tour_dock = self._dock("Tour", "tour", scrolling(self.tour_panel), right)
        self.tabifyDockWidget(self.mode_dock, self.tour_dock)
        self.mode_dock.raise_()
        self.notes_view = NotesView()
        self.notes_dock = self._dock("Notes", "notes", self.notes_view, right)
        self.notes_dock.hide()

    def _build_status_bar(self) -> None:
        self.setStatusBar(StatusLine(self))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.loading_bar = QProgressBar()
        self.loading_bar.setFormat("graph %p%")
        self.loading_bar.setToolTip("The whole graph is loading; views of a part of it are drawn meanwhile")
        self.loading_bar.setMaximumWidth(140)
        self.loading_bar.hide()
        self.counts = QLabel()
        self.note_for_next_view = ""  # shown in front of the next view's status
        self.statusBar().addPermanentWidget(self.counts)
        self.statusBar().addPermanentWidget(self.loading_bar)
        self.statusBar().addPermanentWidget(self.busy)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in QSettings().value("recent") or []:
            act = QAction(path, self)
            act.triggered.connect(lambda _=False, p=path: self.switch_database(p))
            self.recent_menu.addAction(act)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._sized:
            fit_to_screen(self)
        super().showEvent(event)
        if not self._sized and not (self.remember and QSettings().value("window/state")):
            # The canvas gets the room: side panels start narrow (the user can widen them, or
            # close them from View ▸ Panels).
            self.resizeDocks(
                [self.search_dock, self.inspector_dock], dock_widths(self.width()), Qt.Orientation.Horizontal
            )
            self.resizeDocks([self.inspector_dock, self.mode_dock], [380, 480], Qt.Orientation.Vertical)
        self._sized = True

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.remember:
            self.left_views.save()  # with the facets that narrow only the list (no new view for them)
            settings = QSettings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
        self.new_data.timer.stop()
        if not self.closed:
            # A layout finishing from now on is not drawn: the store it would read is closed below.
            self.closed = True
            self.runner.ready.disconnect(self.show_scene)
            self.runner.failed.disconnect(self.layout_failed)
        self.runner.wait()
        # Free the items now, while Qt and Python both still hold them, not at interpreter exit.
        self.canvas.scene().clear()
        self.drawn = Drawn()
        self.model.close()
        super().closeEvent(event)

    # -- modes and scenes --------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self.model.set_mode(mode)

    def mode_shown(self, mode: str) -> None:
        """The model's mode changed: its action, its panel, and the controls of the view (Back
        and Forward change them all at once)."""
        self.mode_action[mode].setChecked(True)
        self.panel.show_mode(mode)
        spec = self.spec
        if mode == "trace" and spec.trace is None:
            self.panel.trace_from.setText(spec.focus)
        elif spec.trace is not None:
            self.panel.trace_from.setText(spec.trace[0])
            self.panel.trace_to.setText(spec.trace[1])
        self.search_panel.show_view(spec)
        self.panel.show_since(spec.since)
        self.panel.upstream.blockSignals(True)
        self.panel.upstream.setChecked(spec.upstream)
        self.panel.upstream.blockSignals(False)
        for act in self.group_actions.actions():
            act.setChecked(act.data() == spec.group_by)

    def set_theme(self, theme: str, *, keep: bool = True) -> None:
        """View ▸ Theme: the system's palette, light or dark; the canvas is drawn again in it
        (and, with ``keep``, the choice remembered)."""
        theme = theme if theme in THEMES else "system"
        apply_theme(theme)
        self.theme_actions[theme].setChecked(True)
        self.dark = is_dark()
        self.canvas.setBackgroundBrush(background_colour(self.dark))
        self.panel.show_theme(self.dark)
        if keep and self.remember:
            QSettings().setValue("theme", theme)
        if self.drawn.scene is not None:  # the same picture, in the new colours (laid out already)
            self.request_scene()

    def history_moved(self, can_go_back: bool, can_go_forward: bool) -> None:
        self.back_action.setEnabled(can_go_back)
        self.forward_action.setEnabled(can_go_forward)

    def go_in_history(self, by: int) -> None:
        """The mouse's back or forward button."""
        if by < 0:
            self.model.go_back()
        else:
            self.model.go_forward()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() in HISTORY_BUTTONS:  # over the docks and bars (the canvas has its own)
            self.go_in_history(HISTORY_BUTTONS[event.button()])
            return
        super().mousePressEvent(event)

    def scene_factory(self):
        """A function computing the current scene (for the worker); what a diff compares is read
        from the store here, on the UI thread. Before the whole graph is in, an explore view is
        read around its focus on the worker's own connection to the database."""
        if not self.model.ready:
            db_path, spec = self.db_path, self.spec
            return lambda: scene_from_database(db_path, spec)
        graph, spec, inputs, only = self.graph, self.spec, None, self.model.node_filter()
        if spec.mode == "diff" and spec.since:
            inputs = diff_inputs(self.store, spec.since, label=since_label(spec.since, self.model.imports),
                                 until=self.model.as_of)  # fmt: skip
        return lambda: build_scene(graph, spec, diff=inputs, only=only)

    def request_scene(self) -> None:
        self.waiting = False
        if not self.model.counts["nodes"]:
            self.show_empty()
            return
        if not self.spec.focus:
            self.note_for_next_view = ""  # no view follows: the note stays where it was shown
            if not self.model.ready:  # a large database: the default focus is being chosen
                self.statusBar().showMessage("Choosing where to start: the feature the most nodes read…")
            return
        if self.model.needs_whole_graph():
            self.waiting = True
            self.show_waiting()
            return
        self.started = time.perf_counter()
        self.busy.show()
        self.statusBar().showMessage("Laying out…")
        self.runner.request((self.spec.key(), self.model.generation), self.scene_factory())

    def show_waiting(self) -> None:
        """The view asked for needs the whole graph, still loading: say so, and how to go on."""
        share = self.loading_bar.value() / max(self.loading_bar.maximum(), 1)
        self.statusBar().showMessage(
            f"{self.spec.mode.capitalize()} waits for {self.as_of.waiting_for()} ({share:.0%} loaded): "
            "it is drawn once the graph is in. " + self.as_of.way_on()
        )

    def stop_waiting(self) -> bool:
        """Esc while a view waits for the whole graph: back to the explore view (the load goes on)."""
        if not self.waiting:
            return False
        self.waiting = False
        self.set_mode("explore")
        return True

    def relayout(self) -> None:
        """Lay the view out afresh (Ctrl+L): the only time a view that grew in place moves."""
        self.runner.cache.clear()
        self.fresh_layout = True
        self.request_scene()

    def show_scene(self, scene: Scene, placed: Layout) -> None:
        self.busy.hide()
        before = self.drawn
        # The same view grown or shrunk (a "+N" opened or folded, a group opened, the depth
        # changed): the nodes that stay keep their place, and the zoom and centre stay, until
        # a re-layout is asked for (Ctrl+L). Rings are placed by hop, always afresh.
        kept = before.layout.positions if before.layout is not None else {}
        in_place = (not self.fresh_layout and before.scene is not None and before.scene.mode == scene.mode
                    and before.scene.focus == scene.focus and placed.engine != "rings"
                    and any(n in kept for n in scene.graph))  # fmt: skip
        self.fresh_layout = False
        if in_place:
            assert before.layout is not None
            placed = keep_positions(placed, before.layout, scene.graph)
        nodes = self.canvas.draw(scene, placed, self.dark, self.spec.expanded, keep_view=in_place)
        if scene.unmatched:
            self.canvas.fade(scene.unmatched)
        self.drawn = Drawn(scene, nodes, placed)
        focus_item = self.drawn.nodes.get(scene.focus) if scene.focus else None
        # Rings open whole (their important nodes keep labels when fitted): close up, the straight
        # edges of far rings cross the picture; any other view too big to read opens near its focus.
        zoomed = (focus_item is not None and placed.engine != "rings" and not in_place
                  and self.canvas.readable_around(focus_item.sceneBoundingRect().center()))  # fmt: skip
        elapsed = (time.perf_counter() - self.started) * 1000
        # What led to this view (an import, a refresh) stays in front of what the view shows.
        note, self.note_for_next_view = self.note_for_next_view, ""
        self.statusBar().showMessage(view_status(scene, placed, self.spec.mode, elapsed, note, zoomed))
        self.panel.set_summary(self.spec.mode, scene.summary)
        if scene.focus and self.model.has_node(scene.focus):
            self.show_inspector(scene.focus)
        self.viewShown.emit()

    def show_empty(self) -> None:
        """An empty database is a view too: say so, and how to fill it."""
        self.busy.hide()
        self.drawn = Drawn()
        self.canvas.show_message(
            "This database holds no lineage yet",
            "Import lineage files: File ▸ Import files… (Ctrl+I) or Import folder… (Ctrl+Shift+I), or drop them here.\n"
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
        if not self.model.has_node(node_id):
            return
        if self.frozen and node_id in self.drawn.nodes:  # keep the picture: select the node in it
            self.model.set_spec(self.spec.replace(focus=node_id, expanded=frozenset()), show=False)
            self.canvas.scene().clearSelection()
            self.drawn.nodes[node_id].setSelected(True)
            self.show_inspector(node_id)
            return
        self.model.set_focus(node_id)

    def node_activated(self, node_id: str) -> None:
        if node_id.startswith("group:"):
            self.model.open_group(node_id)
        else:
            self.set_focus(node_id)

    def node_clicked(self, node: str) -> None:
        if self.spec.mode == "simulate" and not node.startswith("group:"):
            self.model.push_removal(node=node)

    def edge_clicked(self, source: str, target: str) -> None:
        if self.spec.mode == "simulate":
            self.model.push_removal(edge=(source, target))

    def remove_selected(self) -> None:
        if self.spec.mode != "simulate":
            return
        for item in self.canvas.scene().selectedItems():
            if isinstance(item, NodeItem):
                self.model.push_removal(node=item.node_id)

    def removals_shown(self, spec: ViewSpec) -> None:
        self.panel.removed_list.clear()
        self.panel.removed_list.addItems(sorted(spec.removed))
        self.panel.removed_list.addItems(f"{u} -> {v}" for u, v in sorted(spec.removed_edges))

    def trace_between(self, source_ref: str, target_ref: str) -> None:
        try:
            source, target = resolve(self.store, source_ref), resolve(self.store, target_ref)
        except RefError as exc:
            self.statusBar().showMessage(str(exc).splitlines()[0])
            return
        self.panel.trace_from.setText(source)
        self.panel.trace_to.setText(target)
        self.model.set_trace(source, target)

    def diff_since(self, when: str) -> None:
        self.model.diff_since(when)

    def set_group(self, key: str | None) -> None:
        self.model.set_group(key)

    def toggle_freeze(self, checked: bool) -> None:
        self.frozen = checked
        self.statusBar().showMessage("Layout frozen: clicks keep positions" if checked else "Layout follows the focus")

    def context_menu(self, node_id: str, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Focus here", lambda: self.set_focus(node_id))
        menu.addAction("Impact of this", lambda: self.impact_of(node_id))
        menu.addAction("Trace from here", lambda: self.panel.trace_from.setText(node_id))
        menu.addAction("Trace to here", lambda: self.trace_to_here(node_id))
        menu.addAction("Remove (simulate)", lambda: self.remove_in_simulation(node_id))
        menu.exec(where)

    def impact_of(self, node_id: str) -> None:
        """Focus ``node_id`` and show its impact: one change of view, one picture."""
        if self.model.has_node(node_id):
            self.model.set_spec(self.spec.replace(focus=node_id, expanded=frozenset()), show=False)
            self.model.set_mode("impact")

    def trace_to_here(self, node_id: str) -> None:
        self.trace_between(self.panel.trace_from.text() or self.spec.focus, node_id)

    def remove_in_simulation(self, node_id: str) -> None:
        # One picture: the removal asks for it (asking on entering the mode too laid out twice).
        self.model.set_mode("simulate", show=False)
        self.model.push_removal(node=node_id)

    # -- tours -------------------------------------------------------------------------------

    def record_step(self) -> None:
        """The current view as a tour step (with its layout when the layout is frozen)."""
        positions = ({n: [item.pos().x(), item.pos().y()] for n, item in self.drawn.nodes.items()}
                     if self.frozen else None)  # fmt: skip
        title = self.drawn.scene.title if self.drawn.scene else self.spec.focus
        self.tour_panel.add_step(step_of(self.spec, title=title, positions=positions))
        tour = self.tour_panel.tours.currentText()
        self.statusBar().showMessage(
            f"Recorded step {self.tour_panel.steps.count()} of tour {tour} (Save tour keeps it)"
        )

    def present(self) -> None:
        steps = self.tour_panel.current_steps()
        if not steps:
            self.statusBar().showMessage("Record a step first")
            return
        self.presenter.start(steps)

    def end_presentation(self) -> None:
        self.presenter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape and self.stop_waiting():
            return
        if not self.presenter.key(event):
            super().keyPressEvent(event)

    # -- inspector, export, import -------------------------------------------------------------

    def selection_changed(self) -> None:
        selected = self.canvas.scene().selectedItems()
        nodes = [i for i in selected if isinstance(i, NodeItem)]
        edges = [i for i in selected if isinstance(i, EdgeItem)]
        if nodes and not nodes[0].node_id.startswith("group:"):
            self.show_inspector(nodes[0].node_id)
        elif edges:
            self.inspector.show_edge(edges[0])

    def show_inspector(self, node_id: str) -> None:
        self.inspector.show_node(node_id)

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
        if not self.left_views.resume() or not self.model.ready:
            self.set_mode("explore")

    def choose_export(self) -> None:
        wanted = (
            "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;Graphviz DOT (*.dot);;"
            "GraphML (*.graphml);;JSON (*.json)"
        )
        path, _ = QFileDialog.getSaveFileName(self, "Export the picture", "lineage.png", wanted)
        if path:
            self.export_picture(path)

    def export_picture(self, path: str) -> None:
        """Save exactly what the canvas shows (see :mod:`lineage_gui.export`)."""
        try:
            done = write_picture(path, self.canvas.scene(), self.drawn.scene, self.canvas.backgroundBrush().color())
        except ExportError as exc:
            QMessageBox.warning(self, "Export failed", message(str(exc)))
        else:
            self.statusBar().showMessage(done)

    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import lineage files")
        if paths:
            self.start_import(paths)

    def start_import(self, paths: list[str]) -> bool:
        from lineage_gui.import_flow import CANCELLED, ImportFlow

        if self.import_flow is None:
            self.import_flow = ImportFlow(self, self.db_path)
            self.import_flow.finished.connect(self.import_finished)
            self.import_flow.cancelled.connect(lambda: self.statusBar().showMessage(CANCELLED))
        return self.import_flow.start(paths)

    def import_finished(self, report: ImportReport) -> None:
        from lineage_gui.import_flow import import_note

        note = import_note(report)
        self.statusBar().showMessage(note)
        self.reload_graph(note)

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


def scene_from_database(db_path: str, spec: ViewSpec) -> Scene:
    """The explore scene of ``spec`` read around its focus in the database, on a connection of
    this thread's own (a worker's: SQLite connections stay with their thread)."""
    with Store.open(db_path) as store:
        return explore_from_store(store, spec)


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
