"""The explorer's start on one database, as a user meets it (run by bench.py in a process of its
own): seconds to the window shown, to the first drawn view and to the whole graph loaded, the
longest the event loop was kept from running (a 10 ms watchdog timer: the gap between two of
its ticks, less the interval), and the process's peak memory. Prints one JSON object.

    python bench/explorer_timing.py DB [--screenshot PNG]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

START = time.perf_counter()
TICK_MS = 10
SETTLE_S = 1.0  # the watchdog keeps watching this long after the last of the three events


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--screenshot")
    parser.add_argument("--verbose", action="store_true", help="print each stall over 50 ms as it ends")
    args = parser.parse_args()

    from lineage_gui.display import check_display

    check_display()
    from lineage_gui.window import MainWindow
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    out: dict = {}
    window = MainWindow(args.db, remember=False)
    window.resize(1600, 1000)
    clock, last = QElapsedTimer(), [0]
    stalls: list[float] = []

    def tick() -> None:
        now = clock.elapsed()
        stalls.append(max(0, now - last[0] - TICK_MS))
        if stalls[-1] > 50 and "--verbose" in sys.argv:
            print(f"stall {stalls[-1]} ms ending at {time.perf_counter() - START:.2f} s", file=sys.stderr)
        last[0] = now

    def seen(key: str) -> None:
        out.setdefault(key, time.perf_counter() - START)
        if {"first_view_s", "loaded_s"} <= out.keys():
            QTimer.singleShot(int(SETTLE_S * 1000), finish)

    def finish() -> None:
        if args.screenshot:
            window.grab().save(args.screenshot)
        window.close()
        app.quit()

    window.viewShown.connect(lambda: seen("first_view_s"))
    window.model.graphChanged.connect(lambda: seen("loaded_s"))
    if getattr(window.model, "ready", True):  # a small database (or a revision before issue 20): loaded already
        out["loaded_s"] = time.perf_counter() - START
    watchdog = QTimer()
    watchdog.setInterval(TICK_MS)
    watchdog.timeout.connect(tick)
    window.show()
    QTimer.singleShot(0, lambda: out.setdefault("window_s", time.perf_counter() - START))  # once painted
    clock.start()
    watchdog.start()
    QTimer.singleShot(1_800_000, finish)
    app.exec()
    out["longest_stall_ms"] = max(stalls, default=0.0)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
