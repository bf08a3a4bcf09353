"""A large database: the window shows at once, its first view is read around the focus in SQL,
and the whole graph loads on a worker thread meanwhile, with a progress bar; views that need
the whole graph wait for it (Esc goes back to explore). The demo stands in for a large database
(``load_at_once=0``), and the load is held at a gate so each state can be looked at."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

import lineage_gui.model  # noqa: E402
from lineage_gui.window import MainWindow  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from lineage.demo import build_demo  # noqa: E402
from lineage.graph import load_graph  # noqa: E402
from lineage.store import Store  # noqa: E402
from lineage.views.scenes import build_scene  # noqa: E402

WAIT = 30_000


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "demo.db"
    build_demo(path)
    return str(path)


@pytest.fixture
def gate(monkeypatch):
    """The background load waits until the gate is set (the test sets it when it has looked)."""
    opened = threading.Event()
    real = lineage_gui.model.load_whole
    loads = []

    def held(db_path, progress, cancelled):
        loads.append(db_path)
        assert opened.wait(WAIT / 1000)
        return real(db_path, progress, cancelled)

    monkeypatch.setattr(lineage_gui.model, "load_whole", held)
    opened.loads = loads  # type: ignore[attr-defined]
    yield opened
    opened.set()


@pytest.fixture
def large(qtbot, demo_db, tmp_path, monkeypatch, gate):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = MainWindow(demo_db, depth=1, remember=False, load_at_once=0)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.show()
    yield win
    gate.set()
    win.close()


def whole(db: str):
    with Store.open(db) as store:
        return load_graph(store)


def test_the_first_view_is_drawn_from_sql_before_the_whole_graph_is_in(large, demo_db, gate):
    model = large.model
    assert not model.ready and model.graph.number_of_nodes() == 0 and gate.loads == [demo_db]
    graph = whole(demo_db)
    assert large.counts.text() == f"{graph.number_of_nodes()} nodes · {graph.number_of_edges()} edges"
    assert large.loading_bar.isVisible() and large.loading_bar.maximum() == graph.number_of_nodes() + graph.size()
    # The focus nobody chose: the feature most nodes read (one query), as on any large graph.
    readers = {n: graph.out_degree(n) for n, kind in graph.nodes(data="kind") if kind == "feature"}
    assert large.spec.focus == min(readers, key=lambda n: (-readers[n], n))
    expected = build_scene(graph, large.spec)
    assert set(large.drawn.nodes) == set(expected.graph) and large.drawn.scene.hidden == expected.hidden
    assert "historical_ctr" in large.inspector.toPlainText() or large.spec.focus in large.inspector.toPlainText()


def test_a_view_that_needs_the_whole_graph_waits_for_it_and_esc_goes_back(large, qtbot, gate):
    before = set(large.drawn.nodes)
    large.set_mode("findings")
    assert large.waiting and "Findings waits for the whole graph (0% loaded)" in large.statusBar().currentMessage()
    assert set(large.drawn.nodes) == before  # the picture stays while it waits
    qtbot.keyClick(large, Qt.Key.Key_Escape)
    assert not large.waiting and large.state.mode == "explore"
    large.set_mode("findings")
    with qtbot.waitSignal(large.model.findingsChanged, timeout=WAIT):
        gate.set()
    assert large.model.ready and not large.waiting and not large.loading_bar.isVisible()
    assert large.panel.findings_tree.topLevelItemCount() > 0


def test_focus_and_search_work_before_the_whole_graph_is_in(large, qtbot):
    with qtbot.waitSignal(large.viewShown, timeout=WAIT):
        large.set_focus("model:ads/ctr_model")
    assert large.spec.focus == "model:ads/ctr_model" and "model:ads/ctr_model" in large.drawn.nodes
    large.set_focus("feature:nowhere/none")  # not in the database: nothing happens
    assert large.spec.focus == "model:ads/ctr_model"
    large.search.setText("historical_ctr")
    found = [large.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(large.results.count())]
    assert "feature:ads/historical_ctr" in found


def test_the_view_drawn_once_the_graph_is_in_is_the_same_and_completion_is_filled(large, qtbot, gate, demo_db):
    drawn = set(large.drawn.nodes)
    with qtbot.waitSignal(large.model.graphChanged, timeout=WAIT):
        gate.set()
    assert large.model.ready and large.graph.number_of_nodes() == whole(demo_db).number_of_nodes()
    assert large.search.completer().model().rowCount() > 0
    with qtbot.waitSignal(large.viewShown, timeout=WAIT):
        large.request_scene()
    assert set(large.drawn.nodes) == drawn


def test_progress_is_reported_as_rows_are_read(qtbot, demo_db, tmp_path, monkeypatch):
    import lineage.graph

    monkeypatch.setattr(lineage.graph, "PROGRESS_EVERY", 10)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    seen: list[int] = []
    win = MainWindow(demo_db, depth=1, remember=False, load_at_once=0)
    qtbot.addWidget(win)
    win.model.loadProgress.connect(lambda rows, total: seen.append(rows))
    with qtbot.waitSignal(win.model.graphChanged, timeout=WAIT):
        win.show()
    assert len(seen) >= 3 and seen == sorted(seen) and seen[0] >= 10 and seen[-1] % 10 == 0
    win.close()


def test_opening_another_database_drops_the_load_under_way(qtbot, demo_db, tmp_path, monkeypatch, gate):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    other = tmp_path / "other.db"
    with Store.open(other, create=True) as store:
        from lineage.ingest import import_paths
        from tests.conftest import DATA

        assert import_paths(store, [DATA / "small.yaml"]).ok
    win = MainWindow(demo_db, depth=1, remember=False, load_at_once=0)
    qtbot.addWidget(win)
    win.model.load_at_once = 10**9  # the second database loads at once
    win.switch_database(str(other))
    gate.set()
    assert win.model.loader.wait(WAIT)
    qtbot.wait(50)  # the dropped load's result would arrive through the event loop
    assert win.model.ready and sorted(win.graph) == sorted(whole(str(other)))
    win.close()


def test_the_benchs_explorer_probe_reports_each_moment_of_the_start(demo_db, tmp_path):
    """bench/explorer_timing.py (make bench's explorer figures) on the demo, offscreen."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    probe = Path(__file__).parents[2] / "bench" / "explorer_timing.py"
    shot = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, str(probe), demo_db, "--screenshot", str(shot)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                                      "XDG_CONFIG_HOME": str(tmp_path)})  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.splitlines()[-1])
    assert set(got) == {"window_s", "first_view_s", "loaded_s", "longest_stall_ms", "peak_mb"}
    assert 0 < got["loaded_s"] <= got["window_s"] <= got["first_view_s"]  # a small database loads first
    assert got["longest_stall_ms"] >= 0 and got["peak_mb"] > 50 and shot.stat().st_size > 10_000
