"""The DataHub importer: file-sink output of real DataHub sources, identity, and bad records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lineage_importers.datahub import DataHubImporter, split_urn
from lineage_importers.dbt import DbtImporter

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Problem
from lineage.store import Store
from tests.conftest import DATA

SAMPLES = DATA / "datahub"
MLFLOW_MCPS = SAMPLES / "generated__datahub_mlflow_source_file_sink_mcps.json"
FEAST_MCES = SAMPLES / "metadata-ingestion__tests__integration__feast__feast_repository_mces_golden.json"
IMPORTER = DataHubImporter()


def records(path: Path):
    out = list(IMPORTER.read(path))
    nodes = {r.id: r for r in out if isinstance(r, NodeRecord) and not r.reference}
    edges = {(r.source, r.target, r.kind) for r in out if isinstance(r, EdgeRecord)}
    return nodes, edges, [str(r) for r in out if isinstance(r, Problem)]


def test_mlflow_source_mcps():
    assert IMPORTER.sniff(MLFLOW_MCPS)
    nodes, edges, problems = records(MLFLOW_MCPS)
    assert problems == []
    assert sorted(nodes) == [
        "dataset:mlflow/churn_features",
        "job:mlflow/churn/train_lr@db155a06",
        "model:mlflow/churn_model",
        "model:mlflow/churn_model/v1",
    ]
    assert sorted(edges) == [
        ("dataset:mlflow/churn_features", "job:mlflow/churn/train_lr@db155a06", "reads"),
        ("dataset:s3/churn_features", "dataset:mlflow/churn_features", "derives"),
        ("job:mlflow/churn/train_lr@db155a06", "model:mlflow/churn_model/v1", "writes"),
        ("model:mlflow/churn_model/v1", "model:mlflow/churn_model", "version_of"),
    ]
    assert nodes["dataset:mlflow/churn_features"].attributes["fields"][:1] == ["age"]
    assert nodes["model:mlflow/churn_model/v1"].tags == ("mlflow_none",)
    assert (
        "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_model_1,PROD)" in nodes["model:mlflow/churn_model/v1"].aliases
    )


def test_feast_source_mces():
    nodes, edges, problems = records(FEAST_MCES)
    assert problems == []
    features = sorted(n for n in nodes if n.startswith("feature:"))
    assert features == [
        "feature:feature_store.driver_hourly_stats/acc_rate",
        "feature:feature_store.driver_hourly_stats/avg_daily_trips",
        "feature:feature_store.driver_hourly_stats/conv_rate",
        "feature:feature_store.driver_hourly_stats/driver_id",
        "feature:feature_store.driver_hourly_stats/string_feature",
        "feature:feature_store.transformed_conv_rate/conv_rate_plus_val1",
        "feature:feature_store.transformed_conv_rate/conv_rate_plus_val2",
    ]
    assert (
        "dataset:request/vals_to_add",
        "feature:feature_store.transformed_conv_rate/conv_rate_plus_val1",
        "derives",
    ) in edges
    key = nodes["feature:feature_store.driver_hourly_stats/driver_id"]
    assert "primary-key" in key.tags and key.attributes["feature_table"] == "feature_store.driver_hourly_stats"


def test_one_model_imported_from_two_sources_is_one_node(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [MLFLOW_MCPS]).ok
        assert import_paths(store, [DATA / "mlflow" / "mlflow2_filestore" / "mlruns"]).ok
        graph = load_graph(store)
        sources = {p["importer"] for p in store.node_provenance("model:mlflow/churn_model/v1")}
    assert sources == {"datahub", "mlflow"}
    assert sorted(n for n in graph if n.startswith("model:")) == [
        "model:mlflow/churn_model",
        "model:mlflow/churn_model/v1",
    ]
    assert len([n for n in graph if n.startswith("job:")]) == 1


def test_aliases_in_a_manifest_join_a_urn_to_a_declared_node(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "lineage_manifest: 1\nnamespace: churn\ndatasets:\n  - name: raw_features\n    aliases:\n"
        "      - 'urn:li:dataset:(urn:li:dataPlatform:s3,churn_features,PROD)'\n"
    )
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [manifest]).ok
        assert import_paths(store, [MLFLOW_MCPS]).ok
        graph = load_graph(store)
    assert graph.has_edge("dataset:churn/raw_features", "dataset:mlflow/churn_features")
    assert "dataset:s3/churn_features" not in graph


def write(tmp_path, records_):
    path = tmp_path / "mcps.json"
    path.write_text(json.dumps(records_, indent=1))
    return path


URN = "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)"
BAD = [
    ([5], "mcps.json:2: a record must be a JSON object (an MCE or an MCP)"),
    ([{"entityUrn": URN, "aspect": {"json": {}}}], "mcps.json:2: an MCP needs an 'aspectName'"),
    ([{"aspectName": "status", "aspect": {"json": {}}}], "mcps.json:2: an MCP needs an 'entityUrn'"),
    (
        [{"entityUrn": "dataset:x", "aspectName": "status", "aspect": {"json": {}}}],
        "mcps.json:2: not a DataHub URN: 'dataset:x'",
    ),
    (
        [{"entityUrn": URN, "aspectName": "status", "aspect": {"value": "{oops", "contentType": "application/json"}}],
        "mcps.json:6: the aspect is not valid JSON: Expecting property name enclosed in double quotes",
    ),
    ([{"proposedSnapshot": {"a": {}, "b": {}}}], "mcps.json:2: proposedSnapshot must hold exactly one snapshot"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_records_name_file_and_line(tmp_path, body, message):
    _, _, problems = records(write(tmp_path, body))
    assert [p.replace(str(tmp_path) + "/", "") for p in problems] == [message]


def test_not_a_list_and_removed_entities(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('"just a string"')
    with pytest.raises(Exception, match="expected a JSON list"):
        list(IMPORTER.read(path))
    removed = [{"entityUrn": URN, "aspectName": "status", "aspect": {"json": {"removed": True}}}]
    assert records(write(tmp_path, removed))[0] == {}


def test_split_urn_keeps_nested_urns_whole():
    assert split_urn("urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_model_1,PROD)") == (
        "mlModel",
        ["urn:li:dataPlatform:mlflow", "churn_model_1", "PROD"],
    )
    with pytest.raises(ValueError):
        split_urn("urn:li:")


# -- Real output of current DataHub: JSON-Patch aspects, runs, dbt entities and siblings --------
# tests/importers/data/real/datahub/SOURCE.txt says where each file comes from. Every expectation below was
# written from the raw file (its MCPs, their patch operations and URNs), not from this importer.

REAL = DATA / "real" / "datahub"
DBT_GOLDEN = REAL / "dbt_test_test_model_performance_golden.json"  # dbt source: PATCH, runs, dbt entities
DBT_MANIFEST = REAL / "sample_dbt_manifest_2.json"  # the manifest that golden file was made from
PATCH_GOLDEN = REAL / "complex_dataset_patch.json"  # DataHub's own patch-builder golden file
PATCH_BUILDERS = REAL / "generated__patch_builders.json"  # acryl-datahub 1.7 patch builders
JAFFLE_RUN1 = REAL / "generated__dbt_jaffle_shop_duckdb_run1.json"  # dbt source, siblings, one run
JAFFLE_RUN2 = REAL / "generated__dbt_jaffle_shop_duckdb_run2.json"  # the same, a later dbt run
JAFFLE_MANIFEST = DATA / "dbt" / "integration__common__tests__dbt__duckdb__target__manifest.json"
PAGILA = "dataset:postgres/pagila.public."


_SCHEMA_FIELD = re.compile(r"urn:li:schemaField:\(urn:li:dataset:\(urn:li:dataPlatform:[^,]+,([^,]+),[A-Z]+\),(.+)\)$")


def raw_field_pairs(path: Path, field_of) -> set[tuple[str, str]]:
    """(upstream field, downstream field) of every fineGrainedLineages entry in a DataHub file, read
    from the raw JSON; ``field_of(table, column)`` names a field; a field to itself is left out."""
    pairs = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for entry in (
                value.get("fineGrainedLineages") or [] if isinstance(value.get("fineGrainedLineages"), list) else []
            ):
                for up in entry.get("upstreams") or []:
                    for down in entry.get("downstreams") or []:
                        pairs.add(
                            (field_of(*_SCHEMA_FIELD.match(up).groups()), field_of(*_SCHEMA_FIELD.match(down).groups()))
                        )
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(json.loads(path.read_text()))
    return {(u, d) for u, d in pairs if u != d}


def edges_of(path: Path):
    return {(r.source, r.target, r.kind): r for r in IMPORTER.read(path) if isinstance(r, EdgeRecord)}


def test_patch_aspects_of_datahubs_patch_builder_golden_file_apply():
    # complex_dataset_patch.json: four PATCH MCPs on hive fct_users_created; URNs in paths are
    # escaped (my-bucket~1my-folder~1my-file.txt), the value says the URN unescaped.
    nodes, edges, problems = records(PATCH_GOLDEN)
    assert problems == []
    # Two fineGrainedLineages patches: upstream.bar -> foo (TRANSFORM), the s3 file's foo -> foo (NONE).
    foo, bar, s3_foo = ("field:hive/fct_users_created#foo", "field:hive/fct_users_created_upstream#bar",
                        "field:s3://my-bucket/my-folder/my-file.txt#foo")  # fmt: skip
    assert edges == {
        ("dataset:hive/fct_users_created_upstream", "dataset:hive/fct_users_created", "derives"),
        ("dataset:s3://my-bucket/my-folder/my-file.txt", "dataset:hive/fct_users_created", "derives"),
        (bar, foo, "derives"),
        (s3_foo, foo, "derives"),
        ("dataset:hive/fct_users_created", foo, "has_field"),
        ("dataset:hive/fct_users_created_upstream", bar, "has_field"),
        ("dataset:s3://my-bucket/my-folder/my-file.txt", s3_foo, "has_field"),
    }
    by_key = edges_of(PATCH_GOLDEN)
    assert by_key[(bar, foo, "derives")].attributes == {"transformations": [{"description": "TRANSFORM"}],
                                                         "confidence": 1.0}  # fmt: skip
    assert by_key[(s3_foo, foo, "derives")].attributes == {"confidence": 1.0}
    assert (
        "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD),foo)"
        in nodes[foo].aliases
    )
    node = nodes["dataset:hive/fct_users_created"]
    assert node.attributes["description"] == "test description"
    assert node.attributes["properties"] == {"test_key_1": "test_value_1", "test_key_2": "test_value_2"}
    assert node.tags == ("test_tag",)


def test_patch_aspects_of_datahub_1_7_builders_add_and_remove_in_file_order():
    # generated__patch_builders.json: upstreams add raw/events and legacy_events, then remove
    # legacy_events; ownership, tags and terms in the arrayPrimaryKeys envelope; tag legacy added
    # then removed (remove by a prefix of the keys); customProperties tier added then removed.
    nodes, edges, problems = records(PATCH_BUILDERS)
    assert problems == []
    churn = "dataset:s3://my-bucket/features/churn.parquet"
    events = "dataset:s3://my-bucket/raw/events.parquet"
    job = "job:airflow/churn_dag/build_features"
    assert edges == {
        (events, churn, "derives"),
        (events, job, "reads"),
        (job, churn, "writes"),
        (churn, "consumer:looker/churn_dashboard.churn_rate", "reads"),
    }
    node = nodes[churn]
    assert node.owner == "jdoe"
    assert node.tags == ("pii",)
    assert node.attributes["glossary_terms"] == ["Churn"]
    assert node.attributes["properties"] == {"team": "growth"}
    assert node.attributes["description"] == "Churn features, daily"


def test_patch_on_top_of_what_the_file_said_before(tmp_path):
    # The dbt golden's first PATCH (record 75) adds one upstream to the postgres table of
    # an-aliased-view-for-monthly-billing; an UPSERT before it gives that table an upstream of its
    # own: both hold. An UPSERT after the patch replaces the aspect.
    data = json.loads(DBT_GOLDEN.read_text())
    patch = data[75]
    table = patch["entityUrn"]
    other = "urn:li:dataset:(urn:li:dataPlatform:postgres,pagila.public.customer,PROD)"
    upsert = {
        "entityType": "dataset",
        "entityUrn": table,
        "changeType": "UPSERT",
        "aspectName": "upstreamLineage",
        "aspect": {"json": {"upstreams": [{"dataset": other, "type": "TRANSFORMED"}]}},
    }
    target = "dataset:postgres/pagila.public.an-aliased-view-for-monthly-billing"
    dbt_entity = patch["aspect"]["json"][0]["value"]["dataset"]  # the upstream COPY the patch adds
    nodes, edges, problems = records(write(tmp_path, [upsert, patch]))
    assert problems == []
    assert (f"{PAGILA}customer", target, "derives") in edges
    assert dbt_entity in nodes[target].aliases  # the COPY of its dbt entity: one node
    nodes, edges, problems = records(write(tmp_path, [patch, upsert]))
    assert problems == []
    assert (f"{PAGILA}customer", target, "derives") in edges
    assert dbt_entity not in nodes[target].aliases


def test_patch_operations_in_a_json_string_apply_and_a_list_needs_changetype_patch(tmp_path):
    # DataHub's patch builders make the MCP with the operations as a JSON string (aspect.value,
    # contentType application/json-patch+json); the file sink writes them as aspect.json.
    data = json.loads(DBT_GOLDEN.read_text())
    patch = data[75]
    patch["aspect"] = {"value": json.dumps(patch["aspect"]["json"]), "contentType": "application/json-patch+json"}
    nodes, _, problems = records(write(tmp_path, [patch]))
    assert problems == []
    table = nodes[PAGILA + "an-aliased-view-for-monthly-billing"]
    assert (
        "urn:li:dataset:(urn:li:dataPlatform:dbt,pagila.public.an-aliased-view-for-monthly-billing,PROD)"
        in table.aliases
    )
    patch["aspect"]["value"] = json.dumps([{"op": "add", "path": "/nowhere", "value": 1}])
    assert records(write(tmp_path, [patch]))[2] == [
        f"{tmp_path}/mcps.json:8: upstreamLineage patch: unknown path '/nowhere': upstreamLineage has no field 'nowhere'"
    ]
    upsert = {**data[75], "changeType": "UPSERT"}
    assert records(write(tmp_path, [upsert]))[2] == [
        f"{tmp_path}/mcps.json:8: upstreamLineage aspect: an aspect must be an object, not list "
        "(JSON Patch operations need changeType PATCH)"
    ]


def bad_op_cases():
    data = json.loads(DBT_GOLDEN.read_text())
    ops = data[75]["aspect"]["json"]
    return [
        ({**ops[0], "path": "/upstream/" + ops[0]["path"].split("/", 2)[2]}, "unknown path"),
        ({**ops[0], "op": "move"}, "unsupported patch operation 'move'"),
        ({k: v for k, v in ops[0].items() if k != "value"}, "an add operation needs a 'value'"),
        ({**ops[0], "value": "urn:li:dataset:x"}, "must be an object"),
        ("add", "a patch operation must be an object"),
        ({**ops[0], "path": "upstreams"}, "a patch path must be text that starts with '/'"),
        ({**ops[0], "path": ops[0]["path"] + "/extra"}, "unknown path"),
        ({**ops[0], "value": {**ops[0]["value"], "dataset": 7}}, "upstreamLineage"),
    ]


@pytest.mark.parametrize(("op", "message"), bad_op_cases())
def test_a_bad_patch_operation_is_a_problem_at_its_pointer(tmp_path, op, message):
    data = json.loads(DBT_GOLDEN.read_text())
    data[75]["aspect"]["json"][0] = op
    path = tmp_path / "golden.json"
    path.write_text(json.dumps(data, separators=(",", ":")))  # minified: locations are pointers
    _, edges, problems = records(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}#/75/aspect/json/0") and message in problems[0], problems
    # the other operations still apply, and the rest of the file is read
    assert (f"{PAGILA}customer_details", f"{PAGILA}an-aliased-view-for-monthly-billing", "derives") in edges
    path.write_text(json.dumps(data, indent=4))  # pretty: the line of the operation
    problems = records(path)[2]
    assert len(problems) == 1 and problems[0].startswith(f"{path}:") and message in problems[0], problems


def test_dbt_golden_file_reads_without_problems_and_the_dbt_entities_are_the_tables():
    nodes, edges, problems = records(DBT_GOLDEN)
    assert problems == []
    # 17 dbt entities (5 models and snapshots, 12 sources), each with its postgres table: the
    # 4 PATCH MCPs (records 75-78) give 4 tables the upstream COPY of their dbt entity, and the
    # 12 sources' entities say upstream COPY of their postgres table. customer_details is
    # ephemeral (no table): it is named by manifest_adapter, as the dbt importer names it.
    tables = [
        "actor",
        "address",
        "an-aliased-view-for-monthly-billing",
        "an_aliased_view_for_payments",
        "category",
        "city",
        "country",
        "customer",
        "customer_details",
        "customer_snapshot",
        *[f"payment_p2020_0{n}" for n in range(1, 7)],
        "payments_by_customer_by_month",
    ]
    assert sorted(n for n in nodes if n.startswith("dataset:")) == sorted(PAGILA + t for t in tables)
    billing = nodes[PAGILA + "an-aliased-view-for-monthly-billing"]
    assert set(billing.aliases) >= {
        "urn:li:dataset:(urn:li:dataPlatform:dbt,pagila.public.an-aliased-view-for-monthly-billing,PROD)",
        "urn:li:dataset:(urn:li:dataPlatform:postgres,pagila.public.an-aliased-view-for-monthly-billing,PROD)",
        "dbt:model.sample_dbt.monthly_billing_with_cust",
    }
    assert "dbt:source.sample_dbt.pagila.actor" in nodes[PAGILA + "actor"].aliases
    assert "dbt:model.sample_dbt.customer_details" in nodes[PAGILA + "customer_details"].aliases
    # the dbt entities' TRANSFORMED upstreams; the COPY between an entity and its table is no edge;
    # column to column, every pair of the file's fineGrainedLineages (dbt and postgres names are
    # siblings: one table, one field)
    fields = raw_field_pairs(DBT_GOLDEN, lambda table, column: f"field:postgres/{table}#{column}")
    assert len(fields) > 20 and {(s, t) for s, t, k in edges if k == "derives" and s.startswith("field:")} == fields
    assert {(s, t) for s, t, k in edges if k == "has_field"} == {
        (f"dataset:{f.split(':', 1)[1].split('#')[0]}", f) for pair in fields for f in pair
    }
    derives = {(s, t) for s, t, k in edges if k == "derives" and not s.startswith("field:")}
    assert derives == {
        *((PAGILA + u, PAGILA + "customer_details") for u in ("customer_snapshot", "address", "city", "customer")),
        *(
            (PAGILA + u, PAGILA + "an-aliased-view-for-monthly-billing")
            for u in ("customer_details", "payments_by_customer_by_month")
        ),
        *((PAGILA + f"payment_p2020_0{n}", PAGILA + "an_aliased_view_for_payments") for n in range(1, 7)),
        (PAGILA + "an_aliased_view_for_payments", PAGILA + "payments_by_customer_by_month"),
        (PAGILA + "customer", PAGILA + "customer_snapshot"),
    }


def test_dbt_runs_are_observed_edges_of_the_job_of_their_model():
    # Four dataProcessInstance runs (records 6-38), each with parentTemplate = its dbt entity and
    # customProperties.dbt_name; name is "just-some-random-id_<urn>" (the dbt invocation id).
    nodes, edges, _ = records(DBT_GOLDEN)
    jobs = sorted(n for n in nodes if n.startswith("job:"))
    assert jobs == [
        "job:dbt/model.sample_dbt.monthly_billing_with_cust",
        "job:dbt/model.sample_dbt.payments_base",
        "job:dbt/model.sample_dbt.payments_by_customer_by_month",
        "job:dbt/snapshot.sample_dbt.customer_snapshot",
    ]
    billing = "job:dbt/model.sample_dbt.monthly_billing_with_cust"
    payments = "job:dbt/model.sample_dbt.payments_base"
    by_month = "job:dbt/model.sample_dbt.payments_by_customer_by_month"
    snapshot = "job:dbt/snapshot.sample_dbt.customer_snapshot"
    run_edges = {(s, t, k) for s, t, k in edges if s.startswith("job:") or t.startswith("job:")}
    assert run_edges == {
        (PAGILA + "customer_details", billing, "reads"),
        (PAGILA + "payments_by_customer_by_month", billing, "reads"),
        (billing, PAGILA + "an-aliased-view-for-monthly-billing", "writes"),
        *((PAGILA + f"payment_p2020_0{n}", payments, "reads") for n in range(1, 7)),
        (payments, PAGILA + "an_aliased_view_for_payments", "writes"),
        (PAGILA + "an_aliased_view_for_payments", by_month, "reads"),
        (by_month, PAGILA + "payments_by_customer_by_month", "writes"),
        (PAGILA + "customer", snapshot, "reads"),
        (snapshot, PAGILA + "customer_snapshot", "writes"),
    }
    assert {edges_of(DBT_GOLDEN)[e].evidence for e in run_edges} == {"observed"}
    assert nodes[billing].attributes["run"]["status"] == "COMPLETE"
    assert nodes[billing].attributes["run"]["result"] == "SUCCESS"


def test_dbt_siblings_are_one_node_named_by_the_warehouse_table():
    # generated__dbt_jaffle_shop_duckdb_run1.json (dbt_is_primary_sibling: false): each of the 5
    # dbt entities has siblings [its duckdb table], primary false; each duckdb table gets a PATCH
    # /siblings/<dbt entity> and /primary true, and a PATCH upstream COPY of its dbt entity.
    nodes, edges, problems = records(JAFFLE_RUN1)
    assert problems == []
    names = ["customers", "orders", "raw_customers", "raw_orders", "raw_payments"]
    assert sorted(n for n in nodes if n.startswith("dataset:")) == [
        f"dataset:duckdb/jaffle_shop.main.{n}" for n in names
    ]
    customers = nodes["dataset:duckdb/jaffle_shop.main.customers"]
    assert set(customers.aliases) == {
        "urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)",
        "urn:li:dataset:(urn:li:dataPlatform:dbt,jaffle_shop.main.customers,PROD)",
        "dbt:model.jaffle_shop.customers",
    }
    assert customers.owner == "data-team"  # the dbt entity's ownership
    assert edges == {("job:dbt/model.jaffle_shop.customers", "dataset:duckdb/jaffle_shop.main.customers", "writes")}


def test_trino_and_hive_siblings_are_one_node_named_by_the_primary():
    # trino_hive_mces_golden.json: 10 trino tables, each siblings [its hive table] primary true,
    # the hive table siblings [the trino one] primary false; and upstream VIEW of the hive table.
    nodes, edges, problems = records(REAL / "trino_hive_mces_golden.json")
    assert problems == []
    datasets = sorted(n for n in nodes if n.startswith("dataset:"))
    assert len(datasets) == 10 and all(n.startswith("dataset:trino/hivedb.db1.") for n in datasets)
    pokes = nodes["dataset:trino/hivedb.db1.pokes"]
    assert "urn:li:dataset:(urn:li:dataPlatform:hive,db1.pokes,PROD)" in pokes.aliases
    # the one upstream that is not a sibling: the view over array_struct_test (record 81), and its
    # fineGrainedLineages: property_id and service copied into the view
    table, view = "dataset:trino/hivedb.db1.array_struct_test", "dataset:trino/hivedb.db1.array_struct_test_view"
    columns = ("property_id", "service")
    fields = {(f"field:trino/hivedb.db1.array_struct_test#{c}", f"field:trino/hivedb.db1.array_struct_test_view#{c}")
              for c in columns}  # fmt: skip
    assert edges == {
        (table, view, "derives"),
        *((u, d, "derives") for u, d in fields),
        *((table, u, "has_field") for u, _ in fields),
        *((view, d, "has_field") for _, d in fields),
    }
    said = edges_of(REAL / "trino_hive_mces_golden.json")
    copied = (
        "field:trino/hivedb.db1.array_struct_test#service",
        "field:trino/hivedb.db1.array_struct_test_view#service",
    )
    assert said[(*copied, "derives")].attributes["transformations"] == [
        {"description": 'COPY: "array_struct_test"."service" AS "service"'}
    ]


def test_a_second_ingestion_run_adds_no_jobs(tmp_path):
    # run2 is DataHub's output for the same project after a later dbt run (another invocation id):
    # its dataProcessInstance has another URN and another name.
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [JAFFLE_RUN1]).ok
        first = load_graph(store)
        assert import_paths(store, [JAFFLE_RUN2]).ok
        both = load_graph(store)
    assert sorted(n for n in first if n.startswith("job:")) == ["job:dbt/model.jaffle_shop.customers"]
    assert sorted(both.nodes) == sorted(first.nodes)


@pytest.mark.parametrize(
    ("datahub", "manifest", "models"),
    [
        (
            DBT_GOLDEN,
            DBT_MANIFEST,
            {
                "model.sample_dbt.monthly_billing_with_cust": PAGILA + "an-aliased-view-for-monthly-billing",
                "model.sample_dbt.customer_details": PAGILA + "customer_details",
                "source.sample_dbt.pagila.actor": PAGILA + "actor",
            },
        ),
        (
            JAFFLE_RUN1,
            JAFFLE_MANIFEST,
            {
                "model.jaffle_shop.customers": "dataset:duckdb/jaffle_shop.main.customers",
                "seed.jaffle_shop.raw_orders": "dataset:duckdb/jaffle_shop.main.raw_orders",
            },
        ),
    ],
)
@pytest.mark.parametrize("datahub_first", [True, False])
def test_end_to_end_a_dbt_model_is_one_node_with_the_dbt_manifest(lineage, datahub, manifest, models, datahub_first):
    alone = lineage("import", str(datahub))
    assert alone.exit_code == 0, alone.output
    # DataHub's copy of the sample_dbt manifest has its keys sorted: its schema URL is not in its
    # first 4 KiB, where the dbt importer looks, so the format is named
    imports = [("--format", "dbt", str(manifest)), (str(datahub),)]
    for args in imports if not datahub_first else imports[::-1]:
        result = lineage("import", *args)
        assert result.exit_code == 0, result.output
    for unique_id, node_id in models.items():
        shown = lineage("show", node_id)
        assert shown.exit_code == 0, shown.output
        assert f"dbt:{unique_id}" in shown.output
        assert "datahub" in shown.output and "dbt" in shown.output
    with Store.open(lineage.db) as store:
        graph = load_graph(store)
        for unique_id, node_id in models.items():
            assert store.ids_with_alias(f"dbt:{unique_id}") == [node_id]
    # every dataset is the dbt importer's: nothing DataHub says stands apart
    dbt_ids = {r.id for r in DbtImporter().read(manifest) if isinstance(r, NodeRecord)}
    assert {n for n in graph if n.startswith("dataset:")} == dbt_ids


def test_other_real_patch_files_read_without_problems():
    # DataHub's lineage-client golden: a dataJob PATCH of inputDatasetEdges, inputDatajobEdges and
    # outputDatasetEdges; the Unity Catalog golden: datasetProperties and ownership PATCHes
    # (/owners/urn:li:corpuser:account users/DATAOWNER).
    nodes, edges, problems = records(REAL / "test_datajob_lineage_golden.json")
    assert problems == []
    job = "job:airflow/example_dag/transform_job"
    assert edges == {
        ("dataset:snowflake/source_table", job, "reads"),
        (job, "dataset:snowflake/target_table", "writes"),
    }
    nodes, _, problems = records(REAL / "unity_catalog_mces_golden.json")
    assert problems == []
    table = nodes["dataset:databricks/quickstart_catalog.quickstart_schema.quickstart_table"]
    assert table.owner == "account users"
    assert table.attributes["properties"]["table_type"] == "MANAGED"


def test_runs_attach_to_their_dataflow_and_datajob():
    # golden_test_emit_metadata_mcps.json (DataHub's Dagster plugin): a run of the flow
    # (dagster,prod/etl) with parentTemplate = the dataFlow, named by its run id
    # 12345678123456781234567812345678; a run of each of its two steps (extract, transform), with
    # parentTemplate = the dataJob; the transform run's input is snowflake tableA, which the
    # dataJob also declares (dataJobInputOutput).
    path = REAL / "golden_test_emit_metadata_mcps.json"
    nodes, edges, problems = records(path)
    assert problems == []
    assert sorted(n for n in nodes if n.startswith("job:")) == [
        "job:dagster/prod/etl",
        "job:dagster/prod/etl/prod/extract",
        "job:dagster/prod/etl/prod/transform",
    ]
    assert edges == {("dataset:snowflake/tableA", "job:dagster/prod/etl/prod/transform", "reads")}
    evidence = {r.evidence for r in IMPORTER.read(path) if isinstance(r, EdgeRecord)}
    assert evidence == {"declared", "observed"}  # said by the dataJob, and seen in its run
    assert nodes["job:dagster/prod/etl"].attributes["run"]["result"] == "SUCCESS"
    assert "urn:li:dataFlow:(dagster,prod/etl,PROD)" in nodes["job:dagster/prod/etl"].aliases


def test_every_record_about_an_entity_is_kept_as_its_provenance(lineage):
    """Each MCP or snapshot about either URN of a node (the dbt entity and its table, one node)
    is one of its places, not only the first."""
    golden = REAL / "dbt_test_test_model_performance_golden.json"
    records = json.loads(golden.read_text())
    urns = {"urn:li:dataset:(urn:li:dataPlatform:dbt,pagila.public.customer_details,PROD)",
            "urn:li:dataset:(urn:li:dataPlatform:postgres,pagila.public.customer_details,PROD)"}  # fmt: skip
    about = [r for r in records
             if r.get("entityUrn") in urns or next(iter((r.get("proposedSnapshot") or {"": {}}).values())).get("urn") in urns]  # fmt: skip
    assert len(about) >= 3  # read off the file: three MCPs of the dbt entity at least
    assert lineage("import", str(golden)).exit_code == 0
    shown = json.loads(lineage("show", "dataset:postgres/pagila.public.customer_details", "--json").output)
    places = [p["line"] for p in shown["provenance"] if Path(p["file"]).name == golden.name]
    assert len(places) == len(set(places)) == len(about)


def test_fine_grained_lineage_of_datahubs_sql_aggregator_golden_makes_fields():
    # test_multistep_temp_table.json (datahub-multistep-EXPECTATIONS.md, read by hand): prod_foo's
    # upstreamLineage has 3 fineGrainedLineages, FIELD_SET -> FIELD, confidence 0.2, no operation.
    path = REAL / "metadata-ingestion__tests__unit__sql_parsing__aggregator_goldens__test_multistep_temp_table.json"
    nodes, edges, problems = records(path)
    assert problems == []
    table = "dataset:redshift/dev.public."
    fields = {(f"field:redshift/dev.public.{u}#{c}", f"field:redshift/dev.public.prod_foo#{c}")
              for u, c in (("upstream1", "a"), ("upstream1", "b"), ("upstream2", "c"))}  # fmt: skip
    assert {(s, t) for s, t, k in edges if k == "derives" and s.startswith("field:")} == fields
    assert {(s, t) for s, t, k in edges if k == "derives" and s.startswith("dataset:")} == {
        (table + "upstream1", table + "prod_foo"),
        (table + "upstream2", table + "prod_foo"),
    }
    said = edges_of(path)
    assert all(said[(s, t, "derives")].attributes == {"confidence": 0.2} for s, t in fields)
    assert nodes["field:redshift/dev.public.prod_foo#b"].attributes == {
        "dataset": table + "prod_foo",
        "column": "b",
    }  # no schemaMetadata in this file: no type
