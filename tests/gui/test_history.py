"""History in the explorer (issue 21, item 6): Diff lists every generation, newest first, and
starts from the one before the newest; its summary says which import brought what; the as-of
view shows the graph as it was, every mode, on a small database and a large one."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import threading  # noqa: E402

import lineage_gui.model  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from lineage.store import Store  # noqa: E402
from lineage.when import after_import  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
LATER = "feature:ads/historical_ctr"  # brought by the demo's current snapshot (2026-03-01), not the first import


@pytest.fixture
def gate(monkeypatch):
    """Loads off the UI thread wait until the gate is set (as in test_large_database)."""
    opened = threading.Event()
    real = lineage_gui.model.load_whole

    def held(db_path, progress, cancelled, as_of=None):
        assert opened.wait(WAIT / 1000)
        return real(db_path, progress, cancelled, as_of)

    monkeypatch.setattr(lineage_gui.model, "load_whole", held)
    yield opened
    opened.set()


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return shown_window(qtbot, demo_db, focus=LATER, depth=1, remember=False)


def history(db: str) -> list[dict]:
    with Store.open(db) as store:
        return store.generations()


def test_diff_lists_every_generation_newest_first_and_starts_from_the_previous(window, qtbot, demo_db):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("diff")
    imports = history(demo_db)
    assert len(imports) == 13  # the demo's imports; 12 of them share one valid_at
    combo = window.panel.generations
    moments = [combo.itemData(i) for i in range(combo.count())]
    newest_first = [after_import(g["valid_at"], g["id"]) for g in reversed(imports)]
    assert moments == [*newest_first, "0000"]  # and the empty graph before the first import
    assert "ctr_model.yaml" in combo.itemText(0) and "(10 nodes, 9 edges)" in combo.itemText(0)
    assert combo.currentIndex() == 1 and window.spec.since == newest_first[1]
    summary = window.panel.summaries["diff"].text()
    assert "added with ctr_model.yaml at 2026-03-01 00:00: 1 node" in summary.splitlines()
    assert window.drawn.scene.title.startswith("changes since 2026-03-01 00:00  config  global_flags.toml")


def test_a_diff_from_before_every_import_says_which_import_added_what(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("diff")
    combo = window.panel.generations
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        combo.activated.emit(combo.count() - 1)
    lines = window.panel.summaries["diff"].text().splitlines()
    assert lines[0] == f"nodes: +{window.store.counts()['nodes']} -0 ~0"  # every node of the demo
    assert "(nothing before: the first import is dated 2025-09-01 00:00)" in lines
    assert "added with serving.yaml at 2025-09-01 00:00: 11 nodes" in lines
    # 30 signals and the aggregate's ctr column its CTR features are made of (named there first)
    assert "added with ads-signals.yaml at 2026-03-01 00:00: 31 nodes" in lines


def test_as_of_shows_the_graph_as_it_was_and_comes_back_to_now(window, qtbot, demo_db):
    assert LATER in window.graph and "as of" not in window.windowTitle()
    qtbot.keyClick(window, "T", modifier=Qt.KeyboardModifier.ControlModifier)  # View ▸ As of…
    bar = window.as_of.bar
    assert bar.isVisible() and bar.slider.maximum() == 12 and bar.slider.value() == 12
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        bar.slider.setValue(0)  # just after the first import
    assert LATER not in window.graph and window.graph.number_of_nodes() == 12
    assert window.windowTitle().endswith("as of 2025-09-01 00:00")
    assert window.as_of.badge.isVisible() and "as of 2025-09-01 00:00" in window.as_of.badge.text()
    assert window.spec.focus in window.graph  # the focus moved: LATER was not there yet
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    assert set(window.drawn.nodes) <= set(window.graph)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.as_of.badge.click()
    assert LATER in window.graph and window.graph.number_of_nodes() == window.store.counts()["nodes"]
    assert not window.as_of.badge.isVisible() and "as of" not in window.windowTitle()


def test_as_of_a_date_and_a_diff_up_to_it(window, qtbot):
    window.as_of.toggle()
    bar = window.as_of.bar
    bar.date.setText("not a date")
    bar.date.returnPressed.emit()
    assert "not a date or time" in window.statusBar().currentMessage() and window.model.as_of is None
    bar.date.setText("2025-12-31")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        bar.date.returnPressed.emit()
    assert window.graph.number_of_nodes() == 12 and bar.slider.value() == 0
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("diff")
    combo = window.panel.generations
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        combo.activated.emit(combo.count() - 1)  # from nothing to the graph shown, not to now
    assert window.panel.summaries["diff"].text().splitlines()[0] == "nodes: +12 -0 ~0"


def test_as_of_on_a_large_database_waits_for_that_graph_and_says_so(qtbot, demo_db, tmp_path, monkeypatch, gate):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    gate.set()  # the first load goes through
    win = shown_window(qtbot, demo_db, depth=1, remember=False, load_at_once=0)
    qtbot.waitUntil(lambda: win.model.ready, timeout=WAIT)
    gate.clear()
    win.as_of.toggle()
    win.as_of.bar.slider.setValue(0)
    assert win.waiting and "waits for the graph as of 2025-09-01 00:00" in win.statusBar().currentMessage()
    assert 'The "Past: as of" badge goes back to now.' in win.statusBar().currentMessage()
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        gate.set()
    assert win.graph.number_of_nodes() == 12 and win.model.loaded_as_of == win.model.as_of
    win.close()
