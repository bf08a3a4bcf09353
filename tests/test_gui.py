"""The explorer, driven offscreen with pytest-qt."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui.items import EdgeItem, NodeItem  # noqa: E402
from gui.window import MainWindow, inspector_html  # noqa: E402
from lineage.demo import build_demo  # noqa: E402


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("gui") / "demo.db"
    build_demo(path)
    return str(path)


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # QSettings away from the user's
    win = MainWindow(demo_db, focus="feature:ads/historical_ctr", depth=1)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.view is not None, timeout=20_000)
    return win


def items(win, kind):
    return [i for i in win.canvas.scene().items() if isinstance(i, kind)]


def test_window_shows_the_focus_neighbourhood(window):
    nodes = {i.node_id for i in items(window, NodeItem)}
    assert nodes == {
        "feature:ads/historical_ctr", "dataset:ads/ctr_daily_aggregates", "model:ads/ctr_model",
        "model:mlflow/ctr_model/v1", "model:mlflow/ctr_model/v2",
    }  # fmt: skip
    edges = {(i.source, i.target) for i in items(window, EdgeItem)}
    assert ("feature:ads/historical_ctr", "model:ads/ctr_model") in edges
    focus = next(i for i in items(window, NodeItem) if i.node_id == "model:ads/ctr_model")
    assert focus.hidden > 0  # the model's other features are beyond depth 1
    assert "5 nodes within 1 hops" in window.statusBar().currentMessage()
    assert "historical_ctr" in window.inspector.toPlainText()


def test_depth_and_focus_changes_relayout(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=20_000):
        window.depth.setValue(2)
    assert len(items(window, NodeItem)) > 3
    with qtbot.waitSignal(window.viewShown, timeout=20_000):
        window.set_focus("consumer:ads/ad_server")
    assert window.view.hood.focus == "consumer:ads/ad_server"


def test_search_lists_matches_and_enter_focuses(window, qtbot):
    window.search.setText("font")
    found = [window.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.results.count())]
    assert "feature:ads/font_size" in found
    window.search.setText("font_size")
    with qtbot.waitSignal(window.viewShown, timeout=20_000):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.view.hood.focus == "feature:ads/font_size"


def test_layout_runs_off_the_ui_thread(window, qtbot, monkeypatch):
    import gui.worker

    threads = []
    real = gui.worker.build_view

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(gui.worker, "build_view", spy)
    with qtbot.waitSignal(window.viewShown, timeout=20_000):
        window.relayout()
    assert threads == [False]


def test_inspector_escapes_what_it_shows():
    node = {"id": "feature:<script>", "kind": "feature", "name": "<img src=x onerror=alert(1)>",
            "namespace": "", "status": "active", "tags": ["<marquee>"],
            "attributes": {"a": "<iframe>"}}
    page = inspector_html(node, [], [], [{"file": "<f>", "line": 1, "importer": "m", "import_id": 1}])
    for raw in ("<img", "<script>", "<marquee>", "<iframe>", "<f>"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_screenshot_command_renders_a_png(demo_db, tmp_path):
    shot = tmp_path / "shot.png"
    env = {**os.environ, "LINEAGE_SCREENSHOT": str(shot), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "lineage", "--db", demo_db, "gui", "--focus", "font_size"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
