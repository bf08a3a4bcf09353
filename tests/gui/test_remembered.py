"""Reopening a database shows the view it was left in (issue 21, item 9): focus, mode and the
mode's inputs, depth or reach up and down, the filter, the facets narrowing the list; per
database; options on the command line win; a record that is bad or whose focus is gone gives
the default view."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from lineage.views.remembered import settings_key  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
DEFAULT = "feature:ads/ad_id"  # the demo's most central feature: where a first visit starts
OTHER, MODEL = "feature:ads/font_size", "model:ads/ctr_model"


def leave(qtbot, window) -> None:
    window.close()
    qtbot.waitUntil(lambda: window.closed, timeout=WAIT)


def reopen(qtbot, db: str, **options):
    return shown_window(qtbot, db, timeout=WAIT, **options)


def left_in_impact_of_other(qtbot, db: str) -> None:
    """Open ``db``, show the impact of OTHER and close: the view it is left in."""
    first = reopen(qtbot, db)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.set_focus(OTHER)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.set_mode("impact")
    leave(qtbot, first)


def choose(qtbot, window, facet: str, value: str) -> None:
    combo = window.search_panel.facets[facet]
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        combo.setCurrentIndex(combo.findData(value))


def test_a_database_reopens_in_the_view_it_was_left_in(qtbot, demo_db):
    first = reopen(qtbot, demo_db)
    assert first.spec.focus == DEFAULT and first.spec.mode == "explore"
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.set_focus(OTHER)
    first.search_panel.on_canvas.setCurrentIndex(first.search_panel.on_canvas.findData("hide"))
    choose(qtbot, first, "owner", "signals-team")
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.search_panel.apart.setChecked(True)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.search_panel.up_box.setValue(3)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.set_mode("impact")
    left = first.spec
    leave(qtbot, first)

    again = reopen(qtbot, demo_db)
    spec = again.spec
    assert (spec.focus, spec.mode, spec.up, spec.down) == (OTHER, "impact", 3, 2)
    assert spec.facets == (("owner", "signals-team"),) and spec.unmatched == "hide"
    assert (spec.focus, spec.mode, spec.facets, spec.hops) == (left.focus, left.mode, left.facets, left.hops)
    panel = again.search_panel  # the controls show it too
    assert panel.apart.isChecked() and (panel.up_box.value(), panel.down_box.value()) == (3, 2)
    assert panel.facets["owner"].currentData() == "signals-team" and panel.on_canvas.currentData() == "hide"
    assert again.mode_action["impact"].isChecked()


def test_a_trace_is_resumed_with_its_ends(qtbot, demo_db):
    first = reopen(qtbot, demo_db)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.trace_between(OTHER, MODEL)
    leave(qtbot, first)
    again = reopen(qtbot, demo_db)
    assert again.spec.mode == "trace" and again.spec.trace == (OTHER, MODEL)
    assert {OTHER, MODEL} <= set(again.drawn.nodes)


def test_facets_that_narrow_only_the_list_are_kept(qtbot, demo_db):
    first = reopen(qtbot, demo_db)
    panel = first.search_panel
    panel.on_canvas.setCurrentIndex(panel.on_canvas.findData(None))
    panel.facets["kind"].setCurrentIndex(panel.facets["kind"].findData("flag"))
    listed = [panel.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.results.count())]
    assert listed and all(n.startswith("flag:") for n in listed)
    leave(qtbot, first)
    again = reopen(qtbot, demo_db)
    panel = again.search_panel
    assert again.spec.facets == () and panel.on_canvas.currentData() is None
    assert [panel.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.results.count())] == listed


def test_each_database_keeps_its_own_view(qtbot, demo_db, tmp_path):
    other_db = str(tmp_path / "other.db")
    shutil.copy(demo_db, other_db)
    first = reopen(qtbot, demo_db)
    with qtbot.waitSignal(first.viewShown, timeout=WAIT):
        first.set_focus(OTHER)
    leave(qtbot, first)
    elsewhere = reopen(qtbot, other_db)
    assert elsewhere.spec.focus == DEFAULT  # never left: the default view
    with qtbot.waitSignal(elsewhere.viewShown, timeout=WAIT):
        elsewhere.set_focus(MODEL)
    leave(qtbot, elsewhere)
    assert reopen(qtbot, demo_db).spec.focus == OTHER
    assert reopen(qtbot, other_db).spec.focus == MODEL


def test_options_asked_for_win_over_the_view_left(qtbot, demo_db):
    left_in_impact_of_other(qtbot, demo_db)
    asked = reopen(qtbot, demo_db, mode="explore")
    assert asked.spec.mode == "explore" and asked.spec.focus == DEFAULT
    leave(qtbot, asked)
    assert reopen(qtbot, demo_db, focus=MODEL).spec.focus == MODEL


@pytest.mark.parametrize(
    "record",
    [
        "{not json",
        '{"version": 9, "view": {"focus": "feature:ads/font_size"}}',
        '{"version": 1, "view": {"focus": "feature:ads/font_size", "mode": "nowhere"}}',
        '{"version": 1, "view": {"focus": "feature:ads/font_size", "depth": 99}}',
        '{"version": 1, "view": {"focus": "feature:gone/away", "mode": "impact"}}',
    ],
    ids=["unreadable", "another-version", "unknown-mode", "depth-out-of-range", "focus-gone"],
)
def test_a_bad_or_stale_record_gives_the_default_view(qtbot, demo_db, record):
    QSettings().setValue(settings_key(demo_db) + "/view", record)
    window = reopen(qtbot, demo_db)
    assert (window.spec.focus, window.spec.mode, window.spec.depth) == (DEFAULT, "explore", 2)


def test_a_large_database_draws_the_focus_at_once_and_the_mode_once_loaded(qtbot, demo_db):
    left_in_impact_of_other(qtbot, demo_db)
    large = reopen(qtbot, demo_db, load_at_once=0)  # read around the focus in SQL first
    assert large.spec.focus == OTHER
    qtbot.waitUntil(lambda: large.model.ready and large.spec.mode == "impact", timeout=WAIT)
    qtbot.waitUntil(lambda: large.drawn.scene is not None and large.drawn.scene.mode == "impact", timeout=WAIT)


def test_a_window_that_does_not_remember_keeps_nothing(qtbot, demo_db):
    window = reopen(qtbot, demo_db, remember=False)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.set_focus(OTHER)
    leave(qtbot, window)
    assert QSettings().value(settings_key(demo_db) + "/view") is None
