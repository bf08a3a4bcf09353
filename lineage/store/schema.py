"""The schema: its tables, the migrations between its versions, and the checks that a file is
ours (its header, application id, version and triggers) before anything touches it."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from lineage.store.connection import Connection
from lineage.store.driver import sqlite_utils
from lineage.store.errors import StoreError, explain

APPLICATION_ID = 0x4C494E45  # "LINE": marks a SQLite file as ours
SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100


def header_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be a whole SQLite database, judged from its header alone.

    Cheap (one read of 100 bytes): it catches text files, files cut short and headers without
    pages, not damage inside the pages (SQLite reports that when it reads them).
    """
    with open(path, "rb") as fh:
        header = fh.read(HEADER_SIZE)
        # The size after the header: another process's checkpoint may grow the file and its
        # page count between a stat and the read (seen in tests/guarantees/test_concurrency.py).
        size = os.fstat(fh.fileno()).st_size
    if not header.startswith(SQLITE_HEADER):
        return "not a Lineage Explorer database (not an SQLite file)"
    if len(header) < HEADER_SIZE:
        return "not a whole SQLite database (the file ends inside its header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "a damaged SQLite database (impossible page size in its header)"
    pages = int.from_bytes(header[28:32], "big")
    counted = header[24:28] == header[92:96]  # the page count is valid only when these agree
    if size < page_size or (counted and size < pages * page_size) or size % page_size:
        return f"a damaged or cut-short SQLite database ({size} bytes, pages of {page_size})"
    return None


def _create_schema_v1(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""")
    db.execute(
        """CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            importer TEXT NOT NULL,
            source TEXT NOT NULL,
            path TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            valid_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'partial')),
            node_count INTEGER NOT NULL,
            edge_count INTEGER NOT NULL,
            error_count INTEGER NOT NULL,
            errors TEXT NOT NULL DEFAULT '[]',
            superseded_by INTEGER REFERENCES imports(id)
        )"""
    )
    db.execute("CREATE INDEX imports_source ON imports(source, valid_at, id)")
    db.execute(
        """CREATE TABLE node_facts (
            import_id INTEGER NOT NULL REFERENCES imports(id),
            node_id TEXT NOT NULL,
            kind TEXT NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL,
            owner TEXT, team TEXT, tags TEXT, status TEXT,
            deprecated_on TEXT, deprecation_reason TEXT, attributes TEXT,
            reference INTEGER NOT NULL,
            PRIMARY KEY (node_id, import_id)
        )"""
    )
    db.execute("CREATE INDEX node_facts_import ON node_facts(import_id)")
    db.execute(
        """CREATE TABLE edge_facts (
            import_id INTEGER NOT NULL REFERENCES imports(id),
            source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
            weight REAL, declared INTEGER NOT NULL, observed INTEGER NOT NULL, attributes TEXT,
            PRIMARY KEY (source, target, kind, import_id)
        )"""
    )
    db.execute("CREATE INDEX edge_facts_import ON edge_facts(import_id)")
    db.execute(
        """CREATE TABLE provenance (
            import_id INTEGER NOT NULL REFERENCES imports(id),
            node_id TEXT, source TEXT, target TEXT, edge_kind TEXT,
            file TEXT NOT NULL, line INTEGER, pointer TEXT, tbl TEXT, row TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE settings (
            import_id INTEGER NOT NULL REFERENCES imports(id),
            section TEXT NOT NULL, value TEXT NOT NULL,
            file TEXT NOT NULL, line INTEGER, pointer TEXT
        )"""
    )
    db.execute("CREATE INDEX settings_import ON settings(import_id)")
    db.execute(
        """CREATE TABLE aliases (
            import_id INTEGER NOT NULL REFERENCES imports(id),
            alias TEXT NOT NULL, node_id TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX aliases_alias ON aliases(alias)")
    db.execute("CREATE INDEX aliases_import ON aliases(import_id)")
    db.execute("CREATE INDEX provenance_node ON provenance(node_id)")
    db.execute("CREATE INDEX provenance_edge ON provenance(source, target, edge_kind)")
    db.execute("CREATE INDEX provenance_import ON provenance(import_id)")
    db.execute(
        """CREATE TABLE nodes (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL,
            owner TEXT, team TEXT, tags TEXT NOT NULL, status TEXT NOT NULL,
            deprecated_on TEXT, deprecation_reason TEXT, attributes TEXT NOT NULL,
            declared INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX nodes_kind ON nodes(kind)")
    db.execute("CREATE INDEX nodes_name ON nodes(name)")
    db.execute(
        """CREATE TABLE edges (
            source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
            weight REAL, declared INTEGER NOT NULL, observed INTEGER NOT NULL,
            attributes TEXT NOT NULL,
            PRIMARY KEY (source, target, kind)
        )"""
    )
    db.execute("CREATE INDEX edges_target ON edges(target)")
    db.table("nodes").enable_fts(
        ["name", "namespace", "owner", "team", "tags", "attributes"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="unicode61",
    )


def _add_tours_v2(db: sqlite_utils.Database) -> None:
    """Walkthroughs: named, ordered lists of views with notes, for design reviews."""
    db.execute(
        """CREATE TABLE tours (
            name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE tour_steps (
            tour TEXT NOT NULL REFERENCES tours(name) ON DELETE CASCADE,
            position INTEGER NOT NULL, step TEXT NOT NULL,
            PRIMARY KEY (tour, position)
        )"""
    )


def _add_derivations_v3(db: sqlite_utils.Database) -> None:
    """What classification needs to be derived again when rules or declared nodes change:
    which facts a log only guessed, the units as read, and what each one looks up.

    Facts written before this version count as stated, and keep the classification they were
    imported with until their source is imported again (``lineage import --force``)."""
    db.execute("ALTER TABLE node_facts ADD COLUMN classifiable INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX node_facts_authority ON node_facts(name) WHERE classifiable = 0 AND reference = 0")
    db.execute("ALTER TABLE aliases ADD COLUMN authority INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE aliases ADD COLUMN raw_node_id TEXT")
    db.execute(
        """CREATE TABLE raw_units (
            import_id INTEGER PRIMARY KEY REFERENCES imports(id),
            body BLOB NOT NULL, derived TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE classify_keys (
            import_id INTEGER NOT NULL REFERENCES imports(id), key TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX classify_keys_key ON classify_keys(key)")
    db.execute("CREATE INDEX classify_keys_import ON classify_keys(import_id)")


def _add_rank_v4(db: sqlite_utils.Database) -> None:
    """Merge precedence as a number on each import, so facts merge by it rather than by an
    importer's name: 0 declared (the native manifests), 1 observed (everything else), as
    ``lineage.ingest.protocol`` ranks importers. The lower rank wins."""
    db.execute("ALTER TABLE imports ADD COLUMN rank INTEGER NOT NULL DEFAULT 1")
    db.execute("UPDATE imports SET rank = 0 WHERE importer = 'manifest'")  # what ranked them until now


def _index_in_bulk_v5(db: sqlite_utils.Database) -> None:
    """The full-text index is kept by the write path, once per import (``lineage.store.facts``
    ``rebuild_current``), not by triggers row by row: re-indexing one row at a time cost five
    times a rebuild. So the database has no trigger at all; the index is rebuilt once, in case."""
    db.execute("DROP TRIGGER IF EXISTS nodes_ai")
    db.execute("DROP TRIGGER IF EXISTS nodes_ad")
    db.execute("DROP TRIGGER IF EXISTS nodes_au")
    db.execute("INSERT INTO nodes_fts (nodes_fts) VALUES ('rebuild')")


def _index_aliases_by_node_v6(db: sqlite_utils.Database) -> None:
    """A node's aliases by its id: ``lineage show`` read the whole aliases table (0.2 s of it at
    a million nodes)."""
    db.execute("CREATE INDEX aliases_node ON aliases(node_id)")


# MIGRATIONS[i] takes a database from schema version i to i + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _create_schema_v1, _add_tours_v2, _add_derivations_v3, _add_rank_v4, _index_in_bulk_v5, _index_aliases_by_node_v6,
]  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)


def _trigger_text(sql: str | None) -> str:
    """A trigger's SQL without quoting and spacing, which sqlite-utils versions spell differently."""
    return " ".join((sql or "").translate(str.maketrans("", "", '[]"`')).split())


@functools.cache
def our_triggers(version: int = SCHEMA_VERSION) -> dict[str, str]:
    """The triggers our schema has at ``version``, by name (versions 1 to 4: the full-text
    index's; from 5: none): any other trigger in a database would run inside every import, so a
    database with one is refused."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    try:
        for migrate in MIGRATIONS[:version]:
            migrate(db)
        rows = db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    finally:
        db.close()
    return {name: _trigger_text(sql) for name, sql in rows}


def check_and_migrate(store: Connection) -> None:
    """Refuse a database that is not ours or too new; migrate an older one; set the pragmas."""
    conn = store.db.conn
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if app_id != APPLICATION_ID and (has_tables or app_id != 0):
        raise StoreError(f"{store.path}: not a Lineage Explorer database; refusing to touch it")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{store.path}: written by a newer Lineage Explorer (schema version {version}; "
            f"this one reads up to {SCHEMA_VERSION}); upgrade lineage-explorer to open it"
        )
    if has_tables:  # before any write: a foreign trigger would fire on the migration too
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"):
            if _trigger_text(sql) != our_triggers(version).get(name):
                raise StoreError(
                    f"{store.path}: not a Lineage Explorer database as this version writes it"
                    f" (unknown trigger {name!r}); refusing to touch it"
                )
    if version < SCHEMA_VERSION:
        if store.read_only:
            raise StoreError(f"{store.path}: an older database that is read-only: cannot upgrade it")
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            raise StoreError(explain(store.path, exc, writing=True)) from exc
        with store.write():
            # Another process may have created or migrated it while this one waited to write.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for migrate in MIGRATIONS[version:]:
                migrate(store.db)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            store.db.table("meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
    conn.execute("PRAGMA foreign_keys=ON")
    # Large imports rebuild indexes and sort temp tables: caches of bounded size, and temp tables on
    # disk (in memory, those of a million-node import would take gigabytes).
    conn.execute("PRAGMA cache_size=-262144")  # up to 256 MB, taken only as needed
    conn.execute("PRAGMA temp_store=FILE")
    conn.execute("PRAGMA temp.cache_size=-65536")  # 64 MB
