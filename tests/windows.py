"""Opening the explorer in a test: the window made, handed to qtbot, shown, its first view drawn."""

from __future__ import annotations

from typing import Any


def shown_window(qtbot: Any, db: str, *, size: tuple[int, int] | None = None, timeout: int = 30_000,
                 **options: Any) -> Any:  # fmt: skip
    """A :class:`~lineage_gui.window.MainWindow` on ``db`` (``options`` as it takes them),
    resized to ``size``, shown, once its first view is on the canvas."""
    from lineage_gui.window import MainWindow

    win = MainWindow(db, **options)
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    with qtbot.waitSignal(win.viewShown, timeout=timeout):
        win.show()
    return win


def menu_action(win: Any, text: str) -> Any:
    """The menu bar's action called ``text`` (without its & mnemonic)."""
    from PySide6.QtWidgets import QMenu

    for menu in win.menuBar().findChildren(QMenu):
        for act in menu.actions():
            if act.text().replace("&", "") == text:
                return act
    raise LookupError(text)
