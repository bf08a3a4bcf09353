"""The synthetic-lineage generator: deterministic, imports cleanly, holds every debt pattern; and
`make bench` runs end to end on a small size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lineage.analyses import find_all
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.store import Store
from lineage.synth import write_synthetic

ROOT = Path(__file__).parents[2]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_large_manifest_is_still_recognised_as_one(tmp_path):
    from lineage_importers.manifest import ManifestImporter

    write_synthetic(tmp_path, nodes=20_000, seed=1)
    assert (tmp_path / "manifest.json").stat().st_size > 100_000  # far beyond what sniffing reads
    assert ManifestImporter().sniff(tmp_path / "manifest.json")


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    write_synthetic(tmp_path / "a", nodes=800, seed=5)
    write_synthetic(tmp_path / "b", nodes=800, seed=5)
    write_synthetic(tmp_path / "c", nodes=800, seed=6)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    counts = write_synthetic(folder / "files", nodes=4000, seed=11)
    store = Store.open(folder / "s.db", create=True)
    result = import_paths(store, [folder / "files"])
    yield counts, result, load_graph(store)
    store.close()


def test_it_imports_cleanly_through_the_real_importers(imported):
    counts, result, graph = imported
    assert result.ok and not result.problems and not result.skipped
    assert {u.importer for u in result.units} == {"openlineage", "manifest", "servinglog"}
    assert 0.9 * 4000 <= graph.number_of_nodes() <= 1.2 * 4000
    assert abs(graph.number_of_nodes() - counts.nodes) <= 0.05 * counts.nodes
    kinds = {graph.nodes[n]["kind"] for n in graph}
    assert {"dataset", "job", "feature", "model", "consumer"} <= kinds


def test_it_holds_every_debt_pattern_the_generator_promises(imported):
    _, _, graph = imported
    found = {kind: len(items) for kind, items in find_all(graph).items()}
    for kind in ("feedback_loops", "correction_cascades", "undeclared_consumers", "unused_features",
                 "epsilon_features"):  # fmt: skip
        assert found[kind] > 0, kind


def test_fan_out_is_heavy_tailed(imported):
    _, _, graph = imported
    degrees = sorted((graph.out_degree(n) for n in graph), reverse=True)
    median = degrees[len(degrees) // 2]
    assert degrees[0] >= 20 * max(1, median)


def test_the_synth_command(lineage, tmp_path):
    result = lineage("synth", "--nodes", "300", "--seed", "2", "-o", "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "manifest.json").exists()
    assert "lineage import" in result.output
    again = lineage("synth", "--nodes", "300", "-o", "out")
    assert again.exit_code == 2 and "not empty" in again.output
    assert lineage("synth", "--nodes", "10", "-o", "other").exit_code == 2
    assert lineage("import", "out").exit_code == 0


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="--base needs a git checkout")
def test_make_bench_runs_end_to_end_on_a_small_size(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--sizes", "600", "--no-gui", "--base", "HEAD",
         "--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "results" / "latest.json").read_text())
    figures = report["results"]["600"]
    assert figures["nodes"] > 500 and figures["import_s"] > 0 and figures["floor_rows_per_s"] > 0
    assert figures["closure_ms"] > 0 and figures["layout500_s"] > 0
    assert report["machine"]["cores"] >= 1
    table = (tmp_path / "results" / "latest.md").read_text()
    assert "| impact, 3 hops |" in table and "(base/now " in table  # HEAD measured in a worktree too
    assert report["base"]["results"]["600"]["nodes"] == figures["nodes"]  # the same synthetic files
