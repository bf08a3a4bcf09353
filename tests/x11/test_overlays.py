"""The legend and the overview on a real X server: both are drawn over the canvas on screen (not
only offscreen), and a click in the overview pans the canvas. The window is kept in
out/x11-overlays.png to look at."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor

from tests.windows import shown_window
from tests.x11.test_desktop import WAIT, keep


def near(image, colour: QColor, tolerance: int = 40) -> int:
    r, g, b = colour.red(), colour.green(), colour.blue()
    return sum(
        abs(p.red() - r) + abs(p.green() - g) + abs(p.blue() - b) < tolerance
        for p in (image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width()))
    )


def test_the_legend_and_the_overview_show_and_a_click_in_the_overview_pans(qtbot, demo_db, tmp_path, monkeypatch):
    from lineage_gui.style import kind_style

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window = shown_window(qtbot, demo_db, focus="feature:ads/historical_ctr", remember=False, size=(1600, 1000),
                          timeout=WAIT)  # fmt: skip
    qtbot.waitExposed(window)
    legend, overview = window.overlays.legend, window.overlays.overview
    window.canvas.zoom_by(4.0)  # close up: any point of the picture can be centred
    qtbot.waitUntil(lambda: legend.isVisible() and overview.isVisible())
    qtbot.wait(100)
    shot = window.grab().toImage()
    keep(shot, "x11-overlays.png")
    # On screen, inside the canvas: the legend's feature sample in the feature's accent colour.
    where = legend.geometry().translated(window.canvas.mapTo(window, legend.pos()) - legend.pos())
    assert near(shot.copy(where), kind_style("feature", False).accent) > 10
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    target = QPointF(overview.drawing.right() - 30, overview.drawing.center().y())
    assert not visible.contains(target)
    spot = overview.to_overview(QRectF(target, target)).topLeft().toPoint()
    qtbot.mouseClick(overview, Qt.MouseButton.LeftButton, pos=spot)
    centre = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect().center()
    scale = overview.to_overview(QRectF(0, 0, 100, 100)).width() / 100
    assert abs(centre.x() - target.x()) * scale <= 3 and abs(centre.y() - target.y()) * scale <= 3
    window.close()
