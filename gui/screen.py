"""Keeping a window inside its screen."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget) -> None:
    """Keep the window inside its screen's free area at any scale (QT_SCALE_FACTOR=2 on a
    1600×1000 screen leaves 800×500 logical pixels), whatever was asked or remembered."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None or QGuiApplication.platformName() in ("offscreen", "minimal"):
        return  # no real screen: keep the asked size (screenshots are 1600×1000 everywhere)
    free = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.size()  # title bar and borders
    width = min(window.width(), free.width() - frame.width())
    height = min(window.height(), free.height() - frame.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(max(width, 320), max(height, 240))
    geometry = window.frameGeometry()
    x = min(max(geometry.x(), free.x()), free.right() - geometry.width() + 1)
    y = min(max(geometry.y(), free.y()), free.bottom() - geometry.height() + 1)
    if (x, y) != (geometry.x(), geometry.y()):
        window.move(max(x, free.x()), max(y, free.y()))
