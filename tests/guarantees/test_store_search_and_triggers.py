"""The store's search takes any text (never FTS5 syntax), and a database with triggers that are
not ours is refused at open, as foreign databases are."""

from __future__ import annotations

import sqlite3

import pytest

from lineage.store import MIGRATIONS, Store, StoreError
from lineage.store.driver import sqlite_utils
from tests.conftest import file_digest

SEARCHES = ['"', '""', '"a', "*", "a*", "NEAR(", "NEAR(a b)", "a OR", "OR", "a AND", "NOT", "-x", ":",
            "name:", "name:orders", "(", ")", "^", "+", "a + b", "{name}: x", "orders\"", "ö", "日本",
            "🙂", "  ", "a\x00b", "\\", "'", "`", "orders -x", "ORDERS"]  # fmt: skip


@pytest.mark.parametrize("text", SEARCHES)
def test_any_text_searches_through_the_cli(lineage, small, text):
    assert lineage("import", str(small)).exit_code == 0
    result = lineage("nodes", "--search", text)
    assert result.exit_code == 0, result.output
    assert "fts5" not in result.output and "cannot read" not in result.output, result.output


@pytest.mark.parametrize("text", SEARCHES)
def test_any_text_searches_through_the_store(lineage, small, text):
    assert lineage("import", str(small)).exit_code == 0
    with Store.open(lineage.db) as store:
        assert isinstance(store.search(text), list)


def test_search_still_finds_words_and_operators_are_plain_words(lineage, small):
    assert lineage("import", str(small)).exit_code == 0
    with Store.open(lineage.db) as store:
        some = store.nodes()[0]
        word = some["name"].split("/")[-1].split(".")[-1].split("_")[0]
        assert some["id"] in store.search(word)
        assert some["id"] in store.search(f'"{word}')  # an unbalanced quote is just a character
        assert some["id"] in store.search(f"{word}*")  # so is a star, which unicode61 drops
        assert store.search(f"{word} OR zzzznothing") == []  # OR is a word: every word must match


# -- unknown triggers ---------------------------------------------------------------------------


def with_trigger(db, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("command", [("import",), ("nodes",)])
def test_a_database_with_a_trigger_not_ours_is_refused_untouched(lineage, small, command):
    assert lineage("import", str(small)).exit_code == 0
    with_trigger(lineage.db, "CREATE TRIGGER sneaky AFTER INSERT ON imports BEGIN DELETE FROM nodes; END")
    before = file_digest(lineage.db)
    result = lineage(*command, *([str(small)] if command == ("import",) else []))
    assert result.exit_code == 1, result.output
    assert f"{lineage.db}: not a Lineage Explorer database as this version writes it (unknown trigger 'sneaky')" in (
        result.output
    ), result.output
    assert "Traceback" not in result.output
    assert file_digest(lineage.db) == before


def test_our_own_triggers_are_accepted(tmp_path):
    with Store.open(tmp_path / "l.db", create=True):
        pass
    with Store.open(tmp_path / "l.db") as store:
        assert store.counts()["nodes"] == 0


def version_4_triggers() -> dict[str, str]:
    """The full-text index's triggers as schema version 4 created them, by name (SQL as written)."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    for migrate in MIGRATIONS[:4]:
        migrate(db)
    found = dict(db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    db.close()
    assert set(found) == {"nodes_ai", "nodes_ad", "nodes_au"}
    return found


def as_version_4(db) -> None:
    """Make a database what version 4 left: the full-text index kept by triggers."""
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX IF EXISTS aliases_node")  # version 6's
    for sql in version_4_triggers().values():
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()


def test_the_trigger_check_refuses_a_temp_free_replacement_of_ours(lineage, small):
    """A trigger with one of our names but other SQL is not ours either (in a version 4
    database, whose full-text index triggers keep)."""
    assert lineage("import", str(small)).exit_code == 0
    as_version_4(lineage.db)
    conn = sqlite3.connect(lineage.db)
    name = conn.execute("SELECT name FROM sqlite_master WHERE type='trigger' ORDER BY name").fetchone()[0]
    conn.execute(f"DROP TRIGGER [{name}]")  # noqa: S608
    conn.execute(f"CREATE TRIGGER [{name}] AFTER INSERT ON nodes BEGIN DELETE FROM edges; END")  # noqa: S608
    conn.commit()
    conn.close()
    before = file_digest(lineage.db)
    with pytest.raises(StoreError, match=f"unknown trigger '{name}'"):
        Store.open(lineage.db)
    assert file_digest(lineage.db) == before


def test_a_version_4_database_with_its_own_triggers_opens_and_loses_them(lineage, small):
    assert lineage("import", str(small)).exit_code == 0
    as_version_4(lineage.db)
    with Store.open(lineage.db) as store:
        assert store.db.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["nodes_ai", "nodes_ad", "nodes_au"])
def test_the_old_index_triggers_are_not_ours_in_a_current_database(lineage, small, name):
    """From version 5 the write path keeps the full-text index: one of version 4's triggers
    would index rows a second time, so a current database with one is refused."""
    assert lineage("import", str(small)).exit_code == 0
    with_trigger(lineage.db, version_4_triggers()[name])
    before = file_digest(lineage.db)
    with pytest.raises(StoreError, match=f"unknown trigger '{name}'"):
        Store.open(lineage.db)
    assert file_digest(lineage.db) == before


def test_search_ties_come_in_id_order_whatever_the_order_of_imports(tmp_path):
    from lineage.ingest import import_paths
    from lineage.store import Store

    later = tmp_path / "later.yaml"
    first = tmp_path / "first.yaml"
    first.write_text("lineage_manifest: 1\nfeatures:\n  - {name: zz_tie, namespace: shop}\n")
    later.write_text("lineage_manifest: 1\nfeatures:\n  - {name: aa_tie, namespace: shop}\n")
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [first]).ok
        assert import_paths(store, [later]).ok  # a small import: its row comes after
        assert store.search("tie") == ["feature:shop/aa_tie", "feature:shop/zz_tie"]
