"""Where each database was left: its last view (focus, mode and the mode's inputs, depth or
reach up and down, grouping, filter, the facets narrowing the list), kept in the settings per
database (:mod:`lineage.views.remembered`) and shown again when it is reopened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings

from lineage.views.remembered import left_view_json, read_left_view, settings_key


class LeftViews:
    """The window's remembered views: :meth:`save` the one shown, :meth:`resume` the one kept."""

    def __init__(self, window: Any):
        self.window = window

    def _key(self) -> str:
        return settings_key(self.window.model.db_path) + "/view"

    def save(self) -> None:
        """Keep the view shown now (a window that does not remember keeps nothing)."""
        window = self.window
        if window.remember and window.model.db_path and window.model.spec.focus:
            QSettings().setValue(self._key(), left_view_json(window.model.spec, window.search_panel.listed()))

    def resume(self) -> bool:
        """Show the view the open database was left in; False (nothing changed) where none is
        kept, the record is unreadable, or its focus is gone."""
        window = self.window
        if not window.remember:
            return False
        left = read_left_view(QSettings().value(self._key()))
        if left is None or not window.model.resume(left.view):
            return False
        window.search_panel.show_view(window.model.spec)
        window.search_panel.show_listed(left.listed)
        return True
