"""The overview over the canvas (View ▸ Overview), as yEd, Cytoscape and Kedro-Viz have: the
whole picture small, with the rectangle the canvas shows; a click there centres the canvas on
that point, and dragging the rectangle pans it.

The picture is rendered to a pixmap once per view (and per size of the overview); panning and
zooming only move the rectangle drawn over it, so scrolling never renders the scene again. It
hides itself while the canvas shows the whole picture: it would only repeat it.
"""

from __future__ import annotations

from lineage_gui.overlays import CornerOverlay
from lineage_gui.style import background_colour, edge_colour
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

WIDTH, MIN_HEIGHT, MAX_HEIGHT, MIN_WIDTH = 220, 70, 170, 110  # pixels
BORDER = 4  # pixels of plate round the picture
FRAME = "#1a73e8"  # the rectangle the canvas shows: the canvas's selection blue
MARGIN = 30  # scene units round the drawing, as the canvas fits it


class Overview(CornerOverlay):
    """The overview in the canvas's bottom right corner."""

    def __init__(self, canvas: QGraphicsView):
        super().__init__(canvas, Qt.Corner.BottomRightCorner)
        self.world = QRectF()  # the part of the scene drawn: the picture and a margin
        self.drawing = QRectF()  # the picture itself: the overview hides while it is all in view
        self.visible = QRectF()  # what the canvas shows, in scene units
        self.pixmap: QPixmap | None = None
        self.dark = False
        self.renders = 0  # how often the picture was rendered (a test checks panning renders none)
        self._grab: QPointF | None = None  # where in the rectangle a drag holds it, in scene units
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        for bar in (canvas.horizontalScrollBar(), canvas.verticalScrollBar()):
            bar.valueChanged.connect(self.follow)
            bar.rangeChanged.connect(self.follow)

    def show_picture(self, drawn: bool, dark: bool) -> None:
        """A new view is on the canvas (``drawn`` False: a message): render it afresh."""
        self.dark = dark
        self.pixmap = None
        scene = self.canvas.scene()
        self.drawing = scene.itemsBoundingRect() if drawn else QRectF()
        self.world = self.drawing.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        self.follow()

    def follow(self) -> None:
        """The canvas panned, zoomed or was resized: move the rectangle (and show or hide)."""
        viewport = self.canvas.viewport().rect()
        self.visible = self.canvas.mapToScene(viewport).boundingRect()
        self.needed = not self.drawing.isEmpty() and not self.visible.contains(self.drawing)
        if self.needed and self.size() != self.sizeHint():
            self.pixmap = None  # rendered again at the new size
        self.show_if_needed()
        self.update()

    def canvas_resized(self) -> None:
        self.follow()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As wide as WIDTH, as tall as the picture's shape says, within bounds."""
        if self.world.isEmpty():
            return QSize(WIDTH, MIN_HEIGHT)
        ratio = self.world.height() / self.world.width()
        height = min(max(round((WIDTH - 2 * BORDER) * ratio) + 2 * BORDER, MIN_HEIGHT), MAX_HEIGHT)
        width = min(max(round((height - 2 * BORDER) / ratio) + 2 * BORDER, MIN_WIDTH), WIDTH)
        return QSize(width, height)

    # -- scene units and the overview's pixels -------------------------------------------------

    def _scale_and_origin(self) -> tuple[float, QPointF]:
        """Pixels per scene unit, and where the world's top left corner is in the overview."""
        inner = QRectF(self.rect()).adjusted(BORDER, BORDER, -BORDER, -BORDER)
        scale = min(inner.width() / self.world.width(), inner.height() / self.world.height())
        left = inner.x() + (inner.width() - self.world.width() * scale) / 2
        top = inner.y() + (inner.height() - self.world.height() * scale) / 2
        return scale, QPointF(left, top)

    def to_overview(self, rect: QRectF) -> QRectF:
        scale, origin = self._scale_and_origin()
        left = origin.x() + (rect.x() - self.world.x()) * scale
        top = origin.y() + (rect.y() - self.world.y()) * scale
        return QRectF(left, top, rect.width() * scale, rect.height() * scale)

    def to_scene(self, point: QPointF) -> QPointF:
        scale, origin = self._scale_and_origin()
        return QPointF(self.world.x() + (point.x() - origin.x()) / scale,
                       self.world.y() + (point.y() - origin.y()) / scale)  # fmt: skip

    # -- drawing --------------------------------------------------------------------------------

    def _render(self) -> QPixmap:
        """The picture, small: nodes and edges without their labels (too small to read), and
        without the fixed-size labels of a zoomed-out canvas (they would cover it all)."""
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        scene = self.canvas.scene()
        fixed = [i for i in scene.items() if i.isVisible() and _ignores_zoom(i)]
        for item in fixed:
            item.hide()
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, self.to_overview(self.world), self.world, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
        for item in fixed:
            item.show()
        self.renders += 1
        return pixmap

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.world.isEmpty():
            return
        if self.pixmap is None or self.pixmap.deviceIndependentSize().toSize() != self.size():
            self.pixmap = self._render()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plate = QColor(background_colour(self.dark))
        plate.setAlphaF(0.94)
        painter.setPen(QPen(edge_colour(self.dark), 0.8))
        painter.setBrush(plate)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.drawPixmap(0, 0, self.pixmap)
        frame = self.to_overview(self.visible).intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        shade = QColor(FRAME)
        shade.setAlphaF(0.12)
        painter.setPen(QPen(QColor(FRAME), 1.6))
        painter.setBrush(shade)
        painter.drawRect(frame)
        painter.end()

    # -- clicks and drags -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton or self.world.isEmpty():
            return
        where = self.to_scene(event.position())
        if self.visible.contains(where):  # hold the rectangle where it was taken
            self._grab = where - self.visible.center()
        else:  # elsewhere: the canvas centres there, and a drag goes on from it
            self._grab = QPointF()
            self.centre_canvas(where)
        self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._grab is not None:
            self.centre_canvas(self.to_scene(event.position()) - self._grab)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self._grab = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def centre_canvas(self, point: QPointF) -> None:
        # A view fitted whole has no overview, so this never fights the canvas's refit on resize.
        self.canvas.centerOn(point)


def _ignores_zoom(item: QGraphicsItem) -> bool:
    return bool(item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
