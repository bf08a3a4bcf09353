"""The graph canvas: a QGraphicsView that zooms with the wheel and pans by dragging."""

from __future__ import annotations

from lineage_gui.items import LABELS_BELOW_SCALE, EdgeItem, NodeItem
from lineage_gui.style import background_colour, is_dark, kind_style
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from lineage.views.layout import Layout
from lineage.views.scenes import Scene

MIN_SCALE, MAX_SCALE = 0.05, 4.0
CLICK_SLOP = 4  # pixels a press may move and still be a click, not a drag
FADED = 0.2  # the opacity of what a hovered node is not joined to
HISTORY_BUTTONS = {Qt.MouseButton.BackButton: -1, Qt.MouseButton.ForwardButton: 1}  # a mouse's side buttons
READABLE_SCALE = 0.6  # where a view too big to fit with labels opens: 9.5-point labels read well


LABEL_CANDIDATES = 400  # nodes considered for a label in a zoomed-out view, most important first
SHOWN_LABELS = 60  # labels shown at most in a zoomed-out view


def by_importance(scene: Scene) -> list[str]:
    """The scene's nodes, most worth a label first: the focus, nodes on a path (or removed,
    broken), groups (the biggest first), then nodes with the most connections, drawn or hidden."""
    graph = scene.graph

    def rank(node: str) -> tuple:
        data = graph.nodes[node]
        tier = 0 if node == scene.focus else 1 if scene.node_state.get(node) in MARKED else 2
        if tier == 2 and data.get("kind") == "group":
            return (2, -(data.get("members") or 0), node)
        return (tier if tier < 2 else 3, -(graph.degree(node) + scene.hidden.get(node, 0)), node)

    return sorted(graph, key=rank)


MARKED = ("focus", "path", "removed", "broken", "changed", "added", "deleted")


class GraphView(QGraphicsView):
    nodeActivated = Signal(str)  # double-click: focus here  # noqa: N815 (Qt signal style)
    # Separate signals: PySide6 mishandles None's reference count when it goes through a signal.
    nodeClicked = Signal(str)  # noqa: N815
    edgeClicked = Signal(str, str)  # noqa: N815
    badgeClicked = Signal(str)  # the +N / − badge of a node  # noqa: N815
    contextRequested = Signal(str, QPoint)  # noqa: N815
    historyRequested = Signal(int)  # the mouse's back (-1) or forward (1) button  # noqa: N815

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # A map, not a page: drag to pan, wheel to zoom, F to fit. The scene's wide margin (room
        # to pan) would otherwise show scroll bars on every view, fitted or not.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setBackgroundBrush(background_colour(is_dark()))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pressed_at: QPoint | None = None
        self._fitted = False  # fitted and not zoomed or panned since: refit when resized
        self.labelled: list[NodeItem] = []  # candidates for a label when zoomed out, most important first
        self.hovered: str | None = None  # the node the pointer is over: it and its neighbours stand out

    def draw(self, scene: Scene, placed: Layout, dark: bool, expanded: frozenset[str], *,
             keep_view: bool = False) -> dict[str, NodeItem]:  # fmt: skip
        """Replace the picture with ``scene`` placed as ``placed``, fitted (with ``keep_view``,
        at the zoom and centre it had: the picture grew or shrank in place); its node items."""
        canvas_scene = self.scene()
        transform, centre = self.transform(), self.mapToScene(self.viewport().rect().center())
        canvas_scene.blockSignals(True)
        canvas_scene.clear()
        canvas_scene.blockSignals(False)
        nodes: dict[str, NodeItem] = {}
        if placed.guides and placed.centre is not None:
            self.draw_rings(placed.centre, placed.guides, dark)
        for (u, v), path in placed.edges.items():
            canvas_scene.addItem(EdgeItem(u, v, scene.graph.edges[u, v], path, dark,
                                          state=scene.edge_state.get((u, v))))  # fmt: skip
        for node in scene.graph:
            attrs = scene.graph.nodes[node]
            item = NodeItem(node, attrs, kind_style(attrs.get("kind"), dark), dark,
                            focus=node == scene.focus, hidden=scene.hidden.get(node, 0),
                            state=scene.node_state.get(node), expanded=node in expanded)  # fmt: skip
            item.setPos(*placed.positions[node])
            canvas_scene.addItem(item)
            nodes[node] = item
        canvas_scene.setSceneRect(self.scene_rect_with_margin())
        self.hovered = None
        self.labelled = [nodes[n] for n in by_importance(scene)][:LABEL_CANDIDATES]
        if keep_view:
            self.setTransform(transform)
            self.centerOn(centre)
            self.place_labels()
        else:
            self.fit()
        return nodes

    def draw_rings(self, centre: tuple[float, float], guides: tuple[tuple[int, float], ...], dark: bool) -> None:
        """Concentric guides of a ring layout, each with its hop number at the top, under the graph."""
        from PySide6.QtGui import QColor, QFont, QPen
        from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsSimpleTextItem

        colour = QColor("#5f6368" if dark else "#9aa0a6")
        pen = QPen(colour, 1.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)  # a hairline at any zoom
        font = QFont()
        font.setPointSizeF(11)
        font.setBold(True)
        cx, cy = centre
        for hop, radius in guides:
            ring = QGraphicsEllipseItem(cx - radius, cy - radius, 2 * radius, 2 * radius)
            ring.setPen(pen)
            ring.setZValue(-2)
            self.scene().addItem(ring)
            label = QGraphicsSimpleTextItem(f"hop {hop}")
            label.setFont(font)
            label.setBrush(colour)
            label.setZValue(-1)
            box = label.boundingRect()
            label.setPos(cx - box.width() / 2, cy - radius - box.height() - 4)
            self.scene().addItem(label)

    def show_message(self, title: str, body: str) -> None:
        """Clear the picture and put a short message in its place (plain text, never HTML)."""
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QGraphicsSimpleTextItem

        scene = self.scene()
        scene.clear()
        heading = QGraphicsSimpleTextItem(title)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        text = QGraphicsSimpleTextItem(body)
        colour = self.palette().text().color() if not is_dark() else Qt.GlobalColor.white
        for item in (heading, text):
            item.setBrush(colour)
            scene.addItem(item)
        text.setPos(0, heading.boundingRect().height() + 16)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))
        self.resetTransform()
        self.centerOn(scene.sceneRect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        self.zoom_by(1.0015 ** event.angleDelta().y())

    def zoom_by(self, factor: float) -> None:
        self._fitted = False
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)
        self.place_labels()

    def place_labels(self) -> None:
        """Zoomed out past the scale where nodes draw their own names, show the fixed-size labels
        of the most important nodes (see :func:`by_importance`), each where it overlaps none
        shown before it, at most SHOWN_LABELS; zoomed in, none (the nodes' own are drawn)."""
        overview = self.transform().m11() < LABELS_BELOW_SCALE
        taken: list[QRectF] = []
        for item in self.labelled:
            label = item.overview_label()
            if not overview or len(taken) >= SHOWN_LABELS:
                label.hide()
                continue
            centre = self.mapFromScene(item.scenePos())
            box = label.boundingRect().translated(centre.x(), centre.y()).adjusted(-3, -2, 3, 2)
            if any(box.intersects(other) for other in taken):
                label.hide()
                continue
            taken.append(box)
            label.show()

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.2:  # small views: stay readable, do not blow up
            self.resetTransform()
            self.scale(1.2, 1.2)
            self.centerOn(rect.center())
        self._fitted = True
        self.place_labels()

    def readable_around(self, point: QPointF) -> bool:
        """If fitting shrank the view below the scale where labels are drawn at all, zoom to a
        readable scale near ``point`` (the focus) instead; whether it did. F still fits all."""
        if self.transform().m11() >= LABELS_BELOW_SCALE:
            return False
        self.resetTransform()
        self.scale(READABLE_SCALE, READABLE_SCALE)
        # As near the focus as the drawing allows: no empty margin shown where drawing could be.
        drawn = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        half_w = self.viewport().width() / READABLE_SCALE / 2
        half_h = self.viewport().height() / READABLE_SCALE / 2
        x = (
            min(max(point.x(), drawn.left() + half_w), drawn.right() - half_w)
            if 2 * half_w < drawn.width()
            else drawn.center().x()
        )
        y = (
            min(max(point.y(), drawn.top() + half_h), drawn.bottom() - half_h)
            if 2 * half_h < drawn.height()
            else drawn.center().y()
        )
        self.centerOn(QPointF(x, y))
        self._fitted = False  # a resize keeps this zoom rather than shrinking to fit again
        self.place_labels()
        return True

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def _item_at(self, pos: QPoint):
        item = self.itemAt(pos)
        while item is not None and not isinstance(item, NodeItem | EdgeItem):
            item = item.parentItem()
        return item

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() in HISTORY_BUTTONS:
            self.historyRequested.emit(HISTORY_BUTTONS[event.button()])
            return
        self._pressed_at = event.position().toPoint()
        badged = self._badge_at(self.mapToScene(self._pressed_at))
        if badged is not None:
            self._pressed_at = None
            self.badgeClicked.emit(badged.node_id)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            item = self._item_at(event.position().toPoint())
            self.highlight(item.node_id if isinstance(item, NodeItem) else None)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.highlight(None)
        super().leaveEvent(event)

    def highlight(self, node: str | None) -> None:
        """Stand ``node``, its edges and its neighbours out and fade the rest (as Kedro-Viz and
        dbt docs do on hover); None brings everything back."""
        if node == self.hovered:
            return
        self.hovered = node
        items = self.scene().items()
        edges = [i for i in items if isinstance(i, EdgeItem)]
        near = {node} | {e.target if e.source == node else e.source for e in edges if node in (e.source, e.target)}
        for item in items:
            if isinstance(item, NodeItem):
                item.setOpacity(1.0 if node is None or item.node_id in near else FADED)
            elif isinstance(item, EdgeItem):
                item.setOpacity(1.0 if node is None or node in (item.source, item.target) else FADED)

    def fade(self, unmatched: frozenset[str]) -> None:
        """Draw the nodes a view's filter does not match, and their edges, faint (hover still
        stands a node out over it)."""
        for item in self.scene().items():
            if isinstance(item, NodeItem):
                item.dimmed = item.node_id in unmatched
            elif isinstance(item, EdgeItem):
                item.dimmed = item.source in unmatched or item.target in unmatched
            else:
                continue
            item.update()

    def _badge_at(self, where: QPointF) -> NodeItem | None:
        """The node whose "+N" badge (with its margin) is at ``where``: it reaches past the
        node's shape, which is all that itemAt hits."""
        for item in self.scene().items(where, Qt.ItemSelectionMode.IntersectsItemBoundingRect):
            if isinstance(item, NodeItem) and (item.hidden or item.expanded):
                if item.badge_rect().contains(item.mapFromScene(where)):
                    return item
        return None

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        here = event.position().toPoint()
        if pressed is not None and (here - pressed).manhattanLength() > CLICK_SLOP:
            self._fitted = False  # the user panned
        if pressed is None or (here - pressed).manhattanLength() > CLICK_SLOP:
            return
        item = self._item_at(here)
        if isinstance(item, NodeItem):
            self.nodeClicked.emit(item.node_id)
        elif isinstance(item, EdgeItem):
            self.edgeClicked.emit(item.source, item.target)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt override)
        item = self._item_at(event.position().toPoint())
        if isinstance(item, NodeItem):
            self.nodeActivated.emit(item.node_id)
        else:
            super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        item = self._item_at(event.pos())
        if isinstance(item, NodeItem) and not item.node_id.startswith("group:"):
            self.contextRequested.emit(item.node_id, event.globalPos())

    def scene_rect_with_margin(self) -> QRectF:
        return self.scene().itemsBoundingRect().adjusted(-400, -400, 400, 400)
