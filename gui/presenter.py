"""Presenting: a view's status line, and a tour full screen with only the notes beside the
canvas (the arrow keys, Space, Backspace, Page Up/Down, Home and End move between steps, from
whichever widget has the keyboard; Escape ends and shows the view from before again)."""

from __future__ import annotations

from collections.abc import Callable

from lineage_gui.panels import NotesView
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QToolBar, QWidget

from lineage.views.layout import Layout
from lineage.views.scenes import Scene
from lineage.views.tours import Step
from lineage.words import counted

LEFT_OUT_HINTS = {"simulate": "further away; the panel counts them", "impact": "further out; the panel counts them"}
LEFT_OUT_HINT = "not shown: focus a node nearer what you need or lower the depth"
NEXT = (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_PageDown)
PREVIOUS = (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace, Qt.Key.Key_PageUp)


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
    """Shows ``steps`` one at a time in ``window`` (through ``show_step``); ``view()`` is the view
    before, shown again by ``restore(view)`` when the presentation ends."""

    def __init__(self, window: QMainWindow, notes_dock: QDockWidget, notes_view: NotesView,
                 show_step: Callable[[Step], None], view: Callable[[], object] | None = None,
                 restore: Callable[[object], None] | None = None):  # fmt: skip
        super().__init__(window)
        self.window, self.notes_dock, self.notes_view = window, notes_dock, notes_view
        self.show_step = show_step
        self.view, self.restore = view, restore
        self._before: object = None
        self.steps: list[Step] | None = None
        self.at = 0
        self._saved_docks: list[QDockWidget] = []

    @property
    def presenting(self) -> bool:
        return self.steps is not None

    def start(self, steps: list[Step]) -> None:
        window = self.window
        self.steps = steps
        self._before = self.view() if self.view is not None else None
        # The keys page from whichever widget has the keyboard (the canvas would scroll with the
        # arrows, a list would move its selection): the presenter hears them first.
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
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
        if self.steps is None:
            return
        self.steps = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.notes_dock.hide()
        for dock in self._saved_docks:
            dock.show()
        window.menuBar().show()
        for bar in window.findChildren(QToolBar):
            bar.show()
        window.showNormal()
        before, self._before = self._before, None
        if self.restore is not None and before is not None:
            self.restore(before)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        # Only keys typed in the presented window: a dialog opened meanwhile keeps its own.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and isinstance(watched, QWidget) and watched.window() is self.window \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:  # fmt: skip
            return self.key(event)
        return False

    def key(self, event: QKeyEvent) -> bool:
        """Handle a key while presenting; False when it is not the presenter's."""
        if self.steps is None:
            return False
        key = event.key()
        if key in NEXT:
            self.go(self.at + 1)
        elif key in PREVIOUS:
            self.go(self.at - 1)
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End:
            self.go(len(self.steps) - 1)
        elif key == Qt.Key.Key_Escape:
            self.end()
        else:
            return False
        return True
