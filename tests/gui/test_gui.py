"""The explorer, driven offscreen with pytest-qt: every mode, search, facets, undo, import."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from lineage_gui.inspector import inspector_html  # noqa: E402
from lineage_gui.items import EdgeItem, NodeItem  # noqa: E402
from lineage_gui.window import MainWindow  # noqa: E402
from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl  # noqa: E402

from lineage.analyses import FINDING_KINDS  # noqa: E402
from lineage.ingest import import_paths  # noqa: E402
from lineage.store import Store  # noqa: E402
from tests.conftest import DATA  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # QSettings away from the user's
    win = shown_window(qtbot, demo_db, focus="feature:ads/historical_ctr", depth=1, remember=False)
    return win


def window_on_a_copy(qtbot, demo_db, tmp_path, monkeypatch) -> MainWindow:
    """A shown window on a copy of the demo (tests that write leave the shared one as it is)."""
    import shutil

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    window = shown_window(qtbot, str(copy), focus="feature:ads/historical_ctr", depth=1, remember=False)
    return window


def shown(win, kind=NodeItem):
    return [i for i in win.canvas.scene().items() if isinstance(i, kind)]


def states(win):
    return {i.node_id: i.state for i in shown(win)}


def test_explore_shows_the_focus_neighbourhood_and_expands_a_badge(window, qtbot):
    nodes = {i.node_id for i in shown(window)}
    assert nodes == {  # historical_ctr is made of the aggregate's ctr column (ads-signals.yaml)
        "feature:ads/historical_ctr", "field:ads/ctr_daily_aggregates#ctr", "model:ads/ctr_model",
        "model:mlflow/ctr_model/v1", "model:mlflow/ctr_model/v2",
    }  # fmt: skip
    model = next(i for i in shown(window) if i.node_id == "model:ads/ctr_model")
    assert model.hidden > 0
    where = {i.node_id: (i.pos().x(), i.pos().y()) for i in shown(window)}
    window.canvas.zoom_by(1.7)  # the user's zoom and centre
    view = (window.canvas.transform().m11(), window.canvas.mapToScene(window.canvas.viewport().rect().center()))
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.badgeClicked.emit("model:ads/ctr_model")
    assert len(shown(window)) > len(nodes)
    assert next(i for i in shown(window) if i.node_id == "model:ads/ctr_model").expanded
    # Grown in place: every node that stays is where it was, the zoom and the centre too, and
    # the new nodes found room of their own.
    assert {n: (i.pos().x(), i.pos().y()) for i in shown(window) if (n := i.node_id) in where} == where
    boxes = [i.mapRectToScene(i.rect) for i in shown(window)]
    assert not any(a.intersects(b) for k, a in enumerate(boxes) for b in boxes[k + 1 :])
    assert window.canvas.transform().m11() == pytest.approx(view[0])
    centre = window.canvas.mapToScene(window.canvas.viewport().rect().center())
    assert abs(centre.x() - view[1].x()) < 2 and abs(centre.y() - view[1].y()) < 2
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.badgeClicked.emit("model:ads/ctr_model")  # fold it again
    assert {i.node_id for i in shown(window)} == nodes
    assert "5 nodes" in window.statusBar().currentMessage()
    assert {i.node_id: (i.pos().x(), i.pos().y()) for i in shown(window)} == where
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.relayout()  # Ctrl+L: afresh, fitted
    assert window.canvas.transform().m11() != pytest.approx(view[0])


def test_depth_focus_and_keyboard_mode_switch(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.depth_box.setValue(2)
    assert len(shown(window)) > 5
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.nodeActivated.emit("consumer:ads/ad_server")
    assert window.state.focus == "consumer:ads/ad_server"
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.state.mode == "impact"


def test_trace_mode_highlights_every_path(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("trace")
    window.panel.trace_from.setText("query_terms")
    window.panel.trace_to.setText("ad_server")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window.panel.trace_to, Qt.Key.Key_Return)
    found = states(window)
    assert found["feature:ads/query_terms"] == "focus" and found["consumer:ads/ad_server"] == "focus"
    assert found["model:ads/ctr_model"] == "path"
    assert any(e.state == "path" for e in shown(window, EdgeItem))
    assert "paths" in window.panel.summaries["trace"].text()


def test_impact_mode_rings_and_counts(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    found = states(window)
    assert found["feature:ads/historical_ctr"] == "focus"
    assert found["model:ads/ctr_model"] == "hop1"
    assert "downstream:" in window.panel.summaries["impact"].text()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.panel.upstream.setChecked(True)
    assert "upstream:" in window.panel.summaries["impact"].text()


CTR_COLUMN = "field:ads/ctr_daily_aggregates#ctr"


def test_simulate_mode_with_undo_and_redo(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("simulate")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.nodeClicked.emit(CTR_COLUMN)  # the column historical_ctr is made of
    found = states(window)
    assert found[CTR_COLUMN] == "removed"
    assert found["feature:ads/historical_ctr"] == "broken"
    assert found["model:ads/ctr_model"] == "degraded"
    assert window.panel.removed_list.count() == 1
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.removed == frozenset()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.undo_stack.redo()
    assert window.state.removed == {CTR_COLUMN}
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.edgeClicked.emit("feature:ads/font_size", "model:ads/ctr_model")
    assert ("feature:ads/font_size", "model:ads/ctr_model") in window.state.removed_edges


@pytest.fixture
def layout_jobs(monkeypatch) -> list:
    """The layout jobs run from now on (one a picture)."""
    from lineage_gui import workers as worker

    laid_out = []

    class Counted(worker._Job):
        def run(self) -> None:
            laid_out.append(self.ticket)
            super().run()

    monkeypatch.setattr(worker, "_Job", Counted)
    return laid_out


def test_removing_from_the_context_menu_lays_out_one_picture(window, qtbot, layout_jobs):
    laid_out = layout_jobs
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.remove_in_simulation("dataset:ads/ctr_daily_aggregates")
    window.runner.wait()
    assert window.state.mode == "simulate"
    assert window.state.removed == {"dataset:ads/ctr_daily_aggregates"}
    assert states(window)["dataset:ads/ctr_daily_aggregates"] == "removed"
    assert len(laid_out) == 1, f"{len(laid_out)} layouts for one click"


def test_impact_from_the_context_menu_lays_out_one_picture(window, qtbot, layout_jobs):
    laid_out = layout_jobs
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.impact_of("dataset:ads/ctr_daily_aggregates")
    window.runner.wait()
    assert (window.state.mode, window.state.focus) == ("impact", "dataset:ads/ctr_daily_aggregates")
    assert len(laid_out) == 1, f"{len(laid_out)} layouts for one click"


def test_every_finding_kind_is_reachable_from_the_findings_panel(window, qtbot):
    window.set_mode("findings")
    qtbot.waitUntil(lambda: window.findings is not None, timeout=WAIT)
    tree = window.panel.findings_tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == len(FINDING_KINDS), timeout=WAIT)
    for index, kind in enumerate(FINDING_KINDS):
        top = tree.topLevelItem(index)
        # The demo shows every kind but changed_feature_columns, which needs a history of column types.
        assert (top.childCount() > 0) == (kind != "changed_feature_columns"), top.text(0)
    loops = tree.topLevelItem(0)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        tree.itemClicked.emit(loops.child(0), 0)
    assert window.state.finding.kind == "feedback_loops"
    assert any(e.state == "hidden" for e in shown(window, EdgeItem))


def test_diff_mode_since_a_generation(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("diff")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.diff_since("2026-03-01T00:00:00.000000Z")
    assert set(states(window).values()) >= {"added"}
    assert "nodes: +" in window.panel.summaries["diff"].text()


def test_search_facets_and_enter(window, qtbot):
    window.search.setText("font")
    found = [window.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.results.count())]
    assert "feature:ads/font_size" in found
    window.search.setText("")
    window.facets["kind"].setCurrentText("flag")
    window.facets["owner"].setCurrentText("web-frontend")
    found = [window.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.results.count())]
    assert found == ["flag:ads/font_size_max"]
    window.facets["kind"].setCurrentIndex(0)
    window.facets["owner"].setCurrentIndex(0)
    window.facets["source"].setCurrentText("servinglog")
    found = {window.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.results.count())}
    store = window.model.store
    told = {n for n in window.graph if any(p["importer"] == "servinglog" for p in store.node_provenance(n))}
    assert found == told and len(told) > 3
    window.facets["source"].setCurrentIndex(0)
    window.search.setText("font_size")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.state.focus == "feature:ads/font_size"


def test_search_resolves_names_as_the_cli_does(window, qtbot):
    """An alias (a dbt unique id, an MLflow run URI) names its node: first in the results, and
    Enter focuses it, as `lineage show ALIAS` would."""
    for alias, node in [("dbt:model.ads_warehouse.training_examples", "dataset:ads/training_examples"),
                        ("runs:/b939985d03bd46ce9cd96fe43a6ff6f7", "job:mlflow/ctr/train_ctr_model@b939985d")]:  # fmt: skip
        window.search.setText(alias)
        assert window.results.item(0).data(Qt.ItemDataRole.UserRole) == node
        with qtbot.waitSignal(window.viewShown, timeout=WAIT):
            qtbot.keyClick(window.search, Qt.Key.Key_Return)
        assert window.state.focus == node


def test_group_by_team_and_open_a_group(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.depth_box.setValue(2)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_group("team")
    groups = [i.node_id for i in shown(window) if i.node_id.startswith("group:")]
    assert groups
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.canvas.nodeActivated.emit(groups[0])
    assert groups[0] not in {i.node_id for i in shown(window)}


def test_freeze_keeps_the_picture_when_focus_changes(window, qtbot):
    window.freeze_action.trigger()
    before = {i.node_id: i.pos() for i in shown(window)}
    window.set_focus("model:ads/ctr_model")
    qtbot.wait(300)
    assert {i.node_id: i.pos() for i in shown(window)} == before
    assert "ctr_model" in window.inspector.toPlainText()


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf", "graphml", "json", "dot"])
def test_export_the_picture(window, tmp_path, suffix):
    path = tmp_path / f"view.{suffix}"
    window.export_picture(str(path))
    data = path.read_bytes()
    assert data[:4] in (b"\x89PNG", b"<?xm", b"%PDF", b"{\n  ", b"digr") and len(data) > 1000
    if suffix == "svg":
        assert "historical_ctr" in data.decode()


def test_layout_runs_off_the_ui_thread(window, qtbot, monkeypatch):
    import lineage_gui.workers

    threads = []
    real = lineage_gui.workers.layout

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(lineage_gui.workers, "layout_process", lambda: _Inline(spy))
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.relayout()
    assert threads == [False]


class _Inline:
    """Runs "in the layout process" in the calling thread, to see which thread calls it."""

    def __init__(self, fn):
        self.fn = fn

    def submit(self, _fn, *args, **kwargs):
        from concurrent.futures import Future

        future = Future()
        future.set_result(self.fn(*args, **kwargs))
        return future


def test_import_by_drop_refreshes_the_graph(qtbot, demo_db, tmp_path, monkeypatch):
    window = window_on_a_copy(qtbot, demo_db, tmp_path, monkeypatch)
    extra = tmp_path / "extra.yaml"
    extra.write_text("lineage_manifest: 1\nnamespace: ads\nfeatures: [{name: brand_new_signal}]\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(extra))])
    from lineage_gui.import_flow import paths_from_mime

    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        assert window.start_import(paths_from_mime(mime))
    assert "feature:ads/brand_new_signal" in window.graph


def test_an_imports_warnings_reach_the_status_bar(qtbot, demo_db, tmp_path, monkeypatch):
    """Marquez's own test event without a schemaURL: imported, with a warning shown."""
    window = window_on_a_copy(qtbot, demo_db, tmp_path, monkeypatch)
    event = (
        DATA
        / "real"
        / "openlineage"
        / "marquez"
        / "api__src__test__resources__open_lineage__event_without_schema_url.json"
    )
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        assert window.start_import([str(event)])
    message = window.statusBar().currentMessage()
    assert "Imported 1 of 1 sources; 1 warning: " in message
    assert "schemaURL" in message


def test_the_event_loop_keeps_running_while_2000_nodes_are_laid_out(qtbot, tmp_path, monkeypatch):
    # Not a timing target (those live in make bench): the layout must run off the UI thread, so
    # the event loop serves a 10 ms timer many times before the new view arrives.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    lines = ["lineage_manifest: 1", "features:"] + [f"  - {{name: f{i}}}" for i in range(2000)]
    lines += ["models:", "  - name: big", "    features: [" + ", ".join(f"f{i}" for i in range(2000)) + "]"]
    manifest = tmp_path / "big.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    with Store.open(tmp_path / "big.db", create=True) as store:
        assert import_paths(store, [manifest]).ok
    win = shown_window(qtbot, str(tmp_path / "big.db"), focus="model:big", depth=1, remember=False)
    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    win.state.limit = 2100
    with qtbot.waitSignal(win.viewShown, timeout=120_000):
        win.relayout()
    timer.stop()
    assert len(shown(win)) == 2001
    win.close()
    assert len(gaps) >= 5, f"the event loop ran {len(gaps)} times while the layout ran"


def test_inspector_escapes_what_it_shows():
    node = {
        "id": "feature:<script>",
        "kind": "feature",
        "name": "<img src=x onerror=alert(1)>",
        "namespace": "",
        "status": "active",
        "tags": ["<marquee>"],
        "attributes": {"a": "<iframe>"},
    }
    page = inspector_html(node, [], [], [{"file": "<f>", "line": 1, "importer": "m", "import_id": 1}], ["<u>"])
    for raw in ("<img", "<script>", "<marquee>", "<iframe>", "<f>", "<u>"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    ("mode", "options"),
    [("explore", []), ("trace", ["--to", "ad_server"]), ("impact", []),
     ("simulate", ["--remove", "ctr_daily_aggregates"]), ("findings", ["--finding", "feedback_loops"]),
     ("diff", ["--since", "2026-03-01"])],
)  # fmt: skip
def test_screenshot_of_each_mode(demo_db, tmp_path, mode, options):
    shot = tmp_path / f"{mode}.png"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    out_dir = os.environ.get("LINEAGE_SCREENSHOT_DIR")
    if out_dir:  # keep them to look at: LINEAGE_SCREENSHOT_DIR=out pytest tests/gui/test_gui.py
        shot = os.path.join(out_dir, f"{mode}.png")
    result = subprocess.run(
        [sys.executable, "-m", "lineage", "--db", demo_db, "gui", "--focus", "historical_ctr",
         "--mode", mode, *options, "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 800


def test_tours_record_reorder_note_save_and_present(qtbot, demo_db, tmp_path, monkeypatch):
    win = window_on_a_copy(qtbot, demo_db, tmp_path, monkeypatch)
    panel = win.tour_panel
    assert panel.tours.currentText() == "debt-patterns" and panel.steps.count() == 5  # the demo's
    panel.tours.addItem("review")
    panel.tours.setCurrentText("review")
    win.record_step()
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.set_mode("impact")
    win.record_step()
    assert [s.mode for s in panel.current_steps()] == ["explore", "impact"]
    panel.steps.setCurrentRow(1)
    panel.move(-1)
    assert [s.mode for s in panel.current_steps()] == ["impact", "explore"]
    panel.steps.setCurrentRow(0)
    panel.note.setPlainText("Why **this** matters")
    panel.save_tour()
    saved = win.store.tour("review")
    assert [s["mode"] for s in saved["steps"]] == ["impact", "explore"]
    assert saved["steps"][0]["note"] == "Why **this** matters"
    panel.steps.setCurrentRow(1)
    panel.delete_step()
    assert panel.steps.count() == 1
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.present()
    assert win.isFullScreen() and win.notes_dock.isVisible()
    assert "Why this matters" in win.notes_view.toPlainText()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.isFullScreen() and win.presenting is None
    win.close()


def test_presenting_the_demo_tour_walks_the_steps(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, demo_db, focus="feature:ads/historical_ctr", depth=1, remember=False)
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        win.present()
    assert win.state.mode == "findings" and win.state.finding.kind == "feedback_loops"
    assert "font-size module" in win.notes_view.toPlainText()
    out = Path(__file__).parents[2] / "out"
    out.mkdir(exist_ok=True)
    assert win.grab().save(str(out / "presentation.png"))  # out/ is ignored by git: look at it
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        qtbot.keyClick(win, Qt.Key.Key_Right)
    assert win.state.finding.kind == "correction_cascades"
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        qtbot.keyClick(win, Qt.Key.Key_Left)
    assert win.state.finding.kind == "feedback_loops"
    win.end_presentation()
    win.close()


def test_an_import_that_classifies_earlier_logs_again_says_so_and_shows_them(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    db = tmp_path / "l.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [DATA / "openlineage" / "filetransport_append_events.jsonl"]).ok
    rules = tmp_path / "rules.yaml"
    rules.write_text("lineage_manifest: 1\nclassify:\n  - {kind: model, namespace: 's3://features', name: 'churn/*'}\n")
    win = shown_window(qtbot, str(db), remember=False)
    assert "dataset:s3://features/churn/user_features" in win.graph
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        assert win.start_import([str(rules)])
    assert win.statusBar().currentMessage().startswith("Imported 1 of 1 sources; 1 earlier import classified again · ")
    assert win.graph.nodes["model:s3://features/churn/user_features"]["kind"] == "model"
    assert "dataset:s3://features/churn/user_features" not in win.graph
    win.import_flow.wait(WAIT)


def test_the_canvas_shows_no_scroll_bars_and_pans_by_dragging(window, qtbot):
    from PySide6.QtCore import QCoreApplication, QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    canvas = window.canvas
    assert not canvas.horizontalScrollBar().isVisible() and not canvas.verticalScrollBar().isVisible()
    empty = QPointF(5, 5)  # a corner of the margin: no node there
    assert canvas.itemAt(empty.toPoint()) is None
    before = canvas.mapToScene(canvas.viewport().rect().center())
    buttons = Qt.MouseButton.LeftButton
    for kind, at, held in ((QEvent.Type.MouseButtonPress, empty, buttons),
                           (QEvent.Type.MouseMove, empty + QPointF(60, 40), buttons),
                           (QEvent.Type.MouseButtonRelease, empty + QPointF(60, 40), Qt.MouseButton.NoButton)):  # fmt: skip
        event = QMouseEvent(kind, at, canvas.viewport().mapToGlobal(at), Qt.MouseButton.LeftButton, held,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QCoreApplication.sendEvent(canvas.viewport(), event)
    after = canvas.mapToScene(canvas.viewport().rect().center())
    assert after.x() < before.x()  # dragged to the right: the view moved left over the scene


def test_a_view_too_big_to_read_opens_zoomed_in_on_its_focus_and_f_shows_all(window, qtbot):
    from lineage_gui.canvas import READABLE_SCALE
    from lineage_gui.items import LABELS_BELOW_SCALE

    assert "zoomed in" not in window.statusBar().currentMessage()  # a small view: fitted whole
    window.resize(1000, 700)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.model.set_depth(6)  # the demo's whole neighbourhood: grown in place
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.relayout()  # afresh (Ctrl+L): fitted whole, the labels would be specks
    canvas = window.canvas
    assert canvas.transform().m11() == pytest.approx(READABLE_SCALE)
    focus = window.drawn.nodes["feature:ads/historical_ctr"]
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(focus.sceneBoundingRect())
    assert "zoomed in on the focus, too big to read whole: F shows all" in window.statusBar().currentMessage()
    canvas.fit()
    assert canvas.transform().m11() < LABELS_BELOW_SCALE
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in window.drawn.nodes.values())
    assert window.drawn.nodes["feature:ads/historical_ctr"].overview_label().isVisible()  # fitted, labelled
    # Rings open whole, their important nodes labelled: close up, far rings' edges cross everything.
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    assert "zoomed in" not in window.statusBar().currentMessage()
    assert canvas.transform().m11() < LABELS_BELOW_SCALE
    assert window.drawn.nodes["feature:ads/historical_ctr"].overview_label().isVisible()


def test_a_note_for_a_view_that_failed_does_not_reach_a_later_view(window, qtbot):
    window.note_for_next_view = "Imported 1 of 1 sources"
    window.layout_failed("dot crashed")
    assert window.statusBar().currentMessage() == "Layout failed: dot crashed"
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.request_scene()
    assert "Imported" not in window.statusBar().currentMessage()
