"""Property-based fuzzing of every importer: no input crashes one, hangs one, or breaks a write.

Each importer reads inputs hypothesis makes from its seed (the valid files the broken-input
corpus starts from): random bytes, the seed with bytes cut, flipped or inserted, the seed with
any value swapped for another JSON value, and for SQLite stores, any cell set to any value.
Reading runs with ``debug=True``, so an exception an importer did not turn into a located
problem fails the test; whatever was read is then written (``--lenient``) to a real store.

The deadline is a hang guard, not a speed target: an input that takes seconds is a bug.
``LINEAGE_FUZZ_EXAMPLES`` sets the examples per property (default 25; 2000 for a release).
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.ingest import ImportReport, UnitReport
from lineage.ingest.discover import Input
from lineage.ingest.held import hold
from lineage.ingest.read import read_input
from lineage.ingest.registry import importer_named
from lineage.ingest.settle import Plan as Prepared
from lineage.ingest.settle import write as commit
from lineage.store import Store
from tests.guarantees.corpus import CONFIG, CONFIG_MANIFEST, DATA, SERVING_CSV, openlineage_seed

EXAMPLES = int(os.environ.get("LINEAGE_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 25,  # the short default run is the same on every machine
)
WHEN = "2026-01-01T00:00:00.000000Z"
_ROOT = Path(tempfile.mkdtemp(prefix="lineage-fuzz-"))
atexit.register(shutil.rmtree, _ROOT, True)
_NEXT = itertools.count()

# (importer, file name, seed bytes, syntax) for every text format.
TEXT_SEEDS = {
    "manifest": ("lineage.yaml", (DATA / "small.yaml").read_bytes(), "yaml"),
    "openlineage": ("events.jsonl", openlineage_seed(), "jsonl"),
    "servinglog": ("serving.csv", SERVING_CSV, "csv"),
    "datahub": (
        "datahub.json",
        (DATA / "datahub/generated__datahub_mlflow_source_file_sink_mcps.json").read_bytes(),
        "json",
    ),
    "dbt": (
        "manifest.json",
        (DATA / "dbt/integration__common__tests__dbt__duckdb__target__manifest.json").read_bytes(),
        "json",
    ),
    "feast": ("registry.json", (DATA / "feast/feast_registry_dump.json").read_bytes(), "json"),
    "kedro": ("main.json", (DATA / "kedro/src__utils__data__spaceflights.mock.json").read_bytes(), "json"),
    "kfp": ("pipeline.yaml", (DATA / "kfp/churn_pipeline.yaml").read_bytes(), "yaml"),
}
SQLITE_SEEDS = {
    "mlflow": ("mlflow.db", DATA / "mlflow/mlflow3_default.db"),
    "mlmd": ("metadata.sqlite", DATA / "mlmd/metadata.sqlite"),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("fuzz") / "fuzz.db", create=True) as opened:
        yield opened


def read_and_write(store: Store, fmt: str, path: Path) -> None:
    """Read ``path`` strictly (any unexpected exception escapes), then write what is good."""
    item = Input(path, importer_named(fmt))
    # One source a format: each example supersedes the last, so the store stays small.
    unit = read_input(item, source=f"fuzz-{fmt}", valid_at=WHEN, debug=True)
    for problem in unit.problems:
        assert problem.location is not None and problem.location.file, problem
    report = ImportReport(units=[UnitReport(str(path), fmt, len(unit.nodes), len(unit.edges), unit.problems)],
                          problems=list(unit.problems))  # fmt: skip
    commit(store, Prepared(report, [hold(unit)]), lenient=True, force=True)


def write(data: bytes, name: str) -> Path:
    folder = _ROOT / str(next(_NEXT))
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    return path


def _paths(value, base: tuple = ()):
    """Every place in a JSON document, as the keys and indexes that lead to it."""
    yield base
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*base, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*base, index))


def replace_at(data, path: tuple, value):
    if not path:
        return value
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize("fmt", TEXT_SEEDS)
@FUZZ
@given(data=st.data())
def test_random_bytes(store, fmt, data):
    name, _, _ = TEXT_SEEDS[fmt]
    raw = data.draw(st.binary(max_size=2048))
    read_and_write(store, fmt, write(raw, name))


@pytest.mark.parametrize("fmt", TEXT_SEEDS)
@FUZZ
@given(data=st.data())
def test_seed_with_bytes_cut_flipped_or_inserted(store, fmt, data):
    name, seed, _ = TEXT_SEEDS[fmt]
    raw = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["cut", "flip", "insert"]))
        if action == "cut":
            del raw[at : at + data.draw(st.integers(1, 64))]
        elif action == "flip" and at < len(raw):
            raw[at] ^= data.draw(st.integers(1, 255))
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    read_and_write(store, fmt, write(bytes(raw), name))


@pytest.mark.parametrize("fmt", [f for f, (_, _, syntax) in TEXT_SEEDS.items() if syntax in ("json", "yaml", "jsonl")])
@FUZZ
@given(data=st.data())
def test_seed_with_any_value_swapped(store, fmt, data):
    name, seed, syntax = TEXT_SEEDS[fmt]
    if syntax == "jsonl":
        docs = [json.loads(line) for line in seed.splitlines()]
        index = data.draw(st.integers(0, len(docs) - 1))
        pointer = data.draw(st.sampled_from(list(_paths(docs[index]))))
        docs[index] = replace_at(docs[index], pointer, data.draw(json_values))
        raw = b"".join(json.dumps(d).encode() + b"\n" for d in docs)
    else:
        doc = yaml.safe_load(seed) if syntax == "yaml" else json.loads(seed)
        pointer = data.draw(st.sampled_from(list(_paths(doc))[:2000]))
        doc = replace_at(doc, pointer, data.draw(json_values))
        raw = yaml.safe_dump(doc).encode() if syntax == "yaml" else json.dumps(doc).encode()
    read_and_write(store, fmt, write(raw, name))


@FUZZ
@given(data=st.data())
def test_team_config_with_any_value_swapped(store, data):
    folder = _ROOT / str(next(_NEXT))
    (folder / "configs").mkdir(parents=True)
    (folder / "lineage.yaml").write_bytes(CONFIG_MANIFEST)
    doc = yaml.safe_load(CONFIG)
    doc = replace_at(doc, data.draw(st.sampled_from(list(_paths(doc)))), data.draw(json_values))
    path = folder / "configs" / "ctr.yaml"
    path.write_text(yaml.safe_dump(doc))
    rule = yaml.safe_load(CONFIG_MANIFEST)["configs"][0]
    item = Input(path, importer_named("config"), {"rule": json.dumps(rule)})
    unit = read_input(item, source=str(path), valid_at=WHEN, debug=True, options=item.options)
    assert all(p.location is not None for p in unit.problems)


def _columns(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [(t, c[1]) for t in tables for c in conn.execute(f"PRAGMA table_info(`{t}`)")]  # noqa: S608
    finally:
        conn.close()


CELL_VALUES = (st.none() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=30)
               | st.binary(max_size=30) | st.just("{not json") | st.just("[" * 500))  # fmt: skip


@pytest.mark.parametrize("fmt", SQLITE_SEEDS)
@FUZZ
@given(data=st.data())
def test_store_with_any_cell_changed(store, fmt, data):
    name, seed = SQLITE_SEEDS[fmt]
    path = write(b"", name)
    shutil.copy(seed, path)
    columns = _columns(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for _ in range(data.draw(st.integers(1, 3))):
            table, column = data.draw(st.sampled_from(columns))
            value = data.draw(CELL_VALUES)
            try:  # constraints may refuse the value: then the store stays valid, which is fine
                conn.execute(f"UPDATE `{table}` SET `{column}` = ?", (value,))  # noqa: S608
            except sqlite3.DatabaseError:
                pass
        conn.commit()
    finally:
        conn.close()
    read_and_write(store, fmt, path)


MLRUNS = DATA / "mlflow/mlflow2_filestore/mlruns"
RUN_META = "309132295167086722/db155a06f5df457d804d7f31a89693ad/meta.yaml"


@FUZZ
@given(data=st.data())
def test_mlflow_file_store_with_a_run_meta_changed(store, data):
    folder = _ROOT / str(next(_NEXT))
    shutil.copytree(MLRUNS, folder / "mlruns")
    meta = folder / "mlruns" / RUN_META
    doc = yaml.safe_load(meta.read_text())
    if data.draw(st.booleans()):
        doc = replace_at(doc, data.draw(st.sampled_from(list(_paths(doc)))), data.draw(json_values))
        meta.write_text(yaml.safe_dump(doc))
    else:
        raw = bytearray(meta.read_bytes())
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        meta.write_bytes(bytes(raw))
    read_and_write(store, "mlflow", folder / "mlruns")
