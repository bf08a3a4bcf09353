"""The dbt importer: real manifests v7 to v12, one written by the real dbt, run results, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from lineage_importers.dbt import DbtImporter

from lineage.analyses import simulate
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Problem
from lineage.store import Store
from tests.conftest import DATA

SAMPLES = DATA / "dbt"
IMPORTER = DbtImporter()


def records(path):
    out = list(IMPORTER.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord)}
    edges = {(r.source, r.target, r.kind) for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


def test_generated_manifest_with_an_ml_exposure():
    nodes, edges, problems = records(SAMPLES / "generated__manifest.json")
    assert problems == []
    assert sorted(nodes) == [
        "consumer:churn/churn_model",
        "dataset:duckdb/does_not_exist_yet.main.user_features",
        "dataset:duckdb/does_not_exist_yet.raw.users",
    ]
    assert sorted(edges) == [
        ("dataset:duckdb/does_not_exist_yet.main.user_features", "consumer:churn/churn_model", "reads"),
        (
            "dataset:duckdb/does_not_exist_yet.raw.users",
            "dataset:duckdb/does_not_exist_yet.main.user_features",
            "derives",
        ),
    ]
    exposure = nodes["consumer:churn/churn_model"]
    assert exposure.attributes["exposure_type"] == "ml" and exposure.owner == "growth"


@pytest.mark.parametrize(
    ("name", "version", "expected_nodes", "exposure"),
    [
        ("dbt-core__tests__functional__artifacts__data__state__v12__manifest.json", 12, 6, "simple_exposure"),
        ("dbt-core__tests__functional__artifacts__data__state__v8__manifest.json", 8, 5, "simple_exposure"),
        ("integration__common__tests__dbt__postgres__target__manifest.json", 7, 8, None),
        (
            "integration__common__tests__dbt__structured_logs__postgres__build_command__target__manifest.json",
            12,
            9,
            None,
        ),
    ],
)
def test_real_manifests_v7_to_v12(name, version, expected_nodes, exposure):
    data = json.loads((SAMPLES / name).read_text())
    assert data["metadata"]["dbt_schema_version"].endswith(f"/v{version}.json")
    nodes, edges, problems = records(SAMPLES / name)
    assert problems == []
    assert len(nodes) == expected_nodes
    # every dataset the manifest describes, and every depends_on edge between them
    wanted = {
        k
        for k, v in {**data["nodes"], **data.get("sources", {})}.items()
        if v["resource_type"] in ("model", "seed", "snapshot", "source")
    }
    assert {n.attributes["dbt_id"] for n in nodes.values() if n.kind == "dataset"} == wanted
    by_dbt = {n.attributes.get("dbt_id"): n.id for n in nodes.values()}
    for unique_id in wanted:
        for upstream in data["nodes"].get(unique_id, {}).get("depends_on", {}).get("nodes", []):
            assert (by_dbt[upstream], by_dbt[unique_id], "derives") in edges
    if exposure:
        assert any(n.kind == "consumer" and n.name == exposure for n in nodes.values())


def test_partial_manifest_keeps_dependencies_on_nodes_it_does_not_describe():
    nodes, edges, problems = records(SAMPLES / "integration__common__tests__dbt__duckdb__target__manifest.json")
    assert problems == []
    references = sorted(n.name for n in nodes.values() if n.reference)
    assert references == [
        "model.jaffle_shop.stg_customers",
        "model.jaffle_shop.stg_orders",
        "model.jaffle_shop.stg_payments",
    ]


def test_run_results_beside_the_manifest(tmp_path):
    shutil.copy(SAMPLES / "integration__common__tests__dbt__duckdb__target__manifest.json", tmp_path / "manifest.json")
    shutil.copy(
        SAMPLES / "integration__common__tests__dbt__duckdb__target__run_results.json", tmp_path / "run_results.json"
    )
    nodes, _, _ = records(tmp_path / "manifest.json")
    customers = next(n for n in nodes.values() if n.attributes.get("dbt_id") == "model.jaffle_shop.customers")
    assert customers.attributes["last_run"]["status"] == "success"
    (tmp_path / "run_results.json").write_text("{broken")
    assert records(tmp_path / "manifest.json")[2] == [
        f"{tmp_path}/run_results.json:1: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_an_unsupported_schema_version_names_the_line(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(
        '{\n "metadata": {\n  "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v4.json"\n },\n "nodes": {}\n}\n'
    )
    with pytest.raises(Exception) as error:
        records(path)
    assert str(error.value) == (
        f"{path}:3: unsupported dbt manifest schema "
        "'https://schemas.getdbt.com/dbt/manifest/v4.json' (this importer reads v7 to v12)"
    )
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert not import_paths(store, [path]).committed


PROJECT = {
    "dbt_project.yml": "name: ads_warehouse\nversion: '1.0'\nprofile: ads\n",
    "profiles.yml": "ads:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: never_created.duckdb, schema: ads}\n",
    "models/ctr_daily.sql": "select ad_id, count(*) as clicks from {{ source('logs', 'click_log') }} group by 1\n",
    "models/schema.yml": textwrap.dedent("""
        version: 2
        sources:
          - name: logs
            tables: [{name: click_log}]
        models:
          - name: ctr_daily
            columns: [{name: ad_id}, {name: clicks}]
        exposures:
          - name: ctr_model
            type: ml
            owner: {name: ctr-modeling, email: ctr@example.com}
            depends_on: [ref('ctr_daily')]
          - name: ctr_dashboard
            type: dashboard
            owner: {name: analytics}
            depends_on: [ref('ctr_daily')]
    """),
}


@pytest.fixture(scope="module")
def fresh_manifest(tmp_path_factory):
    """A manifest written by the real dbt (``dbt parse`` needs no database)."""
    pytest.importorskip("dbt.cli.main")
    project = tmp_path_factory.mktemp("dbt")
    for name, text in PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "parse", "--profiles-dir", "."],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return project / "target" / "manifest.json"


def test_a_manifest_from_the_real_dbt_and_an_ml_exposure_end_to_end(fresh_manifest, tmp_path):
    assert IMPORTER.sniff(fresh_manifest)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [fresh_manifest]).ok
        graph = load_graph(store)
    model = "consumer:ads_warehouse/ctr_model"
    assert graph.nodes[model]["kind"] == "consumer"
    table = next(n for n in graph if n.endswith("ads.ctr_daily"))
    source = next(n for n in graph if n.endswith("click_log"))
    # Removing the source breaks the table, and with it both exposures.
    result = simulate(graph, [source])
    assert result.broken_ids == {table, model, "consumer:ads_warehouse/ctr_dashboard"}
