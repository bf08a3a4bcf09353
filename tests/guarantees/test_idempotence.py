"""Importing the same inputs again, or in another order, gives the same graph (lineage hash)."""

from __future__ import annotations

import functools
import json
import random
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.canonical import canonical_hash
from lineage.ingest import import_paths
from lineage.resources import resource_path
from lineage.store import Store
from tests.conftest import DATA
from tests.guarantees.test_fuzz import EXAMPLES

# Real samples in several formats; they do not contradict each other about any node.
SAMPLES = [DATA / name for name in ("small.yaml", "kfp", "openlineage", "dbt", "feast", "kedro", "datahub", "mlmd")]
DEMO = resource_path("demo") / "current"


def graph_hash(db: Path, batches: list[list[Path]]) -> str:
    """Import each batch (one command each) into a new database; the hash of the graph."""
    with Store.open(db, create=True) as store:
        for batch in batches:
            import_paths(store, batch, lenient=True)  # some samples have known bad records
        assert store.counts()["nodes"] > 0
        return canonical_hash(*store.snapshot())


def demo_inputs() -> list[Path]:
    """The demo's current files one by one (its MLflow store is one input): they overlap a lot."""
    registry = DEMO / "registry" / "mlruns"
    files = [p for p in DEMO.rglob("*") if p.is_file() and registry not in p.parents]
    return sorted(files) + [registry]


def shuffled_batches(seed: int) -> list[list[Path]]:
    """The demo's files shuffled into commands of one to four files. Pipeline configs come last:
    a file is a pipeline config only by the configs: rule of a manifest imported before it."""
    rng = random.Random(seed)
    files = demo_inputs()
    rng.shuffle(files)
    files.sort(key=lambda p: "configs" in p.relative_to(DEMO).parts)
    batches = []
    while files:
        size = rng.randint(1, 4)
        batches.append(files[:size])
        files = files[size:]
    return batches


ONE_BY_ONE = [[p] for p in SAMPLES]
ORDERS = [
    # (what, batches in one order, the same in another)
    ("samples, one command each, reversed", ONE_BY_ONE, ONE_BY_ONE[::-1]),
    ("samples, twice", ONE_BY_ONE, ONE_BY_ONE + ONE_BY_ONE),
    ("samples, one command vs one each", [SAMPLES], ONE_BY_ONE),
    ("demo, one command, reversed", [demo_inputs()], [demo_inputs()[::-1]]),
    ("demo, one command, twice", [demo_inputs()], [demo_inputs(), demo_inputs()]),
    ("demo folder vs its files", [[DEMO]], [demo_inputs()]),
    # Logs before the manifests whose rules and declarations classify them, registries last.
    ("demo, one command each, reversed", [demo_inputs()], [[p] for p in demo_inputs()[::-1]]),
    *((f"demo, shuffled into commands (seed {seed})", [demo_inputs()], shuffled_batches(seed)) for seed in range(4)),
]


@pytest.mark.parametrize(("what", "first", "second"), ORDERS, ids=[o[0] for o in ORDERS])
def test_same_inputs_give_the_same_graph(tmp_path, what, first, second):
    assert graph_hash(tmp_path / "a.db", first) == graph_hash(tmp_path / "b.db", second)


def test_sources_that_disagree_give_the_same_graph_in_any_order(tmp_path):
    """Two teams' manifests give the same feature different owners and weights: which one wins
    is decided by the merge order (source, manifests last), not by which was imported last."""
    first, second = tmp_path / "ads.yaml", tmp_path / "search.yaml"
    for path, owner, weight in ((first, "ads-team", 0.2), (second, "search-team", 0.7)):
        path.write_text(
            f"lineage_manifest: 1\nfeatures: [{{name: ctr, owner: {owner}}}]\n"
            f"models: [{{name: ranker, features: [{{name: ctr, weight: {weight}}}]}}]\n"
        )
    forward = graph_hash(tmp_path / "a.db", [[first], [second]])
    assert forward == graph_hash(tmp_path / "b.db", [[second], [first]])
    assert forward == graph_hash(tmp_path / "c.db", [[second], [first], [second]])
    with Store.open(tmp_path / "a.db") as store:
        assert store.node("feature:ctr")["owner"] == "search-team"  # the later source by name


def test_the_hash_sees_a_changed_attribute(tmp_path):
    original = graph_hash(tmp_path / "a.db", [[DATA / "small.yaml"]])
    changed = tmp_path / "small.yaml"
    text = (DATA / "small.yaml").read_text()
    assert "owner: web-team" in text
    changed.write_text(text.replace("owner: web-team", "owner: ads-ranking-2", 1))
    assert graph_hash(tmp_path / "b.db", [[changed]]) != original


def test_the_hash_ignores_import_ids_and_times(tmp_path):
    db = tmp_path / "a.db"
    first = graph_hash(db, [[DATA / "small.yaml"]])
    copy = tmp_path / "copy.yaml"
    shutil.copy(DATA / "small.yaml", copy)
    with Store.open(db) as store:  # a second source saying the same: new ids, new times
        import_paths(store, [copy])
        assert store.counts()["imports"] == 2
        assert canonical_hash(*store.snapshot()) == first


def test_lineage_hash_prints_the_same_hash_as_the_api(lineage, small):
    assert lineage("import", str(small)).exit_code == 0
    result = lineage("hash")
    assert result.exit_code == 0, result.output
    with Store.open(lineage.db) as store:
        assert result.output.strip() == canonical_hash(*store.snapshot())
    nodes = json.loads(lineage("nodes", "--json").output)
    assert len(nodes) == 6  # and the database was only read


MLFLOW = [DATA / "mlflow" / name for name in ("mlflow2_filestore", "mlflow3_filestore", "mlflow3_default.db")]
EVERYTHING = demo_inputs() + SAMPLES + MLFLOW  # the demo and the samples together: they overlap and disagree


@functools.cache
def everything_at_once(tmp: Path) -> str:
    return graph_hash(tmp / "once.db", [EVERYTHING])


@settings(max_examples=min(EXAMPLES // 2, 200), deadline=None, derandomize=EXAMPLES <= 25,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(order=st.permutations(range(len(EVERYTHING))), cuts=st.lists(st.integers(1, 5), min_size=len(EVERYTHING)))
def test_any_order_in_any_commands_gives_the_graph_of_one_command(tmp_path_factory, order, cuts):
    """Property: the demo and the samples, shuffled and cut into commands, give the graph of one
    command. Pipeline configs come after the manifests that say where they are."""
    tmp = tmp_path_factory.getbasetemp()
    files = [EVERYTHING[i] for i in order]
    files.sort(key=lambda p: DEMO in p.parents and "configs" in p.relative_to(DEMO).parts)
    batches = []
    for size in cuts:
        if files:
            batches.append(files[:size])
            files = files[size:]
    db = Path(tempfile.mkdtemp(dir=tmp)) / "l.db"
    assert graph_hash(db, batches) == everything_at_once(tmp)
