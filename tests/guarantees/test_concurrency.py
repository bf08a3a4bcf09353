"""Several processes on one database: writers take turns, readers never see half an import."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lineage.canonical import canonical_hash
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from lineage.synth import write_synthetic
from tests.conftest import DATA


def start_import(db: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lineage", "--db", str(db), "import", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def graph_hash(db: Path) -> str:
    with Store.open(db) as store:
        return canonical_hash(*store.snapshot())


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("concurrency")
    first, second = root / "first", root / "second"
    write_synthetic(first, nodes=1000, seed=4)
    write_synthetic(second, nodes=1000, seed=5)
    return first, second


def sequential(tmp_path: Path, start: Path | None, first: Path, second: Path) -> tuple[set[str], set[str]]:
    """The hashes of the graph after importing first then second, and second then first; the sources."""
    hashes = set()
    for name, order in (("ab.db", (first, second)), ("ba.db", (second, first))):
        db = tmp_path / name
        if start is not None:
            shutil.copy(start, db)
        with Store.open(db, create=True) as store:
            for folder in order:
                assert import_paths(store, [folder]).ok
        hashes.add(graph_hash(db))
        with Store.open(db) as store:
            sources = {i["source"] for i in store.imports()}
    return hashes, sources


@pytest.mark.parametrize("existing", [True, False], ids=["into a database", "creating it"])
def test_two_imports_at_once_both_land(tmp_path, folders, existing):
    first, second = folders
    start = None
    db = tmp_path / "lineage.db"
    if existing:
        start = tmp_path / "start.db"
        with Store.open(start, create=True) as store:
            assert import_paths(store, [DATA / "small.yaml"]).ok
        shutil.copy(start, db)
    procs = [start_import(db, first), start_import(db, second)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Store.open(db) as store:
        sources = {i["source"] for i in store.imports()}
    either_order, all_sources = sequential(tmp_path, start, first, second)
    assert sources == all_sources
    assert graph_hash(db) in either_order


def test_a_reader_never_waits_for_nor_sees_half_of_an_import(tmp_path, folders):
    db = tmp_path / "lineage.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok

    def size(store: Store) -> tuple[int, int, int]:
        with store.reading():  # one snapshot for the graph and the counts
            graph = load_graph(store)
            return graph.number_of_nodes(), graph.number_of_edges(), store.counts()["nodes"]

    seen = []
    with Store.open(db) as reader:
        before = size(reader)
        proc = start_import(db, folders[0])
        while proc.poll() is None:  # "database is locked" here would fail the test
            seen.append(size(reader))
        _, err = proc.communicate()
        assert proc.returncode == 0, err
        after = size(reader)
    assert after != before
    assert set(seen) <= {before, after}


@pytest.mark.parametrize("question", [
    lambda store: store.snapshot("2030-01-01"),
    lambda store: store.identities(["ranker"]),
    lambda store: store.alias_owners(["x"]),
], ids=["history", "identities", "aliases"])  # fmt: skip
def test_a_reader_sees_later_imports_whatever_it_asked_before(tmp_path, question):
    """Questions that fill temporary tables must not leave the reader on an old snapshot."""
    db = tmp_path / "lineage.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
    with Store.open(db) as reader:
        question(reader)
        with Store.open(db) as writer:
            assert import_paths(writer, [DATA / "kfp"]).ok
            expected = writer.counts()
        assert reader.counts() == expected
