"""Importing from the explorer: worker thread, progress and cancel, problems, drag and drop."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from lineage_gui.import_flow import ImportFlow, paths_from_mime  # noqa: E402
from PySide6.QtCore import QMimeData, QUrl  # noqa: E402
from PySide6.QtWidgets import QPlainTextEdit, QProgressDialog, QPushButton, QWidget  # noqa: E402

import lineage.ingest.session  # noqa: E402
from lineage.ingest import import_paths  # noqa: E402
from lineage.store import Store  # noqa: E402
from tests.conftest import file_digest  # noqa: E402

WAIT = 20_000  # ms: every wait has a timeout, so a broken flow fails instead of hanging

GOOD = "lineage_manifest: 1\nfeatures:\n  - name: a\n  - name: b\n"
BROKEN = "lineage_manifest: 1\nfeatures:\n  - name: c\n  - name: d\n    owner: 3\n"


def node_ids(db: Path) -> set[str]:
    with Store.open(db) as store:
        return {n["id"] for n in store.nodes()}


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def db(tmp_path) -> Path:
    """A lineage database that already holds one manifest."""
    seed = tmp_path / "seed.yaml"
    seed.write_text("lineage_manifest: 1\ndatasets:\n  - name: seed\n")
    path = tmp_path / "lineage.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [seed]).committed
    return path


@pytest.fixture
def flow(parent, db):
    flow = ImportFlow(parent, db)
    yield flow
    flow.cancel()
    for dialog in (flow.problem_dialog, flow.message_box, flow.progress_dialog):
        if dialog is not None:
            dialog.close()
    assert flow.wait(WAIT)


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    return path


@pytest.fixture
def broken(tmp_path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    return path


def test_a_successful_import_emits_finished_and_writes_the_nodes(flow, qtbot, db, good):
    with qtbot.waitSignal(flow.finished, timeout=WAIT) as finished:
        assert flow.start([str(good)]) is True
    report = finished.args[0]
    assert report.committed and report.ok
    assert [(u.path, u.importer, u.node_count) for u in report.units] == [(str(good), "manifest", 2)]
    assert report.units[0].outcome.nodes_added == 2
    assert {"feature:a", "feature:b", "dataset:seed"} <= node_ids(db)
    assert not flow.busy() and flow.problem_dialog is None and flow.message_box is None


def test_a_folder_is_imported_whole_and_a_new_database_is_created(parent, qtbot, tmp_path):
    folder = tmp_path / "manifests"
    (folder / "deeper").mkdir(parents=True)
    (folder / "one.yaml").write_text(GOOD)
    (folder / "deeper" / "two.yaml").write_text("lineage_manifest: 1\nmodels:\n  - name: m\n")
    fresh = tmp_path / "new.db"
    flow = ImportFlow(parent, fresh)
    with qtbot.waitSignal(flow.finished, timeout=WAIT) as finished:
        flow.start([folder])
    assert len(finished.args[0].units) == 2
    assert node_ids(fresh) == {"feature:a", "feature:b", "model:m"}
    flow.wait(WAIT)


def test_problems_open_the_dialog_and_write_nothing(flow, qtbot, db, good, broken):
    before = file_digest(db)
    with qtbot.assertNotEmitted(flow.finished), qtbot.assertNotEmitted(flow.failed):
        flow.start([good, broken])
        qtbot.waitUntil(lambda: flow.problem_dialog is not None, timeout=WAIT)
    dialog = flow.problem_dialog
    assert dialog.windowTitle() == "Nothing was imported"
    assert dialog.isVisible()
    listing = dialog.findChild(QPlainTextEdit).toPlainText()
    assert listing == f"{broken}:5: features.1.owner must be of type string, not integer"
    assert dialog.findChild(QPlainTextEdit).isReadOnly()
    assert not flow.busy()
    flow.wait(WAIT)
    assert file_digest(db) == before
    assert node_ids(db) == {"dataset:seed"}


def test_import_the_valid_records_imports_them(flow, qtbot, db, good, broken):
    flow.start([good, broken])
    qtbot.waitUntil(lambda: flow.problem_dialog is not None, timeout=WAIT)
    button = next(b for b in flow.problem_dialog.findChildren(QPushButton) if b.text() == "Import the valid records")
    assert button.isEnabled()
    with qtbot.waitSignal(flow.finished, timeout=WAIT) as finished:
        button.click()
    report = finished.args[0]
    assert report.committed and not report.ok  # lenient: the problems are still reported
    assert [str(p) for p in report.problems] == [f"{broken}:5: features.1.owner must be of type string, not integer"]
    assert flow.problem_dialog is None
    assert node_ids(db) == {"dataset:seed", "feature:a", "feature:b", "feature:c"}


def test_import_valid_records_without_any_valid_record(flow, qtbot, db, tmp_path):
    unreadable = tmp_path / "nothing.yaml"
    unreadable.write_text("lineage_manifest: 1\nfeatures: [{name: x, owner: 3}]\n")
    before = file_digest(db)
    flow.start([unreadable])
    qtbot.waitUntil(lambda: flow.problem_dialog is not None, timeout=WAIT)
    assert not flow.problem_dialog.findChild(QPushButton, "importValid").isEnabled()
    with qtbot.waitSignal(flow.problem_dialog.finished, timeout=WAIT):
        flow.problem_dialog.findChild(QPushButton, "close").click()
    assert flow.problem_dialog is None
    flow.wait(WAIT)
    assert file_digest(db) == before


def test_problems_with_no_database_yet_create_none(parent, qtbot, tmp_path, broken):
    fresh = tmp_path / "new.db"
    flow = ImportFlow(parent, fresh)
    flow.start([broken])
    qtbot.waitUntil(lambda: flow.problem_dialog is not None, timeout=WAIT)
    flow.problem_dialog.close()
    flow.wait(WAIT)
    assert not fresh.exists()


def test_cancel_while_reading_writes_nothing(flow, qtbot, db, good, broken, blocked_prepare, monkeypatch):
    entered, release = blocked_prepare
    commits = []
    monkeypatch.setattr(lineage.ingest.session, "commit", lambda *a, **k: commits.append(a))
    before = file_digest(db)
    other = good.with_name("other.yaml")
    other.write_text(GOOD.replace("name: a", "name: z"))
    flow.start([good, other])
    qtbot.waitUntil(entered.is_set, timeout=WAIT)
    dialog = flow.progress_dialog
    assert isinstance(dialog, QProgressDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)  # shown while the import runs, not modal
    assert dialog.labelText().startswith("Importing 2 paths…")
    assert not dialog.isModal()
    with qtbot.waitSignal(flow.cancelled, timeout=WAIT):
        cancel = dialog.findChild(QPushButton)
        assert cancel.text() == "Cancel"
        cancel.click()
        assert flow.progress_dialog is None
        release.set()
    assert not flow.busy()
    assert commits == []
    flow.wait(WAIT)
    assert file_digest(db) == before


def test_cancel_after_reading_before_writing_writes_nothing(flow, qtbot, db, good, monkeypatch):
    real = lineage.ingest.session.prepare
    read, release = threading.Event(), threading.Event()

    def prepare_then_wait(*args, **kwargs):
        prepared = real(*args, **kwargs)
        read.set()
        release.wait(WAIT / 1000)
        return prepared

    monkeypatch.setattr(lineage.ingest.session, "prepare", prepare_then_wait)
    before = file_digest(db)
    try:
        flow.start([good])
        qtbot.waitUntil(read.is_set, timeout=WAIT)
        with qtbot.waitSignal(flow.cancelled, timeout=WAIT), qtbot.assertNotEmitted(flow.finished):
            assert flow.cancel() is True
            release.set()
    finally:
        release.set()
    flow.wait(WAIT)
    assert file_digest(db) == before
    assert node_ids(db) == {"dataset:seed"}


def test_a_second_start_while_busy_is_refused(flow, qtbot, db, good, broken, blocked_prepare):
    entered, release = blocked_prepare
    assert flow.start([good]) is True
    qtbot.waitUntil(entered.is_set, timeout=WAIT)
    assert flow.busy()
    assert flow.start([broken]) is False
    assert flow.import_valid_records() is False
    with qtbot.waitSignal(flow.finished, timeout=WAIT) as finished:
        release.set()
    assert [u.path for u in finished.args[0].units] == [str(good)]
    assert not flow.busy()
    assert flow.start([]) is False  # nothing to import


@pytest.mark.parametrize("kind", ["text file", "someone else's sqlite"])
def test_a_database_that_is_not_ours_fails_clearly(parent, qtbot, tmp_path, good, kind):
    target = tmp_path / "other.db"
    if kind == "text file":
        target.write_bytes(b"not a database at all\n" * 40)
    else:
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE theirs (x)")
        conn.commit()
        conn.close()
    before = target.read_bytes()
    flow = ImportFlow(parent, target)
    with qtbot.waitSignal(flow.failed, timeout=WAIT) as failed, qtbot.assertNotEmitted(flow.finished):
        flow.start([good])
    message = failed.args[0]
    assert str(target) in message and "not a Lineage Explorer database" in message
    box = flow.message_box
    assert box is not None and box.isVisible()
    assert box.text() == message and box.windowTitle() == "Import failed"
    box.close()
    assert flow.message_box is None
    flow.wait(WAIT)
    assert target.read_bytes() == before
    assert not flow.busy()


def test_paths_from_mime_keeps_local_files_and_folders(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    file = tmp_path / "a.yaml"
    file.write_text(GOOD)
    mime = QMimeData()
    mime.setUrls([
        QUrl.fromLocalFile(str(file)),
        QUrl("https://example.com/lineage.yaml"),
        QUrl.fromLocalFile(str(folder) + "/"),
        QUrl.fromLocalFile(str(file)),
    ])  # fmt: skip
    assert paths_from_mime(mime) == [str(file), str(folder)]
    text_only = QMimeData()
    text_only.setText("/etc/passwd")
    assert paths_from_mime(text_only) == []
    assert paths_from_mime(None) == []


def test_prepare_and_commit_run_off_the_ui_thread(flow, qtbot, db, good, monkeypatch):
    threads = {}

    def recorded(name, real):
        def wrapper(*args, **kwargs):
            threads[name] = threading.current_thread()
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(lineage.ingest.session, "prepare", recorded("prepare", lineage.ingest.session.prepare))
    monkeypatch.setattr(lineage.ingest.session, "commit", recorded("commit", lineage.ingest.session.commit))
    with qtbot.waitSignal(flow.finished, timeout=WAIT):
        flow.start([good])
    assert set(threads) == {"prepare", "commit"}
    assert all(t is not threading.main_thread() for t in threads.values())


def test_progress_reaches_the_ui_thread(flow, qtbot, good):
    seen = []
    flow.progressed.connect(lambda *args: seen.append((threading.current_thread(), args)))
    with qtbot.waitSignal(flow.finished, timeout=WAIT):
        flow.start([good])
    assert seen and all(t is threading.main_thread() for t, _ in seen)
    assert seen[0][1] == (0, 1, str(good))
