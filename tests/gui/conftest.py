"""Shared by the explorer's offscreen tests."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    """The demo database, built once per test module (tests that write use a copy)."""
    from lineage.demo import build_demo

    path = tmp_path_factory.mktemp("gui") / "demo.db"
    build_demo(path)
    return str(path)


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> str:
    """A copy of the demo database of this test's own, to write in."""
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    return str(path)


@pytest.fixture
def blocked_prepare(monkeypatch):
    """Make prepare wait, inside its first progress callback, until the test releases it."""
    import lineage.ingest.session

    real = lineage.ingest.session.prepare
    entered, release = threading.Event(), threading.Event()

    def slow(*args, progress, **kwargs):
        def hook(done, total, label):
            progress(done, total, label)  # raises once the import is cancelled
            if not entered.is_set():
                entered.set()
                release.wait(30)

        return real(*args, progress=hook, **kwargs)

    monkeypatch.setattr(lineage.ingest.session, "prepare", slow)
    yield entered, release
    release.set()  # never leave the worker waiting
