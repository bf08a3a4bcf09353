"""The explorer shows hostile names as text: Qt never reads one as rich text (its guess,
Qt.mightBeRichText, would render ``<img src=x>``), labels stay one bounded line, and a
10,000-character name leaves the window usable."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from lineage_gui.inspector import inspector_html  # noqa: E402
from lineage_gui.items import MAX_LABEL_CHARS, NodeItem  # noqa: E402
from lineage_gui.window import MainWindow  # noqa: E402
from PySide6.QtCore import Qt, QUrl  # noqa: E402
from PySide6.QtGui import Qt as QtGui  # noqa: E402
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QLabel, QListWidget, QTreeWidget  # noqa: E402

from lineage.ingest import import_paths  # noqa: E402
from lineage.store import Store  # noqa: E402
from lineage.views.spec import LIMIT  # noqa: E402
from tests.guarantees.hostile import hostile_names, write_hostile_manifest  # noqa: E402
from tests.guarantees.test_hostile_names import Markup  # noqa: E402
from tests.windows import shown_window  # noqa: E402

WAIT = 30_000
OUT = Path(__file__).parents[2] / "out"
TOOLTIP_TAGS = {"qt", "br"}  # all lineage_gui.plain.tooltip ever writes
INSPECTOR_TAGS = {"h3", "h4", "p", "code", "table", "tr", "td", "b", "ul", "li", "a", "small"}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-gui")
    with Store.open(folder / "h.db", create=True) as store:
        assert import_paths(store, [write_hostile_manifest(folder)]).ok
    return str(folder / "h.db")


def open_window(qtbot, db: str, *, unfolded: bool) -> MainWindow:
    win = shown_window(qtbot, db, focus="dataset:source", depth=1, remember=False, size=(1400, 900))
    if unfolded:  # every name a node of its own: a hop of 82 is folded at the usual limit
        win.state.limit = LIMIT + 1
        with qtbot.waitSignal(win.viewShown, timeout=WAIT):
            win.relayout()
    return win


@pytest.fixture
def window(qtbot, hostile_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return open_window(qtbot, hostile_db, unfolded=True)


def test_the_groups_a_wide_hop_folds_into_have_plain_bounded_labels(qtbot, hostile_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    win = open_window(qtbot, hostile_db, unfolded=False)
    groups = [i for i in win.canvas.scene().items() if isinstance(i, NodeItem) and i.node_id.startswith("group:")]
    assert groups
    for item in groups:
        assert len(item.label) <= MAX_LABEL_CHARS and item.label.isprintable(), item.label
        assert shown_as_text(item.toolTip(), TOOLTIP_TAGS), item.toolTip()[:80]


def shown_as_text(text: str, allowed_tags: set[str]) -> bool:
    """Plain text as Qt would show it: either Qt does not take it for rich text, or it is rich
    text made only of the tags we write, everything else escaped."""
    if not QtGui.mightBeRichText(text):
        return True
    markup = Markup(text)
    return set(markup.tags) <= allowed_tags and not markup.attributes


def tooltips(win) -> list[str]:
    out = [i.toolTip() for i in win.canvas.scene().items() if isinstance(i, QGraphicsItem)]
    for view in win.findChildren(QListWidget):
        out += [view.item(r).toolTip() for r in range(view.count())]
    for tree in win.findChildren(QTreeWidget):
        stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            out.append(item.toolTip(0))
            stack += [item.child(i) for i in range(item.childCount())]
    for combo in win.findChildren(QComboBox):
        out += [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) or "" for i in range(combo.count())]
    return [t for t in out if t]


def test_node_labels_are_one_bounded_printable_line(window):
    nodes = [i for i in window.canvas.scene().items() if isinstance(i, NodeItem)]
    assert len(nodes) == len(hostile_names()) + 1
    for item in nodes:
        assert len(item.label) <= MAX_LABEL_CHARS and item.label.isprintable(), item.label


def test_every_label_and_tooltip_is_plain_text(window, qtbot):
    window.search.setText("a")  # fills the result list
    window.set_mode("findings")
    qtbot.waitUntil(lambda: window.findings is not None, timeout=WAIT)
    nodes = [i for i in window.canvas.scene().items() if isinstance(i, NodeItem)]
    tips = tooltips(window)
    assert len(tips) > len(nodes)
    assert [t[:80] for t in tips if not shown_as_text(t, TOOLTIP_TAGS)] == []
    labels = [w for w in window.findChildren(QLabel) if w.text()]
    rich = [w.text()[:80] for w in labels if w.textFormat() != Qt.TextFormat.PlainText
            and not shown_as_text(w.text(), set())]  # fmt: skip
    assert rich == []
    summary = window.panel.summaries["explore"]
    assert summary.textFormat() == Qt.TextFormat.PlainText


def test_a_tooltip_shows_the_whole_name(window):
    longest = max(hostile_names(), key=len)
    item = next(i for i in window.canvas.scene().items() if isinstance(i, NodeItem) and i.node_id.endswith(longest))
    shown = html.unescape(re.sub(r"<[^>]+>", "", item.toolTip())).replace("\u200b", "")
    assert longest in shown


def test_the_inspector_escapes_names_and_its_links_carry_any_id(window, qtbot):
    store = window.store
    node = store.node("dataset:source")
    incoming, outgoing = store.edges_of("dataset:source")
    page = inspector_html(node, incoming, outgoing, store.node_provenance("dataset:source"))
    markup = Markup(page)
    assert set(markup.tags) <= INSPECTOR_TAGS
    hrefs = [v for a, v in markup.attributes if a == "href"]
    assert len(hrefs) == len(hostile_names()) and all(h.startswith("#") and h.isascii() for h in hrefs)
    for name in ("%s%s%s%n", "line\nbreak", "nul\x00byte", "{{ 7*7 }}", "back`tick`"):
        target = f"feature:{name}"
        href = next(h for h in hrefs if QUrl(h).fragment(QUrl.ComponentFormattingOption.FullyDecoded) == target)
        with qtbot.waitSignal(window.viewShown, timeout=WAIT):
            window.inspector.anchorClicked.emit(QUrl(href))
        assert window.state.focus == target


def test_a_ten_thousand_character_name_leaves_the_window_usable(window, qtbot):
    longest = max(hostile_names(), key=len)
    window.show_inspector(f"feature:{longest}")
    window.facets["owner"].setCurrentIndex(window.facets["owner"].findData(longest))
    assert window.facets["owner"].width() < 400
    assert window.inspector.document().size().width() <= window.inspector.viewport().width() + 1
    # Clipped with an ellipsis, not wrapped into a page of its own (the tooltip has it whole).
    shown = window.inspector.toPlainText()
    assert longest not in shown and longest[:40] in shown and "…" in shown
    label = next(i for i in window.canvas.scene().items() if isinstance(i, NodeItem) and i.node_id.endswith(longest))
    assert label.boundingRect().width() < 400
    assert window.width() <= 1400
    OUT.mkdir(exist_ok=True)
    qtbot.wait(50)
    assert window.grab().save(str(OUT / "hostile-explorer.png"))
    window.canvas.zoom_by(1.0 / window.canvas.transform().m11())  # close up: the labels themselves
    window.canvas.centerOn(next(i for i in window.canvas.scene().items() if isinstance(i, NodeItem)
                                and i.node_id == "feature:<script>alert(1)</script>"))  # fmt: skip
    qtbot.wait(50)
    assert window.canvas.grab().save(str(OUT / "hostile-explorer-labels.png"))
