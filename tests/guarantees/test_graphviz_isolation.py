"""Graphviz never loads in the explorer's process (lineage/graphviz.py says why: on a real X11
display it crashes Qt). Each check runs in a fresh interpreter, since this test process has
long loaded pygraphviz for the CLI's exports."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("PySide6")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})  # fmt: skip


def test_no_module_of_ours_loads_pygraphviz_when_imported():
    result = run_python("""
        import importlib, pkgutil, sys
        import lineage, lineage_gui, lineage_importers
        for package in (lineage, lineage_gui, lineage_importers):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if info.name not in ("lineage.graphviz", "lineage.__main__"):  # the door to Graphviz; the CLI
                    importlib.import_module(info.name)
                    assert "pygraphviz" not in sys.modules, info.name
        print("imported", len(sys.modules))
    """)
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout


def test_the_explorer_lays_out_and_exports_dot_without_loading_pygraphviz(tmp_path):
    """Every mode drawn through the real layout process, then a DOT and an SVG export."""
    db = str(tmp_path / "demo.db")
    result = run_python(
        f"""
        import sys
        from lineage.demo import build_demo
        build_demo({db!r})
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from lineage_gui.window import MainWindow
        window = MainWindow({db!r}, remember=False)
        shown = []

        def wait_for_view():
            loop = QEventLoop()
            window.viewShown.connect(loop.quit)
            QTimer.singleShot(60_000, loop.quit)
            loop.exec()
            window.viewShown.disconnect(loop.quit)
            shown.append(window.state.mode)

        window.show()
        wait_for_view()
        for mode in ("impact", "simulate", "findings", "diff", "explore"):
            window.set_mode(mode)
            wait_for_view()
        window.export_picture({str(tmp_path / "view.dot")!r})
        window.export_picture({str(tmp_path / "view.svg")!r})
        assert "pygraphviz" not in sys.modules, "pygraphviz was loaded in the explorer's process"
        print("shown", shown)
    """,
        QT_QPA_PLATFORM="offscreen",
    )
    assert result.returncode == 0, result.stderr
    assert "shown" in result.stdout
    assert (tmp_path / "view.dot").read_text().startswith(("digraph", "strict digraph"))
    assert b"<svg" in (tmp_path / "view.svg").read_bytes()
