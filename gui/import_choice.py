"""File ▸ Import folder…: a folder's lineage files, searched recursively (as ``lineage import
FOLDER`` does); File ▸ Import files… (:meth:`MainWindow.choose_import`) picks files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow


def choose_folder(window: MainWindow) -> bool:
    """Ask for a folder and import it; False when none was chosen (or an import is running)."""
    folder = QFileDialog.getExistingDirectory(window, "Import a folder of lineage files")
    return bool(folder) and window.start_import([folder])
