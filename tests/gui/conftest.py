"""Shared by the explorer's offscreen tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    """The demo database, built once per test module (tests that write use a copy)."""
    from lineage.demo import build_demo

    path = tmp_path_factory.mktemp("gui") / "demo.db"
    build_demo(path)
    return str(path)
