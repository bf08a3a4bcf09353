"""File ▸ Export impact report…: the focus's impact report (HTML, Markdown, CSV, JSON, or the
bundle of them all), or in Simulate mode the report of the current removals (text or JSON, what
``lineage simulate`` prints). Written by the command line's own code (:mod:`lineage.render.report_files`)
off the UI thread; the status bar names the file written, a failure is a message box naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage_gui.plain import message
from lineage_gui.workers import Background, layout_process
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lineage.render.escape import printable

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow

# (label, format, suffix): the choices of the save dialog, the first the default.
IMPACT_CHOICES = (
    ("HTML report", "html", ".html"),
    ("Markdown", "md", ".md"),
    ("CSV, one row a node", "csv", ".csv"),
    ("JSON", "json", ".json"),
    ("Bundle: every format, SVG and GraphML, zipped", "bundle", ".zip"),
)
SIMULATION_CHOICES = (("Text, as lineage simulate prints it", "text", ".txt"), ("JSON", "json", ".json"))
FORMAT_NAMES = {"html": "HTML", "md": "Markdown", "csv": "CSV", "json": "JSON", "bundle": "bundle", "text": "text",
                "pdf": "PDF"}  # fmt: skip


def dialog_filter(choices: tuple[tuple[str, str, str], ...]) -> str:
    """The save dialog's filter string.

    >>> dialog_filter((("JSON", "json", ".json"), ("Text", "text", ".txt")))
    'JSON (*.json);;Text (*.txt)'
    """
    return ";;".join(f"{label} (*{suffix})" for label, _fmt, suffix in choices)


def chosen_format(path: str, chosen_filter: str, choices: tuple[tuple[str, str, str], ...]) -> tuple[str, str]:
    """The file and format a save dialog's answer means: the name's own suffix when it is one of
    ``choices``, else the filter chosen (its suffix added to the name).

    >>> choices = (("HTML", "html", ".html"), ("Markdown", "md", ".md"))
    >>> chosen_format("/tmp/r.md", "HTML (*.html)", choices)
    ('/tmp/r.md', 'md')
    >>> chosen_format("/tmp/r", "Markdown (*.md)", choices)
    ('/tmp/r.md', 'md')
    """
    by_suffix = {suffix: fmt for _label, fmt, suffix in choices}
    suffix = Path(path).suffix.lower()
    if suffix in by_suffix:
        return path, by_suffix[suffix]
    for label, fmt, ending in choices:
        if chosen_filter == f"{label} (*{ending})":
            return path + ending, fmt
    _label, fmt, ending = choices[0]
    return path + ending, fmt


class FileWriter(QObject):
    """Writes a file off the UI thread and says how it went: the status bar names the file
    written; a failure opens a message box naming it (no traceback)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.jobs = Background(self)
        self.message_box: QMessageBox | None = None

    def write(self, what: str, path: str, job: Callable[[], Any]) -> None:
        status = self.window.statusBar()
        status.showMessage(f"Writing {what} to {printable(path)}…")
        self.jobs.run(job, lambda _: status.showMessage(f"Wrote {what}: {printable(path)}"),
                      failed=lambda exc: self.failed(path, exc))  # fmt: skip

    def failed(self, path: str, exc: Exception) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        text = f"{printable(path)}: cannot write: {printable(why)}"
        self.window.statusBar().showMessage(text)
        box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", message(text), QMessageBox.StandardButton.Ok,
                          self.window)  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()  # not exec(): the explorer carries on

    def wait(self, msecs: int = -1) -> bool:
        return self.jobs.wait(msecs)


def in_layout_process(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """A job that runs ``fn(*args)`` in the layout process (Graphviz never runs in the explorer's
    own process, see :mod:`lineage_gui.workers`) and waits for it on a pool thread."""
    return lambda: layout_process().submit(fn, *args).result()


class ReportExport(FileWriter):
    """File ▸ Export impact report…"""

    def choose(self) -> None:
        from lineage.render.impact_report import slug  # jinja2 and Graphviz: loaded when first used

        window = self.window
        spec = window.spec
        if spec.mode == "simulate" and (spec.removed or spec.removed_edges):
            if not window.model.ready:
                window.statusBar().showMessage("The whole graph is still loading: export the simulation once it is in")
                return
            path, chosen = QFileDialog.getSaveFileName(window, "Export the simulation report", "simulation.txt",
                                                       dialog_filter(SIMULATION_CHOICES))  # fmt: skip
            if path:
                self.export_simulation(*chosen_format(path, chosen, SIMULATION_CHOICES))
            return
        if not spec.focus:
            window.statusBar().showMessage("Focus a node first: the report is of the focus")
            return
        path, chosen = QFileDialog.getSaveFileName(window, "Export the impact report", f"{slug(spec.focus)}.html",
                                                   dialog_filter(IMPACT_CHOICES))  # fmt: skip
        if path:
            self.export_impact(*chosen_format(path, chosen, IMPACT_CHOICES))

    def export_impact(self, path: str, fmt: str, node: str | None = None) -> None:
        """The impact report of ``node`` (default: the focus) in ``fmt`` to ``path``."""

        from lineage.render.report_files import write_impact_report_from

        node = node or self.window.spec.focus
        what = f"the impact report of {node} ({FORMAT_NAMES[fmt]})"
        self.write(what, path, in_layout_process(write_impact_report_from, self.window.db_path, node, fmt, path))

    def export_simulation(self, path: str, fmt: str) -> None:
        """The report of the current removals (on the explorer's graph) in ``fmt`` to ``path``."""

        from lineage.render.report_files import write_simulation_report

        spec, graph = self.window.spec, self.window.graph
        removed, edges = sorted(spec.removed), sorted(spec.removed_edges)
        what = f"the simulation report ({FORMAT_NAMES[fmt]})"
        self.write(what, path, lambda: write_simulation_report(graph, removed, edges, fmt, path))
