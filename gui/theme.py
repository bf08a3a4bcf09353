"""The explorer's theme: the system's palette, or light or dark whatever the system says
(View ▸ Theme), applied to the whole application; the canvas and the hints follow."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

_system: QPalette | None = None  # the palette the application started with

# A dark palette as Qt's Fusion style draws it well: (role, colour) for every group, then the
# disabled group's greyed text.
_DARK = {
    QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#2b2d30",
    QPalette.ColorRole.ToolTipBase: "#3c3f41", QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9a9da1", QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#3c3f41", QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b", QPalette.ColorRole.Link: "#6ea8fe",
    QPalette.ColorRole.Highlight: "#2f65ca", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Light: "#505357", QPalette.ColorRole.Midlight: "#45484c",
    QPalette.ColorRole.Mid: "#35373a", QPalette.ColorRole.Dark: "#1b1c1e", QPalette.ColorRole.Shadow: "#000000",
}  # fmt: skip
_DARK_DISABLED = "#7a7d80"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DARK_DISABLED))
    return palette


def apply_theme(theme: str) -> None:
    """Give the application the palette of ``theme`` (one of :data:`THEMES`)."""
    global _system
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if _system is None:
        _system = QPalette(app.palette())
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(_system)


def hint_colour(dark: bool) -> str:
    """The colour of help text: quieter than the text, and readable on either background."""
    return "#a1a4a8" if dark else "#6b6e72"
