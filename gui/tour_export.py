"""Tour ▸ Export slide show… and Export PDF…: the tour the Tour panel shows, as it is there
(saved or not), written by ``lineage tour export``'s own code (:func:`lineage.render.tours.write_tour`)
in the layout process, where Graphviz may run."""

from __future__ import annotations

from lineage_gui.report_export import FileWriter, in_layout_process
from PySide6.QtWidgets import QFileDialog

CHOICES = {"html": ("Export the tour as a slide show", "HTML slide show (*.html)"),
           "pdf": ("Export the tour as a PDF", "PDF, a page a step (*.pdf)")}  # fmt: skip


class TourExport(FileWriter):
    def choose(self, fmt: str) -> None:
        """Ask where, then export the current tour as ``fmt`` ("html" or "pdf")."""
        from lineage.render.tours import tour_filename  # Graphviz, jinja2: loaded when first used

        panel = self.window.tour_panel
        name = panel.tours.currentText()
        if not panel.current_steps():
            self.window.statusBar().showMessage("The tour has no steps: record one first (Tour ▸ Record step)")
            return
        title, wanted = CHOICES[fmt]
        path, _ = QFileDialog.getSaveFileName(self.window, title, tour_filename(name, fmt), wanted)
        if path:
            self.export(path if path.lower().endswith(f".{fmt}") else f"{path}.{fmt}", fmt)

    def export(self, path: str, fmt: str) -> None:
        from lineage.render.tours import write_tour

        panel = self.window.tour_panel
        name, steps = panel.tours.currentText(), panel.current_steps()
        saved = self.window.store.tour(name)
        description = saved["description"] if saved else ""
        what = f"the tour {name} ({'slide show' if fmt == 'html' else 'PDF'}, {len(steps)} steps)"
        self.write(what, path, in_layout_process(write_tour, self.window.db_path, name, description, steps, fmt, path))
