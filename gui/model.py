"""The explorer's model, without widgets: the open store, its graph (and the generation of the
load), the findings and the current :class:`~lineage.views.spec.ViewSpec`. Every change of the
view goes through its methods; the window and the panels listen to its signals (napari style)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import networkx as nx
from lineage_gui.loading import (
    LOAD_AT_ONCE,
    LoadCancelled,
    Loaded,
    load_whole,
    read_loaded,
    release,
)
from lineage_gui.workers import Background
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from lineage.analyses import Finding, find_all
from lineage.analyses.engine import loading_whole_graph
from lineage.graph import load_column_history, load_flag_history
from lineage.store import Store
from lineage.views.filters import NodeFilter, node_filter
from lineage.views.focus import default_focus
from lineage.views.generations import default_since, generations
from lineage.views.history import History
from lineage.views.spec import MODES, ViewSpec
from lineage.views.tours import Step, match_finding, reach_and_filter


def central_feature(db_path: str) -> str | None:
    """:meth:`lineage.store.Store.central_feature` on a connection of this (worker) thread's own."""
    with Store.open(db_path) as store:
        return store.central_feature()


def focus_of(graph: nx.DiGraph) -> str:
    """Where a view starts: the graph's default focus, or none on an empty graph."""
    return default_focus(graph) if graph.number_of_nodes() else ""


class ToggleRemoval(QUndoCommand):
    """Remove a node or an edge in the simulation, or put it back (undoable)."""

    def __init__(self, model: ExplorerModel, node: str | None = None, edge: tuple[str, str] | None = None):
        what = node or (f"{edge[0]} -> {edge[1]}" if edge else "")
        super().__init__(f"toggle {what}")
        self.model, self.node, self.edge = model, node, edge

    def redo(self) -> None:
        self.model.toggle_removal(node=self.node, edge=self.edge)

    def undo(self) -> None:
        self.model.toggle_removal(node=self.node, edge=self.edge)


class ExplorerModel(QObject):
    """What the explorer shows. ``changed(spec)`` asks for a new picture of ``spec``;
    ``modeChanged(mode)`` follows every mode chosen; ``graphChanged()`` the whole graph (re)loaded
    (with what :class:`~lineage_gui.loading.Loaded` holds: imports, completion, facets);
    ``loadProgress(rows, total)`` a load off the UI thread going on, ``loadFailed(message)`` one
    that failed; ``lookingForFindings()`` and ``findingsChanged(findings)`` findings sought and
    found; ``removalsChanged(spec)`` the simulated removals.

    A database of more than ``load_at_once`` nodes is loaded off the UI thread: until
    :attr:`ready`, :attr:`graph` is empty, :attr:`counts` are the database's, nodes are looked up
    in the store (:meth:`has_node`, :meth:`node_data`) and the views that need the whole graph
    wait for it (:meth:`needs_whole_graph`)."""

    changed = Signal(object)  # ViewSpec
    modeChanged = Signal(str)  # noqa: N815 (Qt signal style)
    graphChanged = Signal()  # noqa: N815
    loadProgress = Signal(int, int)  # noqa: N815
    loadFailed = Signal(str)  # noqa: N815
    findingsChanged = Signal(object)  # noqa: N815  # dict[str, list[Finding]]
    lookingForFindings = Signal()  # noqa: N815
    removalsChanged = Signal(object)  # noqa: N815  # ViewSpec
    historyChanged = Signal(bool, bool)  # noqa: N815  # can go back, can go forward

    def __init__(self, parent: QObject | None = None, *, load_at_once: int = LOAD_AT_ONCE):
        super().__init__(parent)
        self.store: Store | None = None
        self.db_path = ""
        self.load_at_once = load_at_once
        self.graph: nx.DiGraph = nx.DiGraph()
        self.ready = False  # the whole graph is loaded
        self.counts = {"nodes": 0, "edges": 0}
        self.imports: list[dict] = []
        self.last_import_id = 0
        self.names: list[str] = []
        self.facets: dict[str, list[str]] = {}
        self.generation = 0  # bumped after an import or a refresh: cached pictures are stale
        self.findings: dict[str, list[Finding]] | None = None
        self.spec = ViewSpec(focus="")
        self.undo_stack = QUndoStack(self)  # of removals in the simulation
        self.jobs = Background(self, threads=4, latest_only=False)
        self.loader = Background(self)  # the whole graph, off the UI thread
        self._stop_load = threading.Event()
        self._pending_step: Step | None = None
        self.history = History()  # the views shown, for Back and Forward
        self._filter: tuple[Any, NodeFilter] | None = None  # (facets, generation), its filter
        self.as_of: str | None = None  # the moment whose graph is asked for (None: now)
        self.loaded_as_of: str | None = None  # the moment of the graph loaded

    # -- the store and its graph ------------------------------------------------------------

    def open(self, db_path: str, *, focus: str | None = None, depth: int = 2) -> None:
        """Open the database at ``db_path`` (closing the one open) and start a view there: on a
        small database once the whole graph is loaded, on a large one at once, the whole graph
        loading meanwhile (its default focus then read in one query)."""
        self.cancel_load()
        if self.store is not None:
            self.store.close()
        self.store, self.db_path = Store.open(db_path), db_path
        self.as_of = None  # another database: its graph now
        self.counts = self.store.counts()
        self._set_loaded(None)
        self.history.clear()
        self._history_moved()
        if self.counts["nodes"] <= self.load_at_once:
            self.reload()
            start = focus or focus_of(self.graph)
        else:
            start = focus or ""
            self.load_in_background()
            if not start:  # a query of a second at a million nodes: on a worker, the window shown
                self.jobs.run(lambda: central_feature(db_path), lambda found: self._start_at(db_path, found))
        self.spec = ViewSpec(focus=start, depth=depth)

    def _start_at(self, db_path: str, focus: str | None) -> None:
        """The default focus of a large database, chosen off the UI thread: its first view."""
        if db_path == self.db_path and not self.spec.focus and focus:
            self.set_spec(self.spec.replace(focus=focus))

    def refresh(self) -> None:
        """Read the graph again (after an import, or what others imported meanwhile): at once on
        a small database, off the UI thread on a large one; ``graphChanged`` says when it is in."""
        assert self.store is not None
        self.counts = self.store.counts()
        if self.counts["nodes"] <= self.load_at_once:
            self.reload()
        else:
            self.load_in_background()

    def reload(self) -> None:
        """Read the whole graph again, here and now."""
        assert self.store is not None
        with loading_whole_graph(thaw_earlier=False):
            loaded = read_loaded(self.store, as_of=self.as_of)
        self._set_loaded(loaded)

    def load_in_background(self) -> None:
        """Load the whole graph on a worker thread (a load still running is dropped)."""
        self.cancel_load()
        stop = self._stop_load = threading.Event()
        total = self.counts["nodes"] + self.counts["edges"]
        self.loadProgress.emit(0, total)
        db_path, as_of = self.db_path, self.as_of

        def progress(rows: int) -> None:
            self.loadProgress.emit(rows, total)

        self.loader.run(lambda: load_whole(db_path, progress, stop.is_set, as_of), self._set_loaded,
                        failed=self._load_failed)  # fmt: skip

    def cancel_load(self) -> None:
        """Stop a load running off the UI thread (its result goes nowhere)."""
        self._stop_load.set()
        self.loader.cancel()

    def loading(self) -> bool:
        return self.loader.busy()

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, LoadCancelled):
            self.loadFailed.emit(f"{type(exc).__name__}: {exc}")

    def _set_loaded(self, loaded: Loaded | None) -> None:
        """Take what a load read (None: nothing yet, a database just opened)."""
        old = self.graph
        if loaded is None:
            self.graph, self.ready = nx.DiGraph(), False
            self.imports, self.last_import_id, self.names, self.facets = [], 0, [], {}
        else:
            self.graph, self.ready, self.loaded_as_of = loaded.graph, True, loaded.as_of
            self.imports, self.last_import_id = loaded.imports, loaded.last_import_id
            self.names, self.facets = loaded.names, loaded.facets
            self.counts = loaded.counts
        release(old)
        self.findings = None
        if loaded is None:
            return
        self.graphChanged.emit()
        if self.spec.mode == "findings":
            self.compute_findings()
        if self._pending_step is not None:
            step, self._pending_step = self._pending_step, None
            self.apply_step(step)

    def needs_whole_graph(self, spec: ViewSpec | None = None) -> bool:
        """Whether the picture of ``spec`` (the current view) waits for the whole graph: only
        the explore view of the graph now is read around its focus in SQL before (the SQL
        tables hold the graph now: a view of the past waits for the graph of that moment)."""
        if self.ready:  # a graph of another moment than the one asked for is loading
            return self.loaded_as_of != self.as_of
        return (spec or self.spec).mode != "explore" or self.as_of is not None

    def has_node(self, node_id: str) -> bool:
        if self.ready:
            return node_id in self.graph
        return bool(node_id) and self.store is not None and self.store.node(node_id) is not None

    def node_data(self, node_id: str) -> dict[str, Any]:
        """A node's attributes (those of the graph), from the graph or, before it, the store."""
        if self.ready or self.store is None:
            return dict(self.graph.nodes[node_id]) if node_id in self.graph else {}
        return self.store.node(node_id) or {}

    def set_as_of(self, moment: str | None) -> None:
        """Show the graph as it was at ``moment`` (see :func:`lineage.when.split_moment`; None:
        now): :meth:`refresh` then loads it, and every mode draws it."""
        self.as_of = moment

    def new_generation(self) -> None:
        """The graph was reloaded from new data: keep the focus when it is still there."""
        self.generation += 1
        if self.spec.focus not in self.graph:
            self.spec = self.spec.replace(focus=focus_of(self.graph))

    def close(self) -> None:
        # A job still running would outlive its pool (owned by this object): wait for it.
        self.cancel_load()
        self.loader.wait()
        self.jobs.wait()
        if self.store is not None:
            self.store.close()

    # -- findings ---------------------------------------------------------------------------

    def compute_findings(self) -> None:
        """Look for findings on a worker thread; ``findingsChanged`` brings them."""
        assert self.store is not None
        self.lookingForFindings.emit()
        if not self.ready:  # sought once the whole graph is in (see _set_loaded)
            return
        graph, history = self.graph, load_flag_history(self.store, as_of=self.as_of)
        columns = load_column_history(self.store, graph, as_of=self.as_of)

        def found(findings: dict[str, list[Finding]]) -> None:
            if graph is self.graph:  # not those of a graph a reload replaced meanwhile
                self._found(findings)

        self.jobs.run(lambda: find_all(graph, flag_history=history, column_history=columns), found)

    def findings_now(self) -> dict[str, list[Finding]]:
        """The findings, computed here and now if not yet known."""
        if self.findings is None:
            assert self.store is not None
            flags = load_flag_history(self.store, as_of=self.as_of)
            columns = load_column_history(self.store, self.graph, as_of=self.as_of)
            self._found(find_all(self.graph, flag_history=flags, column_history=columns))
        assert self.findings is not None
        return self.findings

    def _found(self, findings: dict[str, list[Finding]]) -> None:
        self.findings = findings
        self.findingsChanged.emit(findings)

    def name_of(self, node: str) -> str:
        return self.node_data(node).get("name") or node

    # -- the view ---------------------------------------------------------------------------

    def set_spec(self, spec: ViewSpec, *, show: bool = True) -> None:
        """Replace the view; with ``show``, ask for its picture."""
        self.spec = spec
        if show:
            self.show()

    def show(self) -> None:
        """Ask for the current view's picture again (a new view is kept for Back)."""
        if self.spec.focus:
            self.history.visit(self.spec)
            self._history_moved()
        self.changed.emit(self.spec)

    def restore(self, spec: ViewSpec) -> None:
        """Show ``spec`` again, every control with it (the view from before a presentation)."""
        self.spec = spec
        self.modeChanged.emit(spec.mode)
        self.show()

    def go_back(self) -> None:
        """Show the view before this one (as a browser's Back), skipping those whose focus a
        refresh has removed since."""
        self._go(self.history.back(self._still_there))

    def go_forward(self) -> None:
        """Show the view Back left (as a browser's Forward)."""
        self._go(self.history.forward(self._still_there))

    def _still_there(self, spec: ViewSpec) -> bool:
        return self.has_node(spec.focus)

    def _go(self, spec: ViewSpec | None) -> None:
        if spec is None:
            return
        self.spec = spec
        self._history_moved()
        self.modeChanged.emit(spec.mode)
        self.changed.emit(spec)

    def _history_moved(self) -> None:
        self.historyChanged.emit(self.history.can_go_back, self.history.can_go_forward)

    def set_mode(self, mode: str, *, show: bool = True) -> None:
        self.spec = self.spec.replace(mode=mode)
        if mode == "diff" and self.spec.since is None and self.imports:
            # From the generation before the newest: what the newest import changed, at once.
            self.spec = self.spec.replace(since=default_since(generations(self.imports)))
        self.modeChanged.emit(mode)
        if mode == "findings" and self.findings is None:
            self.compute_findings()
        if show:
            self.show()

    def set_focus(self, node_id: str) -> None:
        """Focus ``node_id``; the modes about something else (a path, a finding, a diff) end."""
        if not self.has_node(node_id):
            return
        self.spec = self.spec.replace(focus=node_id, expanded=frozenset())
        if self.spec.mode in ("findings", "diff", "trace"):
            self.spec = self.spec.replace(mode="explore")
            self.modeChanged.emit("explore")
        self.show()

    def open_group(self, group: str) -> None:
        self.set_spec(self.spec.replace(open_groups=self.spec.open_groups | {group}))

    def toggle_expanded(self, node_id: str) -> None:
        self.set_spec(self.spec.toggle_expanded(node_id))

    def set_depth(self, depth: int) -> None:
        self.set_spec(self.spec.replace(depth=depth))

    def set_reach(self, up: int | None, down: int | None) -> None:
        """Hops up and down apart (dbt's ``2+model+1``), or both None: the depth both ways."""
        self.set_spec(self.spec.replace(up=up, down=down))

    def set_filter(self, chosen: dict[str, str], unmatched: str | None = None) -> None:
        """The facets the view's nodes must match, and whether the rest is dimmed or hidden
        (``unmatched``; unchanged when None)."""
        self.set_spec(self.spec.replace(facets=tuple(sorted(chosen.items())),
                                        unmatched=unmatched or self.spec.unmatched))  # fmt: skip

    def node_filter(self) -> NodeFilter | None:
        """The filter of the view's facets, the sets it reads from the store kept for the
        generation (the source facet's set is a query over every provenance row)."""
        if not self.spec.facets or self.store is None:
            return None
        key = (self.spec.facets, self.generation)
        if self._filter is None or self._filter[0] != key:
            self._filter = (key, node_filter(self.store, self.spec.facets))
        return self._filter[1]

    def set_upstream(self, upstream: bool) -> None:
        self.set_spec(self.spec.replace(upstream=upstream))

    def set_group(self, key: str | None) -> None:
        self.set_spec(self.spec.replace(group_by=key, open_groups=frozenset()))

    def set_trace(self, source: str, target: str) -> None:
        self.spec = self.spec.replace(trace=(source, target))
        if self.spec.mode != "trace":
            self.set_mode("trace")
        else:
            self.show()

    def show_finding(self, finding: Finding) -> None:
        self.spec = self.spec.replace(finding=finding)
        if self.spec.mode != "findings":
            self.set_mode("findings")
        else:
            self.show()

    def diff_since(self, when: str) -> None:
        self.set_spec(self.spec.replace(since=when))

    # -- the simulation ---------------------------------------------------------------------

    def push_removal(self, *, node: str | None = None, edge: tuple[str, str] | None = None) -> None:
        """Remove a node or an edge, or put it back, undoably (:attr:`undo_stack`)."""
        self.undo_stack.push(ToggleRemoval(self, node=node, edge=edge))

    def toggle_removal(self, *, node: str | None = None, edge: tuple[str, str] | None = None) -> None:
        """Remove a node or an edge in the simulation, or put it back (see :class:`ToggleRemoval`)."""
        if node is not None:
            self.spec = self.spec.toggle_removed(node)
        elif edge is not None:
            self.spec = self.spec.toggle_removed_edge(edge)
        self._removals_changed()

    def remove_nodes(self, nodes: list[str]) -> None:
        """Remove ``nodes`` in the simulation (those not removed yet), in one new picture."""
        self.spec = self.spec.replace(removed=tuple(dict.fromkeys([*self.spec.removed, *nodes])))
        self._removals_changed()

    def clear_removals(self) -> None:
        self.undo_stack.clear()
        self.spec = self.spec.replace(removed=(), removed_edges=())
        self._removals_changed()

    def _removals_changed(self) -> None:
        self.removalsChanged.emit(self.spec)
        self.show()

    # -- tours ------------------------------------------------------------------------------

    def resume(self, step: Step) -> bool:
        """Start where the database was left (a remembered view, as a step): False, nothing
        changed, when its focus is no longer there (the default view then). The focus, reach,
        grouping and filter apply at once (a large database draws them before its graph is
        in); the mode and its inputs with :meth:`apply_step`."""
        if not self.has_node(step.focus):
            return False
        if step.trace and not all(self.has_node(end) for end in step.trace):
            step = dataclasses.replace(step, trace=None)  # a path between what is gone: pick again
        self.spec = self.spec.replace(focus=step.focus, group_by=step.group_by, **reach_and_filter(step))
        self.apply_step(step)
        return True

    def apply_step(self, step: Step) -> None:
        """Show a tour step: its mode and its inputs (once the whole graph is in)."""
        if not self.ready:
            self._pending_step = step
            return
        finding = match_finding(self.findings_now(), step.finding) if step.finding else None
        graph = self.graph
        self.spec = self.spec.replace(
            focus=step.focus if step.focus and step.focus in graph else self.spec.focus,
            trace=tuple(step.trace) if step.trace else None,
            upstream=step.upstream, removed=tuple(n for n in step.removed if n in graph),
            removed_edges=tuple((e[0], e[1]) for e in step.removed_edges), since=step.since,
            group_by=step.group_by, finding=finding, mode=step.mode if step.mode in MODES else "explore",
            **reach_and_filter(step),
        )  # fmt: skip
        self.modeChanged.emit(self.spec.mode)
        self.show()
