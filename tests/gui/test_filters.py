"""Facets filter the canvas too, as Gephi's filters and dbt's --select do (issue 21, item 4): what
they do not match is dimmed or hidden, the user's choice; and the depth up and down apart, as
dbt's ``2+model+1``, from the panel or typed in the search box. Expectations come from the
graph's own edges and kinds, not from the scene under test."""

from __future__ import annotations

import networkx as nx
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from lineage.graph import load_graph  # noqa: E402
from lineage.store import Store  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
START, MODEL = "feature:ads/historical_ctr", "model:ads/ctr_model"


@pytest.fixture(scope="module")
def graph(demo_db) -> nx.DiGraph:
    with Store.open(demo_db) as store:
        return load_graph(store)


@pytest.fixture
def window(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return shown_window(qtbot, demo_db, focus=MODEL, depth=1, remember=False)


def choose(qtbot, window, facet: str, value: str) -> None:
    combo = window.search_panel.facets[facet]
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        combo.setCurrentIndex(combo.findData(value))


def dimmed(window) -> set[str]:
    return {n for n, item in window.drawn.nodes.items() if item.dimmed}


def test_a_facet_dims_what_it_does_not_match_on_the_canvas(window, qtbot, graph):
    assert not dimmed(window)
    choose(qtbot, window, "kind", "feature")
    drawn = set(window.drawn.nodes)
    expected = {n for n in drawn if graph.nodes[n]["kind"] != "feature"} - {MODEL}  # the focus stays
    assert expected and dimmed(window) == expected
    edges = [i for i in window.canvas.scene().items() if hasattr(i, "source") and hasattr(i, "dimmed")]
    assert all(e.dimmed == (e.source in expected or e.target in expected) for e in edges)


def test_the_legend_explains_the_faint_nodes_only_while_the_filter_dims_some(window, qtbot):
    keys = lambda: [e.key for e in window.overlays.legend.entries]  # noqa: E731
    assert "node:unmatched" not in keys()
    choose(qtbot, window, "kind", "feature")
    assert "node:unmatched" in keys()
    choose(qtbot, window, "kind", None)
    assert "node:unmatched" not in keys()


def test_hide_leaves_out_what_does_not_match_and_says_so(window, qtbot, graph):
    window.search_panel.on_canvas.setCurrentIndex(window.search_panel.on_canvas.findData("hide"))  # no facet yet
    choose(qtbot, window, "kind", "consumer")
    neighbours = set(graph.predecessors(MODEL)) | set(graph.successors(MODEL))
    consumers = {n for n in neighbours if graph.nodes[n]["kind"] == "consumer"}
    assert set(window.drawn.nodes) == consumers | {MODEL}
    hidden = len(neighbours) - len(consumers)
    assert f"{hidden} nodes hidden by the filter (kind consumer)" in window.panel.summaries["explore"].text()


def test_list_only_leaves_the_canvas_alone(window, qtbot):
    window.search_panel.on_canvas.setCurrentIndex(window.search_panel.on_canvas.findData(None))
    window.search_panel.facets["kind"].setCurrentIndex(window.search_panel.facets["kind"].findData("flag"))
    assert window.spec.facets == () and not dimmed(window)
    assert window.results.count() == 9  # the list is still narrowed: the demo's flags


def test_up_and_down_apart_reach_only_ancestors_and_descendants(window, qtbot, graph):
    panel = window.search_panel
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        panel.apart.setChecked(True)  # starts at the depth, 1 up and 1 down: no siblings
    assert (window.spec.up, window.spec.down) == (1, 1)
    assert set(window.drawn.nodes) == {MODEL, *graph.predecessors(MODEL), *graph.successors(MODEL)}
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        panel.down_box.setValue(0)
    assert set(window.drawn.nodes) == {MODEL, *graph.predecessors(MODEL)}
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        panel.apart.setChecked(False)
    assert not window.spec.directional and panel.depth_box.isEnabled()


def test_a_dbt_selector_in_the_search_box_focuses_so_far_up_and_down(window, qtbot, graph):
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.search.setText("2+historical_ctr")
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert (window.spec.focus, window.spec.up, window.spec.down) == (START, 2, 0)
    two_up = set(nx.bfs_tree(graph.reverse(copy=False), START, depth_limit=2))
    assert set(window.drawn.nodes) == two_up
    assert window.search_panel.apart.isChecked() and window.search_panel.up_box.value() == 2


def test_back_brings_the_filter_and_the_reach_back(window, qtbot):
    choose(qtbot, window, "kind", "feature")
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.search_panel.apart.setChecked(True)
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.model.go_back()
    assert window.spec.facets == (("kind", "feature"),) and not window.search_panel.apart.isChecked()
    with qtbot.waitSignal(window.viewShown, timeout=WAIT):
        window.model.go_back()
    assert window.spec.facets == () and window.search_panel.facets["kind"].currentData() is None
