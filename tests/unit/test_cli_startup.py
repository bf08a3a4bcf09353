"""A quick command starts quickly: ``lineage show`` and ``lineage nodes`` load no networkx, no
analyses and no renderers of reports (each command's module loads when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("networkx", "lineage.analyses", "lineage.graph", "jinja2", "lineage.cli.analysing", "lineage.cli.exporting")

PROBE = """
import json, sys
from lineage.cli import main
sys.argv = ["lineage", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("networkx", "lineage", "jinja2"))))
"""


def modules_loaded(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("show", "model:x"), ("nodes",), ("hash",)])
def test_quick_commands_load_nothing_heavy(tmp_path, small, args):
    db = tmp_path / "lineage.db"
    subprocess.run([sys.executable, "-m", "lineage", "--db", str(db), "import", str(small)], check=True,
                   capture_output=True)  # fmt: skip
    loaded = modules_loaded("--db", str(db), *args)
    assert "lineage.cli" in loaded
    assert not {m for m in loaded if m.startswith(HEAVY)}, sorted(m for m in loaded if m.startswith(HEAVY))


def test_an_analysis_command_loads_what_it_needs(tmp_path, small):
    db = tmp_path / "lineage.db"
    subprocess.run([sys.executable, "-m", "lineage", "--db", str(db), "import", str(small)], check=True,
                   capture_output=True)  # fmt: skip
    assert {"networkx", "lineage.cli.analysing"} <= modules_loaded("--db", str(db), "findings")
