"""Shared fixtures: a CLI runner bound to a temporary database, and the small manifest."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli

# GUI tests never need a screen (make test sets this too; a bare `pytest` gets it here).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The explorer's settings (window, theme, recent files, each database's last view) go to a folder
# of this run's own, never the user's: set before Qt reads it, as Qt reads it once per process.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="lineage-tests-config-")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "importers" / "data"


def file_digest(path: Path) -> str:
    """A digest of a database file and its WAL, to prove nothing was written."""
    digest = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(f"{path}{suffix}")
        digest.update(p.read_bytes() if p.exists() else b"<absent>")
    return digest.hexdigest()


class Lineage:
    """Runs ``lineage --db DB ...`` in a temporary folder and returns the click Result."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.db = folder / "lineage.db"
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(cli, ["--db", str(self.db), *args], input=input)


@pytest.fixture(autouse=True)
def fresh_settings():
    """Every test starts with no settings kept (a view left by one test is not another's start).
    Qt caches where its settings live, so a test's own XDG_CONFIG_HOME does not isolate them."""
    _clear_settings()
    yield
    _clear_settings()


def _clear_settings() -> None:
    if "PySide6.QtCore" not in sys.modules:  # no Qt in this process yet: nothing kept
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    if QCoreApplication.instance() is not None:
        settings = QSettings()
        settings.clear()
        settings.sync()


@pytest.fixture
def lineage(tmp_path, monkeypatch) -> Lineage:
    monkeypatch.chdir(tmp_path)
    return Lineage(tmp_path)


@pytest.fixture
def small(tmp_path) -> Path:
    """The small manifest, copied to ``small.yaml`` in the working folder."""
    target = tmp_path / "small.yaml"
    shutil.copy(DATA / "small.yaml", target)
    return target


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 MB filesystem of its own (tmpfs), where one can be root and allowed to mount."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root and CAP_SYS_ADMIN)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


def chromium_screenshot(html: str, name: str, folder: Path, size: str = "1200,1600") -> bytes:
    """Render ``html`` in headless Chromium; the PNG is kept as out/NAME (git ignores out/)."""
    import subprocess

    page, shot = folder / f"{name}.html", folder / name
    page.write_text(html)
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={folder / 'profile'}", f"--window-size={size}", f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    keep = ROOT / "out"
    keep.mkdir(exist_ok=True)
    shutil.copy(shot, keep / name)
    return shot.read_bytes()


def read_records(importer, path: Path):
    """What an importer reads from ``path``: nodes by id, edges by key, and problems as text."""
    from lineage.records import EdgeRecord, NodeRecord, Problem

    out = list(importer.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord)}
    edges = {r.key: r for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


def read_problems(importer, path: Path) -> list[str]:
    """The problems an importer reports for ``path``, or the one that stopped it."""
    from lineage.records import InputError, Problem

    try:
        return [str(r) for r in importer.read(path) if isinstance(r, Problem)]
    except InputError as exc:
        return [str(exc.problem)]
