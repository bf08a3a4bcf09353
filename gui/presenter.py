"""Presenting: a view's status line, and a tour full screen with only the notes beside the
canvas (the arrow keys, Space and Page Up/Down move between steps, Escape ends)."""

from __future__ import annotations

from collections.abc import Callable

from lineage_gui.panels import NotesView
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from lineage.views.layout import Layout
from lineage.views.scenes import Scene
from lineage.views.tours import Step
from lineage.words import counted

LEFT_OUT_HINTS = {"simulate": "further away; the panel counts them", "impact": "further out; the panel counts them"}
LEFT_OUT_HINT = "not shown: focus a node nearer what you need or lower the depth"
NEXT = (Qt.Key.Key_Right, Qt.Key.Key_Space, Qt.Key.Key_PageDown)
PREVIOUS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)


def view_status(scene: Scene, placed: Layout, mode: str, elapsed_ms: float, note: str, zoomed: bool) -> str:
    """The status line under a view: what led to it (``note``), what it shows, what it leaves out."""
    hint = LEFT_OUT_HINTS.get(mode, LEFT_OUT_HINT)
    left_out = f" · {scene.left_out} more {hint}" if scene.left_out else ""
    return (
        f"{note + ' · ' if note else ''}"
        f"{scene.title} · {counted(len(scene.graph), 'node')} · {placed.engine} layout {elapsed_ms:.0f} ms{left_out}"
        f"{' · zoomed in on the focus, too big to read whole: F shows all' if zoomed else ''}"
    )


class Presenter(QObject):
    """Shows ``steps`` one at a time in ``window`` (through ``show_step``)."""

    def __init__(self, window: QMainWindow, notes_dock: QDockWidget, notes_view: NotesView,
                 show_step: Callable[[Step], None]):  # fmt: skip
        super().__init__(window)
        self.window, self.notes_dock, self.notes_view = window, notes_dock, notes_view
        self.show_step = show_step
        self.steps: list[Step] | None = None
        self.at = 0
        self._saved_docks: list[QDockWidget] = []

    @property
    def presenting(self) -> bool:
        return self.steps is not None

    def start(self, steps: list[Step]) -> None:
        window = self.window
        self.steps = steps
        self._saved_docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
        for dock in self._saved_docks:
            dock.hide()
        window.menuBar().hide()
        for bar in window.findChildren(QToolBar):
            bar.hide()
        self.notes_dock.show()
        window.showFullScreen()
        window.resizeDocks([self.notes_dock], [max(320, window.width() // 4)], Qt.Orientation.Horizontal)
        self.go(0)

    def go(self, index: int) -> None:
        assert self.steps is not None
        index = max(0, min(index, len(self.steps) - 1))
        self.at = index
        step = self.steps[index]
        self.notes_view.show_step(index + 1, len(self.steps), step)
        self.show_step(step)

    def end(self) -> None:
        window = self.window
        self.steps = None
        self.notes_dock.hide()
        for dock in self._saved_docks:
            dock.show()
        window.menuBar().show()
        for bar in window.findChildren(QToolBar):
            bar.show()
        window.showNormal()

    def key(self, event: QKeyEvent) -> bool:
        """Handle a key while presenting; False when it is not the presenter's."""
        if self.steps is None:
            return False
        key = event.key()
        if key in NEXT:
            self.go(self.at + 1)
        elif key in PREVIOUS:
            self.go(self.at - 1)
        elif key == Qt.Key.Key_Escape:
            self.end()
        else:
            return False
        return True
