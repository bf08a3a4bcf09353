"""What a REF names (lineage.refs), on real files, in the style of dbt's selector tests: one
table of (graph, REF, what it names), and the identity keys that make one real thing one node
across importers.

Every expectation below was written from the raw files, not from our output:

* dbt ids are ``dataset:ADAPTER/DATABASE.SCHEMA.TABLE`` (docs/formats.md), with the manifest's
  ``metadata.adapter_type``, and each node's ``database``, ``schema`` and ``alias`` (``identifier``
  for a source). Nodes a partial manifest only names in ``depends_on`` are named by their unique
  id (``dataset:duckdb/model.jaffle_shop.stg_customers``).
* ``integration__common__tests__dbt__duckdb__target__manifest.json`` (jaffle_shop on duckdb,
  database ``jaffle_shop``, schema ``main``): models ``customers`` and ``orders``; seeds
  ``raw_customers``, ``raw_orders``, ``raw_payments``; ``depends_on`` names ``stg_customers``,
  ``stg_orders``, ``stg_payments``, which it does not describe.
* ``integration__common__tests__dbt__postgres__target__manifest.json`` (dbt 1.3, v7; database
  ``postgres``, schema ``public``): models ``customers``, ``orders``, ``stg_customers``,
  ``stg_orders``, ``stg_payments``; seeds ``raw_*`` (no ``relation_name``: dbt 1.3 wrote none
  for seeds).
* ``dbt-core__tests__functional__artifacts__data__state__v12__manifest.json`` (postgres,
  database ``dbt``): seed ``my_seed`` in schema ``test17594237163467600387_test_previous_version_state``,
  and source ``my_source.my_table`` whose table (``identifier``) is ``my_seed``, in schema
  ``my_source``; exposure ``simple_exposure`` of package ``test``.
* ``generated__manifest.json`` (dbt-generated, project ``churn`` on duckdb, database
  ``does_not_exist_yet``): source ``raw.users``, model ``user_features``, exposure ``churn_model``.
* ``mlflow2_filestore`` (mlflow-generated): registered model ``churn_model`` version 1, run
  ``train_lr``, dataset ``churn_features``, signature columns ``age``, ``income``, ``clicks_7d``.
* ``feast_registry_dump.json`` (feast-generated, project ``demo``): feature views
  ``driver_hourly_stats`` and ``driver_hourly_stats_fresh`` (each: ``conv_rate``, ``acc_rate``,
  ``avg_daily_trips``, ``driver_metadata``, ``driver_config``, ``driver_profile``), on-demand views
  ``transformed_conv_rate`` and ``transformed_conv_rate_fresh`` (``conv_rate_plus_val1``,
  ``conv_rate_plus_val2``), label view ``driver_quality_labels`` (``is_reliable``,
  ``quality_score``, ``reviewer_notes``, ``labeler``), services ``driver_activity_v1`` to ``_v3``,
  data source ``driver_hourly_stats_source`` among others.
* ``integration__common__tests__dbt__duckdb__result.json``: the events dbt-ol wrote for the same
  duckdb jaffle_shop run as the manifest above (``run_results.json`` runs
  ``model.jaffle_shop.customers``; the same ``invocation_id``): job
  ``jaffle_shop.main.jaffle_shop.customers`` in namespace ``job-namespace`` writes dataset
  ``jaffle_shop.main.customers`` in namespace ``duckdb:///database/jaffle_shop.duckdb`` (the
  ``path`` of the profile). It is OpenLineage's test expectation, so it leaves out ``runId``,
  ``eventTime``, ``producer`` and ``schemaURL``; :func:`dbt_ol_events` fills in those four and
  nothing else.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from lineage_importers.dbt import DbtImporter
from lineage_importers.feast import FeastImporter

from lineage import refs
from lineage.ingest import import_paths
from lineage.records import NodeRecord
from lineage.store import Store
from tests.conftest import DATA

DBT = DATA / "dbt"
DUCKDB = DBT / "integration__common__tests__dbt__duckdb__target__manifest.json"
POSTGRES = DBT / "integration__common__tests__dbt__postgres__target__manifest.json"
STATE_V12 = DBT / "dbt-core__tests__functional__artifacts__data__state__v12__manifest.json"
GENERATED = DBT / "generated__manifest.json"
MLFLOW = DATA / "mlflow" / "mlflow2_filestore" / "mlruns"
FEAST = DATA / "feast" / "feast_registry_dump.json"
DBT_OL = DATA / "openlineage" / "integration__common__tests__dbt__duckdb__result.json"
DATAHUB_FEAST = DATA / "datahub" / "metadata-ingestion__tests__integration__feast__feast_repository_mces_golden.json"
# The dataset namespace dbt-ol gives the duckdb warehouse: duckdb:// + the profile's path.
DUCKDB_OL_NAMESPACE = "duckdb:///database/jaffle_shop.duckdb"
SCHEMA_V12 = "test17594237163467600387_test_previous_version_state"


def dbt_ol_events(folder: Path) -> Path:
    """OpenLineage's dbt test expectation made an event file: the four fields a test matcher
    leaves out are filled in; namespaces, names and facets stay as dbt-ol wrote them."""
    events = json.loads(DBT_OL.read_text())
    run_id = str(uuid.UUID(int=1))
    for event, time in zip(events, ("2024-11-27T23:49:40Z", "2024-11-27T23:49:46Z"), strict=True):
        event["run"]["runId"] = run_id
        event["eventTime"] = time
        event["producer"] = "https://github.com/OpenLineage/OpenLineage/tree/1.25.0/integration/dbt"
        event["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    path = folder / "dbt_ol_events.json"
    path.write_text(json.dumps(events))
    return path


# graph -> the imports (each one command: paths and options) that make it
GRAPHS = {
    "duckdb": [([DUCKDB], {})],
    "postgres": [([POSTGRES], {})],
    "state_v12": [([STATE_V12], {})],
    "churn": [([GENERATED], {}), ([MLFLOW], {})],
    "feast": [([FEAST], {})],
    "dbt+ol": [([DUCKDB], {"openlineage_namespace": DUCKDB_OL_NAMESPACE}), (["<dbt-ol>"], {})],
    "spark-cll": [([DATA / "real" / "openlineage" / "spark-cll"], {})],
    "datahub-patch": [([DATA / "real" / "datahub" / "complex_dataset_patch.json"], {})],
}
CLL = "field:file//tmp/cll_test/"  # the fields of OpenLineage's Spark column-lineage test


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refs")
    events = dbt_ol_events(folder)
    opened = {}
    for name, commands in GRAPHS.items():
        store = Store.open(folder / f"{name}.db", create=True)
        for paths, options in commands:
            paths = [events if p == "<dbt-ol>" else p for p in paths]
            assert import_paths(store, paths, options=options).committed
        opened[name] = store
    yield opened
    for store in opened.values():
        store.close()


def feature(view: str, name: str) -> str:
    return f"feature:demo/{view}.{name}"


# (graph, REF, the id it names | the ids it names ambiguously | [] when it names nothing)
CASES = [
    # a dbt model by its name, its relation, its quoted relation_name, its unique id, its kind
    ("duckdb", "customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "jaffle_shop.main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", '"jaffle_shop"."main"."customers"', "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", '"main"."customers"', "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "dbt:model.jaffle_shop.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "dataset:customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "duckdb/jaffle_shop.main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)",
     "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "dataset:duckdb/jaffle_shop.main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("duckdb", "orders", "dataset:duckdb/jaffle_shop.main.orders"),
    ("duckdb", "raw_payments", "dataset:duckdb/jaffle_shop.main.raw_payments"),
    # a model the partial manifest only depends on
    ("duckdb", "stg_payments", "dataset:duckdb/model.jaffle_shop.stg_payments"),
    ("duckdb", "dbt:model.jaffle_shop.stg_payments", "dataset:duckdb/model.jaffle_shop.stg_payments"),
    # nothing of that kind or name
    ("duckdb", "model:customers", []),
    ("duckdb", "raw", []),
    ("duckdb", "payments", []),
    ("postgres", "stg_customers", "dataset:postgres/postgres.public.stg_customers"),
    ("postgres", "public.stg_orders", "dataset:postgres/postgres.public.stg_orders"),
    ("postgres", "customers", "dataset:postgres/postgres.public.customers"),
    ("postgres", "raw_orders", "dataset:postgres/postgres.public.raw_orders"),
    # a source by its dbt name, whose table is named otherwise; that table name is also a seed's
    ("state_v12", "my_table", "dataset:postgres/dbt.my_source.my_seed"),
    ("state_v12", "my_source.my_table", "dataset:postgres/dbt.my_source.my_seed"),
    ("state_v12", '"dbt"."my_source"."my_seed"', "dataset:postgres/dbt.my_source.my_seed"),
    ("state_v12", "my_seed", ["dataset:postgres/dbt.my_source.my_seed", f"dataset:postgres/dbt.{SCHEMA_V12}.my_seed"]),
    ("state_v12", "my_model", f"dataset:postgres/dbt.{SCHEMA_V12}.my_model"),
    ("state_v12", "snapshot_seed", f"dataset:postgres/dbt.{SCHEMA_V12}.snapshot_seed"),
    ("state_v12", "simple_exposure", "consumer:test/simple_exposure"),
    # a dbt exposure and an MLflow registered model with one name
    ("churn", "churn_model", ["consumer:churn/churn_model", "model:mlflow/churn_model"]),
    ("churn", "model:churn_model", "model:mlflow/churn_model"),
    ("churn", "consumer:churn_model", "consumer:churn/churn_model"),
    ("churn", "models:/churn_model", "model:mlflow/churn_model"),
    ("churn", "models:/churn_model/1", "model:mlflow/churn_model/v1"),
    ("churn", "churn_model/v1", "model:mlflow/churn_model/v1"),
    ("churn", "mlflow/churn_model/v1", "model:mlflow/churn_model/v1"),
    ("churn", "users", "dataset:duckdb/does_not_exist_yet.raw.users"),
    ("churn", "raw.users", "dataset:duckdb/does_not_exist_yet.raw.users"),
    ("churn", "user_features", "dataset:duckdb/does_not_exist_yet.main.user_features"),
    ("churn", "age", "feature:mlflow/age"),
    ("churn", "churn_features", "dataset:mlflow/churn_features"),
    ("churn", "s3://bucket/features/churn.parquet", "dataset:s3://bucket/features/churn.parquet"),
    # Feast: a feature by its name (two views have conv_rate), by VIEW.FEATURE, by its view
    ("feast", "conv_rate", [feature("driver_hourly_stats", "conv_rate"), feature("driver_hourly_stats_fresh", "conv_rate")]),
    ("feast", "driver_hourly_stats.conv_rate", feature("driver_hourly_stats", "conv_rate")),
    ("feast", "is_reliable", feature("driver_quality_labels", "is_reliable")),
    ("feast", "transformed_conv_rate", [feature("transformed_conv_rate", "conv_rate_plus_val1"),
                                        feature("transformed_conv_rate", "conv_rate_plus_val2")]),
    ("feast", "driver_hourly_stats", [feature("driver_hourly_stats", f) for f in sorted(
        ("conv_rate", "acc_rate", "avg_daily_trips", "driver_metadata", "driver_config", "driver_profile"))]),
    ("feast", "urn:li:mlFeature:(demo.driver_hourly_stats,conv_rate)", feature("driver_hourly_stats", "conv_rate")),
    ("feast", "driver_activity_v1", "consumer:demo/driver_activity_v1"),
    ("feast", "driver_hourly_stats_source", "dataset:demo/driver_hourly_stats_source"),
    # the dbt model's table and the dbt-ol output are one node; the job that builds it ends alike
    ("dbt+ol", "customers", ["dataset:duckdb/jaffle_shop.main.customers",
                             "job:job-namespace/jaffle_shop.main.jaffle_shop.customers"]),
    ("dbt+ol", "dataset:customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("dbt+ol", f"{DUCKDB_OL_NAMESPACE}/jaffle_shop.main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("dbt+ol", "jaffle_shop.main.customers", "dataset:duckdb/jaffle_shop.main.customers"),
    ("dbt+ol", "job:customers", "job:job-namespace/jaffle_shop.main.jaffle_shop.customers"),
    # a field: by its id, its dataset's id or any name of its dataset with #COLUMN, its name, or
    # its name with a dot for the # (whole or its last parts)
    ("spark-cll", CLL + "tbl1#agg", CLL + "tbl1#agg"),
    ("spark-cll", "dataset:file//tmp/cll_test/tbl1#agg", CLL + "tbl1#agg"),
    ("spark-cll", "file/tmp/cll_test/tbl1#ident", CLL + "tbl1#ident"),
    ("spark-cll", "file:/tmp/cll_test/default.tbl1#trans", CLL + "tbl1#trans"),  # its symlink, a Hive table
    ("spark-cll", "/tmp/cll_test/tbl1#agg", CLL + "tbl1#agg"),
    ("spark-cll", "tbl1#agg", CLL + "tbl1#agg"),
    ("spark-cll", "tbl1.agg", CLL + "tbl1#agg"),
    ("spark-cll", "cll_source2.c", CLL + "cll_source2#c"),
    ("spark-cll", "field:tbl1.ident", CLL + "tbl1#ident"),
    ("spark-cll", "a", [CLL + "cll_source1#a", CLL + "cll_source2#a"]),
    ("spark-cll", "tbl1", "dataset:file//tmp/cll_test/tbl1"),  # the dataset, not its fields
    ("spark-cll", "tbl1.nothing", []),
    ("spark-cll", "dataset:file//tmp/cll_test/tbl1#nothing", []),
    ("datahub-patch", "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD),foo)",
     "field:hive/fct_users_created#foo"),
    ("datahub-patch", "urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)#foo",
     "field:hive/fct_users_created#foo"),
    ("datahub-patch", "fct_users_created.foo", "field:hive/fct_users_created#foo"),
    ("datahub-patch", "foo", ["field:hive/fct_users_created#foo", "field:s3://my-bucket/my-folder/my-file.txt#foo"]),
]  # fmt: skip


@pytest.mark.parametrize(("graph", "ref", "expected"), CASES, ids=[f"{g}:{r}" for g, r, _ in CASES])
def test_ref(stores, graph, ref, expected):
    store = stores[graph]
    found = [m.id for m in refs.candidates(store, ref)]
    if isinstance(expected, str):
        assert found == [expected]
        assert refs.resolve(store, ref) == expected
        return
    assert found == sorted(expected)
    with pytest.raises(refs.RefError) as error:
        refs.resolve(store, ref)
    assert [m.id for m in error.value.matches] == sorted(expected)
    if expected:
        assert error.value.candidates == []
        for node_id in expected:
            assert node_id in str(error.value)
    else:
        assert str(error.value) == f"no node matches {ref!r}"


def test_an_ambiguous_ref_lists_ids_kinds_and_sources(stores):
    with pytest.raises(refs.RefError) as error:
        refs.resolve(stores["churn"], "churn_model")
    assert str(error.value) == "\n".join([
        "'churn_model' is ambiguous: 2 nodes have that name",
        f"  consumer:churn/churn_model  (consumer; dbt {GENERATED})",
        f"  model:mlflow/churn_model  (model; mlflow {MLFLOW})",
        "name one by its id, or as kind:name",
    ])  # fmt: skip
    assert [(m.id, m.kind, m.rule) for m in error.value.matches] == [
        ("consumer:churn/churn_model", "consumer", "name"), ("model:mlflow/churn_model", "model", "name")
    ]  # fmt: skip


def test_cli_resolves_dbt_names_and_exits_1_on_an_ambiguous_one(lineage):
    assert lineage("import", str(GENERATED), str(MLFLOW)).exit_code == 0
    shown = lineage("show", "dbt:model.churn.user_features", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["node"]["id"] == "dataset:duckdb/does_not_exist_yet.main.user_features"
    assert lineage("simulate", "user_features").exit_code == 0
    assert lineage("impact", "users").exit_code == 0
    ambiguous = lineage("show", "churn_model")
    assert ambiguous.exit_code == 1
    assert ambiguous.stderr.startswith("Error: 'churn_model' is ambiguous: 2 nodes have that name\n"
                                       "  consumer:churn/churn_model  (consumer; dbt ")  # fmt: skip
    assert "  model:mlflow/churn_model  (model; mlflow " in ambiguous.stderr
    assert "closest:" not in ambiguous.stderr


def test_unquote_keeps_what_is_not_a_quoted_relation():
    assert refs.unquote('"a.b"') == "a.b"
    assert refs.unquote('"a"."b"') == "a.b"
    assert refs.unquote('say "hi" there') is None
    assert refs.unquote("plain") is None


# -- identity keys real producers carry ----------------------------------------------------


def dbt_node(path: Path, unique_id: str, **options) -> NodeRecord:
    records = DbtImporter().read(path, options) if options else DbtImporter().read(path)
    return next(r for r in records if isinstance(r, NodeRecord) and r.attributes.get("dbt_id") == unique_id)


def test_a_dbt_model_carries_the_names_datahub_and_openlineage_give_its_table():
    node = dbt_node(DUCKDB, "model.jaffle_shop.customers", openlineage_namespace=DUCKDB_OL_NAMESPACE)
    assert node.aliases == (
        "dbt:model.jaffle_shop.customers",
        '"jaffle_shop"."main"."customers"',  # relation_name
        "urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)",  # the table in DataHub
        "duckdb:///database/jaffle_shop.duckdb/jaffle_shop.main.customers",  # OpenLineage namespace/name
    )
    # Without the namespace (not in the manifest: it comes from profiles.yml), no OpenLineage name.
    assert not any(a.startswith("duckdb://") for a in dbt_node(DUCKDB, "model.jaffle_shop.customers").aliases)


def test_a_source_named_otherwise_than_its_table_gets_only_the_tables_names():
    node = dbt_node(STATE_V12, "source.test.my_source.my_table")
    assert node.attributes["dbt_name"] == "my_source.my_table"
    # The warehouse table is my_seed (DataHub's dbt source would name it my_table by default,
    # which may be another table: not an alias).
    assert node.aliases == (
        "dbt:source.test.my_source.my_table",
        '"dbt"."my_source"."my_seed"',
        "urn:li:dataset:(urn:li:dataPlatform:postgres,dbt.my_source.my_seed,PROD)",
    )


@pytest.mark.parametrize("dbt_first", [True, False], ids=["dbt first", "dbt-ol first"])
def test_dbt_model_and_dbt_ol_output_are_one_node(tmp_path, dbt_first):
    events = dbt_ol_events(tmp_path)
    commands = [([DUCKDB], {"openlineage_namespace": DUCKDB_OL_NAMESPACE}), ([events], {})]
    with Store.open(tmp_path / "l.db", create=True) as store:
        for paths, options in commands if dbt_first else commands[::-1]:
            assert import_paths(store, paths, options=options).committed
        ids = {n["id"] for n in store.nodes()}
        table, job = (
            "dataset:duckdb/jaffle_shop.main.customers",
            "job:job-namespace/jaffle_shop.main.jaffle_shop.customers",
        )
        assert f"dataset:{DUCKDB_OL_NAMESPACE}/jaffle_shop.main.customers" not in ids
        assert {table, job} <= ids and len(ids) == 9  # the manifest's 8 datasets and dbt-ol's job
        incoming, _ = store.edges_of(table)
        assert {(e["source"], e["kind"]) for e in incoming} >= {(job, "writes")}
        assert {p["importer"] for p in store.node_provenance(table)} == {"dbt", "openlineage"}


def test_without_the_namespace_dbt_and_dbt_ol_stay_two_nodes(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [DUCKDB, dbt_ol_events(tmp_path)]).committed
        ids = {n["id"] for n in store.nodes()}
        assert {
            "dataset:duckdb/jaffle_shop.main.customers",
            f"dataset:{DUCKDB_OL_NAMESPACE}/jaffle_shop.main.customers",
        } <= ids


def test_datahubs_name_of_a_dbt_models_table_joins_it(tmp_path):
    """DataHub's dbt source writes two entities per model: the warehouse table (platform duckdb,
    name lower-cased) and the dbt entity (platform dbt). The table is the dbt node; the dbt entity
    stays apart (only DataHub's siblings aspect says they are one). The MCPs are written here in
    the shape of DataHub's file sink (tests/importers/data/datahub), the URNs as its dbt source builds them
    (``DBTNode.get_urn``)."""
    table, entity = ("urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)",
                     "urn:li:dataset:(urn:li:dataPlatform:dbt,jaffle_shop.main.customers,PROD)")  # fmt: skip
    mcps = [{"entityType": "dataset", "entityUrn": urn, "changeType": "UPSERT", "aspectName": "status",
             "aspect": {"json": {"removed": False}}} for urn in (table, entity)]  # fmt: skip
    (tmp_path / "datahub.json").write_text(json.dumps(mcps, indent=1))
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [tmp_path / "datahub.json"]).committed
        assert import_paths(store, [DUCKDB]).committed
        ids = {n["id"] for n in store.nodes()}
        assert len(ids) == 9  # the manifest's 8 datasets and DataHub's dbt entity
        node = "dataset:duckdb/jaffle_shop.main.customers"
        assert {p["importer"] for p in store.node_provenance(node)} == {"dbt", "datahub"}
        assert "dataset:dbt/jaffle_shop.main.customers" in ids
        assert refs.resolve(store, table) == node
        assert refs.resolve(store, entity) == "dataset:dbt/jaffle_shop.main.customers"


def test_feast_features_carry_the_urn_datahubs_feast_source_gives_them():
    records = [r for r in FeastImporter().read(FEAST) if isinstance(r, NodeRecord) and r.kind == "feature"]
    by_id = {r.id: r for r in records}
    assert by_id[feature("driver_hourly_stats", "conv_rate")].aliases == (
        "urn:li:mlFeature:(demo.driver_hourly_stats,conv_rate)",
    )
    assert by_id[feature("transformed_conv_rate", "conv_rate_plus_val1")].aliases == (
        "urn:li:mlFeature:(demo.transformed_conv_rate,conv_rate_plus_val1)",
    )
    assert all(len(r.aliases) == 1 for r in records)


def test_datahubs_view_of_a_feast_registry_joins_the_feast_features(tmp_path):
    """DataHub's Feast golden file describes a repository like ``feast init``'s, in project
    ``feature_store``; renamed to the dump's project ``demo``, its features are the dump's."""
    golden = DATAHUB_FEAST.read_text().replace("feature_store.", "demo.")
    (tmp_path / "datahub_feast.json").write_text(golden)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [FEAST, tmp_path / "datahub_feast.json"], lenient=True).units
        ids = {n["id"] for n in store.nodes()}
        for view, name in (("driver_hourly_stats", "conv_rate"), ("driver_hourly_stats", "acc_rate"),
                           ("driver_hourly_stats", "avg_daily_trips"),
                           ("transformed_conv_rate", "conv_rate_plus_val1"),
                           ("transformed_conv_rate", "conv_rate_plus_val2")):  # fmt: skip
            # One node, with the id of the source whose path sorts first (docs/formats.md).
            both = {feature(view, name), f"feature:demo.{view}/{name}"} & ids
            assert len(both) == 1
            assert {p["importer"] for p in store.node_provenance(both.pop())} == {"feast", "datahub"}
            assert refs.resolve(store, f"urn:li:mlFeature:(demo.{view},{name})") in {
                feature(view, name),
                f"feature:demo.{view}/{name}",
            }
        # the dump's driver_hourly_stats has no string_feature: DataHub's stays its own
        assert "feature:demo.driver_hourly_stats/string_feature" in ids
