"""The status bar: a long message is cut with "…" short of the counts on the right (Qt's own
runs it up to them, cut mid-word), and shows whole in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStatusBar, QWidget

GAP = 16  # pixels kept between the message and the first widget on the right


class StatusLine(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._right: list[QWidget] = []
        self.messageChanged.connect(self.setToolTip)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 (Qt override)
        self._right.append(widget)
        super().addPermanentWidget(widget, stretch)

    def message_rect(self) -> QRect:
        """Where the message is drawn: from the left to ``GAP`` short of the widgets shown on the right."""
        shown = [w.geometry().left() for w in self._right if w.isVisible()]
        right = (min(shown) if shown else self.width()) - GAP
        return QRect(6, 0, max(0, right - 6), self.height())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        message = self.currentMessage()
        if not message:
            super().paintEvent(event)
            return
        # Qt would draw the message itself: drawn here instead, cut to fit, on the same background.
        painter = QPainter(self)
        rect = self.message_rect()
        painter.setPen(self.palette().windowText().color())
        shown = self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
