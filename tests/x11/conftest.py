"""The explorer on a real X server (Qt's xcb platform), not offscreen.

`make test` runs this folder under ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb`` after the offscreen
suite (`make test-x11`); the offscreen run does not collect it. Where no X server can be reached,
every test here is skipped with the reason printed.
"""

from __future__ import annotations

import os

import pytest

ON_XCB = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] == "xcb"

# The offscreen run (plain `pytest`, `make test`'s first step) leaves these to the X11 run.
collect_ignore_glob = [] if ON_XCB else ["test_*.py"]


@pytest.fixture(scope="session", autouse=True)
def x_server():
    from lineage_gui.display import connection_problem

    problem = connection_problem()
    if problem:
        pytest.skip(f"no X server to test on: {problem}")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    from lineage.demo import build_demo

    path = tmp_path_factory.mktemp("x11") / "demo.db"
    build_demo(path)
    return str(path)
