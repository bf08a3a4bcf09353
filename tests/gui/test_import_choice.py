"""Import like a desktop app (issue 21, item 7): File ▸ Import folder…, the format to read a file
no importer recognises (a choice, not the CLI's --format), and Cancel saying nothing changed."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from lineage_gui.format_choice import FormatDialog  # noqa: E402
from lineage_gui.import_flow import CANCELLED  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressDialog, QPushButton  # noqa: E402

from lineage.ingest.registry import importers  # noqa: E402
from tests.conftest import file_digest  # noqa: E402
from tests.windows import menu_action, shown_window  # noqa: E402

WAIT = 30_000
START = "feature:ads/historical_ctr"
MANIFEST = "lineage_manifest: 1\nfeatures:\n  - name: {name}\n"


@pytest.fixture
def window(qtbot, demo_copy):
    win = shown_window(qtbot, demo_copy, focus=START, depth=1, remember=False)
    yield win
    if win.import_flow is not None:
        win.import_flow.cancel()
        win.import_flow.wait(WAIT)


def imported(qtbot, win, trigger) -> None:
    """Run ``trigger`` and wait until the import it starts is on the canvas."""
    with qtbot.waitSignal(win.viewShown, timeout=WAIT):
        trigger()


def test_import_folder_asks_for_a_folder_and_imports_everything_under_it(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "lineage files"
    (folder / "deeper").mkdir(parents=True)
    (folder / "one.yaml").write_text(MANIFEST.format(name="from_folder_one"))
    (folder / "deeper" / "two.yaml").write_text(MANIFEST.format(name="from_folder_two"))
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(a) or str(folder))
    act = menu_action(window, "Import folder…")
    assert act.shortcut().toString() == "Ctrl+Shift+I"
    assert menu_action(window, "Import files…").shortcut().toString() == "Ctrl+I"
    imported(qtbot, window, act.trigger)
    assert len(asked) == 1
    assert {"feature:from_folder_one", "feature:from_folder_two"} <= set(window.graph)
    assert window.statusBar().currentMessage().startswith("Imported 2 of 2 sources")


def test_the_format_dialog_lists_the_formats_lineage_formats_lists(qtbot):
    dialog = FormatDialog(["/data/notes.txt"])
    qtbot.addWidget(dialog)
    assert dialog.names() == [imp.name for imp in importers()]
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()  # nothing chosen yet
    dialog.choose("manifest")
    assert dialog.chosen() == "manifest" and ok.isEnabled()


def test_an_unrecognised_file_asks_for_its_format_and_imports_with_it(window, qtbot, tmp_path):
    notes = tmp_path / "notes.txt"  # a manifest, under a name no importer sniffs
    notes.write_text(MANIFEST.format(name="read_as_chosen"))
    known = tmp_path / "known.yaml"
    known.write_text(MANIFEST.format(name="recognised_anyway"))
    before = file_digest(window.db_path)
    window.start_import([str(notes), str(known)])
    flow = window.import_flow
    qtbot.waitUntil(lambda: flow.format_dialog is not None, timeout=WAIT)
    dialog = flow.format_dialog
    assert dialog.files == [str(notes)]
    assert dialog.findChild(QLabel).text() == "No importer recognises notes.txt. Read it as:"
    assert file_digest(window.db_path) == before  # asked before anything was written
    dialog.choose("manifest")
    imported(qtbot, window, dialog.accept)
    assert {"feature:read_as_chosen", "feature:recognised_anyway"} <= set(window.graph)
    assert flow.problem_dialog is None


def test_cancelling_the_format_choice_says_nothing_changed(window, qtbot, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(MANIFEST.format(name="never"))
    before = file_digest(window.db_path)
    window.start_import([str(notes)])
    flow = window.import_flow
    qtbot.waitUntil(lambda: flow.format_dialog is not None, timeout=WAIT)
    with qtbot.waitSignal(flow.cancelled, timeout=WAIT):
        flow.format_dialog.reject()
    assert window.statusBar().currentMessage() == CANCELLED
    assert file_digest(window.db_path) == before
    assert "feature:never" not in window.graph


def test_cancel_of_a_running_import_says_it_cancelled_and_nothing_changed(window, qtbot, tmp_path, blocked_prepare):
    entered, release = blocked_prepare
    new = tmp_path / "new.yaml"
    new.write_text(MANIFEST.format(name="cancelled_one"))
    before = file_digest(window.db_path)
    counts = window.store.counts()
    try:
        window.start_import([str(new)])
        qtbot.waitUntil(entered.is_set, timeout=WAIT)
        dialog = window.import_flow.progress_dialog
        assert isinstance(dialog, QProgressDialog)
        with qtbot.waitSignal(window.import_flow.cancelled, timeout=WAIT):
            dialog.findChild(QPushButton).click()
            release.set()
    finally:
        release.set()
    assert window.statusBar().currentMessage() == "Import cancelled: nothing changed"
    assert file_digest(window.db_path) == before
    assert window.store.counts() == counts
