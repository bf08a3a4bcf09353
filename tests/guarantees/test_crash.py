"""An import killed with SIGKILL at any moment leaves all of it or none of it, and a sound database.

Each run copies a database that already holds one import, starts ``python -m lineage import`` of
a synthetic folder in a process of its own and kills it: after a seeded random delay spread over
the whole import (so kills land before, during and after the write), or, every third run, as soon
as the write-ahead log starts to grow (during the commit itself). After each kill the database must
pass ``PRAGMA integrity_check``, hold exactly the graph from before or the graph of a completed
import (compared by canonical hash and counts), and take the same import again.

$LINEAGE_KILL_RUNS sets the number of kills (default 20; 200 for a release check) and
$LINEAGE_KILL_SEED the seed of the delays.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from lineage.canonical import canonical_hash
from lineage.ingest import import_paths
from lineage.store import Store
from lineage.synth import write_synthetic
from tests.conftest import DATA

KILL_RUNS = int(os.environ.get("LINEAGE_KILL_RUNS", "20"))
KILL_SEED = int(os.environ.get("LINEAGE_KILL_SEED", "10"))
SYNTH_NODES = 1000  # an import of about a second, so kills land in every phase


def lineage_import(db: Path, folder: Path, *, errors=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lineage", "--db", str(db), "import", str(folder)],
        stdout=subprocess.DEVNULL, stderr=errors,
    )  # fmt: skip


def state(db: Path) -> tuple[str, dict[str, int]]:
    with Store.open(db) as store:
        return canonical_hash(*store.snapshot()), store.counts()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def kill_when_the_log_grows(proc: subprocess.Popen, wal: Path, rng: random.Random) -> None:
    """Kill as soon as the import writes pages to the WAL (it commits), a little later at most."""
    while proc.poll() is None:
        try:
            if wal.stat().st_size > 0:
                time.sleep(rng.uniform(0, 0.005))
                break
        except FileNotFoundError:  # not made yet, or removed as the import closed the database
            pass
        time.sleep(0.0005)
    proc.send_signal(signal.SIGKILL)


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    """(folder to import, database before it, state before, state after a completed import, seconds)."""
    root = tmp_path_factory.mktemp("crash")
    folder = root / "synth"
    write_synthetic(folder, nodes=SYNTH_NODES, seed=3)
    base = root / "base.db"
    with Store.open(base, create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
    reference = root / "reference.db"
    shutil.copy(base, reference)
    started = time.monotonic()
    proc = lineage_import(reference, folder, errors=subprocess.PIPE)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    seconds = time.monotonic() - started
    return folder, base, state(base), state(reference), seconds


def test_an_import_killed_at_any_moment_leaves_all_or_nothing(setting, tmp_path):
    folder, base, before, after, seconds = setting
    assert before != after
    rng = random.Random(KILL_SEED)
    outcomes: Counter[str] = Counter()
    for run in range(KILL_RUNS):
        db = tmp_path / f"run-{run}.db"
        shutil.copy(base, db)
        proc = lineage_import(db, folder)
        if run % 3 == 2:
            kill_when_the_log_grows(proc, Path(f"{db}-wal"), rng)
            how = "while committing"
        else:
            time.sleep(rng.uniform(0, seconds * 1.2))
            proc.send_signal(signal.SIGKILL)
            how = "at random"
        proc.wait(timeout=120)
        finished = proc.returncode == 0
        where = f"run {run} (killed {how}{', after it finished' if finished else ''})"
        assert integrity(db) == "ok", where
        found = state(db)
        assert found in (before, after), f"{where}: the database holds part of the import"
        outcomes[f"{'all' if found == after else 'none'} {how}"] += 1
        with Store.open(db) as store:  # and the next import works
            assert import_paths(store, [folder]).ok, where
        assert state(db) == after, where
        for leftover in tmp_path.glob(f"run-{run}.db*"):
            leftover.unlink()
    print(f"\n{KILL_RUNS} kills of a {seconds:.1f} s import:", dict(sorted(outcomes.items())))
