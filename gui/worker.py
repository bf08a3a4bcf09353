"""Layouts run on a worker thread, never on the UI thread; finished ones are cached."""

from __future__ import annotations

from collections import OrderedDict

import networkx as nx
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from lineage.neighbourhood import Neighbourhood
from lineage.view import View, ViewRequest, build_view

CACHE_SIZE = 32


class _Signals(QObject):
    finished = Signal(int, object)  # ticket, View
    failed = Signal(int, str)


class _LayoutJob(QRunnable):
    def __init__(self, ticket: int, graph, request, hood, sizes, signals):
        super().__init__()
        self.ticket, self.graph, self.request, self.hood = ticket, graph, request, hood
        self.sizes, self.signals = sizes, signals

    def run(self) -> None:
        try:
            view = build_view(self.graph, self.request, self.hood, self.sizes.__getitem__)
        except Exception as exc:  # reported in the status bar, never crashes the UI
            self.signals.failed.emit(self.ticket, f"{type(exc).__name__}: {exc}")
        else:
            self.signals.finished.emit(self.ticket, view)


class LayoutRunner(QObject):
    """Runs one layout at a time; a newer request makes an older result stale."""

    ready = Signal(object)  # View
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()
        self.signals.finished.connect(self._finished)
        self.signals.failed.connect(self._failed)
        self.ticket = 0
        self.cache: OrderedDict[tuple, View] = OrderedDict()

    def request(self, graph: nx.DiGraph, request: ViewRequest, hood: Neighbourhood,
                sizes: dict[str, tuple[float, float]]) -> bool:  # fmt: skip
        """Start a layout; True when it came from the cache (``ready`` already emitted)."""
        self.ticket += 1
        key = (request, hood.nodes)
        if key in self.cache:
            self.cache.move_to_end(key)
            self.ready.emit(self.cache[key])
            return True
        self.pool.start(_LayoutJob(self.ticket, graph, request, hood, sizes, self.signals))
        return False

    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def _finished(self, ticket: int, view: View) -> None:
        self.cache[(view.request, view.hood.nodes)] = view
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        if ticket == self.ticket:
            self.ready.emit(view)

    def _failed(self, ticket: int, message: str) -> None:
        if ticket == self.ticket:
            self.failed.emit(message)

    def wait(self) -> None:
        self.pool.waitForDone()
