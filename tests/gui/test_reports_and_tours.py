"""Reports and tours from the explorer (issue 21, item 8): File ▸ Export impact report… in every
format the command line writes, and of a simulation; Tour ▸ Export slide show… and PDF; the
presentation's keys (arrows page, Esc restores the view from before); Record step asking which
tour."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

pytest.importorskip("PySide6")

from lineage_gui.report_export import IMPACT_CHOICES, dialog_filter  # noqa: E402
from lineage_gui.tour_choice import NEW_TOUR  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402

from lineage.analyses import impact, simulate  # noqa: E402
from lineage.render.impact_report import slug  # noqa: E402
from tests.windows import menu_action, shown_window  # noqa: E402

WAIT = 60_000
START, MODEL = "feature:ads/historical_ctr", "model:ads/ctr_model"


@pytest.fixture
def window(qtbot, demo_copy):
    win = shown_window(qtbot, demo_copy, focus=START, depth=1, remember=False)
    yield win
    for writer in (win.reports, win.tour_export):
        writer.wait(WAIT)


def written(qtbot, win, start) -> str:
    """Run ``start`` (an export) and wait for the status bar to say what it wrote."""
    start()
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(("Wrote ", "/")), timeout=WAIT)
    return win.statusBar().currentMessage()


def save_as(monkeypatch, path, chosen_filter="") -> list:
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a) or (str(path), chosen_filter))  # fmt: skip
    return asked


# -- impact reports ------------------------------------------------------------------------------


@pytest.mark.parametrize("label, fmt, suffix", IMPACT_CHOICES)
def test_export_impact_report_writes_every_format_of_the_focus(window, qtbot, tmp_path, monkeypatch, label, fmt,
                                                               suffix):  # fmt: skip
    target = tmp_path / "out" / "report"  # no suffix typed: the filter chosen gives it
    target.parent.mkdir()
    asked = save_as(monkeypatch, target, f"{label} (*{suffix})")
    act = menu_action(window, "Export impact report…")
    assert act.shortcut().toString() == "Ctrl+Shift+E"
    note = written(qtbot, window, act.trigger)
    path = target.with_name("report" + suffix)
    assert (
        note
        == f"Wrote the impact report of {START} ({ {'md': 'Markdown', 'bundle': 'bundle'}.get(fmt, fmt.upper()) }): {path}"
    )
    assert asked[0][2] == f"{slug(START)}.html" and asked[0][3] == dialog_filter(IMPACT_CHOICES)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    reached = impact(window.graph, START, upstream=True)
    down = {r.node for r in reached.downstream.nodes}
    up = {r.node for r in reached.upstream.nodes}
    assert down  # the demo's feature reaches models and consumers
    if fmt == "bundle":
        with zipfile.ZipFile(path) as archive:
            names = sorted(archive.namelist())
            assert names == sorted(f"{slug(START)}.{f}" for f in ("html", "md", "csv", "json", "svg", "graphml"))
            data = json.loads(archive.read(f"{slug(START)}.json"))
        assert {n["id"] for n in data["downstream"]} == down
        return
    text = path.read_text("utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["node"]["id"] == START
        assert {n["id"] for n in data["downstream"]} == down and {n["id"] for n in data["upstream"]} == up
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["id"] for r in rows if r["direction"] == "downstream"} == down
        assert {r["id"] for r in rows if r["direction"] == "upstream"} == up
    elif fmt == "md":
        assert f"**{len(down)}** nodes downstream" in text
        broken = simulate(window.graph, [START]).broken
        assert f"breaks **{len(broken)}**" in text
    else:
        assert text.lstrip().lower().startswith("<!doctype html")
        assert all(node in text for node in down)


def test_export_simulation_report_is_what_lineage_simulate_says(window, qtbot, tmp_path, monkeypatch):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.remove_in_simulation(START)
    expected = simulate(window.graph, [START])
    target = tmp_path / "sim.json"
    asked = save_as(monkeypatch, target, "JSON (*.json)")
    note = written(qtbot, window, menu_action(window, "Export impact report…").trigger)
    assert asked[0][1] == "Export the simulation report"
    assert note == f"Wrote the simulation report (JSON): {target}"
    data = json.loads(target.read_text("utf-8"))
    assert [n["id"] for n in data["removed"]] == [START]
    assert expected.broken or expected.degraded  # the removal reaches something
    assert {n["id"] for n in data["broken"]} == {a.node for a in expected.broken}
    assert {n["id"] for n in data["degraded"]} == {a.node for a in expected.degraded}
    text_target = tmp_path / "sim.txt"
    save_as(monkeypatch, text_target, "")
    written(qtbot, window, window.reports.choose)
    lines = text_target.read_text("utf-8").splitlines()
    assert f"broken: {len(expected.broken)}" in lines and f"degraded: {len(expected.degraded)}" in lines


def test_an_export_that_cannot_be_written_names_the_file_in_a_message_box(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "no such folder" / "report.html"
    save_as(monkeypatch, target, "")
    window.reports.choose()
    qtbot.waitUntil(lambda: window.reports.message_box is not None, timeout=WAIT)
    box = window.reports.message_box
    assert box.text().startswith(f"{target}: cannot write: ") and "Traceback" not in box.text()
    assert not target.parent.exists()
    box.close()


# -- tours ---------------------------------------------------------------------------------------


def record(qtbot, win, *, new: str | None = None, tour: str | None = None) -> None:
    """Press the Tour panel's Record button and answer the question which tour, if asked."""
    win.tour_panel.record.click()
    dialog = win.tour_recorder.dialog
    if new is None and tour is None:
        assert dialog is None  # not asked again
        return
    assert dialog is not None and dialog.isVisible()
    dialog.choose(tour)
    if new is not None:
        dialog.name.setText(new)
    dialog.accept()


def test_record_step_asks_which_tour_once_and_never_touches_the_demo_tour(window, qtbot):
    panel = window.tour_panel
    demo_steps = window.store.tour("debt-patterns")["steps"]
    assert panel.tours.currentText() == "debt-patterns"
    panel.record.click()
    dialog = window.tour_recorder.dialog
    listed = [dialog.tours.item(i).text() for i in range(dialog.tours.count())]
    assert listed == [f"{t['name']}  ({t['steps']} steps)" for t in window.store.tours()] + [NEW_TOUR]
    assert dialog.is_new() and dialog.name.text() == "review"  # a new tour, unless one is picked
    dialog.name.setText("my walk")
    dialog.accept()
    assert panel.tours.currentText() == "my walk" and panel.steps.count() == 1
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(MODEL)
    record(qtbot, window)  # the session remembers the tour chosen
    assert [s.focus for s in panel.current_steps()] == [START, MODEL]
    assert "of tour my walk" in window.statusBar().currentMessage()
    menu_action(window, "Record step in…").trigger()  # asks again, the tour shown picked
    dialog = window.tour_recorder.dialog
    assert dialog.chosen() == "my walk"
    dialog.reject()
    assert panel.steps.count() == 2 and window.statusBar().currentMessage() == "Nothing recorded"
    panel.save_tour()
    assert window.store.tour("debt-patterns")["steps"] == demo_steps
    assert len(window.store.tour("my walk")["steps"]) == 2


def test_tour_exports_a_slide_show_and_a_pdf_a_page_a_step(window, qtbot, tmp_path, monkeypatch):
    record(qtbot, window, new="walk")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    record(qtbot, window)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(MODEL)
    record(qtbot, window)
    steps = window.tour_panel.current_steps()
    assert len(steps) == 3  # not saved: the export is of the tour as the panel holds it
    html_target = tmp_path / "walk"
    asked = save_as(monkeypatch, html_target)
    note = written(qtbot, window, menu_action(window, "Export slide show (HTML)…").trigger)
    assert asked[0][2] == "walk.html"
    assert note == f"Wrote the tour walk (slide show, 3 steps): {html_target}.html"
    page = (tmp_path / "walk.html").read_text("utf-8")
    assert page.count('<section class="slide"') == len(steps)
    assert page.count("<svg") >= len(steps)
    pdf_target = tmp_path / "walk.pdf"
    save_as(monkeypatch, pdf_target)
    written(qtbot, window, menu_action(window, "Export PDF…").trigger)
    data = pdf_target.read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(data)).pages) == len(steps)


# -- presenting ----------------------------------------------------------------------------------


def test_presenting_pages_with_the_arrow_keys_wherever_the_keyboard_is(window, qtbot):
    steps = window.tour_panel.current_steps()
    assert len(steps) >= 3
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.present()
    window.canvas.setFocus()
    for key, at in ((Qt.Key.Key_Down, 1), (Qt.Key.Key_Right, 2), (Qt.Key.Key_Up, 1), (Qt.Key.Key_Left, 0),
                    (Qt.Key.Key_End, len(steps) - 1), (Qt.Key.Key_Backspace, len(steps) - 2)):  # fmt: skip
        with qtbot.waitSignal(window.viewShown, timeout=WAIT):
            qtbot.keyClick(window.canvas, key)  # the canvas has the keyboard: it would scroll
        assert window.presenter.at == at, key
        assert f"**{at + 1} / {len(steps)}**" in window.notes_view.toMarkdown()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.end_presentation()


def test_escape_ends_the_presentation_and_restores_the_view_from_before(window, qtbot):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_mode("impact")
    before = window.spec
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.present()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    assert window.spec != before  # the tour's steps show other views
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.presenting is None and not window.isFullScreen()
    assert window.spec == before
    assert window.mode_action["impact"].isChecked() and window.search_panel.depth_box.value() == before.depth
