"""Files that are not plain readable files, and MLflow models that break their MLmodel: each is
reported at its place (FILE:LINE, or the file), never hangs, never aborts the rest of a
``--lenient`` import, and never puts a lone surrogate in the database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, file_digest

OPENLINEAGE = DATA / "openlineage" / "filetransport_append_events.jsonl"
MLFLOW2 = DATA / "mlflow" / "mlflow2_filestore" / "mlruns"
# No permission checks skipped for root: drop the capabilities that let root read anything.
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
TIMEOUT = 300  # generous: a hang is what is tested, never a speed


def run_cli(db: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    cmd = [*prefix, sys.executable, "-m", "lineage", "--db", str(db), *args]
    return subprocess.run(cmd, capture_output=True, text=True, errors="backslashreplace", timeout=TIMEOUT,
                          cwd=db.parent)  # fmt: skip


def can_drop_read_rights(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        done = subprocess.run([*UNPRIVILEGED, "cat", str(probe)], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.unlink()
    return done.returncode != 0


def unreadable_ok(tmp_path: Path) -> tuple[str, ...]:
    """The command prefix under which a mode-000 file cannot be read, or skip."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None or not can_drop_read_rights(tmp_path):
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE (no setpriv): a mode-000 file is readable")
    return tuple(UNPRIVILEGED)


def mlflow_two_runs(target: Path) -> tuple[Path, list[Path]]:
    """A copy of the MLflow 2 sample with its run copied once more, under another run id."""
    shutil.copytree(MLFLOW2, target)
    (meta,) = [p for p in target.glob("*/*/meta.yaml") if "models" not in (p.parent.name, p.parent.parent.name)]
    run = meta.parent
    twin = run.parent / ("f" * 32)
    shutil.copytree(run, twin)
    (twin / "meta.yaml").write_text((twin / "meta.yaml").read_text().replace(run.name, twin.name))
    return target, [meta, twin / "meta.yaml"]


def event_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "events"
    folder.mkdir()
    shutil.copy(OPENLINEAGE, folder / "good.jsonl")
    return folder


def node_names(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM nodes")}
    finally:
        conn.close()


def no_surrogates(db: Path) -> None:
    """Every text cell of every table is valid UTF-8 (a lone surrogate is not)."""
    conn = sqlite3.connect(db)
    conn.text_factory = bytes
    try:
        tables = [r[0].decode() for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table.startswith("nodes_fts"):
                continue
            for row in conn.execute(f"SELECT * FROM [{table}]"):  # noqa: S608 (names from the schema)
                for cell in row:
                    if isinstance(cell, bytes) and table not in ("raw_units",):
                        cell.decode("utf-8")  # raises on a surrogate's bytes
    finally:
        conn.close()


# -- 1. an unreadable file ----------------------------------------------------------------------


def test_an_unreadable_file_in_a_folder_is_a_located_error_not_an_unknown_format(tmp_path):
    prefix = unreadable_ok(tmp_path)
    folder = event_folder(tmp_path)
    (folder / "sub").mkdir()  # a folder of files, not an event folder read whole
    shutil.copy(OPENLINEAGE, folder / "sub" / "good.jsonl")
    locked = folder / "sub" / "locked.yaml"
    locked.write_text("models: []\n")
    locked.chmod(0)
    db = tmp_path / "l.db"
    done = run_cli(db, "import", str(folder), prefix=prefix)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{locked}: cannot read: permission denied" in done.stderr, done.stderr
    assert "no importer recognises" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()
    lenient = run_cli(db, "import", "--lenient", str(folder), prefix=prefix)
    assert f"{locked}: cannot read: permission denied" in lenient.stderr, lenient.stderr
    assert "the valid records were imported" in lenient.stderr
    assert node_names(db), "the readable file was imported"


def test_an_unreadable_file_given_by_name_is_a_located_error(tmp_path):
    """(The command line refuses it before an import starts; the import itself says it too.)"""
    prefix = unreadable_ok(tmp_path)
    locked = tmp_path / "locked.jsonl"
    shutil.copy(OPENLINEAGE, locked)
    locked.chmod(0)
    code = f"from lineage.ingest import ImportSession; print(*ImportSession(None, [{str(locked)!r}]).plan().report.problems, sep='\\n')"
    done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
    assert f"{locked}: cannot read: permission denied" in done.stdout, done.stdout + done.stderr
    assert "no importer recognises" not in done.stdout


def test_an_unreadable_file_inside_an_mlflow_store_is_named_and_the_rest_kept(tmp_path):
    prefix = unreadable_ok(tmp_path)
    store, runs = mlflow_two_runs(tmp_path / "mlruns")
    locked = runs[1]
    locked.chmod(0)
    db = tmp_path / "l.db"
    done = run_cli(db, "import", str(store), prefix=prefix)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{locked}: cannot read: permission denied" in done.stderr, done.stderr
    assert not db.exists()
    lenient = run_cli(db, "import", "--lenient", str(store), prefix=prefix)
    assert f"{locked}: cannot read: permission denied" in lenient.stderr, lenient.stderr
    assert "the valid records were imported" in lenient.stderr, lenient.stderr
    assert jobs_and_features(db)[0] == 1, "the other run is kept"


# -- 2. FIFOs and devices -----------------------------------------------------------------------


def fifo_in(folder: Path, name: str = "pipe.jsonl") -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no os.mkfifo on this system")
    fifo = folder / name
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("where", ["folder", "given", "mlruns"])
def test_a_fifo_is_reported_never_opened_and_nothing_hangs(tmp_path, where):
    if where == "mlruns":
        folder = tmp_path / "mlruns"
        shutil.copytree(MLFLOW2, folder)
        fifo = fifo_in(next(folder.glob("*/*/params")), "stuck")
    else:
        folder = event_folder(tmp_path)
        fifo = fifo_in(folder)
    db = tmp_path / "l.db"
    done = run_cli(db, "import", str(fifo if where == "given" else folder))  # a hang ends in TimeoutExpired
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{fifo}: not a regular file (a FIFO)" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()
    if where != "given":
        lenient = run_cli(db, "import", "--lenient", str(folder))
        assert f"{fifo}: not a regular file (a FIFO)" in lenient.stderr, lenient.stderr
        assert node_names(db)


def test_a_character_device_is_reported_never_opened(tmp_path):
    folder = event_folder(tmp_path)
    device = folder / "zero.jsonl"
    try:
        os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: endless bytes
    except (OSError, AttributeError) as exc:
        pytest.skip(f"cannot make a character device here: {exc}")
    db = tmp_path / "l.db"
    for target in (folder, device):
        done = run_cli(db, "import", str(target))
        assert done.returncode == 1, done.stdout + done.stderr
        assert f"{device}: not a regular file (a character device)" in done.stderr, done.stderr


# -- 3. MLflow models that break their MLmodel --------------------------------------------------


def mlflow_store_with_mlmodel(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the MLflow 2 sample with two runs, and its MLmodel."""
    store, _ = mlflow_two_runs(tmp_path / "mlruns")
    (mlmodel,) = sorted(store.rglob("MLmodel"))[:1]
    return store, mlmodel


def jobs_and_features(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        count = lambda kind: conn.execute("SELECT count(*) FROM nodes WHERE kind = ?", (kind,)).fetchone()[0]  # noqa: E731
        return count("job"), count("feature")
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("flavors: {}\nsignature:\n  inputs: 5\n", 3, "signature"),
        ("flavors: {}\nsignature:\n  inputs: [1, 2]\n", 3, "signature"),
        ("flavors: {}\nsignature:\n  inputs: '[{\"name\": 5}, 7, \"x\"]'\n", None, None),
        ("flavors: {}\nsignature:\n  inputs: '{\"a\": 1}'\n", 3, "signature"),
        ("flavors: {}\nsignature:\n  inputs: '[{'\n", 3, "JSON"),
        ("flavors: {}\nsignature: [1]\n", 2, "signature"),
        ("[" * 50_000 + "]" * 50_000 + "\n", 1, "deep"),
        ("flavors: {}\nsignature:\n  inputs: '" + "[" * 50_000 + "]" * 50_000 + "'\n", 3, "deep"),
        ("flavors: {}\nrun_id: x\n  bad: indent: here\n", 3, None),
        ("flavors: {}\nsignature: !!python/object:os.system x\n", 2, None),
        ("flavors: \xff\n", 1, "UTF-8"),
    ],
    ids=["inputs-number", "inputs-list", "bad-columns", "inputs-object", "inputs-bad-json", "signature-list",
         "deep-yaml", "deep-json", "yaml-error-line-3", "yaml-tag", "not-utf8"],
)  # fmt: skip
def test_a_broken_mlmodel_is_located_and_lenient_keeps_every_run(tmp_path, text, line, says):
    store, mlmodel = mlflow_store_with_mlmodel(tmp_path)
    mlmodel.write_bytes(text.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    db = tmp_path / "l.db"
    done = run_cli(db, "import", str(store))
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "importer failed" not in output, output
    if line is None and says is None:  # bad columns are left out: the model has no features
        assert done.returncode == 0, output
        return
    assert done.returncode == 1, output
    assert f"{mlmodel}:{line}:" in done.stderr, done.stderr
    if says:
        assert says.lower() in done.stderr.lower(), done.stderr
    lenient = run_cli(db, "import", "--lenient", str(store))
    assert "the valid records were imported" in lenient.stderr, lenient.stderr
    assert jobs_and_features(db)[0] == 2, "every run is kept"


# -- 4. file names that are not UTF-8 -----------------------------------------------------------


OTHER_EVENT = DATA / "openlineage" / "client__python__tests__example_full_event.json"


def bad_name(folder: Path, name: bytes = b"bad\xff.jsonl") -> Path:
    """A file named by bytes that are not UTF-8, holding other events than good.jsonl."""
    raw = os.path.join(os.fsencode(folder), name)
    try:
        with open(raw, "wb") as fh:
            fh.write(OTHER_EVENT.read_bytes().replace(b"\n", b" ") + b"\n")
    except (OSError, UnicodeError) as exc:
        pytest.skip(f"this file system takes no non-UTF-8 names: {exc}")
    return Path(os.fsdecode(raw))


@pytest.mark.parametrize("where", ["file", "folder", "subfolder", "mlruns"])
def test_a_file_name_that_is_not_utf8_is_reported_escaped_and_skipped(tmp_path, where):
    if where == "mlruns":
        folder = tmp_path / "mlruns"
        shutil.copytree(MLFLOW2, folder)
        params = next(folder.glob("*/*/params"))
        bad_name(params, b"p\xff")
        shown = f"{params}/p\\xff"
    else:
        folder = event_folder(tmp_path)
        inner = folder
        if where == "subfolder":
            inner = Path(os.fsdecode(os.path.join(os.fsencode(folder), b"sub\xfe")))
            inner.mkdir()
            shutil.copy(OPENLINEAGE, inner / "x.jsonl")
            shown = f"{folder}/sub\\xfe"
        else:
            bad_name(inner)
            shown = f"{folder}/bad\\xff.jsonl"
    db = tmp_path / "l.db"
    given = Path(os.fsdecode(os.path.join(os.fsencode(folder), b"bad\xff.jsonl"))) if where == "file" else folder
    done = run_cli(db, "import", os.fsencode(given).decode("utf-8", "surrogateescape"))
    output = done.stdout + done.stderr
    assert "surrogates not allowed" not in output and "Traceback" not in output, output
    assert done.returncode == 1, output
    assert shown in done.stderr, done.stderr
    assert "not UTF-8" in done.stderr, done.stderr
    assert not db.exists()
    if where != "file":
        lenient = run_cli(db, "import", "--lenient", str(folder))
        out = lenient.stdout + lenient.stderr
        assert "surrogates not allowed" not in out and "Traceback" not in out, out
        assert shown in lenient.stderr, lenient.stderr
        assert node_names(db), "the rest was imported"
        no_surrogates(db)


def test_the_database_is_untouched_when_a_bad_name_fails_the_import(tmp_path):
    folder = event_folder(tmp_path)
    db = tmp_path / "l.db"
    assert run_cli(db, "import", str(folder)).returncode == 0
    before = file_digest(db)
    bad_name(folder)
    done = run_cli(db, "import", str(folder))
    assert done.returncode == 1, done.stderr
    assert file_digest(db) == before
