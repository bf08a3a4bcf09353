"""The explorer's model, without widgets: the open store, its graph (and the generation of the
load), the findings and the current :class:`~lineage.views.spec.ViewSpec`. Every change of the
view goes through its methods; the window and the panels listen to its signals (napari style)."""

from __future__ import annotations

from typing import Any

import networkx as nx
from lineage_gui.workers import Background
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from lineage.analyses import Finding, find_all
from lineage.analyses.engine import freeze_loaded
from lineage.graph import load_flag_history, load_graph
from lineage.store import Store
from lineage.views.focus import default_focus
from lineage.views.spec import MODES, ViewSpec
from lineage.views.tours import Step, match_finding


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
    ``modeChanged(mode)`` follows every mode chosen; ``graphChanged()`` a (re)load, emitted while
    the store still reads the snapshot the graph came from (listeners read facets from it too);
    ``lookingForFindings()`` and ``findingsChanged(findings)`` findings sought and found;
    ``removalsChanged(spec)`` the simulated removals."""

    changed = Signal(object)  # ViewSpec
    modeChanged = Signal(str)  # noqa: N815 (Qt signal style)
    graphChanged = Signal()  # noqa: N815
    findingsChanged = Signal(object)  # noqa: N815  # dict[str, list[Finding]]
    lookingForFindings = Signal()  # noqa: N815
    removalsChanged = Signal(object)  # noqa: N815  # ViewSpec

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: Store | None = None
        self.db_path = ""
        self.graph: nx.DiGraph = nx.DiGraph()
        self.sources: dict[str, Any] = {}
        self.imports: list[dict] = []
        self.generation = 0  # bumped after an import or a refresh: cached pictures are stale
        self.findings: dict[str, list[Finding]] | None = None
        self.spec = ViewSpec(focus="")
        self.undo_stack = QUndoStack(self)  # of removals in the simulation
        self.jobs = Background(self, threads=4, latest_only=False)

    # -- the store and its graph ------------------------------------------------------------

    def open(self, db_path: str, *, focus: str | None = None, depth: int = 2) -> None:
        """Open the database at ``db_path`` (closing the one open) and start a view there."""
        if self.store is not None:
            self.store.close()
        self.store, self.db_path = Store.open(db_path), db_path
        self.reload()
        self.spec = ViewSpec(focus=focus or focus_of(self.graph), depth=depth)

    def reload(self) -> None:
        """Read the graph again (after an import, or what others imported meanwhile)."""
        assert self.store is not None
        with self.store.reading():  # graph, facets and generations of one snapshot, mid-import too
            self.graph = load_graph(self.store)
            freeze_loaded()  # the collector skips the graph from now on (and collects the one replaced)
            self.sources = self.store.importers_by_node()
            self.imports = self.store.imports()
            self.findings = None
            self.graphChanged.emit()

    def new_generation(self) -> None:
        """The graph was reloaded from new data: keep the focus when it is still there."""
        self.generation += 1
        if self.spec.focus not in self.graph:
            self.spec = self.spec.replace(focus=focus_of(self.graph))

    def close(self) -> None:
        # A findings job still running would outlive its pool (owned by this object): wait for it.
        self.jobs.wait()
        if self.store is not None:
            self.store.close()

    # -- findings ---------------------------------------------------------------------------

    def compute_findings(self) -> None:
        """Look for findings on a worker thread; ``findingsChanged`` brings them."""
        assert self.store is not None
        graph, history = self.graph, load_flag_history(self.store)
        self.lookingForFindings.emit()
        self.jobs.run(lambda: find_all(graph, flag_history=history), self._found)

    def findings_now(self) -> dict[str, list[Finding]]:
        """The findings, computed here and now if not yet known."""
        if self.findings is None:
            assert self.store is not None
            self._found(find_all(self.graph, flag_history=load_flag_history(self.store)))
        assert self.findings is not None
        return self.findings

    def _found(self, findings: dict[str, list[Finding]]) -> None:
        self.findings = findings
        self.findingsChanged.emit(findings)

    def name_of(self, node: str) -> str:
        return self.graph.nodes[node].get("name") if node in self.graph else node

    # -- the view ---------------------------------------------------------------------------

    def set_spec(self, spec: ViewSpec, *, show: bool = True) -> None:
        """Replace the view; with ``show``, ask for its picture."""
        self.spec = spec
        if show:
            self.changed.emit(spec)

    def show(self) -> None:
        """Ask for the current view's picture again."""
        self.changed.emit(self.spec)

    def set_mode(self, mode: str, *, show: bool = True) -> None:
        self.spec = self.spec.replace(mode=mode)
        self.modeChanged.emit(mode)
        if mode == "findings" and self.findings is None:
            self.compute_findings()
        if mode == "diff" and self.spec.since is None and self.imports:
            self.spec = self.spec.replace(since=max(row["valid_at"] for row in self.imports))
        if show:
            self.show()

    def set_focus(self, node_id: str) -> None:
        """Focus ``node_id``; the modes about something else (a path, a finding, a diff) end."""
        if not node_id or node_id not in self.graph:
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

    def apply_step(self, step: Step) -> None:
        """Show a tour step: its mode and its inputs."""
        finding = match_finding(self.findings_now(), step.finding) if step.finding else None
        graph = self.graph
        self.spec = self.spec.replace(
            focus=step.focus if step.focus and step.focus in graph else self.spec.focus,
            depth=ViewSpec.bounded_depth(step.depth), trace=tuple(step.trace) if step.trace else None,
            upstream=step.upstream, removed=tuple(n for n in step.removed if n in graph),
            removed_edges=tuple((e[0], e[1]) for e in step.removed_edges), since=step.since,
            group_by=step.group_by, finding=finding, mode=step.mode if step.mode in MODES else "explore",
        )  # fmt: skip
        self.modeChanged.emit(self.spec.mode)
        self.show()
