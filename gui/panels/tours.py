"""The tour panel: record the current view as a step, reorder, edit notes, delete, save, and
present a tour full screen (arrow keys move, Escape ends)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lineage.views.tours import Step


class TourPanel(QWidget):
    stepChosen = Signal(object)  # a Step to show  # noqa: N815 (Qt signal style)
    recordRequested = Signal()  # noqa: N815
    presentRequested = Signal()  # noqa: N815

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.tours = QComboBox()
        self.tours.currentTextChanged.connect(self._tour_changed)
        new = QPushButton("New…")
        new.clicked.connect(self._new_tour)
        row.addWidget(self.tours, 1)
        row.addWidget(new)
        layout.addLayout(row)
        self.steps = QListWidget()
        self.steps.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)  # reorder by dragging
        self.steps.currentRowChanged.connect(self._step_changed)
        self.steps.model().rowsMoved.connect(lambda *_: self._dirty())
        layout.addWidget(self.steps, 1)
        buttons = QHBoxLayout()
        self.record = QPushButton("Record view")
        self.record.clicked.connect(self.recordRequested.emit)
        up, down, delete = QPushButton("↑"), QPushButton("↓"), QPushButton("Delete")
        up.clicked.connect(lambda: self.move(-1))
        down.clicked.connect(lambda: self.move(1))
        delete.clicked.connect(self.delete_step)
        for b in (self.record, up, down, delete):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Note (Markdown):"))
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(110)
        self.note.textChanged.connect(self._note_changed)
        layout.addWidget(self.note)
        bottom = QHBoxLayout()
        self.save = QPushButton("Save tour")
        present = QPushButton("Present")
        present.clicked.connect(self.presentRequested.emit)
        bottom.addWidget(self.save)
        bottom.addWidget(present)
        layout.addLayout(bottom)
        self.store = None
        self.changed = False

    # -- data ------------------------------------------------------------------------------

    def attach(self, store) -> None:
        self.store = store
        self.save.clicked.connect(self.save_tour)
        self.reload()

    def reload(self) -> None:
        names = [t["name"] for t in self.store.tours()]
        current = self.tours.currentText()
        self.tours.blockSignals(True)
        self.tours.clear()
        self.tours.addItems(names)
        self.tours.blockSignals(False)
        if current in names:
            self.tours.setCurrentText(current)
        self._tour_changed(self.tours.currentText())

    def current_steps(self) -> list[Step]:
        return [self.steps.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.steps.count())]

    def _tour_changed(self, name: str) -> None:
        self.steps.clear()
        tour = self.store.tour(name) if self.store is not None and name else None
        for raw in (tour or {}).get("steps", []):
            self._add_item(Step.from_json(raw))
        self.changed = False

    def _add_item(self, step: Step) -> None:
        item = QListWidgetItem(step.title or f"{step.mode}: {step.focus}")
        item.setData(Qt.ItemDataRole.UserRole, step)
        self.steps.addItem(item)

    def _new_tour(self) -> None:
        name, ok = QInputDialog.getText(self, "New tour", "Name of the tour:")
        if ok and name.strip():
            self.tours.addItem(name.strip())
            self.tours.setCurrentText(name.strip())

    def show_tour(self, name: str) -> None:
        """Show the tour ``name`` (a new one if there is none by that name yet)."""
        if self.tours.findText(name, Qt.MatchFlag.MatchExactly) < 0:
            self.tours.addItem(name)
        self.tours.setCurrentText(name)

    def add_step(self, step: Step) -> None:
        if not self.tours.currentText():
            self.tours.addItem("review")
            self.tours.setCurrentText("review")
        self._add_item(step)
        self.steps.setCurrentRow(self.steps.count() - 1)
        self._dirty()

    def move(self, offset: int) -> None:
        row = self.steps.currentRow()
        target = row + offset
        if row < 0 or not 0 <= target < self.steps.count():
            return
        item = self.steps.takeItem(row)
        self.steps.insertItem(target, item)
        self.steps.setCurrentRow(target)
        self._dirty()

    def delete_step(self) -> None:
        row = self.steps.currentRow()
        if row >= 0:
            self.steps.takeItem(row)
            self._dirty()

    def save_tour(self) -> None:
        name = self.tours.currentText()
        if name and self.store is not None:
            self.store.save_tour(name, [s.to_json() for s in self.current_steps()])
            self.changed = False

    def _dirty(self) -> None:
        self.changed = True

    def _step_changed(self, row: int) -> None:
        if row < 0:
            return
        step = self.steps.item(row).data(Qt.ItemDataRole.UserRole)
        self.note.blockSignals(True)
        self.note.setPlainText(step.note)
        self.note.blockSignals(False)
        self.stepChosen.emit(step)

    def _note_changed(self) -> None:
        row = self.steps.currentRow()
        if row >= 0:
            self.steps.item(row).data(Qt.ItemDataRole.UserRole).note = self.note.toPlainText()
            self._dirty()


class NotesView(QTextBrowser):
    """A step's note beside the graph while presenting (Markdown, raw HTML not rendered)."""

    def show_step(self, number: int, total: int, step: Step) -> None:
        self.document().setMarkdown(
            f"**{number} / {total}**\n\n# {step.title}\n\n{step.note}",
            QTextDocument.MarkdownFeature.MarkdownNoHTML,
        )
