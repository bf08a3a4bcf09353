"""Import files and folders from the explorer: read on a worker thread, write in one transaction.

:class:`ImportFlow` runs an :class:`~lineage.ingest.ImportSession` on a worker thread (which
opens its own :class:`~lineage.store.Store`: a connection belongs to the thread that opened it)
and never touches a widget from there: progress and results come back to the UI thread as
signals. While files are read, a progress dialog offers Cancel; a cancelled
import writes nothing. A file no importer recognises opens a choice of the format to read it
with (:mod:`lineage_gui.format_choice`), and the import runs again with it. Problems are listed in
a dialog that can import the valid records instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_gui.workers import Background, Cancellation
from PySide6.QtCore import QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lineage.ingest import Cancelled, ImportReport, ImportSession

if TYPE_CHECKING:
    from lineage_gui.format_choice import FormatDialog
from lineage.render.escape import printable
from lineage.store import StoreError

PROGRESS_INTERVAL = 0.05  # seconds between progress updates sent to the UI thread
PROGRESS_STEPS = 1000  # the bar's range: totals may be byte counts beyond a C int
SHOW_AFTER_MS = 300  # quick imports finish without a progress dialog flashing up
PROBLEMS_TITLE = "Nothing was imported"
CANCELLED = "Import cancelled: nothing changed"
IMPORT_VALID = "Import the valid records"


def paths_from_mime(mime_data: QMimeData | None) -> list[str]:
    """The local files and folders a drag carries, in order, without duplicates.

    URLs that are not local files (``http:`` and the like) are ignored; paths that do not exist
    are kept, so the import can say so.
    """
    if mime_data is None or not mime_data.hasUrls():
        return []
    paths: list[str] = []
    for url in mime_data.urls():
        if not url.isLocalFile():
            continue
        local = url.toLocalFile()
        if local:
            path = os.path.normpath(local)
            if path not in paths:
                paths.append(path)
    return paths


def import_note(report: ImportReport) -> str:
    """What an import did, in a line for the status bar: sources written, imports classified
    again, warnings (the first one quoted)."""
    written = [u for u in report.units if u.outcome and not u.outcome.unchanged]
    n = len(report.reclassified)
    again = f"; {n} earlier import{'s' if n != 1 else ''} classified again" if n else ""
    warned = len(report.notices)
    first = printable(str(report.notices[0]))[:200] if warned else ""
    warnings = f"; {warned} warning{'s' if warned != 1 else ''}: {first}" if warned else ""
    return f"Imported {len(written)} of {len(report.units)} sources{again}{warnings}"


@dataclass
class _Outcome:
    kind: str  # "report", "cancelled" or "failed"
    report: ImportReport | None = None
    salvageable: bool = False  # with problems: whether a lenient import would write anything
    message: str = ""


class _Progress(QObject):
    """Progress said on the worker thread, at most every PROGRESS_INTERVAL, heard on the UI thread."""

    progressed = Signal(object, object, str)  # done, total, label

    def __init__(self, control: Cancellation, parent: QObject | None = None):
        super().__init__(parent)
        self.control = control
        self.last = float("-inf")

    def __call__(self, done: int, total: int, label: str) -> None:
        self.control.raise_if_cancelled(Cancelled)
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.progressed.emit(done, total, label)


def _import(db_path: Path, paths: list[str], lenient: bool, control: Cancellation,
            progress: _Progress, formats: dict[str, str]) -> _Outcome:  # fmt: skip
    """The import, on the worker thread; every way it ends is an outcome."""
    try:
        # The session opens the database only to read its rules, and creates it only to write.
        session = ImportSession(db_path, paths, lenient=lenient, formats=formats)
        salvageable = session.plan(progress).writes(lenient=True)
        report = session.commit(cancel=control.begin_final)
        return _Outcome("report", report, salvageable)
    except Cancelled:
        return _Outcome("cancelled")
    except StoreError as exc:
        return _Outcome("failed", message=str(exc))
    except Exception as exc:  # shown to the user, never crashes the UI
        return _Outcome("failed", message=f"The import failed: {type(exc).__name__}: {exc}")


class ImportFlow(QObject):
    """Imports paths into the database at ``db_path``, one import at a time.

    ``finished(report)`` follows a successful import (a lenient one too, with its problems in the
    report; also an import that found nothing to write); ``failed(message)`` an unusable database
    or an unexpected error (also shown in a warning box); ``cancelled()`` a cancelled import
    (Cancel while reading, or Cancel of the format choice). Files no importer recognises open
    :attr:`format_dialog` first; other problems of a strict import open :attr:`problem_dialog` and
    emit none of them.
    """

    finished = Signal(object)  # ImportReport
    failed = Signal(str)
    cancelled = Signal()
    progressed = Signal(object, object, str)  # done, total, label (on the UI thread)

    def __init__(self, parent: QWidget | None, db_path: str | os.PathLike):
        super().__init__(parent)
        self.parent_widget = parent
        self.db_path = str(db_path)
        self.jobs = Background(self)
        self.paths: list[str] = []  # of the last import started
        self.lenient = False
        self.progress_dialog: QProgressDialog | None = None
        self.problem_dialog: QDialog | None = None
        self.format_dialog: FormatDialog | None = None
        self.formats: dict[str, str] = {}  # file to format, chosen for files no importer recognises
        self.message_box: QMessageBox | None = None
        self._control: Cancellation | None = None
        self._title = ""

    # -- public ------------------------------------------------------------------------------

    def start(self, paths: Sequence[str | os.PathLike], *, lenient: bool = False,
              formats: dict[str, str] | None = None) -> bool:  # fmt: skip
        """Start importing ``paths`` (files and folders), the files in ``formats`` read with the
        format named there; False when busy or given nothing."""
        if self.busy() or not paths:
            return False
        self._close_problem_dialog()
        self._close_format_dialog()
        self.paths = [os.fspath(p) for p in paths]
        self.lenient = lenient
        self.formats = dict(formats or {})
        self._control = control = Cancellation()
        count = len(self.paths)
        self._title = f"Importing {count} path{'' if count == 1 else 's'}…"
        self._open_progress_dialog()
        progress = _Progress(control, self)
        progress.progressed.connect(self._progressed)
        paths, chosen = list(self.paths), dict(self.formats)
        self.jobs.run(lambda: _import(Path(self.db_path), paths, lenient, control, progress, chosen),
                      lambda outcome: (progress.deleteLater(), self._done(outcome)))  # fmt: skip
        return True

    def import_valid_records(self) -> bool:
        """Import the last paths again, writing the valid records and skipping the problems."""
        if self.busy() or not self.paths:
            return False
        self._close_problem_dialog()
        return self.start(self.paths, lenient=True, formats=self.formats)

    def busy(self) -> bool:
        return self._control is not None

    def cancel(self) -> bool:
        """Stop the running import; False when none runs or it is already writing."""
        if self._control is None or not self._control.cancel():
            return False
        self._close_progress_dialog()
        return True

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker thread is done (for shutdown and tests)."""
        return self.jobs.wait(msecs)

    # -- progress ----------------------------------------------------------------------------

    def _open_progress_dialog(self) -> None:
        dialog = QProgressDialog(self._title, "Cancel", 0, 0, self.parent_widget)
        dialog.setWindowTitle("Import")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(0)  # starts the timer that shows it if the import takes a while
        self.progress_dialog = dialog

    def _close_progress_dialog(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel)
            dialog.hide()
            dialog.deleteLater()

    def _progressed(self, done: int, total: int, label: str) -> None:
        if self._control is None or self._control.cancelled:
            return
        dialog = self.progress_dialog
        if dialog is not None:
            if total and total > 0:
                dialog.setRange(0, PROGRESS_STEPS)
                dialog.setValue(max(0, min(PROGRESS_STEPS, done * PROGRESS_STEPS // total)))
            else:
                dialog.setRange(0, 0)  # busy indicator
            dialog.setLabelText(f"{self._title}\n{Path(label).name}" if label else self._title)
        self.progressed.emit(done, total, label)

    # -- results -----------------------------------------------------------------------------

    def _done(self, outcome: _Outcome) -> None:
        self._control = None
        self._close_progress_dialog()
        if outcome.kind == "cancelled":
            self.cancelled.emit()
        elif outcome.kind == "failed":
            self._warn(outcome.message)
            self.failed.emit(outcome.message)
        else:
            report = outcome.report
            assert report is not None
            unknown = report.unrecognised() if not report.committed else []
            if unknown:
                self._ask_format(unknown)
            elif report.problems and not report.committed:
                self._show_problems(report, outcome.salvageable)
            else:
                self.finished.emit(report)

    def _warn(self, message: str) -> None:
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "Import failed", message,
                          QMessageBox.StandardButton.Ok, self.parent_widget)  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, box=box: self._forget_message_box(box))
        self.message_box = box
        box.open()  # not exec(): the event loop (and the import) carry on

    def _forget_message_box(self, box: QMessageBox) -> None:
        if self.message_box is box:
            self.message_box = None

    def _show_problems(self, report: ImportReport, salvageable: bool) -> None:
        self._close_problem_dialog()
        count = len(report.problems)
        dialog = QDialog(self.parent_widget)
        dialog.setWindowTitle(PROBLEMS_TITLE)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resize(760, 360)
        plural = "" if count == 1 else "s"
        if salvageable:
            why = f"{count} problem{plural}; nothing was written to the database."
        else:
            why = f"{count} problem{plural}, and no valid records to import; nothing was written."
        summary = QLabel(why, dialog)
        summary.setWordWrap(True)
        listing = QPlainTextEdit(dialog)
        listing.setObjectName("problems")
        listing.setReadOnly(True)
        listing.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        listing.setPlainText("\n".join(str(problem) for problem in report.problems))
        buttons = QDialogButtonBox(dialog)
        valid = QPushButton(IMPORT_VALID, dialog)
        valid.setObjectName("importValid")
        valid.setEnabled(salvageable)
        buttons.addButton(valid, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("close")
        valid.clicked.connect(self.import_valid_records)
        close.clicked.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(summary)
        layout.addWidget(listing)
        layout.addWidget(buttons)
        dialog.finished.connect(lambda _result, dialog=dialog: self._forget_problem_dialog(dialog))
        self.problem_dialog = dialog
        dialog.show()

    def _ask_format(self, files: list[str]) -> None:
        """Nothing was written: ask which format reads ``files``, then import again with it
        (Cancel cancels the import)."""
        from lineage_gui.format_choice import FormatDialog

        dialog = FormatDialog(files, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda result, dialog=dialog: self._format_chosen(dialog, result))
        self.format_dialog = dialog
        dialog.open()  # not exec(): the event loop carries on

    def _format_chosen(self, dialog: FormatDialog, result: int) -> None:
        if self.format_dialog is not dialog:
            return  # closed by a new import
        self.format_dialog = None
        name = dialog.chosen()
        if result != QDialog.DialogCode.Accepted or name is None:
            self.cancelled.emit()
            return
        self.start(self.paths, lenient=self.lenient, formats={**self.formats, **dict.fromkeys(dialog.files, name)})

    def _close_format_dialog(self) -> None:
        dialog, self.format_dialog = self.format_dialog, None
        if dialog is not None:
            dialog.close()

    def _forget_problem_dialog(self, dialog: QDialog) -> None:
        if self.problem_dialog is dialog:
            self.problem_dialog = None

    def _close_problem_dialog(self) -> None:
        dialog, self.problem_dialog = self.problem_dialog, None
        if dialog is not None:
            dialog.close()
