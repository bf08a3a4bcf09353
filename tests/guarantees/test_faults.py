"""Faults get one clear line from the CLI (exit 1, no traceback) and leave the database as it was:
a full disk, a read-only database, a lock held by another writer, a file that vanishes mid-import,
and files that are not lineage databases."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import lineage.ingest
from lineage.cli import cli as lineage_cli
from lineage.store import SCHEMA_VERSION, Store
from lineage.synth import write_synthetic
from tests.conftest import DATA, file_digest


def refused(result, message: str) -> None:
    """The CLI said ``message`` in one line, exited 1 and showed no traceback."""
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def files_beside(db: Path) -> set[str]:
    return {p.name for p in db.parent.iterdir()}


@pytest.fixture
def filled(lineage, small):
    """The CLI fixture with small.yaml imported, and a second input to import."""
    assert lineage("import", str(small)).exit_code == 0
    other = lineage.folder / "synth"
    write_synthetic(other, nodes=300, seed=2)
    return lineage, other


# -- a full disk ------------------------------------------------------------------------------


def test_a_full_disk_is_said_and_nothing_is_written(filled, monkeypatch):
    lineage, other = filled
    real_open = Store.open.__func__

    def open_on_a_full_disk(cls, path, **kwargs):
        store = real_open(cls, path, **kwargs)
        pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
        store.db.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL on the next page
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_on_a_full_disk))
    before = file_digest(lineage.db)
    refused(lineage("import", str(other)), "the disk is full (or the database reached its size limit); "
                                           "nothing was written")  # fmt: skip
    assert file_digest(lineage.db) == before
    monkeypatch.undo()
    assert lineage("import", str(other)).exit_code == 0  # with room again, it works


def test_a_really_full_disk_is_said_and_nothing_is_written(lineage, small, tiny_disk):
    db = tiny_disk / "lineage.db"
    assert lineage.runner.invoke(lineage_cli, ["--db", str(db), "import", str(small)]).exit_code == 0
    other = lineage.folder / "synth"
    write_synthetic(other, nodes=1000, seed=2)
    free = shutil.disk_usage(tiny_disk).free
    (tiny_disk / "filler").write_bytes(b"\0" * (free - 64 * 1024))  # leave 64 KB: less than the import needs
    before = file_digest(db)
    result = lineage.runner.invoke(lineage_cli, ["--db", str(db), "import", str(other)])
    refused(result, "the disk is full (or the database reached its size limit); nothing was written")
    assert file_digest(db) == before
    (tiny_disk / "filler").unlink()
    again = lineage.runner.invoke(lineage_cli, ["--db", str(db), "import", str(other)])
    assert again.exit_code == 0, again.output  # with room again, it works


# -- a read-only database -----------------------------------------------------------------------


def run_without_write_permission(*args: str) -> subprocess.CompletedProcess:
    """``python -m lineage ARGS`` unable to override file permissions, even as root."""
    command = [sys.executable, "-m", "lineage", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


READ_ONLY = [
    # (what, make it read-only)
    ("file 0444", lambda db: db.chmod(0o444)),
    ("folder 0555", lambda db: db.parent.chmod(0o555)),
]


@pytest.mark.parametrize("make_read_only", [r[1] for r in READ_ONLY], ids=[r[0] for r in READ_ONLY])
def test_a_read_only_database_can_be_read_and_refuses_writes_clearly(tmp_path, make_read_only):
    db = tmp_path / "ro" / "lineage.db"
    db.parent.mkdir()
    with Store.open(db, create=True) as store:
        assert lineage.ingest.import_paths(store, [DATA / "small.yaml"]).ok
    before, names = file_digest(db), files_beside(db)
    make_read_only(db)
    try:
        nodes = run_without_write_permission("--db", str(db), "nodes")
        assert nodes.returncode == 0, nodes.stderr
        assert len(nodes.stdout.strip().splitlines()) == 6 + 1  # a heading and the six nodes
        show = run_without_write_permission("--db", str(db), "show", "model:shop/ranker")
        assert show.returncode == 0 and "ranker" in show.stdout, show.stderr
        write = run_without_write_permission("--db", str(db), "import", str(DATA / "kfp"))
        assert write.returncode == 1
        assert write.stderr.strip().splitlines()[-1] == (
            f"Error: {db}: the database is read-only (no write permission on the file or its folder); "
            "nothing was written"
        )
        assert "Traceback" not in write.stderr
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert file_digest(db) == before
    assert files_beside(db) == names  # not even a -wal or -shm file was made


# -- another writer holds the lock ----------------------------------------------------------------


def hold_write_lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)  # released by a timer
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_an_import_waits_for_another_writer(filled, monkeypatch):
    lineage, other = filled
    monkeypatch.setenv("LINEAGE_BUSY_TIMEOUT", "60")
    holder = hold_write_lock(lineage.db)
    released = threading.Event()

    def release() -> None:
        released.set()
        holder.execute("COMMIT")

    timer = threading.Timer(0.5, release)
    timer.start()
    try:
        result = lineage("import", str(other))
    finally:
        timer.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert released.is_set()  # it could only commit once the other writer let go


def test_a_lock_that_outlasts_the_wait_is_said_clearly(filled, monkeypatch):
    lineage, other = filled
    monkeypatch.setenv("LINEAGE_BUSY_TIMEOUT", "0.2")
    before = file_digest(lineage.db)
    holder = hold_write_lock(lineage.db)
    try:
        result = lineage("import", str(other))
    finally:
        holder.close()
    refused(result, f"{lineage.db}: locked by another writer (waited 0.2 s); nothing was written; try again")
    assert file_digest(lineage.db) == before


def test_a_wait_that_is_not_a_number_is_said_clearly(filled, monkeypatch):
    lineage, other = filled
    monkeypatch.setenv("LINEAGE_BUSY_TIMEOUT", "soon")
    refused(lineage("nodes"), "$LINEAGE_BUSY_TIMEOUT: not a number of seconds: 'soon'")


# -- a file vanishes mid-import -------------------------------------------------------------------


@pytest.mark.parametrize("lenient", [False, True], ids=["atomic", "lenient"])
def test_a_file_that_vanishes_mid_import_is_named_and_nothing_of_it_is_written(filled, monkeypatch, lenient):
    lineage, _ = filled
    folder = lineage.folder / "inputs"
    shutil.copytree(DATA / "kfp", folder)
    gone = folder / "nested_pipeline.yaml"
    real_discover = sys.modules["lineage.ingest.discover"].discover  # `lineage` is the CLI fixture here

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        gone.unlink()  # after the walk found it, before it is read
        return found

    monkeypatch.setattr("lineage.ingest.discover.discover", discover_then_delete)
    before = file_digest(lineage.db)
    result = lineage("import", str(folder), *(["--lenient"] if lenient else []))
    assert f"{gone}: vanished during the import (deleted or moved?)" in result.output
    assert result.exit_code == 1 and "Traceback" not in result.output
    with Store.open(lineage.db) as store:
        paths = [i["path"] for i in store.imports()]
    assert str(gone) not in paths
    if lenient:
        assert str(folder / "churn_pipeline.yaml") in paths
    else:
        assert file_digest(lineage.db) == before


# -- files that are not lineage databases -----------------------------------------------------------


def real_database(path: Path) -> bytes:
    with Store.open(path, create=True) as store:
        assert lineage.ingest.import_paths(store, [DATA / "small.yaml"]).ok
    return path.read_bytes()


def foreign_sqlite(path: Path, *, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO accounts (name) VALUES ('someone')")
    conn.commit()
    conn.close()


def newer_schema(path: Path) -> None:
    real_database(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def damaged_inside(path: Path) -> None:
    """Intact header and schema page, garbage in every page after the third."""
    data = bytearray(real_database(path))
    page = int.from_bytes(data[16:18], "big")
    data[3 * page :] = bytes((i * 7 + 3) % 251 for i in range(len(data) - 3 * page))
    path.write_bytes(bytes(data))


NOT_OURS = [
    # (what, make the file, what the message says)
    ("foreign sqlite", foreign_sqlite, "not a Lineage Explorer database; refusing to touch it"),
    ("foreign sqlite in WAL mode", lambda p: foreign_sqlite(p, wal=True),
     "not a Lineage Explorer database; refusing to touch it"),
    ("text file", lambda p: p.write_text("id,name\n1,someone\n"), "not an SQLite file"),
    ("cut in half", lambda p: p.write_bytes(real_database(p)[:50_000]), "a damaged or cut-short SQLite database"),
    ("first page only", lambda p: p.write_bytes(real_database(p)[:4096]), "a damaged or cut-short SQLite database"),
    ("header only", lambda p: p.write_bytes(real_database(p)[:100]), "a damaged or cut-short SQLite database"),
    ("cut inside the header", lambda p: p.write_bytes(real_database(p)[:40]), "the file ends inside its header"),
    ("newer schema", newer_schema, f"written by a newer Lineage Explorer (schema version {SCHEMA_VERSION + 1}"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "message"), [n[1:] for n in NOT_OURS], ids=[n[0] for n in NOT_OURS])
@pytest.mark.parametrize("command", [["nodes"], ["import", str(DATA / "small.yaml")], ["hash"]], ids=lambda c: c[0])
def test_a_file_that_is_not_a_lineage_database_is_refused_and_untouched(lineage, make, message, command):
    make(lineage.db)
    for leftover in lineage.folder.glob("lineage.db-*"):
        leftover.unlink()
    before, names = file_digest(lineage.db), files_beside(lineage.db)
    refused(lineage(*command), message)
    assert file_digest(lineage.db) == before
    assert files_beside(lineage.db) == names


@pytest.mark.parametrize("command", [["nodes"], ["show", "ranker"], ["hash"], ["findings"]], ids=lambda c: c[0])
def test_damage_inside_the_pages_is_said_clearly(lineage, command):
    damaged_inside(lineage.db)
    before = file_digest(lineage.db)
    refused(lineage(*command), f"{lineage.db}: the database is damaged (")
    assert file_digest(lineage.db) == before


def test_the_header_check_accepts_every_real_database(tmp_path):
    """The cheap header check must not refuse a sound file: new, filled, and with a live WAL."""
    db = tmp_path / "l.db"
    Store.open(db, create=True).close()
    Store.open(db).close()
    real_database(db)
    writer = Store.open(db)
    assert lineage.ingest.ImportSession(writer, [DATA / "kfp"]).commit().committed
    assert Path(f"{db}-wal").stat().st_size > 0
    with Store.open(db) as reader:
        assert reader.counts()["nodes"] > 6
    writer.close()
    assert not stat.S_ISDIR(db.stat().st_mode)
