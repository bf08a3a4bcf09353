"""The explorer's one way to work in the background: :class:`Background` runs a function on a
thread pool and hands its result back on the UI thread; Graphviz runs in the layout process.

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
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

from lineage_gui.items import node_size
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from lineage.fields import shown_name
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


# -- threads ---------------------------------------------------------------------------------


class _Signals(QObject):
    finished = Signal(int, object)  # ticket, result
    failed = Signal(int, object)  # ticket, exception


class _Job(QRunnable):
    """One call of a function on a pool thread; its outcome goes back as a signal."""

    def __init__(self, ticket: int, fn: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.ticket, self.fn, self.signals = ticket, fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported by whoever asked, never crashes the UI
            self.signals.failed.emit(self.ticket, exc)
        else:
            self.signals.finished.emit(self.ticket, result)


@dataclass
class _Callbacks:
    then: Callable[[Any], None]
    failed: Callable[[Exception], None] | None
    stale: Callable[[Any], None] | None


class Background(QObject):
    """Runs functions on a thread pool of its own; each result comes back on the UI thread.

    :meth:`run` returns a ticket; the newest ticket's result goes to ``then`` (an exception to
    ``failed``), an older one's, superseded meanwhile, to ``stale`` if given (else nowhere).
    :meth:`cancel` drops whatever is still running. ``threads`` > 1 runs jobs side by side, and
    ``latest_only=False`` delivers every job's result to its ``then``."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 1, latest_only: bool = True):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.latest_only = latest_only
        self.ticket = 0
        self._pending: dict[int, _Callbacks] = {}
        self._signals = _Signals(self)
        self._signals.finished.connect(self._finished)
        self._signals.failed.connect(self._failed)

    def run(self, fn: Callable[[], Any], then: Callable[[Any], None], *,
            failed: Callable[[Exception], None] | None = None,
            stale: Callable[[Any], None] | None = None) -> int:  # fmt: skip
        """Call ``fn()`` on a pool thread; its result (or exception) comes back as said above."""
        self.ticket += 1
        self._pending[self.ticket] = _Callbacks(then, failed, stale)
        self.pool.start(_Job(self.ticket, fn, self._signals))
        return self.ticket

    def supersede(self) -> None:
        """Make every running job stale (its result goes to ``stale``), as a newer one would."""
        self.ticket += 1

    def cancel(self) -> None:
        """Drop the results of every running job (they run on, their results go nowhere)."""
        self._pending.clear()
        self.ticket += 1

    def current(self, ticket: int) -> bool:
        return not self.latest_only or ticket == self.ticket

    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job is done (for shutdown and tests)."""
        return self.pool.waitForDone(msecs)

    def _finished(self, ticket: int, result: Any) -> None:
        callbacks = self._pending.pop(ticket, None)
        if callbacks is None:
            return
        if self.current(ticket):
            callbacks.then(result)
        elif callbacks.stale is not None:
            callbacks.stale(result)

    def _failed(self, ticket: int, exc: Exception) -> None:
        callbacks = self._pending.pop(ticket, None)
        if callbacks is not None and self.current(ticket) and callbacks.failed is not None:
            callbacks.failed(exc)


class Cancellation:
    """A cancel request shared by the UI thread and a job, honoured until the job's point of no
    return (:meth:`begin_final`; for an import, the commit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._final = False

    def cancel(self) -> bool:
        """Ask the job to stop; False when too late (its final step has started)."""
        with self._lock:
            if self._final:
                return False
            self._cancelled = True
            return True

    @property
    def cancelled(self) -> bool:
        with self._lock:
            return self._cancelled

    def raise_if_cancelled(self, error: type[BaseException]) -> None:
        """Stop the job (raise ``error``) if it was cancelled."""
        with self._lock:
            if self._cancelled:
                raise error

    def begin_final(self) -> bool:
        """Whether the job was cancelled; if not, from here on it is not interrupted."""
        with self._lock:
            if not self._cancelled:
                self._final = True
            return self._cancelled


# -- layouts ---------------------------------------------------------------------------------


def lay_out(make_scene: Callable[[], Scene]) -> tuple[Scene, Layout]:
    """Compute a scene and place it: rings here, everything else in the layout process."""
    scene = make_scene()
    sizes = {n: node_size(shown_name(d.get("name") or n, d.get("kind")), d.get("members") or 0)
             for n, d in scene.graph.nodes(data=True)}  # fmt: skip
    if scene.engine == "rings":
        return scene, rings(scene.graph, scene.root, scene.distance, sizes)
    future = layout_process().submit(layout, scene.graph, list(scene.graph), sizes,
                                     engine=scene.engine, root=scene.root)  # fmt: skip
    return scene, future.result()


class LayoutRunner(QObject):
    """Runs one scene at a time; a newer request makes an older result stale. Finished layouts
    are cached (a stale one too: it may be asked for again)."""

    ready = Signal(object, object)  # Scene, Layout
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = Background(self)
        self.cache: OrderedDict[Hashable, tuple[Scene, Layout]] = OrderedDict()

    def request(self, key: Hashable, make_scene: Callable[[], Scene]) -> bool:
        """Compute and lay out a scene; True when it came from the cache (``ready`` emitted)."""
        if key in self.cache:
            self.jobs.supersede()
            self.cache.move_to_end(key)
            self.ready.emit(*self.cache[key])
            return True

        def keep(laid_out: tuple[Scene, Layout]) -> None:
            self.cache[key] = laid_out
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)

        def show(laid_out: tuple[Scene, Layout]) -> None:
            keep(laid_out)
            self.ready.emit(*laid_out)

        def failed(exc: Exception) -> None:  # reported in the status bar
            self.failed.emit(f"{type(exc).__name__}: {exc}")

        self.jobs.run(lambda: lay_out(make_scene), show, failed=failed, stale=keep)
        return False

    def busy(self) -> bool:
        return self.jobs.busy()

    def wait(self) -> None:
        self.jobs.wait()
