"""Tour ▸ Record step: which tour the step goes into. The first step recorded on a database asks
(its tours, and "New tour…" with a name), so a step never slips into the demo's own tour unseen;
later steps go into the tour chosen without asking, as long as the Tour panel shows it (picking
another tour there is a choice too). Tour ▸ Record step in… asks again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lineage.render.escape import printable
from lineage.words import counted

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow

NEW_TOUR = "New tour…"


def new_tour_name(taken: list[str], base: str = "review") -> str:
    """A name for a new tour that no tour has yet.

    >>> new_tour_name(["debt-patterns"]), new_tour_name(["review", "review 2"])
    ('review', 'review 3')
    """
    if base not in taken:
        return base
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


class TourDialog(QDialog):
    """The tours to record into (``tours``: name to its number of steps) and "New tour…";
    :meth:`chosen` is the tour picked, or the new one's name."""

    def __init__(self, tours: dict[str, int], current: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Record the step in which tour?")
        self.resize(400, 280)
        self.tours = QListWidget(self)
        self.tours.setObjectName("tours")
        for name, steps in tours.items():
            item = QListWidgetItem(f"{printable(name)}  ({counted(steps, 'step')})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.tours.addItem(item)
        new = QListWidgetItem(NEW_TOUR)
        new.setData(Qt.ItemDataRole.UserRole, None)
        self.tours.addItem(new)
        self.name = QLineEdit(new_tour_name(list(tours)), self)
        self.name.setObjectName("name")
        self.name.setPlaceholderText("Name of the new tour")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.tours.currentRowChanged.connect(lambda _row: self._update())
        self.tours.itemDoubleClicked.connect(lambda _item: self.accept() if self.chosen() else None)
        self.name.textChanged.connect(lambda _text: self._update())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The step goes into:", self))
        layout.addWidget(self.tours, 1)
        layout.addWidget(self.name)
        layout.addWidget(self.buttons)
        self.choose(current if current in tours else None)

    def choose(self, name: str | None) -> None:
        """Select the tour ``name`` (None: "New tour…")."""
        for row in range(self.tours.count()):
            if self.tours.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.tours.setCurrentRow(row)
        self._update()

    def is_new(self) -> bool:
        item = self.tours.currentItem()
        return item is not None and item.data(Qt.ItemDataRole.UserRole) is None

    def chosen(self) -> str | None:
        item = self.tours.currentItem()
        if item is None:
            return None
        name = item.data(Qt.ItemDataRole.UserRole)
        return name if name is not None else (self.name.text().strip() or None)

    def _update(self) -> None:
        self.name.setEnabled(self.is_new())
        if self.is_new():
            self.name.setFocus()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)


class TourRecorder(QObject):
    """Records the window's view into the tour asked for (see the module's docstring)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.chosen: str | None = None  # this session's tour, on ``db_path``
        self.db_path = ""
        self.dialog: TourDialog | None = None
        # Picking a tour in the panel is choosing where the steps go.
        window.tour_panel.tours.activated.connect(lambda _i: self._remember(window.tour_panel.tours.currentText()))

    def record(self, *, ask: bool = False) -> None:
        """Record the view: into this session's tour if it is shown, else ask which."""
        panel = self.window.tour_panel
        if self.db_path != self.window.db_path:  # another database: its own tours, asked afresh
            self.chosen, self.db_path = None, self.window.db_path
        if not ask and self.chosen is not None and panel.tours.currentText() == self.chosen:
            self.window.record_step()
            return
        if self.dialog is not None:
            self.dialog.close()
        saved = {t["name"]: t["steps"] for t in self.window.store.tours()}
        names = [panel.tours.itemText(i) for i in range(panel.tours.count())]
        tours = {name: saved.get(name, 0) for name in names} | saved
        tours[panel.tours.currentText()] = len(panel.current_steps()) if panel.tours.currentText() else 0
        tours.pop("", None)
        current = panel.tours.currentText() if ask else self.chosen
        dialog = self.dialog = TourDialog(dict(sorted(tours.items())), current, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda result, d=dialog: self._answered(d, result))
        dialog.open()  # not exec(): the event loop carries on

    def _answered(self, dialog: TourDialog, result: int) -> None:
        if self.dialog is dialog:
            self.dialog = None
        name = dialog.chosen()
        if result != QDialog.DialogCode.Accepted or name is None:
            self.window.statusBar().showMessage("Nothing recorded")
            return
        self.window.tour_panel.show_tour(name)
        self._remember(name)
        self.window.record_step()

    def _remember(self, name: str) -> None:
        self.chosen, self.db_path = (name or None), self.window.db_path
