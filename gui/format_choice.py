"""Which format to read a file with, when no importer recognises it: the explorer's answer to
the command line's ``--format``. A dialog lists the importers as ``lineage formats`` does (name,
what it is, what it reads); the choice reads every unrecognised file of the import."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lineage_gui.plain import tooltip
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lineage.ingest.registry import importers
from lineage.render.escape import printable

TITLE = "Which format is this?"
SHOWN_FILES = 5  # files named in the question; the rest are counted


def question(files: Sequence[str]) -> str:
    """What the dialog asks about ``files``.

    >>> question(["/data/a.txt"])
    'No importer recognises a.txt. Read it as:'
    >>> question([f"f{i}.x" for i in range(7)])
    'No importer recognises 7 files (f0.x, f1.x, f2.x, f3.x, f4.x, …). Read them as:'
    """
    names = [printable(Path(f).name) for f in files]
    if len(names) == 1:
        return f"No importer recognises {names[0]}. Read it as:"
    shown = ", ".join(names[:SHOWN_FILES]) + (", …" if len(names) > SHOWN_FILES else "")
    return f"No importer recognises {len(names)} files ({shown}). Read them as:"


class FormatDialog(QDialog):
    """Lists the installed importers; :meth:`chosen` is the one picked (None until then)."""

    def __init__(self, files: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.files = list(files)
        self.resize(760, 440)
        label = QLabel(question(self.files), self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.formats = QTreeWidget(self)
        self.formats.setObjectName("formats")
        self.formats.setHeaderLabels(["Format", "What it is"])
        self.formats.setRootIsDecorated(False)
        self.reads: dict[str, str] = {}
        for imp in importers():
            item = QTreeWidgetItem([imp.name, imp.description])
            item.setData(0, Qt.ItemDataRole.UserRole, imp.name)
            item.setToolTip(1, tooltip(imp.description))
            self.reads[imp.name] = imp.reads
            self.formats.addTopLevelItem(item)
        self.formats.setColumnWidth(0, 110)
        # What the format picked reads, whole (too long for a column).
        self.detail = QLabel(self)
        self.detail.setObjectName("reads")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.formats.itemDoubleClicked.connect(lambda *_: self.accept())
        self.formats.currentItemChanged.connect(lambda *_: self._enable())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.formats, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        self._enable()

    def names(self) -> list[str]:
        return [self.formats.topLevelItem(i).text(0) for i in range(self.formats.topLevelItemCount())]

    def choose(self, name: str) -> None:
        """Select the format ``name`` (as a click would)."""
        for i in range(self.formats.topLevelItemCount()):
            item = self.formats.topLevelItem(i)
            if item.text(0) == name:
                self.formats.setCurrentItem(item)
                return
        raise KeyError(name)

    def chosen(self) -> str | None:
        item = self.formats.currentItem()
        return None if item is None else str(item.data(0, Qt.ItemDataRole.UserRole))

    def _enable(self) -> None:
        name = self.chosen()
        self.detail.setText(
            f"{name} reads {printable(self.reads[name])}" if name else "Pick the format to read it with."
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)
