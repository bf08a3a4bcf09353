"""Graphics items: nodes (shape by kind, status badges, "+N hidden"), and edges (splines)."""

from __future__ import annotations

import math

from lineage_gui.plain import tooltip
from lineage_gui.style import KindStyle, edge_colour, edge_state_style, state_style, text_colour
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from lineage.fields import shown_name
from lineage.render.escape import printable
from lineage.views.layout import EdgePath

LABEL_FONT = QFont()
LABEL_FONT.setPointSizeF(9.5)
PADDING_X, HEIGHT = 26.0, 30.0
MAX_LABEL_CHARS = 40
BADGE_POINTS = 7.0  # the status and hop badges
EXPAND_POINTS = 8.5  # the "+N" badge, bigger: it is clicked
EXPAND_MARGIN = 5.0  # scene units round the "+N" badge that a click still hits
LABELS_BELOW_SCALE = 0.35  # level of detail: no text when zoomed out further
STRUCK = "#c5221f"  # deprecated and removed nodes: the strike-through and the badge
PROPOSED = "#b06000"  # the "proposed" badge
BADGE_GREY = "#5f6368"  # the "+N", hop and other badges


def display_label(name: str) -> str:
    """One line, bounded, controls and direction overrides shown as escapes: names come from
    files anyone can write."""
    flat = printable(" ".join(name.split()))
    return flat if len(flat) <= MAX_LABEL_CHARS else flat[: MAX_LABEL_CHARS - 1] + "…"


def node_size(name: str, members: int = 0) -> tuple[float, float]:
    """A node's box: its label's width; a group's grows with the log of its members (a group of
    10,000 is twice as tall as a node), so the eye finds the big ones."""
    width = QFontMetricsF(LABEL_FONT).horizontalAdvance(display_label(name)) + 2 * PADDING_X
    height = HEIGHT * (1 + math.log10(members) / 4) if members > 1 else HEIGHT
    return max(width, 70.0), height


def shape_path(shape: str, rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    if shape == "pill":
        path.addRoundedRect(rect, h / 2, h / 2)
    elif shape == "hexagon":
        d = h / 3
        path.addPolygon(QPolygonF([QPointF(x + d, y), QPointF(x + w - d, y), QPointF(x + w, y + h / 2),
                                   QPointF(x + w - d, y + h), QPointF(x + d, y + h), QPointF(x, y + h / 2),
                                   QPointF(x + d, y)]))  # fmt: skip
    elif shape == "parallelogram":
        d = h / 4
        path.addPolygon(QPolygonF([QPointF(x + d, y), QPointF(x + w, y), QPointF(x + w - d, y + h),
                                   QPointF(x, y + h), QPointF(x + d, y)]))  # fmt: skip
    elif shape == "tag":
        d = h / 2.5
        path.addPolygon(QPolygonF([QPointF(x, y), QPointF(x + w - d, y), QPointF(x + w, y + h / 2),
                                   QPointF(x + w - d, y + h), QPointF(x, y + h), QPointF(x, y)]))  # fmt: skip
    elif shape == "cylinder":
        r = h / 5
        path.addRoundedRect(rect, 4, 4)
        path.moveTo(x, y + r)
        path.quadTo(x + w / 2, y + 2 * r, x + w, y + r)
    else:
        path.addRoundedRect(rect, 6, 6)
    return path


def node_pen(style: KindStyle, state: str | None, *, focus: bool = False, status: str | None = None) -> QPen:
    """A node's border: its state's colour and width, else its kind's accent; dashed when proposed
    or its state says so (the canvas and the legend draw with it)."""
    look = state_style(state)
    border = QColor(look["border"]) if "border" in look else style.accent
    pen = QPen(border, look.get("width", 3.0 if focus else 1.4))
    if status == "proposed" or look.get("dash"):
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def node_fill(style: KindStyle, state: str | None, dark: bool) -> QColor:
    """A node's fill: its state's in the light palette (the dark one keeps the kind's: the border
    carries the state there)."""
    look = state_style(state)
    return QColor(look["fill"]) if "fill" in look and not dark else style.fill


def edge_width(attrs: dict) -> float:
    """Thicker for more weight, and for more edges folded into one (between groups)."""
    weight = attrs.get("weight")
    count = attrs.get("count") or 1
    return 1.2 + (min(weight, 1.0) * 4.0 if weight else 0.0) + 1.5 * math.log10(count)


def edge_pen(attrs: dict, state: str | None, dark: bool, width: float) -> QPen:
    """An edge's pen: its state's colour and width, else the plain edge colour; dashed when only
    observed (not declared) or its state says so."""
    look = edge_state_style(state)
    colour = QColor(look["colour"]) if "colour" in look else edge_colour(dark)
    pen = QPen(colour, max(width, look.get("width", 0)))
    if not attrs.get("declared") or look.get("dash"):
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def state_badge_colour(state: str) -> QColor:
    """The colour of the badge naming a node's state (broken, added, ...)."""
    return QColor(state_style(state).get("border", BADGE_GREY))


def draw_badge(painter: QPainter, text: str, colour: QColor, at: QPointF) -> None:
    """A small status badge (deprecated, hop 2, broken, ...) with its top left at ``at``."""
    font = _badge_font(BADGE_POINTS)
    metrics = QFontMetricsF(font)
    _pill(painter, text, colour, QRectF(at.x(), at.y(), metrics.horizontalAdvance(text) + 8, metrics.height() + 1),
          font)  # fmt: skip


DIMMED_NODE = 0.25  # the opacity of a node the view's filter does not match


def _fade(painter: QPainter, look: dict, dimmed: float | None) -> None:
    """Dimmed (by a search or a trace) wins over the opacity of the item's state."""
    if dimmed is not None:
        painter.setOpacity(dimmed)
    elif "opacity" in look:
        painter.setOpacity(look["opacity"])


class OverviewLabel(QGraphicsItem):
    """A node's name drawn at a fixed size on screen, on a plate, whatever the zoom: when a view
    is zoomed out past LABELS_BELOW_SCALE, the canvas shows these for its most important nodes
    (the focus, path nodes, groups, hubs) where they do not overlap (GraphView.place_labels)."""

    def __init__(self, parent: NodeItem):
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.text = parent.label
        self.dark = parent.dark
        self.focus = parent.focus
        metrics = QFontMetricsF(LABEL_FONT)
        width, height = metrics.horizontalAdvance(self.text) + 12, metrics.height() + 6
        self.rect = QRectF(-width / 2, -height / 2, width, height)
        self.setZValue(3)
        self.hide()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self.rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plate = QColor("#202124" if self.dark else "#ffffff")
        plate.setAlphaF(0.88)
        painter.setPen(QPen(QColor("#1a73e8") if self.focus else QColor("#9aa0a6"), 1.6 if self.focus else 0.8))
        painter.setBrush(plate)
        painter.drawRoundedRect(self.rect, 4, 4)
        painter.setFont(LABEL_FONT)
        painter.setPen(text_colour(self.dark))
        painter.drawText(self.rect, Qt.AlignmentFlag.AlignCenter, self.text)


class NodeItem(QGraphicsItem):
    """A node: its kind's shape and colour, a glyph, the name, status and hidden badges."""

    def __init__(self, node_id: str, attrs: dict, style: KindStyle, dark: bool, *,
                 focus: bool = False, hidden: int = 0, state: str | None = None,
                 expanded: bool = False):  # fmt: skip
        super().__init__()
        self.node_id = node_id
        self.attrs = attrs
        self.style = style
        self.dark = dark
        self.focus = focus
        self.hidden = hidden
        self.state = state
        self.expanded = expanded
        name = shown_name(attrs.get("name") or node_id, attrs.get("kind"))
        self.label = display_label(name)
        w, h = node_size(name, attrs.get("members") or 0)
        self.rect = QRectF(-w / 2, -h / 2, w, h)
        self.dimmed = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setToolTip(tooltip(node_id, f"{attrs.get('kind')} · {attrs.get('owner') or 'no owner'}"))
        self.setZValue(1)
        self._overview: OverviewLabel | None = None

    def overview_label(self) -> OverviewLabel:
        """This node's fixed-size label for zoomed-out views (made on first use)."""
        if self._overview is None:
            self._overview = OverviewLabel(self)
        return self._overview

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self.rect.adjusted(-6, -12, 30, 14).united(
            self.badge_rect() if self.hidden or self.expanded else QRectF()
        )

    def shape(self) -> QPainterPath:
        return shape_path(self.style.shape, self.rect)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        look = state_style(self.state)
        _fade(painter, look, DIMMED_NODE if self.dimmed else None)
        status = self.attrs.get("status")
        pen = node_pen(self.style, self.state, focus=self.focus, status=status)
        if self.isSelected():
            pen.setColor(QColor("#1a73e8"))
            pen.setWidthF(3.2)
        painter.setPen(pen)
        painter.setBrush(QBrush(node_fill(self.style, self.state, self.dark)))
        painter.drawPath(shape_path(self.style.shape, self.rect))
        if lod < LABELS_BELOW_SCALE:
            return
        painter.setFont(LABEL_FONT)
        painter.setPen(self.style.accent)
        glyph_rect = QRectF(self.rect.x() + 4, self.rect.y(), PADDING_X - 6, self.rect.height())
        painter.drawText(glyph_rect, Qt.AlignmentFlag.AlignCenter, self.style.glyph)
        painter.setPen(text_colour(self.dark))
        text_rect = self.rect.adjusted(PADDING_X - 4, 0, -6, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.label)
        if status == "deprecated":
            y = self.rect.center().y()
            painter.setPen(QPen(QColor(STRUCK), 1.2))
            painter.drawLine(QPointF(text_rect.x(), y), QPointF(text_rect.right() - 2, y))
            draw_badge(painter, "deprecated", QColor(STRUCK), self.rect.topLeft() + QPointF(4, -10))
        elif status == "proposed":
            draw_badge(painter, "proposed", QColor(PROPOSED), self.rect.topLeft() + QPointF(4, -10))
        if self.state in ("removed", "deleted"):
            painter.setPen(QPen(QColor(STRUCK), 1.6))
            y = self.rect.center().y()
            painter.drawLine(QPointF(self.rect.x() + PADDING_X - 4, y), QPointF(self.rect.right() - 6, y))
        below = self.rect.bottomLeft() + QPointF(4, -2)
        if self.state and self.state.startswith("hop"):
            draw_badge(painter, f"hop {self.state[3:]}", QColor(BADGE_GREY), below)
        elif self.state in ("broken", "degraded", "added", "deleted", "changed", "removed"):
            draw_badge(painter, self.state, state_badge_colour(self.state), below)
        if self.hidden or self.expanded:
            draw_expand_badge(painter, self._expand_text(), self._expand_rect())

    def _expand_text(self) -> str:
        return "−" if self.expanded else f"+{self.hidden}"

    def _expand_rect(self) -> QRectF:
        """The "+N" badge as drawn, over the node's top right corner."""
        metrics = QFontMetricsF(_badge_font(EXPAND_POINTS))
        width = max(metrics.horizontalAdvance(self._expand_text()) + 10, metrics.height() + 4)
        return QRectF(self.rect.right() - 14, self.rect.top() - 10, width, metrics.height() + 2)

    def badge_rect(self) -> QRectF:
        """Where a click expands (or folds) the node: its "+N" badge and a margin round it, so
        it is easy to hit at the zoom a view opens at."""
        return self._expand_rect().adjusted(-EXPAND_MARGIN, -EXPAND_MARGIN, EXPAND_MARGIN, EXPAND_MARGIN)


def draw_expand_badge(painter: QPainter, text: str, rect: QRectF) -> None:
    """The "+N" (or "−") badge a click expands (or folds) a node by, filling ``rect``."""
    _pill(painter, text, QColor(BADGE_GREY), rect, _badge_font(EXPAND_POINTS))


def _badge_font(points: float) -> QFont:
    font = QFont(LABEL_FONT)
    font.setPointSizeF(points)
    return font


def _pill(painter: QPainter, text: str, colour: QColor, rect: QRectF, font: QFont) -> None:
    """White ``text`` on a rounded ``colour`` pill filling ``rect``."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setPen(QColor("white"))
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class EdgeItem(QGraphicsItem):
    """An edge along Graphviz's spline, with an arrow in the direction data flows.

    Declared edges are solid, edges only observed in logs dashed; weight sets the thickness.
    """

    def __init__(self, source: str, target: str, attrs: dict, path: EdgePath, dark: bool,
                 state: str | None = None):  # fmt: skip
        super().__init__()
        self.source, self.target, self.attrs = source, target, attrs
        self.dark = dark
        self.state = state
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.dimmed = False
        self.path = QPainterPath()
        points = [QPointF(x, y) for x, y in path.points]
        if points:
            self.path.moveTo(points[0])
            for i in range(1, len(points) - 2, 3):
                self.path.cubicTo(points[i], points[i + 1], points[i + 2])
        end = points[-1] if points else QPointF()
        tip = QPointF(*path.arrow_tip) if path.arrow_tip else end
        self.arrow = self._arrow_head(points[-2] if len(points) > 1 else end, tip)
        if path.arrow_tip:
            self.path.lineTo(tip)
        self.setZValue(0)
        weight = attrs.get("weight")
        count = attrs.get("count") or 1  # edges folded into this one (between groups)
        self.width = edge_width(attrs)
        kinds = ", ".join(attrs.get("kinds", ()))
        evidence = "declared" if attrs.get("declared") else "observed only"
        extra = f", weight {weight:g}" if weight is not None else ""
        extra += f", {count:,} edges" if count > 1 else ""
        self.setToolTip(tooltip(f"{source} → {target}", f"{kinds} ({evidence}{extra})"))

    @staticmethod
    def _arrow_head(before: QPointF, tip: QPointF) -> QPolygonF:
        dx, dy = tip.x() - before.x(), tip.y() - before.y()
        length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
        ux, uy = dx / length, dy / length
        size = 8.0
        base = QPointF(tip.x() - ux * size, tip.y() - uy * size)
        left = QPointF(base.x() - uy * size * 0.45, base.y() + ux * size * 0.45)
        right = QPointF(base.x() + uy * size * 0.45, base.y() - ux * size * 0.45)
        return QPolygonF([tip, left, right, tip])

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self.path.boundingRect().united(self.arrow.boundingRect()).adjusted(-6, -6, 6, 6)

    def shape(self) -> QPainterPath:
        """A band around the curve, so an edge can be clicked (a path's own shape is its area)."""
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        look = edge_state_style(self.state)
        _fade(painter, look, 0.2 if self.dimmed else None)
        pen = edge_pen(self.attrs, self.state, self.dark, self.width)
        if self.isSelected():
            pen.setColor(QColor("#1a73e8"))
        colour = pen.color()
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(self.arrow)
