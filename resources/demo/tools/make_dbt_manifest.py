"""Write the demo's dbt manifest with the real dbt (run once; the output is committed).

    .venv/bin/python resources/demo/tools/make_dbt_manifest.py

Runs ``dbt parse`` on tools/dbt_project (no database is needed) and copies target/manifest.json
to resources/demo/current/warehouse/manifest.json.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "current" / "warehouse" / "manifest.json"


def main() -> None:
    work = Path(tempfile.mkdtemp())
    project = work / "dbt_project"
    shutil.copytree(HERE / "dbt_project", project)
    subprocess.run([sys.executable, "-c", "from dbt.cli.main import cli; cli()", "parse",
                    "--profiles-dir", "."], cwd=project, check=True)  # fmt: skip
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(project / "target" / "manifest.json", TARGET)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
