"""Start the explorer, or render it once to a PNG (``--screenshot`` / ``LINEAGE_SCREENSHOT``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lineage_gui.display import check_display, has_display

SCREENSHOT_TIMEOUT_MS = 120_000


def _quiet_offscreen(mode, context, message: str) -> None:
    """Pass Qt's messages on, except the offscreen platform's harmless size-hint notice."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def close_on_signals(app) -> None:
    """SIGTERM (a session ending, ``kill``) and SIGINT (Ctrl-C in the terminal) close the window
    as the user would: settings saved, the layout process and multiprocessing's resource tracker
    ended. Python runs a signal handler only between bytecodes, and Qt's event loop runs none,
    so the signal's wake-up byte is watched by a socket notifier, which runs Python (and so the
    handler) at once."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier, QTimer

    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: reader.recv(64))

    def close_now() -> None:
        app.closeAllWindows()
        app.quit()

    def close(signum, frame) -> None:
        # The handler may run between any two bytecodes (in the middle of drawing a picture, say):
        # the window closes from the event loop, once that code is done.
        QTimer.singleShot(0, close_now)

    signal.signal(signal.SIGTERM, close)
    signal.signal(signal.SIGINT, close)
    app._signal_ends = (reader, writer, notifier)  # kept alive as long as the application


def run(db_path: str, *, focus: str | None = None, depth: int | None = None, mode: str | None = None,
        screenshot: str | None = None, setup=None) -> int:  # fmt: skip
    """Open the explorer on ``db_path``; with ``screenshot``, save a PNG once laid out and exit.
    With no ``focus``, ``depth`` or ``mode``, the view the database was left in (not for a
    screenshot: the same picture on every machine)."""
    if screenshot and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # render without a screen
    check_display()  # Qt would abort the process with no word of what to install
    from lineage_gui.window import MainWindow
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_quiet_offscreen)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Lineage Explorer")
    app.setOrganizationName("Lineage Explorer")
    # A screenshot is the same picture on every machine: default size, no remembered layout.
    window = MainWindow(db_path, focus=focus, depth=depth, mode=mode, remember=not screenshot)
    if screenshot:
        window.resize(1600, 1000)
    if setup is not None:
        setup(window)
    window.show()
    if not screenshot:
        close_on_signals(app)
        return app.exec()

    outcome = {"code": 1}

    def save() -> None:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        from lineage.atomic import write_atomic

        content = QByteArray()
        buffer = QBuffer(content)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        ok = window.grab().save(buffer, "PNG")
        buffer.close()
        try:
            if ok:  # complete or absent, as every output (lineage/atomic.py)
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(screenshot, bytes(content.data()))
        except OSError as exc:
            print(f"{screenshot}: could not save the screenshot: {exc.strerror or exc}", file=sys.stderr)
            ok = False
        else:
            if not ok:
                print(f"{screenshot}: could not save the screenshot", file=sys.stderr)
        outcome["code"] = 0 if ok else 1
        window.close()
        app.quit()

    def give_up() -> None:
        print("the layout did not finish in time; no screenshot taken", file=sys.stderr)
        window.close()
        app.quit()

    window.viewShown.connect(lambda: QTimer.singleShot(50, save))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
    app.exec()
    return outcome["code"]
