"""The Tour menu: record the view as a step (into the tour asked for once, see
:mod:`lineage_gui.tour_choice`), present the tour, export it as an HTML slide show or a PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow


def build_tour_menu(window: MainWindow, menu: QMenu, action: Callable[..., Any]) -> None:
    """Fill ``menu`` (``action(menu, text, slot, shortcut)`` adds one, as in :mod:`lineage_gui.menus`)."""
    action(menu, "&Record step", lambda: window.tour_recorder.record(), "Ctrl+R")
    action(menu, "Record step &in…", lambda: window.tour_recorder.record(ask=True), "Ctrl+Shift+R")
    action(menu, "&Present", window.present, "F5")
    menu.addSeparator()
    action(menu, "Export &slide show (HTML)…", lambda: window.tour_export.choose("html"))
    action(menu, "Export P&DF…", lambda: window.tour_export.choose("pdf"))
