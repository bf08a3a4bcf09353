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

from lineage.graph import load_graph  # noqa: E402
from lineage.store import Store  # noqa: E402
from lineage.views.filters import node_filter  # noqa: E402
from lineage.views.scenes import build_scene  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000


@pytest.fixture
def gate(monkeypatch):
    """The background load waits until the gate is set (the test sets it when it has looked)."""
    opened = threading.Event()
    real = lineage_gui.model.load_whole
    loads = []

    def held(db_path, progress, cancelled, as_of=None):
        loads.append(db_path)
        assert opened.wait(WAIT / 1000)
        return real(db_path, progress, cancelled, as_of)

    monkeypatch.setattr(lineage_gui.model, "load_whole", held)
    opened.loads = loads  # type: ignore[attr-defined]
    yield opened
    opened.set()


@pytest.fixture
def large(qtbot, demo_db, tmp_path, monkeypatch, gate):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, demo_db, depth=1, remember=False, load_at_once=0)
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
    assert large.spec.focus.split("/")[-1] in large.inspector.toPlainText()
    large.new_data.poll()  # nothing was imported since the window opened: no offer to refresh
    assert large.refresh_bar.isHidden()
    assert [c.currentText() for c in large.facets.values()] == ["(any)"] * len(large.facets)


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


def test_progress_is_reported_as_rows_are_read(qtbot, demo_db, tmp_path, monkeypatch, gate):
    import lineage.graph

    monkeypatch.setattr(lineage.graph, "PROGRESS_EVERY", 10)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    seen: list[int] = []
    win = MainWindow(demo_db, depth=1, remember=False, load_at_once=0)
    qtbot.addWidget(win)
    win.model.loadProgress.connect(lambda rows, total: seen.append(rows))  # before the gate lets it read
    with qtbot.waitSignal(win.model.graphChanged, timeout=WAIT):
        win.show()
        gate.set()
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


@pytest.fixture
def wide_db(tmp_path):
    """One feature read by 60 models of three teams: its impact folds the models into a group."""
    models = "\n".join(f"  - {{name: m{i:02}, owner: team_{i % 3}, features: [f]}}" for i in range(60))
    manifest = tmp_path / "wide.yaml"
    manifest.write_text(f"lineage_manifest: 1\nnamespace: w\nfeatures:\n  - name: f\nmodels:\n{models}\n")
    from lineage.ingest import import_paths

    db = tmp_path / "wide.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [manifest]).ok
    return str(db)


def test_a_folded_impact_opens_a_group_on_double_click_and_a_fitted_view_keeps_labels(qtbot, wide_db, tmp_path,
                                                                                       monkeypatch):  # fmt: skip
    from lineage_gui.canvas import SHOWN_LABELS
    from lineage_gui.items import LABELS_BELOW_SCALE, NodeItem

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, wide_db, focus="feature:w/f", remember=False)
    win.state.limit = 10  # 61 nodes fit the default 300: a smaller limit makes the impact fold
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.set_mode("impact")
    groups = {n: i for n, i in win.drawn.nodes.items() if i.attrs.get("kind") == "group"}
    assert [i.attrs["name"] for i in groups.values()] == ["58 models · hop 1"]
    assert len(win.drawn.nodes) == 4  # the focus, two hubs, one group: 60 models, none left out
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.node_activated(next(iter(groups)))  # what a double-click on it does
    names = sorted(i.attrs["name"] for i in win.drawn.nodes.values() if i.attrs.get("kind") == "group")
    assert names == [f"{n} models · hop 1 · team_{t}" for t, n in ((0, 19), (1, 19), (2, 20))]
    assert sum(i.attrs.get("members", 1) for i in win.drawn.nodes.values()) == 61

    # Zoomed out past where nodes draw their names: the important ones keep a label, none overlapping.
    win.canvas.resetTransform()
    win.canvas.scale(LABELS_BELOW_SCALE / 4, LABELS_BELOW_SCALE / 4)
    win.canvas.place_labels()
    shown = [i for i in win.drawn.nodes.values() if isinstance(i, NodeItem) and i.overview_label().isVisible()]
    assert win.drawn.nodes["feature:w/f"] in shown and 0 < len(shown) <= SHOWN_LABELS
    boxes = [i.overview_label().boundingRect().translated(win.canvas.mapFromScene(i.scenePos()).toPointF())
             for i in shown]  # fmt: skip
    assert not any(a.intersects(b) for k, a in enumerate(boxes) for b in boxes[k + 1 :])
    win.canvas.resetTransform()  # zoomed in again: the nodes' own names, no overview labels
    win.canvas.place_labels()
    assert not any(i.overview_label().isVisible() for i in win.drawn.nodes.values())
    win.close()


def test_a_filtered_view_up_and_down_apart_is_the_same_read_from_sql(large, qtbot, demo_db):
    spec = large.spec.replace(focus="model:ads/ctr_model", up=1, down=2, facets=(("kind", "model"),), unmatched="dim")
    with qtbot.waitSignal(large.viewShown, timeout=WAIT):
        large.model.set_spec(spec)
    assert not large.model.ready
    with Store.open(demo_db) as store:
        expected = build_scene(whole(demo_db), spec, only=node_filter(store, spec.facets))
    assert set(large.drawn.nodes) == set(expected.graph) and large.drawn.scene.unmatched == expected.unmatched
    assert expected.unmatched and {n for n, item in large.drawn.nodes.items() if item.dimmed} == expected.unmatched
