"""Scenes are computed on a worker thread and laid out in a worker process, never on the UI
thread; finished layouts are cached.

Graphviz runs in a process of its own for two reasons: pygraphviz holds Python's global
interpreter lock for as long as Graphviz computes (in a thread it would still freeze the window),
and loading pygraphviz into the explorer's process crashes Qt on a real X11 display
(lineage/graphviz.py says why). So nothing here, nor anything the window calls, runs Graphviz
in this process.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from functools import cache

from lineage_gui.items import node_size
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from lineage.views.layout import Layout, layout, rings
from lineage.views.scenes import Scene

CACHE_SIZE = 32


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """In the layout process: end when the explorer ends, however it ends (closed, SIGTERM,
    SIGKILL, a crash), so no ~100 MB orphan is left; multiprocessing's resource tracker then
    sees its last writer gone and ends too."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the explorer was gone before prctl took effect
        os._exit(0)


@cache
def layout_process() -> ProcessPoolExecutor:
    """One long-lived process for Graphviz (started once, on first use, ended at exit)."""
    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_die_with, initargs=(os.getpid(),))  # fmt: skip
    atexit.register(executor.shutdown, wait=False, cancel_futures=True)
    return executor


def render_elsewhere(scene: Scene, fmt: str) -> bytes:
    """``lineage.render.graphs.render`` run in the layout process (for formats Graphviz writes)."""
    from lineage.render.graphs import render

    return layout_process().submit(render, scene, fmt).result()


def warm_up() -> None:
    """Start the layout process now, so the first picture does not wait for it."""
    layout_process().submit(int)


class _Signals(QObject):
    finished = Signal(int, object, object)  # ticket, Scene, Layout
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, ticket: int, make_scene: Callable[[], Scene], signals: _Signals):
        super().__init__()
        self.ticket, self.make_scene, self.signals = ticket, make_scene, signals

    def run(self) -> None:
        try:
            scene = self.make_scene()
            sizes = {n: node_size(d.get("name") or n) for n, d in scene.graph.nodes(data=True)}
            if scene.engine == "rings":
                placed = rings(scene.graph, scene.root, scene.distance, sizes)
            else:
                future = layout_process().submit(layout, scene.graph, list(scene.graph), sizes,
                                                 engine=scene.engine, root=scene.root)  # fmt: skip
                placed = future.result()
        except Exception as exc:  # reported in the status bar, never crashes the UI
            self.signals.failed.emit(self.ticket, f"{type(exc).__name__}: {exc}")
        else:
            self.signals.finished.emit(self.ticket, scene, placed)


class LayoutRunner(QObject):
    """Runs one scene at a time; a newer request makes an older result stale."""

    ready = Signal(object, object)  # Scene, Layout
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()
        self.signals.finished.connect(self._finished)
        self.signals.failed.connect(self._failed)
        self.ticket = 0
        self.keys: dict[int, Hashable] = {}
        self.cache: OrderedDict[Hashable, tuple[Scene, Layout]] = OrderedDict()

    def request(self, key: Hashable, make_scene: Callable[[], Scene]) -> bool:
        """Compute and lay out a scene; True when it came from the cache (``ready`` emitted)."""
        self.ticket += 1
        if key in self.cache:
            self.cache.move_to_end(key)
            self.ready.emit(*self.cache[key])
            return True
        self.keys[self.ticket] = key
        self.pool.start(_Job(self.ticket, make_scene, self.signals))
        return False

    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def _finished(self, ticket: int, scene: Scene, placed: Layout) -> None:
        key = self.keys.pop(ticket, None)
        if key is not None:
            self.cache[key] = (scene, placed)
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        if ticket == self.ticket:
            self.ready.emit(scene, placed)

    def _failed(self, ticket: int, message: str) -> None:
        self.keys.pop(ticket, None)
        if ticket == self.ticket:
            self.failed.emit(message)

    def wait(self) -> None:
        self.pool.waitForDone()
