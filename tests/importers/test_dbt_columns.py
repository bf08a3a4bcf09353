"""dbt column lineage inferred from compiled SQL (issue 22, item 2), on the classic jaffle_shop
project compiled by real dbt-core 1.10 with dbt-duckdb (data/real/dbt-jaffle, SOURCE.txt there).

The expectations are data/real/dbt-jaffle/EXPECTATIONS.md, written by reading the SQL by hand:
each output column's direct upstream columns and kind (copy, transform, aggregation), and the
CASE-condition columns as indirect. Join and group-by keys, which that file lists as indirect
too, are not traced (sqlglot's lineage follows values), and the test says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lineage_importers.dbt import DbtImporter

from lineage.cli import cli
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import EdgeRecord, NodeRecord, Notice
from lineage.store import Store
from tests.conftest import DATA

JAFFLE = DATA / "real" / "dbt-jaffle"
MANIFEST = JAFFLE / "manifest.json"
F = "field:duckdb/jaffle.main."

# model.column -> {upstream table.column: subtype}, transcribed from EXPECTATIONS.md
EXPECTED = {
    "stg_customers.customer_id": {"raw_customers.id": "IDENTITY"},
    "stg_customers.first_name": {"raw_customers.first_name": "IDENTITY"},
    "stg_customers.last_name": {"raw_customers.last_name": "IDENTITY"},
    "stg_orders.order_id": {"raw_orders.id": "IDENTITY"},
    "stg_orders.customer_id": {"raw_orders.user_id": "IDENTITY"},
    "stg_orders.order_date": {"raw_orders.order_date": "IDENTITY"},
    "stg_orders.status": {"raw_orders.status": "IDENTITY"},
    "stg_payments.payment_id": {"raw_payments.id": "IDENTITY"},
    "stg_payments.order_id": {"raw_payments.order_id": "IDENTITY"},
    "stg_payments.payment_method": {"raw_payments.payment_method": "IDENTITY"},
    "stg_payments.amount": {"raw_payments.amount": "TRANSFORMATION"},  # amount / 100
    "customers.customer_id": {"stg_customers.customer_id": "IDENTITY"},
    "customers.first_name": {"stg_customers.first_name": "IDENTITY"},
    "customers.last_name": {"stg_customers.last_name": "IDENTITY"},
    "customers.first_order": {"stg_orders.order_date": "AGGREGATION"},  # min
    "customers.most_recent_order": {"stg_orders.order_date": "AGGREGATION"},  # max
    "customers.number_of_orders": {"stg_orders.order_id": "AGGREGATION"},  # count
    "customers.customer_lifetime_value": {"stg_payments.amount": "AGGREGATION"},  # sum, renamed
    "orders.order_id": {"stg_orders.order_id": "IDENTITY"},
    "orders.customer_id": {"stg_orders.customer_id": "IDENTITY"},
    "orders.order_date": {"stg_orders.order_date": "IDENTITY"},
    "orders.status": {"stg_orders.status": "IDENTITY"},
    **{f"orders.{method}_amount": {"stg_payments.amount": "AGGREGATION", "stg_payments.payment_method": "CONDITIONAL"}
       for method in ("credit_card", "coupon", "bank_transfer", "gift_card")},
    "orders.amount": {"stg_payments.amount": "AGGREGATION"},
}  # fmt: skip


def field(dotted: str) -> str:
    table, column = dotted.split(".")
    return f"{F}{table}#{column}"


def read(path: Path):
    records = list(DbtImporter().read(path))
    nodes = {r.id: r for r in records if isinstance(r, NodeRecord)}
    edges = {(r.source, r.target, r.kind): r for r in records if isinstance(r, EdgeRecord)}
    return nodes, edges, [r for r in records if isinstance(r, Notice)]


def copy_project(tmp_path: Path, *, catalog: bool = True) -> Path:
    folder = tmp_path / "target"
    folder.mkdir()
    shutil.copy(MANIFEST, folder / "manifest.json")
    if catalog:
        shutil.copy(JAFFLE / "catalog.json", folder / "catalog.json")
    return folder / "manifest.json"


def test_every_column_of_every_model_is_traced_as_read_by_hand():
    nodes, edges, notices = read(MANIFEST)
    assert notices == []
    found: dict[str, dict[str, str]] = {}
    for (source, target, kind), edge in edges.items():
        if kind == "derives" and source.startswith("field:"):
            [how] = edge.attributes["transformations"]
            key = target.removeprefix(F).replace("#", ".")
            found.setdefault(key, {})[source.removeprefix(F).replace("#", ".")] = how["subtype"]
            assert edge.attributes["inferred"] is True
            assert how["type"] == ("INDIRECT" if how["subtype"] == "CONDITIONAL" else "DIRECT")
    assert found == EXPECTED
    # Not traced: the join and group-by keys EXPECTATIONS.md lists as indirect (customer_id, order_id).


def test_fields_belong_to_their_tables_with_the_warehouses_types():
    nodes, edges, _ = read(MANIFEST)
    fields = {n for n in nodes if n.startswith("field:")}
    assert fields == {field(c) for pairs in EXPECTED.items() for c in (pairs[0], *pairs[1])}
    for fid in fields:
        dataset = "dataset:" + fid.removeprefix("field:").split("#")[0]
        assert (dataset, fid, "has_field") in edges
    assert nodes[field("stg_payments.amount")].attributes["type"] == "DOUBLE"  # catalog.json: duckdb's / gives a double
    assert nodes[field("raw_payments.amount")].attributes["type"] == "INTEGER"


def test_each_inferred_edge_names_the_models_sql_file_and_line():
    _, edges, _ = read(MANIFEST)
    amount = edges[(field("raw_payments.amount"), field("stg_payments.amount"), "derives")]
    assert str(amount.location) == "models/staging/stg_payments.sql:19"  # amount / 100 as amount
    lifetime = edges[(field("stg_payments.amount"), field("customers.customer_lifetime_value"), "derives")]
    assert str(lifetime.location) == "models/customers.sql:57"  # ... total_amount as customer_lifetime_value
    sql = (JAFFLE / "models" / "customers.sql").read_text().splitlines()
    assert "as customer_lifetime_value" in sql[56]


def test_sql_that_cannot_be_read_is_reported_and_skipped_never_guessed(tmp_path):
    path = copy_project(tmp_path)
    data = json.loads(path.read_text())
    data["nodes"]["model.jaffle_shop.orders"]["compiled_code"] = "select amount from from where ((("
    path.write_text(json.dumps(data))
    nodes, edges, notices = read(path)
    assert len(notices) == 1 and "model.jaffle_shop.orders: no column lineage" in notices[0].message
    assert notices[0].location.pointer == "/nodes/model.jaffle_shop.orders/compiled_code"
    assert not any(t.startswith(F + "orders#") for _, t, _ in edges)
    assert (field("stg_payments.amount"), field("customers.customer_lifetime_value"), "derives") in edges
    assert "dataset:duckdb/jaffle.main.orders" in nodes  # the model itself is read as before


def test_without_the_catalog_select_star_cannot_be_resolved_and_nothing_is_guessed(tmp_path):
    nodes, edges, notices = read(copy_project(tmp_path, catalog=False))
    # Every model here selects * from a seed or a CTE over one; the seeds' columns are only in the
    # catalog. One warning says so, for them all.
    [notice] = notices
    assert notice.message.startswith("no column lineage for 5 of the models: no catalog.json beside the manifest")
    traced = {t for s, t, k in edges if k == "derives" and s.startswith("field:")}
    assert traced <= {field(c) for c in EXPECTED}  # what was traced is what the SQL says, no more
    for target in traced:
        sources = {s for s, t, k in edges if t == target and k == "derives"}
        assert sources == {field(c) for c in EXPECTED[target.removeprefix(F).replace("#", ".")]}


def test_an_adapter_sqlglot_does_not_know_is_said_once(tmp_path):
    path = copy_project(tmp_path)
    data = json.loads(path.read_text())
    data["metadata"]["adapter_type"] = "nosuchwarehouse"
    path.write_text(json.dumps(data))
    _, edges, notices = read(path)
    assert [n.message for n in notices] == [
        "no column lineage: sqlglot has no dialect for the adapter 'nosuchwarehouse'"
    ]
    assert not any(s.startswith("field:") for s, _, _ in edges)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_dropping_a_column_says_what_breaks_and_what_degrades(tmp_path, as_json):
    """stg_payments.amount feeds orders.amount and customers.customer_lifetime_value alone (they
    break) and the four *_amount columns with payment_method (they degrade)."""
    db = tmp_path / "l.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [copy_project(tmp_path)]).committed
    args = ["--db", str(db), "simulate", "stg_payments.amount", *(["--json"] if as_json else [])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    broken = {field("orders.amount"), field("customers.customer_lifetime_value")}
    degraded = {field(f"orders.{m}_amount") for m in ("credit_card", "coupon", "bank_transfer", "gift_card")}
    if as_json:
        out = json.loads(result.output)
        assert [n["id"] for n in out["removed"]] == [field("stg_payments.amount")]
        assert out["removed"][0]["kind"] == "field"
        assert {a["id"] for a in out["broken"]} == broken
        assert {a["id"] for a in out["degraded"]} == degraded
    else:
        assert all(f in result.output for f in broken | degraded)


ML = """lineage_manifest: 1
namespace: ml
features:
  - name: lifetime_value
    from: ["dataset:duckdb/jaffle.main.customers#customer_lifetime_value"]
  - name: order_count
    from: ["dataset:duckdb/jaffle.main.customers#number_of_orders"]
models:
  - name: churn
    features: [lifetime_value, order_count]
"""
DROPPED = (",\n        customer_payments.total_amount as customer_lifetime_value", "")


def test_a_feature_made_of_a_column_reads_the_field_and_dropping_the_column_fails_the_check(tmp_path):
    """A manifest declares ML features made of two columns of the customers model; a change to
    customers' SQL that no longer outputs one of them fails `lineage check` for the live model."""
    manifest = copy_project(tmp_path)
    ml = tmp_path / "ml.yaml"
    ml.write_text(ML)
    db = tmp_path / "main.db"
    with Store.open(db, create=True) as store:
        assert import_paths(store, [manifest, ml]).committed
        graph = load_graph(store)
    lifetime = field("customers.customer_lifetime_value")
    assert list(graph.predecessors("feature:ml/lifetime_value")) == [lifetime]  # the column itself
    assert graph.has_edge(field("stg_payments.amount"), lifetime)

    runner = CliRunner()
    unchanged = runner.invoke(cli, ["--db", str(db), "check", str(manifest)])
    assert unchanged.exit_code == 0, unchanged.output

    data = json.loads(manifest.read_text())
    customers = data["nodes"]["model.jaffle_shop.customers"]
    assert DROPPED[0] in customers["compiled_code"]
    customers["compiled_code"] = customers["compiled_code"].replace(*DROPPED)
    manifest.write_text(json.dumps(data))
    result = runner.invoke(cli, ["--db", str(db), "check", str(manifest), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert lifetime in [n["id"] for n in report["removed"]]
    [user] = report["users"]
    assert user["id"] == "model:ml/churn" and user["impact"] == "broken"
    assert "feature:ml/lifetime_value" in user["why"] and lifetime in user["why"]


def test_unused_fields_are_the_columns_of_the_tables_the_features_read_by_column(tmp_path):
    """The ML manifest's two features read customers.customer_lifetime_value and number_of_orders;
    back through the SQL (EXPECTATIONS.md) they come from stg_payments.amount <- raw_payments.amount
    and stg_orders.order_id <- raw_orders.id. The other columns of those five tables are unused;
    orders, stg_customers and raw_customers feed no feature at all, and are not judged by column."""
    from lineage.analyses import find_all

    ml = tmp_path / "ml.yaml"
    ml.write_text(ML)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [copy_project(tmp_path), ml]).committed
        found = find_all(load_graph(store), only=["unused_fields"])["unused_fields"]
    expected = {
        "customers": ("customer_id", "first_name", "last_name", "first_order", "most_recent_order"),
        "stg_payments": ("payment_id", "order_id", "payment_method"),
        "raw_payments": ("id", "order_id", "payment_method"),
        "stg_orders": ("customer_id", "order_date", "status"),
        "raw_orders": ("user_id", "order_date", "status"),
    }
    assert {f.nodes[0] for f in found} == {field(f"{t}.{c}") for t, cs in expected.items() for c in cs}
    lifetime = next(f for f in found if f.nodes[0] == field("customers.first_name"))
    assert lifetime.details == {"dataset": "dataset:duckdb/jaffle.main.customers",
                                "used": [field("customers.customer_lifetime_value"),
                                         field("customers.number_of_orders")]}  # fmt: skip


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("select " + "(" * 5000 + "1" + ")" * 5000 + " as x", "sqlglot could not read its SQL"),  # deep
        ("select 1 as x -- " + "y" * 1_000_001, "too long to trace"),
        ("select a as x from (select 1 as a) t; select 2 as y", "2 statements, not one"),
        ("select \udcff as x from nowhere", "sqlglot could not read its SQL"),
    ],
    ids=["nested 5000 deep", "over a megabyte", "two statements", "lone surrogate"],
)
def test_hostile_sql_is_reported_for_its_model_and_the_rest_is_traced(tmp_path, sql, said):
    path = copy_project(tmp_path)
    data = json.loads(path.read_text())
    data["nodes"]["model.jaffle_shop.orders"]["compiled_code"] = sql
    path.write_text(json.dumps(data))
    nodes, edges, notices = read(path)
    assert [n.location.pointer for n in notices] == ["/nodes/model.jaffle_shop.orders/compiled_code"]
    assert said in notices[0].message
    assert not any(t.startswith(F + "orders#") for _, t, _ in edges)
    assert (field("stg_payments.amount"), field("customers.customer_lifetime_value"), "derives") in edges
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "l.db"), "import", str(path)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert said in result.output and "orders/compiled_code" in result.output


@pytest.mark.parametrize("change", ["type", "gone"])
def test_a_feature_whose_column_changed_since_the_model_was_trained_is_found(tmp_path, change):
    """churn is trained (first declared) with lifetime_value made of customers.customer_lifetime_value,
    a DOUBLE in the warehouse (catalog.json); a later dbt generation makes it a DECIMAL, or drops it."""
    from lineage.analyses import find_all
    from lineage.graph import load_column_history

    manifest = copy_project(tmp_path)
    ml = tmp_path / "ml.yaml"
    ml.write_text(ML)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [manifest, ml]).committed
        graph = load_graph(store)
        before = find_all(graph, column_history=load_column_history(store, graph), only=["changed_feature_columns"])
        assert before == {"changed_feature_columns": []}
        if change == "type":
            catalog = json.loads((manifest.parent / "catalog.json").read_text())
            catalog["nodes"]["model.jaffle_shop.customers"]["columns"]["customer_lifetime_value"]["type"] = (
                "DECIMAL(18,3)"
            )
            (manifest.parent / "catalog.json").write_text(json.dumps(catalog))
        else:
            data = json.loads(manifest.read_text())
            customers = data["nodes"]["model.jaffle_shop.customers"]
            customers["compiled_code"] = customers["compiled_code"].replace(*DROPPED)
            manifest.write_text(json.dumps(data))
        assert import_paths(store, [manifest], force=True).committed
        graph = load_graph(store)
        found = find_all(graph, column_history=load_column_history(store, graph), only=["changed_feature_columns"])
    [finding] = found["changed_feature_columns"]
    lifetime = field("customers.customer_lifetime_value")
    assert finding.nodes == ("feature:ml/lifetime_value", lifetime, "model:ml/churn")
    assert finding.details["change"] == ("type DOUBLE -> DECIMAL(18,3)" if change == "type" else "gone")


@pytest.mark.parametrize(
    ("text", "said"),
    [("{not json", "catalog.json:1: invalid JSON"), ("[1, 2]", "catalog.json:1: a dbt catalog must be a JSON object")],
)
def test_a_broken_catalog_is_a_problem_at_its_line_and_nothing_is_written(tmp_path, text, said):
    path = copy_project(tmp_path)
    (path.parent / "catalog.json").write_text(text)
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [path])
        assert not report.committed and store.counts()["nodes"] == 0
        assert any(said in str(p) for p in report.problems), report.problems
