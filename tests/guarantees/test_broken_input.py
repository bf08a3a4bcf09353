"""Every malformed input of the corpus (tests/guarantees/corpus.py) fails cleanly and loses nothing.

For each case, through the real command line:

* atomic (default): exit status 1, an error that names the broken file with a line, a JSON
  pointer or a table row, no traceback, and the database byte-for-byte as it was;
* ``--lenient``: exactly the good part is imported, the same graph as importing the case's
  twin (the input without its broken part); with no good part, nothing is written at all.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli
from lineage.graph import load_graph
from lineage.store import Store
from tests.conftest import DATA, file_digest
from tests.guarantees.corpus import FORMATS, Case, build, by_format

# Built once, when the tests are collected, so each case is a test of its own.
_ROOT = Path(tempfile.mkdtemp(prefix="lineage-broken-"))
atexit.register(shutil.rmtree, _ROOT, True)
CASES = build(_ROOT / "corpus")
MIN_CASES_PER_FORMAT = 30
TRACEBACK = re.compile(r"Traceback|File \".*\", line \d+")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def format_args(case: Case) -> list[str]:
    # A team's config is read by a manifest's rule: the folder is imported as a whole.
    return [] if case.fmt == "config" else ["--format", case.fmt]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A database that already holds an import: a failed import must leave it as it is."""
    folder = tmp_path_factory.mktemp("base")
    db, manifest = folder / "base.db", folder / "base.yaml"
    manifest.write_text((DATA / "small.yaml").read_text().replace("namespace: shop", "namespace: base"))
    result = run("--db", str(db), "import", str(manifest))
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:  # fold the WAL in, so the copy is one file
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def db(base_db, tmp_path) -> Path:
    copy = tmp_path / "lineage.db"
    shutil.copy(base_db, copy)
    return copy


def located(output: str, case: Case) -> bool:
    """Whether ``output`` has an error at FILE:LINE, FILE#/pointer or FILE[table row N]
    (or, for a store that cannot be opened at all, at FILE)."""
    where = r"(:\d+|#/\S*|\[[^\]]+\]|)" if case.whole_file else r"(:\d+|#/\S*|\[[^\]]+\])"
    return re.search(re.escape(str(case.bad)) + where + ":? ", output) is not None


def graph_dump(db: Path) -> str:
    """The graph as sorted JSON: nodes and edges with their attributes (provenance aside)."""
    with Store.open(db) as store:
        graph = load_graph(store)
    nodes = sorted((n, {k: v for k, v in d.items() if k != "importers"}) for n, d in graph.nodes(data=True))
    edges = sorted((s, t, d) for s, t, d in graph.edges(data=True))
    return json.dumps({"nodes": nodes, "edges": edges}, sort_keys=True, default=str)


def graph_parts(db: Path) -> tuple[set, set]:
    """The (kind, name) of every node and the (source, target, kind) of every edge, nodes named
    so: a partial input may lose a namespace (a KFP pipeline's name), not invent a node."""
    with Store.open(db) as store:
        graph = load_graph(store)
    named = {n: (d["kind"], d["name"]) for n, d in graph.nodes(data=True)}
    return set(named.values()), {(named[s], named[t], k) for s, t, k in graph.edges(data="kind")}


def test_the_corpus_has_thirty_cases_for_every_format():
    counts = dict(by_format(CASES))
    assert set(counts) == set(FORMATS)
    assert min(counts.values()) >= MIN_CASES_PER_FORMAT, counts


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_atomic_import_fails_at_a_location_and_writes_nothing(case, db):
    before = file_digest(db)
    result = run("--db", str(db), "import", *format_args(case), str(case.path))
    assert result.exit_code == 1, result.output
    assert not TRACEBACK.search(result.output), result.output
    assert located(result.output, case), result.output
    assert file_digest(db) == before


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_lenient_import_writes_exactly_the_good_part(case, db, base_db, tmp_path):
    before = file_digest(db)
    result = run("--db", str(db), "import", "--lenient", *format_args(case), str(case.path))
    assert not TRACEBACK.search(result.output), result.output
    assert located(result.output, case), result.output
    if case.partial:  # how the good parts wire up has no twin: something is kept, nothing invented
        assert file_digest(db) != before, result.output
        intact = tmp_path / "seed.db"
        shutil.copy(base_db, intact)
        assert run("--db", str(intact), "import", *format_args(case), str(case.seed)).exit_code == 0
        kept, whole = graph_parts(db), graph_parts(intact)
        assert kept[0] <= whole[0], f"nodes the intact input does not have: {kept[0] - whole[0]}"
        assert kept[1] <= whole[1], f"edges the intact input does not have: {kept[1] - whole[1]}"
        assert kept != graph_parts(base_db)
        return
    if case.twin is None:
        assert file_digest(db) == before, "nothing in this input is good, yet something was written"
        return
    expected = tmp_path / "twin.db"
    shutil.copy(base_db, expected)
    twin = run("--db", str(expected), "import", *format_args(case), str(case.twin))
    assert twin.exit_code == 0, twin.output
    assert graph_dump(db) == graph_dump(expected)
