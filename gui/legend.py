"""The legend over the canvas: what the kinds, marks, edge styles and badges of the current view
mean, only those it draws (:func:`lineage.views.legend.legend_entries`), each drawn with the
canvas's own shapes, pens and colours (:mod:`lineage_gui.items`, :mod:`lineage_gui.style`)."""

from __future__ import annotations

from lineage_gui.items import (
    BADGE_GREY,
    DIMMED_NODE,
    STRUCK,
    EdgeItem,
    draw_badge,
    draw_expand_badge,
    edge_pen,
    edge_width,
    node_fill,
    node_pen,
    shape_path,
)
from lineage_gui.overlays import CornerOverlay
from lineage_gui.style import background_colour, edge_colour, kind_style, state_style, text_colour
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from lineage.views.legend import Entry, legend_entries
from lineage.views.scenes import Scene

ROW, SAMPLE, GAP, PAD = 18, 40, 7, 7  # pixels: a row's height, a sample's width, gaps, padding
MAX_TEXT = 320  # pixels of text a row may take before it is cut with "…"
TALLEST = 0.5  # the share of the canvas's height the legend may cover; past it, more columns
OPACITY = 0.9  # of the legend's plate: the picture shows through a little


class Legend(CornerOverlay):
    """View ▸ Legend: a translucent plate in the canvas's bottom left corner. Clicks and drags go
    through it to the canvas."""

    def __init__(self, canvas: QGraphicsView):
        super().__init__(canvas, Qt.Corner.BottomLeftCorner)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.entries: list[Entry] = []
        self.dark = False
        self.font_ = QFont(self.font())
        self.font_.setPointSizeF(9)
        self.heading_font = QFont(self.font_)
        self.heading_font.setBold(True)

    def show_scene(self, scene: Scene | None, expanded: frozenset[str], dark: bool) -> None:
        self.entries = legend_entries(scene, expanded) if scene is not None else []
        self.dark = dark
        self.needed = bool(self.entries)
        self.show_if_needed()
        self.update()

    # -- size and placement of the rows ---------------------------------------------------------

    def _texts(self) -> list[str]:
        metrics = QFontMetrics(self.font_)
        return [metrics.elidedText(e.text, Qt.TextElideMode.ElideRight, MAX_TEXT) for e in self.entries]

    def _columns(self) -> list[list[int]]:
        """The entries' indexes in columns, each as tall as the canvas lets the legend be."""
        room = int(self.canvas.viewport().height() * TALLEST) - 2 * PAD - ROW
        per_column = max(4, room // ROW)
        indexes = list(range(len(self.entries)))
        return [indexes[i : i + per_column] for i in range(0, len(indexes), per_column)] or [[]]

    def _column_widths(self, columns: list[list[int]]) -> list[int]:
        metrics, texts = QFontMetrics(self.font_), self._texts()
        return [SAMPLE + GAP + max((metrics.horizontalAdvance(texts[i]) for i in col), default=0) for col in columns]

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        columns = self._columns()
        widths = self._column_widths(columns)
        heading = QFontMetrics(self.heading_font).horizontalAdvance("Legend")
        width = max(sum(widths) + 2 * GAP * (len(widths) - 1), heading) + 2 * PAD
        return QSize(width, 2 * PAD + ROW * (1 + max(len(c) for c in columns)))

    def canvas_resized(self) -> None:
        self.place()  # its columns follow the canvas's height

    # -- drawing --------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plate = QColor(background_colour(self.dark))
        plate.setAlphaF(OPACITY)
        painter.setPen(QPen(edge_colour(self.dark), 0.8))
        painter.setBrush(plate)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setPen(text_colour(self.dark))
        painter.setFont(self.heading_font)
        painter.drawText(QRectF(PAD, PAD, self.width(), ROW), Qt.AlignmentFlag.AlignVCenter, "Legend")
        columns = self._columns()
        texts = self._texts()
        x = PAD
        for column, width in zip(columns, self._column_widths(columns), strict=True):
            for row, index in enumerate(column):
                top = PAD + ROW * (row + 1)
                painter.save()
                self.draw_sample(painter, self.entries[index].key, QRectF(x, top + 2, SAMPLE, ROW - 4))
                painter.restore()
                painter.setPen(text_colour(self.dark))
                painter.setFont(self.font_)
                where = QRectF(x + SAMPLE + GAP, top, width - SAMPLE - GAP, ROW)
                painter.drawText(where, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, texts[index])
            x += width + 2 * GAP
        painter.end()

    def draw_sample(self, painter: QPainter, key: str, box: QRectF) -> None:
        """What ``key`` stands for, as the canvas draws it, in ``box``."""
        what, _, name = key.partition(":")
        if what == "kind":
            self._node(painter, box, kind=name, glyph=True)
        elif what == "node" and name == "hop":
            draw_badge(painter, "hop 2", QColor(BADGE_GREY), QPointF(box.x(), box.center().y() - 6))
        elif what == "node" and name == "unmatched":  # as the canvas fades a node the filter leaves out
            painter.save()
            painter.setOpacity(DIMMED_NODE)
            self._node(painter, box)
            painter.restore()
        elif what == "node":
            self._node(painter, box, state=name)
        elif what == "status":
            self._node(painter, box, status=name)
        elif what == "edge":
            self._edge_sample(painter, name, box)
        elif what == "badge":
            text = "−" if name == "expanded" else "+3"
            draw_expand_badge(painter, text, QRectF(box.x() + 6, box.y(), 28, box.height()))

    def _node(self, painter: QPainter, box: QRectF, *, kind: str | None = None, state: str | None = None,
              status: str | None = None, glyph: bool = False) -> None:  # fmt: skip
        """A node of ``kind`` (none: the plain look marks are shown on), in ``state`` or ``status``."""
        style = kind_style(kind or "", self.dark)
        rect = box.adjusted(2, 0, -2, 0)
        opacity = state_style(state).get("opacity")
        if opacity is not None:
            painter.setOpacity(opacity)
        painter.setPen(node_pen(style, state, focus=state == "focus", status=status))
        painter.setBrush(node_fill(style, state, self.dark))
        painter.drawPath(shape_path(style.shape, rect))
        if glyph:
            painter.setPen(style.accent)
            painter.setFont(self.heading_font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.glyph)
        if state in ("removed", "deleted") or status == "deprecated":
            painter.setPen(QPen(QColor(STRUCK), 1.4))
            y = rect.center().y()
            painter.drawLine(QPointF(rect.x() + 8, y), QPointF(rect.right() - 8, y))

    def _edge_sample(self, painter: QPainter, name: str, box: QRectF) -> None:
        if name in ("weight", "count"):  # a thin edge and a thick one
            light, heavy = ({"weight": 0.1}, {"weight": 1.0}) if name == "weight" else ({}, {"count": 100})
            self._edge(painter, {**light, "declared": True}, None, box.y() + 3, box)
            self._edge(painter, {**heavy, "declared": True}, None, box.bottom() - 4, box)
            return
        attrs = {"declared": name not in ("observed", "hidden")}
        self._edge(painter, attrs, None if name == "observed" else name, box.center().y(), box)

    def _edge(self, painter: QPainter, attrs: dict, state: str | None, y: float, box: QRectF) -> None:
        pen = edge_pen(attrs, state, self.dark, edge_width(attrs))
        start, tip = QPointF(box.x() + 2, y), QPointF(box.right() - 2, y)
        painter.setPen(pen)
        painter.drawLine(start, tip - QPointF(6, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pen.color())
        painter.drawPolygon(EdgeItem._arrow_head(start, tip))
