"""The SQLite store: schema and version checks, generations, provenance, merging, search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.ingest.session import ImportSession
from lineage.store import APPLICATION_ID, SCHEMA_VERSION, Store, StoreError
from lineage.when import parse_when
from tests.conftest import DATA, file_digest


def manifest(path: Path, body: str) -> Path:
    path.write_text("lineage_manifest: 1\n" + body)
    return path


def test_new_database_is_marked_versioned_and_in_wal_mode(tmp_path):
    with Store.open(tmp_path / "l.db", create=True) as store:
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_missing_database_is_not_created_unless_asked(tmp_path):
    with pytest.raises(StoreError, match="no lineage database here"):
        Store.open(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


def test_newer_schema_is_a_clear_error(tmp_path):
    path = tmp_path / "l.db"
    Store.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(
        StoreError,
        match=rf"newer Lineage Explorer \(schema version {SCHEMA_VERSION + 1}; "
        rf"this one reads up to {SCHEMA_VERSION}\)",
    ):
        Store.open(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a database at all", "not an SQLite file"), (None, "not a Lineage Explorer database")],
)
def test_files_that_are_not_ours_are_refused_and_untouched(tmp_path, content, message):
    path = tmp_path / "other.db"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message):
        Store.open(path, create=True)
    assert path.read_bytes() == before


def test_a_failed_import_leaves_the_database_byte_for_byte_unchanged(tmp_path):
    path = tmp_path / "l.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
    before = file_digest(path)
    bad = manifest(tmp_path / "bad.yaml", "features: [{name: a, owner: 3}]\n")
    with Store.open(path) as store:
        report = import_paths(store, [DATA / "small.yaml", bad])
        assert not report.committed
        assert [str(p) for p in report.problems] == [f"{bad}:2: features.0.owner must be of type string, not integer"]
    assert file_digest(path) == before


def test_two_sources_keep_a_provenance_row_each_and_merge(tmp_path):
    a = manifest(tmp_path / "a.yaml", "features: [{name: f, tags: [x], owner: alice}]\n")
    b = manifest(tmp_path / "b.yaml", "features: [{name: f, tags: [y], description: d}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [a])
        import_paths(store, [b])
        node = store.node("feature:f")
        assert node["tags"] == ["x", "y"]
        assert node["owner"] == "alice"
        assert node["attributes"] == {"description": "d"}
        assert [(p["file"], p["line"]) for p in store.node_provenance("feature:f")] == [
            (str(a), 2), (str(b), 2)
        ]  # fmt: skip


def test_generations_supersede_and_history_stays(tmp_path):
    path = manifest(tmp_path / "flags.yaml", "flags: [{name: fast, configures: [model:old]}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [path], valid_at=parse_when("2025-01-01"))
        manifest(path, "flags: [{name: fast, configures: [model:new]}]\n")
        import_paths(store, [path], valid_at=parse_when("2025-06-01"))
        now = load_graph(store)
        then = load_graph(store, as_of=parse_when("2025-03-01"))
        before_all = load_graph(store, as_of=parse_when("2024-01-01"))
        imports = store.imports()
    assert list(now.successors("flag:fast")) == ["model:new"]
    assert "model:old" not in now
    assert list(then.successors("flag:fast")) == ["model:old"]
    assert before_all.number_of_nodes() == 0
    assert [i["superseded_by"] for i in imports] == [2, None]


def test_the_source_facet_reads_current_imports_only(tmp_path):
    """A node only a superseded generation named is no longer "from" that importer."""
    path = manifest(tmp_path / "flags.yaml", "flags: [{name: fast, configures: [model:old]}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [path], valid_at=parse_when("2025-01-01"))
        assert store.nodes_from_importer("manifest") == {"flag:fast", "model:old"}
        manifest(path, "flags: [{name: fast, configures: [model:new]}]\n")
        import_paths(store, [path], valid_at=parse_when("2025-06-01"))
        assert store.nodes_from_importer("manifest") == {"flag:fast", "model:new"}
        assert store.importers() == ["manifest"]
        assert store.nodes_from_importer("dbt") == set()


def test_an_older_snapshot_imported_later_is_history_only(tmp_path):
    path = manifest(tmp_path / "m.yaml", "features: [{name: new}]\n")
    old = manifest(tmp_path / "old.yaml", "features: [{name: old}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [path], source="m", valid_at=parse_when("2025-06-01"))
        import_paths(store, [old], source="m", valid_at=parse_when("2025-01-01"))
        assert [n["id"] for n in store.nodes()] == ["feature:new"]
        as_of = load_graph(store, as_of=parse_when("2025-02-01"))
        assert list(as_of.nodes) == ["feature:old"]


def test_reference_only_nodes_exist_and_declared_fields_win(tmp_path):
    a = manifest(tmp_path / "a.yaml", "models: [{name: m, features: [f]}]\n")
    b = manifest(tmp_path / "b.yaml", "features: [{name: f, owner: bob, status: proposed}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [a])
        assert store.node("feature:f")["status"] == "active"
        import_paths(store, [b])
        assert (store.node("feature:f")["owner"], store.node("feature:f")["status"]) == (
            "bob", "proposed"
        )  # fmt: skip


def test_full_text_search_covers_names_tags_and_attributes(tmp_path):
    m = manifest(
        tmp_path / "m.yaml",
        "features:\n  - {name: query_terms, tags: [text]}\n  - {name: ad_id, description: identifies the creative}\n",
    )
    with Store.open(tmp_path / "l.db", create=True) as store:
        import_paths(store, [m])
        assert store.search("query_terms") == ["feature:query_terms"]
        assert store.search("text") == ["feature:query_terms"]
        assert store.search("creative") == ["feature:ad_id"]
        assert store.search('"; DROP TABLE nodes; --') == []
        assert store.counts()["nodes"] == 2


def fts_matches_nodes(store: Store) -> None:
    """The full-text index holds exactly the current rows (FTS5 compares it with the table)."""
    store.db.conn.execute("INSERT INTO nodes_fts (nodes_fts, rank) VALUES ('integrity-check', 1)")


@pytest.mark.parametrize("share", [0, 10**9], ids=["row-by-row", "rebuilt"])
def test_search_follows_every_import_whether_the_index_is_rebuilt_or_updated(tmp_path, monkeypatch, share):
    """The write path keeps the full-text index (no triggers): changed, added and removed nodes
    are found as they now are, by the rows changed alone or by a rebuild of the whole index."""
    monkeypatch.setattr("lineage.store.facts.FTS_REBUILD_SHARE", share)
    m = manifest(tmp_path / "m.yaml", "features:\n  - {name: alpha, tags: [red]}\n  - {name: beta}\n")
    other = manifest(tmp_path / "o.yaml", "features: [{name: gamma, description: blue words}]\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [m, other]).ok
        fts_matches_nodes(store)
        assert (store.search("red"), store.search("blue")) == (["feature:alpha"], ["feature:gamma"])
        manifest(m, "features:\n  - {name: alpha, tags: [green]}\n  - {name: delta}\n")
        assert import_paths(store, [m]).ok
        fts_matches_nodes(store)
        assert (store.search("red"), store.search("green")) == ([], ["feature:alpha"])
        assert (store.search("beta"), store.search("delta")) == ([], ["feature:delta"])
        assert store.search("blue") == ["feature:gamma"]


def test_a_version_4_database_gets_its_full_text_index_rebuilt_without_triggers(tmp_path):
    """Version 4 kept the index by triggers; version 5 drops them and rebuilds the index once."""
    path = tmp_path / "l.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
        found = store.search("ranker")
        assert found == ["model:shop/ranker"]
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX aliases_node")  # version 6's
    conn.execute("INSERT INTO nodes_fts (nodes_fts) VALUES ('delete-all')")  # an index to rebuild
    memory = sqlite3.connect(":memory:")
    from lineage.store import MIGRATIONS
    from lineage.store.driver import sqlite_utils

    for migrate in MIGRATIONS[:4]:
        migrate(sqlite_utils.Database(memory))
    for (sql,) in memory.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"):
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        fts_matches_nodes(store)
        assert store.search("ranker") == found


def test_the_first_import_into_a_new_database_leaves_every_index_as_the_schema_has_it(tmp_path):
    """The first import drops secondary indexes and creates them after the load: all come back
    as they were, and an import that fails leaves none missing."""

    def indexes(store: Store) -> list[tuple[str, str]]:
        return store.db.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()

    with Store.open(tmp_path / "empty.db", create=True) as store:
        schema = indexes(store)
    assert {"provenance_node", "nodes_kind", "classify_keys_key"} <= {name for name, _ in schema}
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
        assert indexes(store) == schema
    with Store.open(tmp_path / "f.db", create=True) as store:
        with pytest.raises(RuntimeError), store.write():
            (held,) = ImportSession(None, [DATA / "small.yaml"]).plan().units
            unit = held.load()
            assert store.write_unit(unit, "2026-01-01T00:00:00Z").import_id
            assert len(indexes(store)) < len(schema)  # dropped for the load
            raise RuntimeError("a failure before the commit")
        assert indexes(store) == schema and store.counts()["imports"] == 0


def test_reads_and_writes_while_another_connection_reads(tmp_path):
    path = tmp_path / "l.db"
    with Store.open(path, create=True) as writer, Store.open(path) as reader:
        import_paths(writer, [DATA / "small.yaml"])
        assert reader.counts()["nodes"] == 6


@pytest.mark.parametrize("upstream", [False, True])
def test_bounded_impact_from_sql_equals_impact_on_the_whole_graph(tmp_path, upstream):
    from lineage.analyses import impact
    from lineage.graph import build_graph, load_graph
    from lineage.ingest import import_paths
    from lineage.synth import write_synthetic

    write_synthetic(tmp_path / "files", nodes=1500, seed=4)
    with Store.open(tmp_path / "s.db", create=True) as store:
        assert import_paths(store, [tmp_path / "files"]).ok
        graph = load_graph(store)
        starts = sorted(graph, key=lambda n: (-graph.out_degree(n), n))[:15] + sorted(graph)[::97]
        for start in starts:
            for depth in (0, 1, 2, 4):
                near = build_graph(*store.nearby_rows(start, depth, upstream=upstream))
                expected = impact(graph, start, depth=depth, upstream=upstream)
                got = impact(near, start, depth=depth, upstream=upstream)
                assert got.downstream.nodes == expected.downstream.nodes, (start, depth)
                assert got.downstream.by_owner == expected.downstream.by_owner
                if upstream:
                    assert got.upstream.nodes == expected.upstream.nodes, (start, depth)
                assert all(near.nodes[n] == graph.nodes[n] for n in near)
        # and the store can still write afterwards (no transaction left open)
        store.save_tour("t", [])


def test_imports_carry_their_importers_rank_and_a_version_3_database_gains_it(tmp_path):
    """Precedence is the import's rank (the manifests declare, the others observe), stored with
    each import: the manifest's owner wins over dbt's though its source sorts first. A version 3
    database gets the rank from the importer's name, and merges the same."""
    import shutil

    from lineage.canonical import canonical_hash
    from lineage.ingest.protocol import DECLARED, OBSERVED

    shutil.copytree(DATA / "dbt", tmp_path / "z_dbt")
    declared = manifest(tmp_path / "a.yaml", "namespace: duckdb\n"
                        "datasets: [{name: jaffle_shop.main.customers, owner: manifest-team}]\n")  # fmt: skip
    customers = "dataset:duckdb/jaffle_shop.main.customers"
    path = tmp_path / "l.db"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [tmp_path / "z_dbt", declared], lenient=True).committed
        ranks = set(store.db.conn.execute("SELECT importer = 'manifest', rank FROM imports"))
        assert ranks == {(1, DECLARED), (0, OBSERVED)}
        assert store.node(customers)["owner"] == "manifest-team"
        now = canonical_hash(*store.snapshot())
        assert canonical_hash(*store.snapshot("9999")) == now  # merged again from the facts
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX aliases_node")  # version 6's
    conn.execute("ALTER TABLE imports DROP COLUMN rank")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert set(store.db.conn.execute("SELECT importer = 'manifest', rank FROM imports")) == ranks
        assert store.snapshot("9999")[0][customers]["owner"] == "manifest-team"
        assert canonical_hash(*store.snapshot("9999")) == now


def test_the_aliases_of_a_node_are_found_by_its_id_not_by_reading_every_alias(tmp_path):
    from lineage.store.queries import ALIASES_OF

    with Store.open(tmp_path / "a.db", create=True) as store:
        assert import_paths(store, [DATA / "small.yaml"]).ok
        plan = [row[3] for row in store.db.conn.execute("EXPLAIN QUERY PLAN " + ALIASES_OF, ("model:shop/ranker",))]
        assert any(step.startswith("SEARCH a USING INDEX aliases_node") for step in plan), plan
