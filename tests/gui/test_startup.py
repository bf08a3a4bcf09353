"""The explorer's start imports only what its first view needs (measured with
``python -X importtime``: pandas and numpy alone, pulled in by sqlite-utils, were 0.3 s)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numpy", "jsonschema", "jinja2", "pygraphviz", "markdown_it", "pypdf", "rich")


def test_starting_the_explorer_imports_no_heavy_module():
    code = (
        "import sys\n"
        "import lineage.cli, lineage_gui.command, lineage_gui.app, lineage_gui.window\n"
        "from lineage.store import Store\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_sqlite_utils_still_works_and_pandas_stays_importable():
    code = (
        "from lineage.store.driver import sqlite_utils\n"
        "db = sqlite_utils.Database(memory=True); db['t'].insert({'a': 1}); assert db['t'].count == 1\n"
        "import pandas, numpy\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
