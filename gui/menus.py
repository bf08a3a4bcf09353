"""The explorer's menus and its mode toolbar: each action calls the window or its model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lineage_gui.import_choice import choose_folder
from lineage_gui.theme import THEMES
from lineage_gui.tour_menu import build_tour_menu
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QStyle

from lineage.views.spec import MODES

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow

MODE_KEYS = {mode: f"Ctrl+{i}" for i, mode in enumerate(MODES, start=1)}


def build_menus(window: MainWindow) -> None:
    """Fill the window's menu bar and toolbar; sets ``recent_menu``, ``back_action``,
    ``forward_action``, ``freeze_action``, ``group_actions``, ``theme_actions``,
    ``legend_action``, ``overview_action``, ``mode_actions`` and ``mode_action`` on it."""

    def action(menu, text, slot, shortcut=None, checkable=False):
        act = QAction(text, window)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    action(file_menu, "&Open database…", window.choose_database, QKeySequence.StandardKey.Open)
    window.recent_menu = file_menu.addMenu("Open &recent")
    action(file_menu, "&Import files…", window.choose_import, "Ctrl+I")
    action(file_menu, "Import &folder…", lambda: choose_folder(window), "Ctrl+Shift+I")
    action(file_menu, "&Export picture…", window.choose_export, "Ctrl+E")
    action(file_menu, "Export impact &report…", window.reports.choose, "Ctrl+Shift+E")
    file_menu.addSeparator()
    action(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    edit_menu = bar.addMenu("&Edit")
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    edit_menu.addActions([undo, redo])
    action(edit_menu, "&Find…", window.search.setFocus, QKeySequence.StandardKey.Find)
    action(edit_menu, "Remove selected (simulate)", window.remove_selected, QKeySequence.StandardKey.Delete)
    view_menu = bar.addMenu("&View")
    window.back_action = action(view_menu, "&Back", window.model.go_back, QKeySequence.StandardKey.Back)
    window.forward_action = action(view_menu, "For&ward", window.model.go_forward, QKeySequence.StandardKey.Forward)
    style = window.style()
    window.back_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
    window.forward_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
    for act in (window.back_action, window.forward_action):
        act.setEnabled(False)
    view_menu.addSeparator()
    action(view_menu, "&Fit to view", window.canvas.fit, "F")
    action(view_menu, "Zoom &in", lambda: window.canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
    action(view_menu, "Zoom &out", lambda: window.canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
    action(view_menu, "&Re-layout", window.relayout, "Ctrl+L")
    action(view_menu, "&As of…", window.as_of.toggle, "Ctrl+T")
    window.freeze_action = action(view_menu, "&Freeze layout", window.toggle_freeze, "Ctrl+Shift+L", True)
    group_menu = view_menu.addMenu("&Group by")
    window.group_actions = QActionGroup(window)
    for label, key in (("Nothing", None), ("Team", "team"), ("Owner", "owner"), ("Namespace", "namespace")):
        act = action(group_menu, label, lambda _=False, k=key: window.model.set_group(k), checkable=True)
        act.setChecked(key is None)
        act.setData(key)
        window.group_actions.addAction(act)
    panels = view_menu.addMenu("&Panels")
    for dock in (window.search_dock, window.inspector_dock, window.mode_dock, window.tour_dock):
        panels.addAction(dock.toggleViewAction())
    theme_menu = view_menu.addMenu("&Theme")
    themes = QActionGroup(window)
    window.theme_actions = {}
    for theme in THEMES:
        act = action(theme_menu, theme.capitalize(), lambda _=False, t=theme: window.set_theme(t), checkable=True)
        themes.addAction(act)
        window.theme_actions[theme] = act
    view_menu.addSeparator()
    overlays = window.overlays
    window.legend_action = action(view_menu, "&Legend", overlays.set_legend, "Ctrl+Shift+K", True)
    window.legend_action.setChecked(overlays.legend.wanted)
    window.overview_action = action(view_menu, "&Overview", overlays.set_overview, "Ctrl+Shift+M", True)
    window.overview_action.setChecked(overlays.overview.wanted)
    tools = bar.addMenu("&Tools")
    toolbar = window.addToolBar("Modes")
    toolbar.setObjectName("modes")
    toolbar.addActions([window.back_action, window.forward_action])
    toolbar.addSeparator()
    window.mode_actions = QActionGroup(window)
    window.mode_action: dict[str, QAction] = {}
    for mode in MODES:
        act = action(tools, mode.capitalize(), lambda _=False, m=mode: window.set_mode(m),
                     MODE_KEYS[mode], True)  # fmt: skip
        window.mode_actions.addAction(act)
        window.mode_action[mode] = act
        toolbar.addAction(act)
    toolbar.addSeparator()
    toolbar.addAction(window.freeze_action)
    build_tour_menu(window, bar.addMenu("T&our"), action)
    help_menu = bar.addMenu("&Help")
    action(help_menu, "&About", window.about)
