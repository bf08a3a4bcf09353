"""Build the demo database from the raw files in ``resources/demo`` through the importers.

``resources/demo/history/<date>/`` holds older snapshots of some inputs and
``resources/demo/current/`` the inputs as they are now. Each file is one source, keyed by its
path below its snapshot folder, so a newer snapshot of a file is a new generation of the same
source: that is how the demo keeps history (a flag whose target changed, say).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lineage.ingest import ImportSession
from lineage.resources import resource_path
from lineage.store import Store
from lineage.views.tours import parse_tour
from lineage.when import parse_when

DEMO = resource_path("demo")
CURRENT_AS_OF = "2026-03-01"  # the date the "current" snapshot is recorded as


class DemoError(ValueError):
    pass


def snapshots(root: Path = DEMO) -> list[tuple[str, Path]]:
    """(date, folder) of every snapshot, oldest first; ``current`` comes last."""
    history = sorted((p.name, p) for p in (root / "history").iterdir() if p.is_dir())
    return [*history, (CURRENT_AS_OF, root / "current")]


def build_demo(db_path: str | os.PathLike, root: Path = DEMO) -> dict[str, int]:
    """(Re)build the demo database at ``db_path``; returns its counts.

    The database is built next to the target and moved into place only when complete, so a
    failure leaves any previous file as it was.
    """
    target = Path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".db", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        with Store.open(tmp, create=True) as store:
            for date, folder in snapshots(root):
                found = ImportSession(store, [folder]).found()
                if found.problems:
                    raise DemoError("\n".join(map(str, found.problems)))
                # In import order (configs and registries first, logs last: the logs' nodes are
                # classified by what the others declare), one import a file. Files no importer
                # recognises are teams' configs, read by the manifests' rules, last.
                todo: list[tuple[Path, str | None]] = [(i.path, i.importer.name) for i in found.inputs]
                todo += [(Path(s), None) for s in sorted(found.skipped)]
                for path, fmt in todo:
                    source = "demo/" + path.relative_to(folder).as_posix()
                    report = ImportSession(
                        store, [_shown(path)], fmt=fmt, source=source, valid_at=parse_when(date)
                    ).commit()
                    if not report.ok:
                        raise DemoError(
                            "the demo does not import cleanly:\n" + "\n".join(str(p) for p in report.problems)
                        )
            for tour_file in sorted((root / "tours").glob("*.yaml")):
                name, description, steps = parse_tour(tour_file.read_bytes(), str(tour_file), store)
                store.save_tour(name, [s.to_json() for s in steps], description)
            counts = store.counts()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return counts


def _shown(path: Path) -> Path:
    """The path relative to the working folder when it lies below it (as provenance shows it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
