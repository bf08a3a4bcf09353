"""The legend and the overview over the canvas (issue 21, items 2 and 3): the legend explains what
the view draws, in the canvas's own colours, and View ▸ Legend switches it; the overview shows
the rectangle the canvas shows, and a click or a drag in it moves the canvas."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt  # noqa: E402

from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
START = "feature:ads/historical_ctr"


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return shown_window(qtbot, demo_db, focus=START, depth=1, remember=False, size=(1600, 1000))


def listed(win) -> list[str]:
    return [e.key for e in win.overlays.legend.entries]


def drawn(win, kind):
    return [i for i in win.canvas.scene().items() if isinstance(i, kind)]


def colour_pixels(widget, colour, tolerance: int = 40) -> int:
    """How many pixels of ``widget`` as drawn are near ``colour``."""
    image = widget.grab().toImage()
    r, g, b = colour.red(), colour.green(), colour.blue()
    near = 0
    for y in range(image.height()):
        for x in range(image.width()):
            p = image.pixelColor(x, y)
            near += abs(p.red() - r) + abs(p.green() - g) + abs(p.blue() - b) < tolerance
    return near


def test_the_legend_lists_the_kinds_and_marks_on_the_canvas_and_follows_each_view(window, qtbot):
    from lineage_gui.items import EdgeItem, NodeItem

    legend = window.overlays.legend
    assert legend.isVisible() and window.legend_action.isChecked()
    kinds = {i.attrs.get("kind") for i in drawn(window, NodeItem)}
    assert {k[5:] for k in listed(window) if k.startswith("kind:")} == kinds
    assert "node:broken" not in listed(window) and "edge:hidden" not in listed(window)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.remove_in_simulation("dataset:ads/impression_log")
    assert {"node:removed", "node:broken", "node:degraded"} <= set(listed(window))
    loops = window.model.findings_now()["feedback_loops"]
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.model.show_finding(next(f for f in loops if "hidden" in f.reason))
    assert any(e.state == "hidden" for e in drawn(window, EdgeItem))
    assert "edge:hidden" in listed(window) and "node:broken" not in listed(window)


def test_the_legend_draws_with_the_canvas_colours_in_either_theme(window, qtbot):
    from lineage_gui.style import edge_state_style
    from PySide6.QtGui import QColor

    loops = window.model.findings_now()["feedback_loops"]
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.model.show_finding(next(f for f in loops if "hidden" in f.reason))
    purple = QColor(edge_state_style("hidden")["colour"])
    assert colour_pixels(window.overlays.legend, purple) > 20  # the hidden loop edge's sample
    light = window.overlays.legend.grab().toImage()
    assert light.pixelColor(light.width() // 2, light.height() - 3).lightness() > 200
    try:
        with qtbot.waitSignal(window.viewShown, timeout=WAIT):
            window.theme_actions["dark"].trigger()
        legend = window.overlays.legend
        assert legend.dark and legend.isVisible()
        plate = legend.grab().toImage().pixelColor(legend.width() // 2, legend.height() - 3)
        assert plate.lightness() < 80, plate.name()  # the dark plate, not the light one
    finally:
        window.set_theme("system")


def test_view_legend_and_its_key_switch_the_legend(window, qtbot):
    legend = window.overlays.legend
    window.legend_action.trigger()  # View ▸ Legend
    assert not legend.isVisible() and not window.legend_action.isChecked()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    assert not legend.isVisible()  # a new view does not bring it back
    window.activateWindow()
    qtbot.keyClick(window.canvas, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert legend.isVisible() and window.legend_action.isChecked()
    assert "node:hop" in listed(window)  # and it shows the view drawn meanwhile


def test_the_legend_and_overview_switches_are_remembered_when_the_window_remembers(qtbot, demo_db, tmp_path,
                                                                                  monkeypatch):  # fmt: skip
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = shown_window(qtbot, demo_db, focus=START, depth=1, remember=True)
    win.legend_action.trigger()
    win.overview_action.trigger()
    win.close()
    again = shown_window(qtbot, demo_db, focus=START, depth=1, remember=True)
    assert not again.legend_action.isChecked() and not again.overlays.legend.isVisible()
    assert not again.overview_action.isChecked() and not again.overlays.overview.wanted
    again.legend_action.trigger()
    again.overview_action.trigger()
    again.close()


def canvas_visible(win):
    canvas = win.canvas
    return canvas.mapToScene(canvas.viewport().rect()).boundingRect()


def close(a, b, slack: float = 1.0) -> bool:
    return all(abs(x - y) <= slack for x, y in zip(a.getRect(), b.getRect(), strict=True))


def test_the_overview_shows_the_canvas_rectangle_after_zoom_and_pan_and_hides_when_all_is_in_view(window, qtbot):
    overview = window.overlays.overview
    window.canvas.fit()
    qtbot.waitUntil(lambda: not overview.isVisible())  # the whole picture is in view: no overview
    window.canvas.zoom_by(2.5)
    qtbot.waitUntil(overview.isVisible)
    assert close(overview.visible, canvas_visible(window))
    qtbot.waitUntil(lambda: overview.pixmap is not None)
    renders = overview.renders
    for dx in (120, -60, 200):  # panning moves the rectangle; the picture is not rendered again
        window.canvas.horizontalScrollBar().setValue(window.canvas.horizontalScrollBar().value() + dx)
        window.canvas.verticalScrollBar().setValue(window.canvas.verticalScrollBar().value() + dx // 2)
        assert close(overview.visible, canvas_visible(window))
        overview.repaint()
    window.canvas.zoom_by(0.8)
    assert close(overview.visible, canvas_visible(window))
    overview.repaint()
    assert overview.renders == renders
    assert overview.to_overview(overview.visible).width() < overview.width() / 2  # a part of the picture


def test_a_click_in_the_overview_centres_the_canvas_there_and_a_drag_pans_it(window, qtbot):
    overview = window.overlays.overview
    window.canvas.zoom_by(3.0)
    qtbot.waitUntil(overview.isVisible)
    target = overview.drawing.center()
    if overview.visible.contains(target):  # a point of the picture outside the rectangle
        target = QPointF(overview.drawing.right() - 40, overview.drawing.bottom() - 40)
    assert not overview.visible.contains(target)
    spot = overview.to_overview(QRectF(target, target)).topLeft().toPoint()
    qtbot.mouseClick(overview, Qt.MouseButton.LeftButton, pos=spot)
    centre = canvas_visible(window).center()
    scale = overview.to_overview(QRectF(0, 0, 100, 100)).width() / 100  # pixels per scene unit
    assert abs(centre.x() - target.x()) <= 2 / scale and abs(centre.y() - target.y()) <= 2 / scale, (centre, target)
    # drag the rectangle from its middle: the canvas's centre moves with it, by what it moved
    before = canvas_visible(window).center()
    at = overview.to_overview(overview.visible).center().toPoint()
    qtbot.mousePress(overview, Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseMove(overview, at + QPoint(-15, -6))
    qtbot.mouseRelease(overview, Qt.MouseButton.LeftButton, pos=at + QPoint(-15, -6))
    after = canvas_visible(window).center()
    assert abs((after.x() - before.x()) * scale + 15) <= 2 and abs((after.y() - before.y()) * scale + 6) <= 2
    # the rectangle follows the canvas when the window is resized
    window.resize(1500, 950)
    qtbot.waitUntil(lambda: close(overview.visible, canvas_visible(window)))
    assert overview.isVisible()


def test_the_overview_follows_a_new_view(window, qtbot):
    overview = window.overlays.overview
    window.canvas.zoom_by(3.0)
    qtbot.waitUntil(overview.isVisible)
    first = overview.drawing
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    assert overview.drawing != first
    assert close(overview.drawing, window.canvas.scene().itemsBoundingRect())
    window.canvas.zoom_by(3.0)
    qtbot.waitUntil(overview.isVisible)
    assert close(overview.visible, canvas_visible(window))
