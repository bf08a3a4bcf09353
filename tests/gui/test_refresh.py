"""The explorer notices imports made elsewhere and offers to refresh; it never reloads by itself."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.windows import shown_window

pytest.importorskip("PySide6")

import lineage_gui.refresh  # noqa: E402
from lineage_gui.items import NodeItem  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from lineage.demo import build_demo  # noqa: E402
from lineage.ingest import import_paths  # noqa: E402
from lineage.store import Store  # noqa: E402

WAIT = 30_000
FOCUS = "feature:ads/historical_ctr"
NEW_MODEL = "model:ads/fresh_ctr_model"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(lineage_gui.refresh, "POLL_MS", 50)
    db = tmp_path / "demo.db"
    build_demo(db)
    win = shown_window(qtbot, str(db), focus=FOCUS, depth=1, remember=False)
    yield win
    win.close()


def import_elsewhere(db: str, folder: Path) -> None:
    """Import, as `lineage import` in another process would: another connection, another thread."""
    manifest = folder / "fresh.yaml"
    manifest.write_text("lineage_manifest: 1\nnamespace: ads\nmodels:\n"
                        "  - name: fresh_ctr_model\n    features: [historical_ctr]\n")  # fmt: skip
    errors = []

    def work() -> None:
        with Store.open(db) as store:
            report = import_paths(store, [manifest])
            if not report.ok:
                errors.append(report.problems)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert not errors


def shown(win) -> set[str]:
    return {i.node_id for i in win.canvas.scene().items() if isinstance(i, NodeItem)}


def test_an_import_elsewhere_is_offered_and_refresh_keeps_the_focus(window, qtbot, tmp_path):
    assert not window.refresh_bar.isVisible()
    import_elsewhere(window.db_path, tmp_path)
    qtbot.waitUntil(window.refresh_bar.isVisible, timeout=WAIT)
    assert NEW_MODEL not in window.graph  # offered, not done behind the user's back
    out = Path(__file__).parents[2] / "out"
    out.mkdir(exist_ok=True)
    assert window.grab().save(str(out / "refresh-offer.png"))  # out/ is ignored by git: look at it
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.mouseClick(window.refresh_bar.button, Qt.MouseButton.LeftButton)
    assert NEW_MODEL in window.graph
    assert window.state.focus == FOCUS
    assert NEW_MODEL in shown(window)  # one hop from the focus
    assert not window.refresh_bar.isVisible()


def test_an_offer_dismissed_stays_away_until_the_next_import(window, qtbot, tmp_path):
    import_elsewhere(window.db_path, tmp_path)
    qtbot.waitUntil(window.refresh_bar.isVisible, timeout=WAIT)
    window.refresh_bar.findChild(lineage_gui.refresh.QToolButton).click()
    window.new_data.poll()
    assert not window.refresh_bar.isVisible()
    (tmp_path / "again").mkdir()
    import_elsewhere(window.db_path, tmp_path / "again")
    qtbot.waitUntil(window.refresh_bar.isVisible, timeout=WAIT)


def test_what_is_not_an_import_elsewhere_is_not_offered(window, qtbot, tmp_path):
    with Store.open(window.db_path) as other:  # a tour saved by another explorer: the graph is the same
        other.save_tour("elsewhere", [{"mode": "explore", "focus": FOCUS}])
    window.new_data.poll()
    assert not window.refresh_bar.isVisible()
    manifest = tmp_path / "own.yaml"
    manifest.write_text("lineage_manifest: 1\nnamespace: ads\nmodels:\n  - name: own_model\n"
                        "    features: [historical_ctr]\n")  # fmt: skip
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        assert window.start_import([str(manifest)])  # the window's own import reloads by itself
    window.new_data.poll()
    assert "model:ads/own_model" in window.graph
    assert not window.refresh_bar.isVisible()
