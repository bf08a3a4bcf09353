"""Offer to refresh when another program (``lineage import``, another explorer) imports into the
open database: a bar above the canvas, never a reload the user did not ask for.

:class:`NewDataWatcher` polls ``PRAGMA data_version`` on a timer: it changes only when another
connection commits, and costs no table read. Only then is the newest import id compared with the
one the window loaded, so tours saved elsewhere do not count as new data.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from lineage.store import DatabaseError, Store, StoreError

POLL_MS = 1000
NEW_DATA_TEXT = "New data was imported into this database."


class NewDataWatcher(QObject):
    """Emits ``newData`` once per import made elsewhere after the window last loaded the graph."""

    newData = Signal()  # noqa: N815 (Qt signal style)

    def __init__(self, store: Callable[[], Store], paused: Callable[[], bool], parent=None):
        super().__init__(parent)
        self.store, self.paused = store, paused
        self.loaded_import = 0
        self.offered_import = 0
        self.version = -1
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def loaded(self, import_id: int) -> None:
        """The window now shows the graph up to ``import_id``."""
        self.loaded_import = self.offered_import = import_id
        self.version = -1  # compare again on the next tick (the store may be another one now)

    def poll(self) -> None:
        if self.paused():  # the window's own import: it reloads when that finishes
            return
        try:
            store = self.store()
            version = store.changed_elsewhere()
            if version == self.version:
                return
            self.version = version
            newest = store.last_import_id()
        except (StoreError, DatabaseError):  # a passing lock or a file being replaced: next time
            return
        if newest != self.loaded_import and newest != self.offered_import:
            self.offered_import = newest
            self.newData.emit()


class RefreshBar(QFrame):
    """The bar "New data was imported … Refresh", with a close button; hidden until offered."""

    refreshRequested = Signal()  # noqa: N815 (Qt signal style)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("refreshBar")
        self.setStyleSheet(
            "#refreshBar { background: #e8f0fe; border-bottom: 1px solid #aecbfa; }"
            "#refreshBar QLabel { color: #174ea6; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel(NEW_DATA_TEXT)
        self.button = QPushButton("Refresh")
        self.button.setToolTip("Reload the graph from the database, keeping the current focus")
        self.button.clicked.connect(self.refreshRequested)
        dismiss = QToolButton()
        dismiss.setText("✕")
        dismiss.setAutoRaise(True)
        dismiss.setToolTip("Not now (the next import offers it again)")
        dismiss.clicked.connect(self.hide)
        layout.addWidget(self.label)
        layout.addStretch(1)
        layout.addWidget(self.button)
        layout.addWidget(dismiss)
        self.hide()
