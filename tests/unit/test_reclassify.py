"""Classification is derived again when the rules or the declared nodes a log depends on change:
a log imported before its manifest ends up as if both came in one command."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from lineage.canonical import canonical_hash
from lineage.cli import cli
from lineage.ingest import import_paths
from lineage.store import APPLICATION_ID, MIGRATIONS, Store
from tests.conftest import DATA, file_digest

EVENTS = DATA / "openlineage" / "filetransport_append_events.jsonl"
OUTPUT = "dataset:s3://features/churn/user_features"  # the job's output in EVENTS
RULE = "classify:\n  - {kind: model, namespace: 's3://features', name: 'churn/*'}\n"
MODEL = "models:\n  - {name: user_features, namespace: churn}\n"


def write(path: Path, text: str) -> Path:
    path.write_text("lineage_manifest: 1\n" + text)
    return path


def imported(db: Path, *batches: list[Path]) -> str:
    """Import each batch in its own command into ``db``; the hash of the graph."""
    with Store.open(db, create=True) as store:
        for batch in batches:
            assert import_paths(store, batch).ok
        return canonical_hash(*store.snapshot())


def kinds(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        return {n["id"]: n["kind"] for n in store.nodes()}


def test_rules_that_arrive_after_the_log_classify_it_without_reading_it_again(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    rules = write(tmp_path / "rules.yaml", RULE)
    together = imported(tmp_path / "a.db", [events, rules])
    with Store.open(tmp_path / "b.db", create=True) as store:
        assert import_paths(store, [events]).ok
        assert OUTPUT in {n["id"] for n in store.nodes()}
        events.unlink()  # the log is classified again from the store, not from its file
        report = import_paths(store, [rules])
        assert [Path(u.path).name for u in report.reclassified] == ["events.jsonl"]
        # The model, and the feature its column lineage reads, replace the dataset.
        assert (report.reclassified[0].outcome.nodes_added, report.reclassified[0].outcome.nodes_removed) == (2, 1)
        assert canonical_hash(*store.snapshot()) == together
        assert store.node("model:s3://features/churn/user_features")["kind"] == "model"
        assert store.node(OUTPUT) is None
        assert store.node("feature:postgres://db:5432/public.users.age")["kind"] == "feature"


def test_a_model_declared_later_adopts_the_log_node_of_its_name(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    model = write(tmp_path / "model.yaml", MODEL)
    together = imported(tmp_path / "a.db", [events, model])
    assert imported(tmp_path / "b.db", [events], [model]) == together
    graph = kinds(tmp_path / "b.db")
    assert graph["model:churn/user_features"] == "model" and OUTPUT not in graph


def test_rules_taken_back_give_the_log_its_own_kinds_again(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    manifest = write(tmp_path / "team.yaml", RULE + MODEL)
    db = tmp_path / "b.db"
    imported(db, [events, manifest])
    assert OUTPUT not in kinds(db)
    write(manifest, "features:\n  - {name: unrelated}\n")  # a new version of the same manifest
    with Store.open(db) as store:
        report = import_paths(store, [manifest])
        assert [Path(u.path).name for u in report.reclassified] == ["events.jsonl"]
    assert kinds(db)[OUTPUT] == "dataset"
    assert imported(tmp_path / "c.db", [events, manifest]) == imported(db, [])


def test_an_import_a_log_does_not_depend_on_rewrites_nothing(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    with Store.open(tmp_path / "b.db", create=True) as store:
        import_paths(store, [events, write(tmp_path / "rules.yaml", RULE)])
        facts = store.db.conn.execute("SELECT count(*) FROM node_facts").fetchone()[0]
        report = import_paths(store, [write(tmp_path / "other.yaml", "features:\n  - {name: unrelated}\n")])
        assert report.committed and report.reclassified == []
        # What the log looks up picks it out among the imports to classify again; nothing else does.
        log = next(i["id"] for i in store.imports() if i["importer"] == "openlineage")
        assert store.derivations({"name:user_features", "alias:nothing"}) == [log]
        assert store.derivations({"name:unrelated"}) == []
        assert store.derivations(None) == [log]
        assert store.db.conn.execute("SELECT count(*) FROM node_facts").fetchone()[0] == facts + 1


def test_a_logs_guess_never_classifies_another_log(tmp_path):
    """The rule re-kinds the dataset in the first log; the second log names it too. Whatever
    the order, the second log's node is classified by the rule alone, not by the first log."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    second = tmp_path / "second.jsonl"
    second.write_text(EVENTS.read_text().splitlines()[0] + "\n")
    rules = write(tmp_path / "rules.yaml", RULE)
    forward = imported(tmp_path / "a.db", [rules], [events], [second])
    assert forward == imported(tmp_path / "b.db", [second], [events], [rules])
    assert forward == imported(tmp_path / "c.db", [rules, events, second])


def test_the_command_line_says_which_imports_were_classified_again(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    rules = write(tmp_path / "rules.yaml", RULE)
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", str(events)]).exit_code == 0
    result = runner.invoke(cli, ["--db", db, "import", str(rules)])
    assert result.exit_code == 0, result.output
    assert f"classified again (new rules or declarations): {events}" in result.output
    # The dataset user_features becomes a model and users.age its feature: the model and the feature
    # are added; users -> model, job -> model, users#age -> feature -> model and model -> its
    # field age_bucket are added; the dataset goes with the three edges it had.
    assert "2 nodes added, 5 edges added, 1 node removed, 3 edges removed" in result.output


def test_a_version_2_database_gains_the_derivation_tables_as_a_new_one_has_them(tmp_path):
    old = sqlite_utils.Database(tmp_path / "v2.db")
    for migrate in MIGRATIONS[:2]:
        migrate(old)
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    old.execute("PRAGMA user_version = 2")
    old.conn.commit()
    old.close()
    with Store.open(tmp_path / "v2.db") as store:
        assert import_paths(store, [EVENTS]).ok
    with Store.open(tmp_path / "new.db", create=True):
        pass

    def schema(path: Path) -> dict[str, set]:
        conn = sqlite3.connect(path)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {t: {r[1] for r in conn.execute(f"PRAGMA table_info('{t}')")} for t in tables}
        out["indexes"] = {r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index'")}
        return out

    assert schema(tmp_path / "v2.db") == schema(tmp_path / "new.db")
    with Store.open(tmp_path / "v2.db") as store:
        assert store.db.conn.execute("SELECT count(*) FROM raw_units").fetchone()[0] == 1


def test_an_old_snapshot_in_the_same_import_is_not_the_context_logs_are_classified_in(tmp_path):
    """The manifest's current version has the rule; an older version of it (history only) comes
    in one command with the log. The log must follow the current version, not the older one."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    manifest = write(tmp_path / "team.yaml", RULE)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [manifest], valid_at="2026-06-01T00:00:00Z").ok
        write(manifest, "features:\n  - {name: unrelated}\n")
        assert import_paths(store, [manifest, events], valid_at="2026-01-01T00:00:00Z").ok
        assert store.node(OUTPUT) is None
        assert store.node("model:s3://features/churn/user_features")["kind"] == "model"


def test_a_damaged_copy_of_a_log_is_named_and_nothing_is_written(tmp_path):
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    db = tmp_path / "l.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "import", str(events)]).exit_code == 0
    with Store.open(db) as store, store.write():
        store.db.conn.execute("UPDATE raw_units SET body = x'789c00'")
    before = file_digest(db)
    rules = write(tmp_path / "rules.yaml", RULE)
    result = runner.invoke(cli, ["--db", str(db), "import", str(rules)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"the copy kept of {events} (import 1) is damaged" in result.output
    assert "import that file again with --force" in result.output
    assert file_digest(db) == before
    assert runner.invoke(cli, ["--db", str(db), "import", "--force", str(events)]).exit_code == 0
    assert runner.invoke(cli, ["--db", str(db), "import", str(rules)]).exit_code == 0
    with Store.open(db) as store:
        assert store.node("model:s3://features/churn/user_features")["kind"] == "model"


def test_a_chain_of_aliases_ends_at_the_same_node_in_any_order(tmp_path):
    """c's model is b's by alias a1; b's model is a's by alias a2 (a.yaml ranks before b.yaml).
    However the three come, c's model ends at a's: two rounds of classifying again."""
    a = write(tmp_path / "a.yaml", "models:\n  - {name: churn, aliases: [a2]}\n")
    b = write(tmp_path / "b.yaml", "models:\n  - {name: churn_b, aliases: [a1, a2]}\n")
    c = write(tmp_path / "c.yaml", "models:\n  - {name: churn_c, aliases: [a1]}\n")
    together = imported(tmp_path / "all.db", [a, b, c])
    assert kinds(tmp_path / "all.db") == {"model:churn": "model"}
    for n, order in enumerate([[c, b, a], [a, b, c], [b, c, a], [c, a, b]]):
        assert imported(tmp_path / f"{n}.db", *[[p] for p in order]) == together, order


def test_a_feature_guessed_from_column_lineage_classifies_no_other_log(tmp_path):
    """The events' column lineage makes users.age a feature of the model; another log that names
    a dataset users.age must not become that feature only when it comes second."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    rules = write(tmp_path / "rules.yaml", RULE)
    other = tmp_path / "other.jsonl"
    event = json.loads(EVENTS.read_text().splitlines()[0])
    event["inputs"] = [{"namespace": "elsewhere", "name": "public.users.age"}]
    event["outputs"] = []
    event["job"] = {"namespace": "elsewhere", "name": "copy_ages"}
    other.write_text(json.dumps(event) + "\n")
    forward = imported(tmp_path / "a.db", [rules], [events], [other])
    assert "feature:postgres://db:5432/public.users.age" in kinds(tmp_path / "a.db")
    assert kinds(tmp_path / "a.db")["dataset:elsewhere/public.users.age"] == "dataset"
    assert forward == imported(tmp_path / "b.db", [other], [rules], [events])


def ol_event(path: Path, job: str, outputs: list[dict]) -> Path:
    path.write_text(json.dumps({
        "eventTime": "2025-01-01T00:00:00Z", "eventType": "COMPLETE", "producer": "tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "00000000-0000-0000-0000-000000000001"}, "job": {"namespace": "j", "name": job},
        "inputs": [], "outputs": outputs,
    }) + "\n")  # fmt: skip
    return path


def ten_chained_manifests(folder: Path) -> list[Path]:
    """m01's model owns a1; m(k) has a(k-1) and a(k): each model is the one before it, so all are m1."""
    paths = []
    for k in range(1, 11):
        aliases = f"a{k - 1}, a{k}" if k > 1 else "a1"
        paths.append(
            write(
                folder / f"m{k:02d}.yaml",
                f"models:\n  - {{name: m{k}, aliases: [{aliases}]}}\n"
                f"consumers:\n  - {{name: c{k}, reads: [model:m{k}]}}\n",
            )
        )
    return paths


def dbt_manifest(folder: Path, nodes: dict, exposures: dict) -> Path:
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"metadata": {
        "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "adapter_type": "duckdb"},
        "nodes": nodes, "exposures": exposures}))  # fmt: skip
    return folder / "manifest.json"


def guessed_and_merged(d: Path) -> list[Path]:
    """A rule re-kinds a dbt exposure into the dataset its model states: the exposure's alias,
    a guess's, must not become the dataset's to own when another manifest shares it."""
    return [
        write(d / "rules.yaml", "classify:\n  - {kind: dataset, name: db.s.orders}\n"),
        dbt_manifest(d / "one", {"model.pkg.orders": {"resource_type": "model", "name": "orders", "schema": "s",
                                                      "database": "db"}},
                     {"exposure.pkg.dash": {"name": "db.s.orders", "package_name": "duckdb", "type": "dashboard"}}),
        dbt_manifest(d / "two", {}, {"exposure.pkg.dash": {"name": "dash2", "package_name": "other",
                                                           "type": "dashboard"}}),
    ]  # fmt: skip


# (what, the files, the commands to compare with one command) -- cases an adversarial review found
ALIAS_CASES = [
    ("two manifests state one id; only one gives it aliases",
     lambda d: [write(d / "a.yaml", "datasets:\n  - {name: d}\n"),
                write(d / "b.yaml", "datasets:\n  - {name: d, aliases: ['s3://b/u', K]}\n  - {name: c, aliases: [K]}\n"),
                ol_event(d / "events.jsonl", "load", [{"namespace": "s3://b", "name": "u"}])],
     [[[0, 1], [2]], [[2], [0, 1]]]),
    ("a source's nodes sharing an alias rank by their id as read",
     lambda d: [write(d / "a_t.yaml", "models:\n  - {name: a0, aliases: [y]}\n"),
                write(d / "b_s.yaml", "models:\n  - {name: b, aliases: [x]}\n  - {name: c, aliases: [y, x]}\n"),
                write(d / "c_u.yaml", "models:\n  - {name: u, aliases: [x]}\n")],
     [[[0, 1], [2]], [[0], [1], [2]], [[2], [1], [0]]]),
    ("a chain of ten aliases, its head imported last",
     ten_chained_manifests, [[list(range(1, 10)), [0]], [[k] for k in range(9, -1, -1)]]),
    ("an owner's name and namespace are its own, not another id-twin's",
     lambda d: [write(d / "m.yaml", "datasets:\n  - {name: c, namespace: a/b, aliases: [K]}\n"),
                ol_event(d / "l1.jsonl", "l1", [{"namespace": "a", "name": "b/c"}]),
                ol_event(d / "k0.jsonl", "k0", [{"namespace": "s3://x", "name": "t", "facets": {"symlinks": {
                    "identifiers": [{"namespace": "", "name": "K", "type": "TABLE"}]}}}])],
     [[[0, 1], [2]], [[2], [1], [0]]]),
    ("a log's guess merged into a stated node owns none of its aliases",
     guessed_and_merged, [[[0, 1], [2]], [[2], [0, 1]]]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "files", "orders"), ALIAS_CASES, ids=[c[0] for c in ALIAS_CASES])
def test_aliases_give_the_graph_of_one_command_in_any_order(tmp_path, what, files, orders):
    paths = files(tmp_path)
    together = imported(tmp_path / "one.db", paths)
    for n, order in enumerate(orders):
        assert imported(tmp_path / f"{n}.db", *[[paths[i] for i in batch] for batch in order]) == together, order


def test_a_chain_of_three_thousand_aliases_in_one_file_imports_in_either_order(tmp_path):
    """Model k has aliases a(k-1) and a(k): followed with a stack of its own, not recursion."""
    models = [{"name": f"m{k:05d}", "aliases": ([f"a{k - 1:05d}"] if k > 1 else []) + [f"a{k:05d}"]}
              for k in range(1, 3001)]  # fmt: skip
    forward, backward = tmp_path / "forward.json", tmp_path / "backward.json"
    forward.write_text(json.dumps({"lineage_manifest": 1, "models": models}))
    backward.write_text(json.dumps({"lineage_manifest": 1, "models": models[::-1]}))
    assert imported(tmp_path / "f.db", [forward]) == imported(tmp_path / "b.db", [backward])
    assert kinds(tmp_path / "b.db") == {"model:m00001": "model"}  # every model is the first one


def test_logs_in_a_database_from_before_version_3_follow_new_rules_once_imported_again(tmp_path):
    """Such a database kept no copy of its logs and counted all their facts as stated: a new rule
    leaves them as they are, until the log is imported again with --force (docs/store.md)."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [events]).ok
        with store.write():  # what migrating a version 2 database leaves
            for statement in ("UPDATE node_facts SET classifiable = 0", "UPDATE aliases SET authority = 1",
                              "DELETE FROM raw_units", "DELETE FROM classify_keys"):  # fmt: skip
                store.db.conn.execute(statement)
        report = import_paths(store, [write(tmp_path / "rules.yaml", RULE)])
        assert report.ok and report.reclassified == [] and store.node(OUTPUT) is not None
        assert import_paths(store, [events], force=True).ok
        assert store.node(OUTPUT) is None and store.node("model:s3://features/churn/user_features")


def facts(db: Path) -> dict[str, list]:
    """Every fact and place the imports hold, without import ids: what rewriting must get right."""
    with Store.open(db) as store:
        conn = store.db.conn
        return {table: sorted(map(repr, conn.execute(query).fetchall())) for table, query in {
            "node_facts": "SELECT i.path, f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,"
                          " f.attributes, f.reference, f.classifiable FROM node_facts f JOIN imports i ON i.id = f.import_id",
            "edge_facts": "SELECT i.path, f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes"
                          " FROM edge_facts f JOIN imports i ON i.id = f.import_id",
            "provenance": "SELECT i.path, p.node_id, p.source, p.target, p.edge_kind, p.file, p.line, p.pointer"
                          " FROM provenance p JOIN imports i ON i.id = p.import_id",
            "aliases": "SELECT i.path, a.alias, a.node_id, a.authority, a.raw_node_id FROM aliases a"
                       " JOIN imports i ON i.id = a.import_id",
        }.items()}  # fmt: skip


def test_classifying_again_leaves_the_facts_and_places_of_one_command(tmp_path):
    """Only what changed is rewritten: the result must be exactly what one command writes."""
    files = [p for p in demo_files() if "configs" not in p.parts]
    logs = [p for p in files if "logs" in p.parts]
    together, later = tmp_path / "one.db", tmp_path / "later.db"
    imported(together, files)
    imported(later, logs)
    with Store.open(later) as store:
        report = import_paths(store, [p for p in files if p not in logs])
        assert {Path(u.path).name for u in report.reclassified} == {"airflow-events.jsonl"}
    assert facts(later) == facts(together)


def demo_files() -> list[Path]:
    from tests.guarantees.test_idempotence import demo_inputs

    return demo_inputs()


def test_classifying_returns_new_units_and_leaves_the_ones_read_as_they_were():
    """Each step of an import takes a unit and gives a new one: what was read stays as read
    (the copy kept for deriving again is encoded from it)."""
    import copy

    from lineage.ingest import classify
    from lineage.records import EdgeRecord, Location, NodeRecord
    from lineage.store import ImportUnit

    a = NodeRecord("dataset", "churn/a", "s3://f", classifiable=True, tags=("x",))
    b = NodeRecord("dataset", "churn/b", "s3://f", classifiable=True, tags=("y",))
    job = NodeRecord("job", "train", "ns")
    edges = {e.key: e for e in (EdgeRecord(a.id, job.id), EdgeRecord(b.id, job.id))}
    places = {n.id: [Location("p", line)] for line, n in enumerate((a, b, job), 1)}
    edge_places = {k: [Location("p", line)] for line, k in enumerate(edges, 4)}
    unit = ImportUnit("openlineage", "s", "p", "h", "t", "t", {n.id: n for n in (a, b, job)}, edges,
                      {k: {"observed"} for k in edges}, places, edge_places)  # fmt: skip
    before = copy.deepcopy(unit)
    one = NodeRecord("model", "churn", "s3://f")

    def decide(node):  # both datasets are the one model
        return NodeRecord("model", "churn", "s3://f", tags=node.tags) if node.kind == "dataset" else None

    classified, renames = classify.apply(unit, decide)

    assert unit == before
    assert set(classified.nodes) == {one.id, job.id}
    assert classified.nodes[one.id].tags == ("x", "y")  # the two merged, in the copy
    assert set(classified.edges) == {(one.id, job.id, "reads")}
    assert set(renames) == {a.id, b.id} and renames[a.id].tags == ("x", "y")
    # The places of what merged are both kept, in the copy: the lists as read are not extended.
    assert classified.node_locations[one.id] == [Location("p", 1), Location("p", 2)]
    assert classified.edge_locations[one.id, job.id, "reads"] == [Location("p", 4), Location("p", 5)]
