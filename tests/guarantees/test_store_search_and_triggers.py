"""The store's search takes any text (never FTS5 syntax), and a database with triggers that are
not ours is refused at open, as foreign databases are."""

from __future__ import annotations

import sqlite3

import pytest

from lineage.store import Store, StoreError
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


def test_the_trigger_check_refuses_a_temp_free_replacement_of_ours(lineage, small):
    """A trigger with one of our names but other SQL is not ours either."""
    assert lineage("import", str(small)).exit_code == 0
    conn = sqlite3.connect(lineage.db)
    name = conn.execute("SELECT name FROM sqlite_master WHERE type='trigger' ORDER BY name").fetchone()[0]
    conn.execute(f"DROP TRIGGER [{name}]")  # noqa: S608
    conn.execute(f"CREATE TRIGGER [{name}] AFTER INSERT ON nodes BEGIN DELETE FROM edges; END")  # noqa: S608
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=f"unknown trigger '{name}'"):
        Store.open(lineage.db)
