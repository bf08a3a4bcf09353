"""What users of Gephi, yEd, Kedro-Viz and dbt docs reach for without thinking (issue 21): Back
and Forward over the views shown, as in a browser (Alt+Left / Alt+Right, the toolbar's arrows,
the mouse's side buttons; every control of the view comes back with it); one click on a search
result focuses it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from lineage_gui.window import MainWindow  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
START, MODEL, FONT = "feature:ads/historical_ctr", "model:ads/ctr_model", "feature:ads/font_size"


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return shown_window(qtbot, demo_db, focus=START, depth=1, remember=False)


def key(qtbot, win, which) -> None:
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        qtbot.keyClick(win.canvas, which, Qt.KeyboardModifier.AltModifier)  # where the focus is


def test_back_and_forward_step_through_the_views_shown(window, qtbot):
    assert not window.back_action.isEnabled() and not window.forward_action.isEnabled()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(MODEL)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.search_panel.depth_box.setValue(2)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    assert window.back_action.isEnabled()
    key(qtbot, window, Qt.Key.Key_Left)  # back to explore, depth 2
    assert (window.spec.mode, window.spec.focus, window.spec.depth) == ("explore", MODEL, 2)
    assert window.mode_action["explore"].isChecked()
    key(qtbot, window, Qt.Key.Key_Left)  # the depth box follows the view
    assert window.spec.depth == 1 and window.search_panel.depth_box.value() == 1
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.spec.focus == START and not window.back_action.isEnabled()
    assert window.forward_action.isEnabled()
    key(qtbot, window, Qt.Key.Key_Right)
    assert window.spec.focus == MODEL
    # a new view drops the ones ahead, as in a browser
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(FONT)
    assert not window.forward_action.isEnabled()
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.spec.focus == MODEL and window.spec.depth == 1


def test_the_mouse_back_button_and_the_toolbar_arrow_go_back(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(MODEL)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.BackButton)
    assert window.spec.focus == START
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.forward_action.trigger()
    assert window.spec.focus == MODEL


def test_back_restores_a_trace_and_its_ends(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.trace_between(START, MODEL)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(FONT)  # ends the trace: explore
    window.panel.trace_to.setText("something else")
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.spec.mode == "trace" and window.spec.trace == (START, MODEL)
    assert (window.panel.trace_from.text(), window.panel.trace_to.text()) == (START, MODEL)


def test_opening_a_database_starts_the_history_afresh(window, qtbot, demo_db):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(MODEL)
    assert window.back_action.isEnabled()
    window.open_database(demo_db, focus=START)
    assert not window.back_action.isEnabled() and not window.forward_action.isEnabled()


def test_one_click_on_a_search_result_focuses_it(window, qtbot):
    window.search.setText("font_size")
    row = next(i for i in range(window.results.count())
               if window.results.item(i).data(Qt.ItemDataRole.UserRole) == FONT)  # fmt: skip
    where = window.results.visualItemRect(window.results.item(row)).center()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.mouseClick(window.results.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.spec.focus == FONT


def test_view_theme_dark_and_light_whatever_the_system_and_remembered(qtbot, demo_db, tmp_path, monkeypatch):
    from lineage_gui.style import background_colour
    from lineage_gui.theme import hint_colour

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, demo_db, focus=START, depth=1, remember=True)
    try:
        with qtbot.waitSignal(win.viewShown, timeout=WAIT):
            win.theme_actions["dark"].trigger()
        assert win.dark
        qtbot.waitUntil(lambda: win.palette().color(win.backgroundRole()).lightness() < 128)  # the widgets follow
        assert win.canvas.backgroundBrush().color() == background_colour(True)
        assert hint_colour(True) in win.panel.hints[0].styleSheet()
        win.close()
        again = MainWindow(demo_db, focus=START, depth=1, remember=True)  # the choice is remembered
        qtbot.addWidget(again)
        assert again.dark and again.theme_actions["dark"].isChecked()
        with qtbot.waitSignal(again.viewShown, timeout=WAIT):
            again.show()
        with qtbot.waitSignal(again.viewShown, timeout=WAIT):
            again.theme_actions["light"].trigger()
        assert not again.dark and again.canvas.backgroundBrush().color() == background_colour(False)
        again.set_theme("system")
        again.close()
    finally:
        from lineage_gui.theme import apply_theme

        apply_theme("system")  # the other tests' palette


def test_a_trace_with_no_path_offers_the_other_way_and_reverse_traces_it(window, qtbot):
    dashboard = "consumer:ads/ctr_dashboard"  # the feature feeds it; nothing flows back
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.trace_between(dashboard, START)
    said = window.panel.summaries["trace"].text()
    assert (
        said
        == "no path from ctr_dashboard to historical_ctr, but there is one from historical_ctr to ctr_dashboard: ⇄ Reverse traces it"
    )
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.mouseClick(window.panel.reverse, Qt.MouseButton.LeftButton)
    assert window.spec.trace == (START, dashboard)
    assert window.panel.summaries["trace"].text().split("\n")[0].endswith(("path", "paths", "(more exist)"))


def test_the_plus_n_badge_is_big_enough_to_hit_at_the_zoom_a_view_opens_at(window, qtbot):
    from lineage_gui.items import NodeItem

    item = next(i for i in window.canvas.scene().items() if isinstance(i, NodeItem) and i.hidden)
    target = window.canvas.mapFromScene(item.mapToScene(item.badge_rect())).boundingRect()
    assert target.height() >= 20 and target.width() >= 28, target  # pixels on screen
    # a click in the margin, just outside the drawn pill, still expands the node
    pill = window.canvas.mapFromScene(item.mapToScene(item._expand_rect())).boundingRect()
    where = pill.bottomRight() + type(pill.bottomRight())(3, 3)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert item.node_id in window.spec.expanded


@pytest.mark.parametrize(("width", "height", "share"), [(1600, 1000, 0.6), (1000, 700, 0.5)])
def test_the_canvas_gets_most_of_the_window_and_the_panels_can_be_closed(qtbot, demo_db, tmp_path, monkeypatch,
                                                                        width, height, share):  # fmt: skip
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, demo_db, focus=START, depth=1, remember=False, size=(width, height))
    qtbot.waitUntil(lambda: win.canvas.width() >= share * width)
    panels = {a.text(): a for a in win.findChildren(type(win.back_action)) if a.text() in ("Search", "Inspector")}
    panels["Search"].trigger()  # View ▸ Panels ▸ Search closes the dock: the canvas widens
    qtbot.waitUntil(lambda: not win.search_dock.isVisible())
    qtbot.waitUntil(lambda: win.canvas.width() >= (share + 0.1) * width)


def test_a_long_status_message_stops_short_of_the_counts_and_shows_whole_in_its_tooltip(window, qtbot):
    from lineage_gui.status import GAP

    window.resize(1000, 700)
    long = "paths from dataset:warehouse/raw_log_928 to model:warehouse/model_1749 · " * 4
    window.statusBar().showMessage(long)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: window.counts.geometry().left() < bar.width())
    room = bar.message_rect()
    assert room.right() + GAP <= window.counts.geometry().left() + 1
    shown = bar.fontMetrics().elidedText(long, Qt.TextElideMode.ElideRight, room.width())
    assert shown.endswith("…") and bar.fontMetrics().horizontalAdvance(shown) <= room.width()
    assert bar.toolTip() == long


def test_hovering_a_node_stands_it_and_its_neighbours_out(window, qtbot):
    from lineage_gui.items import EdgeItem, NodeItem

    items = window.canvas.scene().items()
    nodes = {i.node_id: i for i in items if isinstance(i, NodeItem)}
    edges = [i for i in items if isinstance(i, EdgeItem)]
    graph = window.drawn.scene.graph
    hub = max(nodes, key=lambda n: graph.degree(n) if graph.degree(n) < len(nodes) - 1 else -1)
    near = {hub, *graph.predecessors(hub), *graph.successors(hub)}
    assert set(nodes) - near, "some node is not the hub's neighbour"
    centre = window.canvas.mapFromScene(nodes[hub].sceneBoundingRect().center())
    qtbot.mouseMove(window.canvas.viewport(), centre)
    qtbot.waitUntil(lambda: window.canvas.hovered == hub)
    assert all((nodes[n].opacity() == 1.0) == (n in near) for n in nodes)
    assert all((e.opacity() == 1.0) == (hub in (e.source, e.target)) for e in edges)
    window.canvas.highlight(None)  # the pointer leaves: everything back
    assert all(i.opacity() == 1.0 for i in [*nodes.values(), *edges])
