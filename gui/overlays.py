"""Widgets laid over a corner of the canvas (the legend, the overview), and the View menu's
switches for them, remembered when the window remembers its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, Qt
from PySide6.QtWidgets import QGraphicsView, QWidget

if TYPE_CHECKING:
    from lineage.views.scenes import Scene

MARGIN = 10  # pixels between an overlay and the canvas's edges


class CornerOverlay(QWidget):
    """A small widget over one corner of ``canvas``'s viewport, kept there when the canvas is
    resized. It is a child of the view, not of its viewport: the viewport's children would be
    scrolled with the picture."""

    def __init__(self, canvas: QGraphicsView, corner: Qt.Corner):
        super().__init__(canvas)
        self.canvas, self.corner = canvas, corner
        self.wanted = True  # the View menu's choice; shown when wanted and there is something to show
        self.needed = False
        canvas.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.canvas and event.type() == QEvent.Type.Resize:
            self.canvas_resized()
        return False

    def canvas_resized(self) -> None:
        self.place()

    def place(self) -> None:
        area = self.canvas.viewport().geometry()
        size = self.sizeHint()  # each overlay's own, for the canvas it covers
        rect = QRect(0, 0, size.width(), size.height())
        left = self.corner in (Qt.Corner.TopLeftCorner, Qt.Corner.BottomLeftCorner)
        top = self.corner in (Qt.Corner.TopLeftCorner, Qt.Corner.TopRightCorner)
        rect.moveLeft(area.left() + MARGIN if left else area.right() - MARGIN - size.width() + 1)
        rect.moveTop(area.top() + MARGIN if top else area.bottom() - MARGIN - size.height() + 1)
        self.setGeometry(rect)
        self.update()

    def set_wanted(self, wanted: bool) -> None:
        self.wanted = wanted
        self.show_if_needed()

    def show_if_needed(self) -> None:
        shown = self.wanted and self.needed
        if shown:
            self.place()
            self.raise_()  # above the viewport, a sibling made before it
        self.setVisible(shown)


class CanvasOverlays(QObject):
    """The legend (bottom left) and the overview (bottom right) of ``canvas``; with
    ``remember``, whether each is shown is kept in QSettings."""

    def __init__(self, canvas: QGraphicsView, *, remember: bool):
        from lineage_gui.legend import Legend
        from lineage_gui.minimap import Overview

        super().__init__(canvas)
        self.remember = remember
        self.legend = Legend(canvas)
        self.overview = Overview(canvas)
        if remember:
            settings = QSettings()
            self.legend.wanted = _flag(settings.value("view/legend", True))
            self.overview.wanted = _flag(settings.value("view/overview", True))

    def show_view(self, scene: Scene | None, expanded: frozenset[str], dark: bool) -> None:
        """A view is on the canvas (None: a message, no picture): both follow it."""
        self.legend.show_scene(scene, expanded, dark)
        self.overview.show_picture(scene is not None, dark)

    def set_legend(self, on: bool) -> None:
        self.legend.set_wanted(on)
        if self.remember:
            QSettings().setValue("view/legend", on)

    def set_overview(self, on: bool) -> None:
        self.overview.set_wanted(on)
        if self.remember:
            QSettings().setValue("view/overview", on)


def _flag(value: object) -> bool:
    """A boolean read back from QSettings (an INI file gives the string "false")."""
    return value not in (False, "false", "0", 0)
