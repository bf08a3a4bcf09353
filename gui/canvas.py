"""The graph canvas: a QGraphicsView that zooms with the wheel and pans by dragging."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from gui.items import NodeItem
from gui.style import background_colour, is_dark

MIN_SCALE, MAX_SCALE = 0.05, 4.0


class GraphView(QGraphicsView):
    nodeActivated = Signal(str)  # double-click: focus here  # noqa: N815 (Qt signal style)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setBackgroundBrush(background_colour(is_dark()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        factor = 1.0015 ** event.angleDelta().y()
        self.zoom_by(factor)

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.2:  # small views: stay readable, do not blow up
            self.resetTransform()
            self.scale(1.2, 1.2)
            self.centerOn(rect.center())

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt override)
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if isinstance(item, NodeItem):
            self.nodeActivated.emit(item.node_id)
        else:
            super().mouseDoubleClickEvent(event)

    def scene_rect_with_margin(self) -> QRectF:
        return self.scene().itemsBoundingRect().adjusted(-400, -400, 400, 400)
