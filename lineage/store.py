"""The lineage store: one SQLite file (WAL mode), the only module that talks to SQLite.

Layout, in brief (docs/store.md has the whole of it):

* ``imports``: one row per imported source (a file, or a folder an importer reads whole).
  Every import is a *generation*; for each source key the newest import (by ``valid_at``,
  then id) is current and the older ones are marked ``superseded_by``.
* ``node_facts`` / ``edge_facts``: what each import said, kept for every generation, so
  the graph can be rebuilt as of any date.
* ``provenance``: where each import said it (file and line, JSON pointer, or table and row).
  Two sources that say the same thing keep a row each.
* ``nodes`` / ``edges``: the current graph, merged from the facts of current imports.
* ``nodes_fts``: full-text index over node names, tags and attributes.
* ``raw_units`` / ``classify_keys``: each import that classification can change, as read, and
  the names and aliases it looks up, so ``lineage.reclassify`` can classify it again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.records import EdgeRecord, NodeRecord, Problem, Setting, owners_as_read


def _import_sqlite_utils():
    """sqlite-utils imports pandas and numpy whenever they are installed (0.3 s, 60 MB, for
    inserting DataFrames, which we never do); hide them while it loads, so opening a database
    (the explorer's start, every CLI command) does not pay for them."""
    import sys

    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()

APPLICATION_ID = 0x4C494E45  # "LINE": marks a SQLite file as ours
SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_ENV = "LINEAGE_BUSY_TIMEOUT"  # seconds a writer waits for another writer
DatabaseError = sqlite3.DatabaseError  # what a damaged file raises on any read (see explain)
NODE_COLUMNS = (
    "kind", "name", "namespace", "owner", "team", "tags", "status",
    "deprecated_on", "deprecation_reason", "attributes", "declared",
)  # fmt: skip
NODE_SELECT = (
    "SELECT id, kind, name, namespace, owner, team, tags, status, deprecated_on,"
    " deprecation_reason, attributes, declared FROM nodes"
)
NODE_INSERT = (
    "INSERT INTO nodes (id, kind, name, namespace, owner, team, tags, status, deprecated_on,"
    " deprecation_reason, attributes, declared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Graph rows: (id, kind, name, namespace, owner, team, status, deprecated_on, declared, current).
GRAPH_NODE_SELECT = (
    "SELECT id, kind, name, namespace, owner, team, status, deprecated_on, declared,"
    " json_extract(attributes, '$.current') FROM nodes"
)
EDGE_SELECT = "SELECT source, target, kind, weight, declared, observed, attributes FROM edges"
NEARBY_NODES = GRAPH_NODE_SELECT + " WHERE id IN (SELECT id FROM temp.nearby)"  # noqa: S608 (constants)
# From each nearby id by the edges' primary key (source first): `source IN (...) AND target IN
# (...)` let SQLite probe every pair, quadratic in the ids (minutes at 20k).
NEARBY_EDGES = (
    "SELECT e.source, e.target, e.kind, e.weight, e.declared, e.observed"
    " FROM temp.nearby n CROSS JOIN edges e ON e.source = n.id"
    " WHERE +e.target IN (SELECT id FROM temp.nearby)"  # `+`: no (source, target IN ...) probes
)
# Which provenance rows belong to a node or an edge; the values are bound parameters.
PROVENANCE_OF = {"node": "p.node_id = ?", "edge": "p.source = ? AND p.target = ? AND p.edge_kind = ?"}
# The next hop from the ids in temp.frontier, downstream and upstream: one query a hop, so a walk
# keeps a visited set (a recursive CTE walks a cycle once per hop asked: depth 10^9 never ends).
NEXT_HOP = {
    direction: f"SELECT DISTINCT e.{there} FROM temp.frontier f CROSS JOIN edges e ON e.{here} = f.id"  # noqa: S608
    for direction, here, there in (("down", "source", "target"), ("up", "target", "source"))
}

# One-column temp tables of values (names, aliases, sources, ids) that queries join against.
TEMP_VALUES = ("wanted_names", "wanted_aliases", "excluded_sources", "changed_keys", "key_imports", "changed_nodes")
TEMP_CREATE = {t: f"CREATE TEMP TABLE IF NOT EXISTS {t} (value TEXT PRIMARY KEY)" for t in TEMP_VALUES}
TEMP_CLEAR = {t: f"DELETE FROM temp.{t}" for t in TEMP_VALUES}  # noqa: S608 (constant names)
TEMP_FILL = {t: f"INSERT OR IGNORE INTO temp.{t} VALUES (?)" for t in TEMP_VALUES}  # noqa: S608
# What an import said, replaced when its classification is derived again.
DELETE_FACTS = {
    t: f"DELETE FROM {t} WHERE import_id = ?"  # noqa: S608 (constant names)
    for t in ("node_facts", "edge_facts", "provenance", "aliases")
}


class StoreError(Exception):
    """A database that cannot be used: missing, not ours, too new, corrupt, locked, read-only."""


def busy_timeout_ms() -> int:
    """How long a writer waits for another writer: $LINEAGE_BUSY_TIMEOUT seconds, else 30 s."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not text:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(text)
    except ValueError:
        raise StoreError(f"${BUSY_TIMEOUT_ENV}: not a number of seconds: {text!r}") from None
    return max(0, int(seconds * 1000))


def explain(path: str, exc: sqlite3.Error, *, writing: bool = False) -> str:
    """One line saying what went wrong with the database at ``path``, from SQLite's error code.

    >>> err = sqlite3.OperationalError("database or disk is full")
    >>> err.sqlite_errorname = "SQLITE_FULL"
    >>> explain("l.db", err, writing=True)
    'l.db: the disk is full (or the database reached its size limit); nothing was written'
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    nothing = "; nothing was written" if writing else ""
    if name.startswith("SQLITE_FULL"):
        return f"{path}: the disk is full (or the database reached its size limit){nothing}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return (f"{path}: locked by another writer (waited {busy_timeout_ms() / 1000:g} s){nothing};"
                f" try again (${BUSY_TIMEOUT_ENV} sets the wait in seconds)")  # fmt: skip
    if name.startswith("SQLITE_READONLY"):
        return (f"{path}: the database is read-only (no write permission on the file or its folder)"
                f"{nothing}")  # fmt: skip
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"{path}: the database is damaged ({exc}){nothing}; rebuild it, or restore a copy"
    if name.startswith("SQLITE_IOERR"):
        return f"{path}: input/output error ({exc}){nothing}"
    if name.startswith("SQLITE_CANTOPEN"):
        return f"{path}: cannot open the database (missing folder or no permission){nothing}"
    return f"{path}: {'cannot write' if writing else 'cannot read'}: {exc}"


def header_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be a whole SQLite database, judged from its header alone.

    Cheap (one read of 100 bytes): it catches text files, files cut short and headers without
    pages, not damage inside the pages (SQLite reports that when it reads them).
    """
    with open(path, "rb") as fh:
        header = fh.read(HEADER_SIZE)
        # The size after the header: another process's checkpoint may grow the file and its
        # page count between a stat and the read (seen in tests/test_concurrency.py).
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
    db.execute(
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"""
    )
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
    db["nodes"].enable_fts(
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


# MIGRATIONS[i] takes a database from schema version i to i + 1.
MIGRATIONS = [_create_schema_v1, _add_tours_v2, _add_derivations_v3]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class ImportUnit:
    """The validated, merged records of one source, ready to be written."""

    importer: str
    source: str
    path: str
    content_hash: str
    started_at: str
    valid_at: str
    nodes: dict[str, NodeRecord]
    edges: dict[tuple[str, str, str], EdgeRecord]
    edge_evidence: dict[tuple[str, str, str], set[str]]
    node_locations: dict[str, list]
    edge_locations: dict[tuple[str, str, str], list]
    problems: list[Problem] = field(default_factory=list)
    notices: list = field(default_factory=list)  # lineage.records.Notice: warnings, never a failure
    settings: list[Setting] = field(default_factory=list)
    derivation: Derivation | None = None
    # Alias -> (id as read, id as classified) of the stated node of this unit that owns it (the
    # lowest id as read); set by classification. None: every stated node's aliases, as they are.
    owned_aliases: dict[str, tuple[str, str]] | None = None


@dataclass
class Derivation:
    """The unit as read (encoded), a digest of it as classified, and what classifying it looked
    up (see ``lineage.rawunits``): kept so its classification can be derived again."""

    body: bytes
    keys: set[str]
    digest: str = ""


@dataclass
class UnitOutcome:
    """What writing one unit changed."""

    import_id: int | None
    unchanged: bool
    replaced: int | None = None  # the generation this one made history
    current: bool = True  # False for a snapshot older than the current generation (history only)
    nodes_added: int = 0
    nodes_removed: int = 0
    edges_added: int = 0
    edges_removed: int = 0


# Facts of current generations merge in this order (the last says a single value): what other
# sources say first, by source; the native manifests, the teams' declarations, last. It does not
# depend on when each source was imported, so any import order gives the same graph. The graph
# queries spell it out: ORDER BY <key>, i.importer = 'manifest', i.source, i.id


def _trigger_text(sql: str | None) -> str:
    """A trigger's SQL without quoting and spacing, which sqlite-utils versions spell differently."""
    return " ".join((sql or "").translate(str.maketrans("", "", '[]"`')).split())


@functools.cache
def our_triggers() -> dict[str, str]:
    """The triggers this version's schema has (the full-text index's), by name: any other trigger
    in a database would run inside every import, so a database with one is refused."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    try:
        for migrate in MIGRATIONS:
            migrate(db)
        rows = db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    finally:
        db.close()
    return {name: _trigger_text(sql) for name, sql in rows}


def fts_query(text: str) -> str:
    """An FTS5 query that matches ``text`` as plain words: each word a string literal, so no
    character or word (``"``, ``*``, ``:``, ``NEAR(``, ``OR``, ``-x``) is query syntax.

    >>> print(fts_query('orders OR x* NEAR( -y'))
    "orders" "OR" "x*" "NEAR(" "-y"
    >>> print(fts_query('a"b'))
    "a""b"
    """
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _writable(path: Path) -> bool:
    """Whether SQLite could write the database and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _has_wal_content(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


class Store:
    """A lineage database. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, db: sqlite_utils.Database, path: str, *, read_only: bool = False):
        self.db = db
        self.path = path
        self.read_only = read_only

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False) -> Store:
        """Open (and with ``create``, make) the database at ``path``, migrating it if older."""
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"{p}: is a folder, not a lineage database")
        exists = p.exists() and p.stat().st_size > 0
        if not exists and not create:
            raise StoreError(
                f"{p}: no lineage database here; import something first "
                "(lineage import PATH) or build the demo (lineage demo)"
            )
        problem = header_problem(p) if exists else None
        if problem:
            raise StoreError(f"{p}: {problem}; refusing to touch it")
        timeout = busy_timeout_ms() / 1000
        read_only = exists and not _writable(p) and not _has_wal_content(p)
        # Autocommit: transactions are only the explicit ones of write() and reading(), so no
        # statement leaves a reader holding an old snapshot (and the WAL growing) unseen.
        if read_only:
            # Its last writer checkpointed and left: read it as it is, creating no -wal or -shm.
            conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=timeout,
                                   isolation_level=None)  # fmt: skip
        else:
            conn = sqlite3.connect(str(p), timeout=timeout, isolation_level=None)
        store = cls(sqlite_utils.Database(conn), str(p), read_only=read_only)
        try:
            store._check_and_migrate(is_new=not exists)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(explain(str(p), exc)) from exc
        except StoreError:
            conn.close()  # closed now, so the -wal and -shm files it made go away now
            raise
        return store

    def _check_and_migrate(self, *, is_new: bool) -> None:
        conn = self.db.conn
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if app_id != APPLICATION_ID and (has_tables or app_id != 0):
            raise StoreError(f"{self.path}: not a Lineage Explorer database; refusing to touch it")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer Lineage Explorer (schema version {version}; "
                f"this one reads up to {SCHEMA_VERSION}); upgrade lineage-explorer to open it"
            )
        if has_tables:  # before any write: a foreign trigger would fire on the migration too
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"):
                if _trigger_text(sql) != our_triggers().get(name):
                    raise StoreError(
                        f"{self.path}: not a Lineage Explorer database as this version writes it"
                        f" (unknown trigger {name!r}); refusing to touch it"
                    )
        if version < SCHEMA_VERSION:
            if self.read_only:
                raise StoreError(f"{self.path}: an older database that is read-only: cannot upgrade it")
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                raise StoreError(explain(self.path, exc, writing=True)) from exc
            with self.write():
                # Another process may have created or migrated it while this one waited to write.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                for migrate in MIGRATIONS[version:]:
                    migrate(self.db)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self.db["meta"].upsert(
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key"
                )
        conn.execute("PRAGMA foreign_keys=ON")
        # Large imports rebuild indexes and sort temp tables: give them memory, not disk.
        conn.execute("PRAGMA cache_size=-262144")  # up to 256 MB, taken only as needed
        conn.execute("PRAGMA temp_store=MEMORY")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    class _Transaction:
        def __init__(self, store: Store):
            self.store = store

        def __enter__(self) -> Store:
            if self.store.read_only:
                raise StoreError(
                    f"{self.store.path}: the database is read-only (no write permission on the file"
                    " or its folder); nothing was written"
                )
            try:
                self.store.db.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StoreError(explain(self.store.path, exc, writing=True)) from exc
            return self.store

        def __exit__(self, exc_type, exc, tb) -> None:
            conn = self.store.db.conn
            if exc_type is None:
                try:
                    conn.execute("COMMIT")
                except sqlite3.DatabaseError as err:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise StoreError(explain(self.store.path, err, writing=True)) from err
            elif conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(explain(self.store.path, exc, writing=True)) from exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """One read transaction: every query inside sees the same snapshot, whatever commits meanwhile."""
        conn = self.db.conn
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # starts the snapshot now
            yield self
        finally:
            conn.execute("COMMIT")

    def write(self) -> Store._Transaction:
        """One write transaction (BEGIN IMMEDIATE, so a second writer waits its turn)."""
        return Store._Transaction(self)

    def _current_generation(self, source: str) -> tuple[int, str, str] | None:
        """(import id, content hash, importer) of the current generation of ``source``."""
        return self.db.conn.execute(
            "SELECT id, content_hash, importer FROM imports WHERE source = ? AND superseded_by IS NULL", (source,)
        ).fetchone()

    def is_current(self, unit: ImportUnit) -> bool:
        """Whether the current generation of the unit's source is this very content (so
        :meth:`write_unit` would leave it as it is, unless forced)."""
        current = self._current_generation(unit.source)
        return current is not None and current[1:] == (unit.content_hash, unit.importer)

    def write_unit(self, unit: ImportUnit, finished_at: str, *, force: bool = False) -> UnitOutcome:
        """Record one source's import; call inside :meth:`write`."""
        conn = self.db.conn
        current = self._current_generation(unit.source)
        if current and current[1:] == (unit.content_hash, unit.importer) and not force:
            return UnitOutcome(import_id=current[0], unchanged=True)
        errors = [str(p) for p in unit.problems[:100]]
        cur = conn.execute(
            """INSERT INTO imports (importer, source, path, content_hash, started_at, finished_at,
                valid_at, status, node_count, edge_count, error_count, errors)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                unit.importer, unit.source, unit.path, unit.content_hash, unit.started_at,
                finished_at, unit.valid_at, "partial" if unit.problems else "ok",
                len(unit.nodes), len(unit.edges), len(unit.problems), _json(errors),
            ),
        )  # fmt: skip
        import_id = cur.lastrowid
        self._insert_facts(import_id, unit)
        self._insert_settings(import_id, unit)
        if unit.derivation is not None:
            conn.execute("INSERT INTO raw_units (import_id, body, derived) VALUES (?, ?, ?)",
                         (import_id, unit.derivation.body, unit.derivation.digest))  # fmt: skip
            conn.executemany("INSERT INTO classify_keys (import_id, key) VALUES (?, ?)",
                             ((import_id, k) for k in sorted(unit.derivation.keys)))  # fmt: skip
        affected_nodes = set(unit.nodes)
        affected_edges = set(unit.edges)
        # The newest generation of this source is current; all others are superseded.
        rows = conn.execute(
            "SELECT id FROM imports WHERE source = ? ORDER BY valid_at DESC, id DESC",
            (unit.source,),
        ).fetchall()
        newest = rows[0][0]
        for (other,) in rows[1:]:
            conn.execute("UPDATE imports SET superseded_by = ? WHERE id = ?", (newest, other))
            # History is never classified again (docs/store.md): its kept copy can go.
            conn.execute("DELETE FROM raw_units WHERE import_id = ?", (other,))
            conn.execute("DELETE FROM classify_keys WHERE import_id = ?", (other,))
        conn.execute("UPDATE imports SET superseded_by = NULL WHERE id = ?", (newest,))
        if current and current[0] != newest:
            affected_nodes.update(self._fact_node_ids(current[0]))
            affected_edges.update(self._fact_edge_keys(current[0]))
        if newest != import_id:  # an older snapshot: history only, the current graph stays
            affected_nodes, affected_edges = set(), set()
        replaced = current[0] if current and current[0] != newest else None
        outcome = UnitOutcome(import_id=import_id, unchanged=False, replaced=replaced, current=newest == import_id)
        self._materialize(affected_nodes, affected_edges, outcome)
        return outcome

    def _insert_facts(
        self, import_id: int, unit: ImportUnit, *, only: tuple[set, set] | None = None
    ) -> None:
        """Write what ``unit`` says; with ``only`` (node ids, edge keys), just those nodes and
        edges and their provenance (the aliases are written whole either way)."""
        conn = self.db.conn
        nodes, edges = only if only is not None else (None, None)
        conn.executemany(
            """INSERT INTO node_facts (import_id, node_id, kind, name, namespace, owner, team,
                tags, status, deprecated_on, deprecation_reason, attributes, reference, classifiable)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in _node_fact_rows(unit) if nodes is None or row[0] in nodes),
        )
        conn.executemany(
            """INSERT INTO edge_facts (import_id, source, target, kind, weight, declared,
                observed, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in _edge_fact_rows(unit) if edges is None or row[:3] in edges),
        )
        conn.executemany(
            """INSERT INTO provenance (import_id, node_id, source, target, edge_kind, file, line,
                pointer, tbl, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in _provenance_rows(unit)
             if nodes is None or (row[0] in nodes if row[0] is not None else row[1:4] in edges)),
        )  # fmt: skip
        owned = unit.owned_aliases
        if owned is None:  # not classified (written through this API directly): as they are
            owned = {alias: (nid, nid) for alias, nid in owners_as_read(unit.nodes.values()).items()}

        def alias_rows() -> Iterator[tuple]:
            for nid, n in unit.nodes.items():
                for alias in n.aliases:
                    raw, final = owned.get(alias, (None, None))
                    yield (import_id, alias, nid, int(final == nid), raw if final == nid else None)

        conn.executemany(
            "INSERT INTO aliases (import_id, alias, node_id, authority, raw_node_id) VALUES (?, ?, ?, ?, ?)",
            alias_rows(),
        )

    def _insert_settings(self, import_id: int, unit: ImportUnit) -> None:
        self.db.conn.executemany(
            "INSERT INTO settings (import_id, section, value, file, line, pointer)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (import_id, s.section, _json(s.value), s.location.file, s.location.line,
                 s.location.pointer)
                for s in unit.settings
            ),
        )  # fmt: skip

    def _fact_node_ids(self, import_id: int) -> list[str]:
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT node_id FROM node_facts WHERE import_id = ?", (import_id,)
            )
        ]

    def _fact_edge_keys(self, import_id: int) -> list[tuple[str, str, str]]:
        return [
            tuple(r)
            for r in self.db.conn.execute(
                "SELECT source, target, kind FROM edge_facts WHERE import_id = ?", (import_id,)
            )
        ]

    def _materialize(
        self, node_ids: set[str], edge_keys: set[tuple[str, str, str]], outcome: UnitOutcome
    ) -> None:
        """Rebuild the current rows of the given nodes and edges from current facts."""
        conn = self.db.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS affected_nodes (id TEXT PRIMARY KEY, existed INTEGER)"
        )
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS affected_edges (source TEXT, target TEXT, kind TEXT,"
            " existed INTEGER, PRIMARY KEY (source, target, kind))"
        )
        conn.execute("DELETE FROM temp.affected_nodes")
        conn.execute("DELETE FROM temp.affected_edges")
        conn.executemany(
            "INSERT INTO temp.affected_nodes VALUES (?, 0)", ((i,) for i in node_ids)
        )
        conn.executemany("INSERT INTO temp.affected_edges VALUES (?, ?, ?, 0)", edge_keys)
        conn.execute(
            "UPDATE temp.affected_nodes SET existed = 1 WHERE id IN (SELECT id FROM nodes)"
        )
        conn.execute(
            "UPDATE temp.affected_edges SET existed = 1 WHERE (source, target, kind) IN"
            " (SELECT source, target, kind FROM edges)"
        )
        conn.execute("DELETE FROM nodes WHERE id IN (SELECT id FROM temp.affected_nodes)")
        conn.execute(
            "DELETE FROM edges WHERE (source, target, kind) IN"
            " (SELECT source, target, kind FROM temp.affected_edges)"
        )
        node_rows = conn.execute(
            """SELECT f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,
                      f.deprecated_on, f.deprecation_reason, f.attributes, f.reference
               FROM node_facts f JOIN imports i ON i.id = f.import_id
               WHERE i.superseded_by IS NULL
                 AND f.node_id IN (SELECT id FROM temp.affected_nodes)
               ORDER BY f.node_id, i.importer = 'manifest', i.source, i.id"""
        )
        conn.executemany(NODE_INSERT, merge_node_facts(node_rows.fetchall()))
        edge_rows = conn.execute(
            """SELECT f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes
               FROM edge_facts f JOIN imports i ON i.id = f.import_id
               JOIN temp.affected_edges a
                 ON a.source = f.source AND a.target = f.target AND a.kind = f.kind
               WHERE i.superseded_by IS NULL
               ORDER BY f.source, f.target, f.kind, i.importer = 'manifest', i.source, i.id"""
        )
        conn.executemany(
            "INSERT INTO edges (source, target, kind, weight, declared, observed, attributes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            merge_edge_facts(edge_rows.fetchall()),
        )
        added, removed = conn.execute(
            """SELECT coalesce(sum(NOT existed AND id IN (SELECT id FROM nodes)), 0),
                      coalesce(sum(existed AND id NOT IN (SELECT id FROM nodes)), 0)
               FROM temp.affected_nodes"""
        ).fetchone()
        outcome.nodes_added += added
        outcome.nodes_removed += removed
        # A join on the key, not a row-value IN: that one scanned edges once per affected edge.
        added, removed = conn.execute(
            """SELECT coalesce(sum(NOT a.existed AND e.source IS NOT NULL), 0),
                      coalesce(sum(a.existed AND e.source IS NULL), 0)
               FROM temp.affected_edges a LEFT JOIN edges e
                 ON e.source = a.source AND e.target = a.target AND e.kind = a.kind"""
        ).fetchone()
        outcome.edges_added += added
        outcome.edges_removed += removed

    # -- reading ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        conn = self.db.conn
        return {
            "nodes": conn.execute("SELECT count(*) FROM nodes").fetchone()[0],
            "edges": conn.execute("SELECT count(*) FROM edges").fetchone()[0],
            "imports": conn.execute("SELECT count(*) FROM imports").fetchone()[0],
        }

    def node(self, node_id: str) -> dict[str, Any] | None:
        row = self.db.conn.execute(
            NODE_SELECT + " WHERE id = ?", (node_id,)
        ).fetchone()
        return _node_dict(row) if row else None

    def nodes(
        self,
        *,
        kind: str | None = None,
        owner: str | None = None,
        status: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Nodes, sorted by id, filtered by kind, owner or team, and status."""
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if owner:
            where.append("(owner = ? OR team = ?)")
            params += [owner, owner]
        if status:
            where.append("status = ?")
            params.append(status)
        sql = NODE_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        if ids is not None:
            wanted = set(ids)
            rows = self.db.conn.execute(sql + " ORDER BY id", params)
            return [_node_dict(r) for r in rows if r[0] in wanted]
        return [_node_dict(r) for r in self.db.conn.execute(sql + " ORDER BY id", params)]

    def ids_named(self, name: str, kind: str | None = None) -> list[str]:
        if kind:
            rows = self.db.conn.execute(
                "SELECT id FROM nodes WHERE name = ? AND kind = ? ORDER BY id", (name, kind)
            )
        else:
            rows = self.db.conn.execute("SELECT id FROM nodes WHERE name = ? ORDER BY id", (name,))
        return [r[0] for r in rows]

    def names_and_ids(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.conn.execute("SELECT name, id FROM nodes")]

    # -- what a REF names (lineage.refs) ---------------------------------------------------

    def ids_with_alias(self, alias: str, kind: str | None = None) -> list[str]:
        """The ids of the nodes that current imports give the alias ``alias`` (of ``kind``)."""
        rows = self.db.conn.execute(
            """SELECT DISTINCT n.id FROM aliases a JOIN imports i ON i.id = a.import_id
               JOIN nodes n ON n.id = a.node_id
               WHERE i.superseded_by IS NULL AND a.alias = :alias AND (:kind IS NULL OR n.kind = :kind)
               ORDER BY n.id""",
            {"alias": alias, "kind": kind},
        )
        return [r[0] for r in rows]

    def ids_short_named(self, text: str, kind: str | None = None) -> list[str]:
        """The ids of the nodes (of ``kind``) that ``text`` names short of their whole name: the
        last segments of the name (``customers`` or ``main.customers`` of
        ``jaffle_shop.main.customers``; ``v1`` of ``churn_model/v1``), the id without its kind
        (``shop/price``), the dbt name (``dbt_name``: a model's, or a source's
        ``source.table``, and its table), or the feature view of a Feast feature (``view``).

        A scan of the node table (the text may end any name), with the attributes parsed only
        where their text holds ``text``.
        """
        if not text:
            return []
        needle = json.dumps(text, ensure_ascii=False)[1:-1]  # as the attributes' JSON spells it
        rows = self.db.conn.execute(
            """SELECT id FROM nodes
               WHERE (:kind IS NULL OR kind = :kind) AND (
                 (length(name) > length(:t) AND substr(name, -length(:t) - 1) IN ('.' || :t, '/' || :t))
                 OR substr(id, -length(:t) - 1) = ':' || :t
                 OR (instr(attributes, :needle) > 0 AND (
                   json_extract(attributes, '$.dbt_name') = :t
                   OR substr(json_extract(attributes, '$.dbt_name'), -length(:t) - 1) = '.' || :t
                   OR (kind = 'feature' AND json_extract(attributes, '$.view') = :t))))
               ORDER BY id""",
            {"t": text, "kind": kind, "needle": needle},
        )
        return [r[0] for r in rows]

    def node_sources(self, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """Node id -> (importer, path) of each current import that says something of it, the
        imports that describe it before those that only name it, then by path."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, list[tuple[str, str]]] = {nid: [] for nid in wanted}
        for start in range(0, len(wanted), 500):  # well under SQLite's limit of bound values
            chunk = wanted[start:start + 500]
            rows = self.db.conn.execute(
                f"""SELECT f.node_id, i.importer, i.path, min(f.reference) FROM node_facts f
                    JOIN imports i ON i.id = f.import_id
                    WHERE i.superseded_by IS NULL AND f.node_id IN ({", ".join("?" * len(chunk))})
                    GROUP BY f.node_id, i.importer, i.path
                    ORDER BY f.node_id, 4, i.path, i.importer""",  # noqa: S608 (placeholders only)
                chunk,
            )
            for node_id, importer, path, _ in rows:
                out[node_id].append((importer, path))
        return out

    def edges_of(self, node_id: str) -> tuple[list[dict], list[dict]]:
        """The (incoming, outgoing) edges of a node."""
        incoming = self.db.conn.execute(
            EDGE_SELECT + " WHERE target = ? ORDER BY source, kind", (node_id,)
        )
        inc = [_edge_dict(r) for r in incoming]
        outgoing = self.db.conn.execute(
            EDGE_SELECT + " WHERE source = ? ORDER BY target, kind", (node_id,)
        )
        return inc, [_edge_dict(r) for r in outgoing]

    def node_provenance(self, node_id: str) -> list[dict[str, Any]]:
        """Where each current import said something about the node."""
        return self._provenance("node", (node_id,))

    def edge_provenance(self, source: str, target: str, kind: str) -> list[dict[str, Any]]:
        return self._provenance("edge", (source, target, kind))

    def _provenance(self, of: str, params: Sequence) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            f"""SELECT i.id, i.importer, i.path, p.file, p.line, p.pointer, p.tbl, p.row
                FROM provenance p JOIN imports i ON i.id = p.import_id
                WHERE i.superseded_by IS NULL AND {PROVENANCE_OF[of]}
                ORDER BY p.file, p.line, p.pointer, p.tbl, p.row, i.id""",  # noqa: S608
            params,
        )
        keys = ("import_id", "importer", "path", "file", "line", "pointer", "table", "row")
        return [{k: v for k, v in zip(keys, r, strict=True) if v is not None} for r in rows]

    def imports(self) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            """SELECT id, importer, source, path, content_hash, started_at, finished_at, valid_at,
                      status, node_count, edge_count, error_count, errors, superseded_by
               FROM imports ORDER BY id"""
        )
        out = []
        for r in rows:
            d = dict(zip([c[0] for c in rows.description], r, strict=True))
            d["errors"] = json.loads(d["errors"])
            out.append(d)
        return out

    def search(self, text: str, *, limit: int = 50) -> list[str]:
        """Node ids whose name, namespace, owner, tags or attributes match ``text``, best first."""
        if not text.strip():
            return []
        query = fts_query(text.replace("\x00", " "))
        rows = self.db["nodes"].search(query, limit=limit, columns=["id"])
        return [r["id"] for r in rows]

    def graph_rows(
        self, as_of: str | None = None
    ) -> tuple[Iterable[tuple], Iterable[tuple]]:
        """(node rows, edge rows) of the graph now, or as it stood at ``as_of`` (ISO time).

        Node rows: (id, kind, name, namespace, owner, team, status, deprecated_on, declared,
        current), where
        ``declared`` says some source declares the node (not only names it) and ``current``
        is its ``current`` attribute (False for a model version no longer served), or None.
        Edge rows: (source, target, kind, weight, declared, observed).
        """
        conn = self.db.conn
        if as_of is None:
            nodes = conn.execute(GRAPH_NODE_SELECT)
            edges = conn.execute(
                "SELECT source, target, kind, weight, declared, observed FROM edges"
            )
            return nodes, edges
        node_rows, edge_rows = self._fact_rows_at(as_of)
        nodes = [
            (r[0], r[1], r[2], r[3], r[4], r[5], r[7], r[8], r[11],
             json.loads(r[10]).get("current"))
            for r in merge_node_facts(node_rows)
        ]
        edges = [r[:6] for r in merge_edge_facts(edge_rows)]
        return nodes, edges

    def nearby_rows(
        self, start: str, depth: int, *, upstream: bool = False
    ) -> tuple[list[tuple], list[tuple]]:
        """Rows as :meth:`graph_rows` gives them, of the nodes within ``depth`` hops downstream
        of ``start`` (and upstream with ``upstream``) and the edges among them, read with
        recursive queries: a bounded question about a large graph without loading all of it.

        BFS distances up to ``depth`` only depend on these nodes, so analyses of the subgraph
        these rows build answer exactly as they would on the whole graph.
        """
        conn = self.db.conn
        # The ids go through temporary tables (SQLite's json_each would cut a name at NUL);
        # their rows open a transaction on this connection only, closed again below.
        idle = not conn.in_transaction
        ids = {start}
        for direction in ("down", "up") if upstream else ("down",):
            ids |= self._reach(start, depth, direction)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS nearby(id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.nearby")
        conn.executemany("INSERT INTO temp.nearby VALUES (?)", ((i,) for i in ids))
        nodes = conn.execute(NEARBY_NODES).fetchall()
        edges = conn.execute(NEARBY_EDGES).fetchall()
        if idle:
            conn.commit()
        return nodes, edges

    def _reach(self, start: str, depth: int, direction: str) -> set[str]:
        """The ids within ``depth`` hops of ``start``: breadth first, each node visited once,
        so the cost is what is reached, whatever ``depth`` asks."""
        conn = self.db.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS frontier(id TEXT PRIMARY KEY)")
        seen, frontier = {start}, [start]
        for _ in range(depth):
            conn.execute("DELETE FROM temp.frontier")
            conn.executemany("INSERT INTO temp.frontier VALUES (?)", ((i,) for i in frontier))
            frontier = [r[0] for r in conn.execute(NEXT_HOP[direction]) if r[0] not in seen]
            if not frontier:
                break
            seen.update(frontier)
        return seen

    def snapshot(
        self, as_of: str | None = None
    ) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str, str], dict[str, Any]]]:
        """Every node and edge, in full (attributes included), now or as of ``as_of``."""
        conn = self.db.conn
        if as_of is None:
            nodes = {r[0]: _node_dict(r) for r in conn.execute(NODE_SELECT)}
            edges = {tuple(r[:3]): _edge_dict(r) for r in conn.execute(EDGE_SELECT)}
            return nodes, edges
        node_rows, edge_rows = self._fact_rows_at(as_of)
        nodes = {r[0]: _node_dict(r) for r in merge_node_facts(node_rows)}
        edges = {tuple(r[:3]): _edge_dict(r) for r in merge_edge_facts(edge_rows)}
        return nodes, edges

    def flag_history(self, as_of: str | None = None) -> list[tuple[str, str, str, frozenset[str]]]:
        """(flag, source, valid_at, targets) for every generation that declared a flag."""
        rows = self.db.conn.execute(
            """SELECT nf.node_id, i.source, i.valid_at, i.id, ef.target
               FROM node_facts nf JOIN imports i ON i.id = nf.import_id
               LEFT JOIN edge_facts ef ON ef.import_id = nf.import_id
                 AND ef.source = nf.node_id AND ef.kind = 'configures'
               WHERE nf.kind = 'flag' AND nf.reference = 0 AND i.valid_at <= ?
               ORDER BY nf.node_id, i.valid_at, i.id""",
            (as_of or "9999",),
        )
        generations: dict[tuple[str, int], tuple[str, str, set[str]]] = {}
        for flag, source, valid_at, import_id, target in rows:
            entry = generations.setdefault((flag, import_id), (source, valid_at, set()))
            if target is not None:
                entry[2].add(target)
        return [
            (flag, source, valid_at, frozenset(targets))
            for (flag, _), (source, valid_at, targets) in generations.items()
        ]

    def settings(self, section: str, *, exclude_sources: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The settings of ``section`` that current imports declare, by source, then as written
        (so which of two rules comes first does not depend on which was imported first)."""
        rows = self.db.conn.execute(
            """SELECT s.value, s.file, s.line, i.source FROM settings s JOIN imports i ON i.id = s.import_id
               WHERE i.superseded_by IS NULL AND s.section = ?
               ORDER BY i.source, i.id, s.rowid""",
            (section,),
        )
        excluded = set(exclude_sources)
        return [
            {**json.loads(v), "_file": f, "_line": line, "_source": source}
            for v, f, line, source in rows
            if source not in excluded
        ]

    def _fill(self, table: str, values: Iterable) -> None:
        """Fill the one-column temp table ``table`` (a constant name) with ``values``."""
        conn = self.db.conn
        conn.execute(TEMP_CREATE[table])
        conn.execute(TEMP_CLEAR[table])
        conn.executemany(TEMP_FILL[table], ((v,) for v in values))

    def identities(
        self, names: Iterable[str], *, exclude_sources: Iterable[str] = ()
    ) -> list[tuple[str, str, str, str]]:
        """(id, kind, namespace, name) of the nodes current imports state (not guess from a log)
        with one of these names, leaving out what the given sources say."""
        self._fill("wanted_names", names)
        self._fill("excluded_sources", exclude_sources)
        rows = self.db.conn.execute(
            """SELECT DISTINCT f.node_id, f.kind, f.namespace, f.name
               FROM node_facts f JOIN imports i ON i.id = f.import_id
               WHERE f.classifiable = 0 AND f.reference = 0
                 AND f.name IN (SELECT value FROM temp.wanted_names)
                 AND i.superseded_by IS NULL
                 AND i.source NOT IN (SELECT value FROM temp.excluded_sources)
               ORDER BY f.node_id"""
        )
        return [tuple(r) for r in rows]

    def alias_owners(
        self, aliases: Iterable[str], *, exclude_sources: Iterable[str] = ()
    ) -> dict[str, tuple[tuple, tuple[str, str, str, str]]]:
        """Alias -> (rank, (id, kind, namespace, name)) of the node that owns it: of the nodes
        current imports state with the alias, the one of the lowest rank (manifests first, then
        by source and id as read), as classified; leaving out what the given sources say."""
        self._fill("wanted_aliases", aliases)
        self._fill("excluded_sources", exclude_sources)
        # Ranked by the owner's id as read; its identity is its own fact's, as classified.
        rows = self.db.conn.execute(
            """SELECT a.alias, i.importer != 'manifest', i.source, coalesce(a.raw_node_id, a.node_id),
                      f.node_id, f.kind, f.namespace, f.name
               FROM aliases a JOIN imports i ON i.id = a.import_id
               JOIN node_facts f ON f.import_id = a.import_id AND f.node_id = a.node_id
               WHERE i.superseded_by IS NULL AND a.authority
                 AND a.alias IN (SELECT value FROM temp.wanted_aliases)
                 AND i.source NOT IN (SELECT value FROM temp.excluded_sources)
               ORDER BY a.alias, 2, 3, 4"""
        )
        owners: dict[str, tuple[tuple, tuple[str, str, str, str]]] = {}
        for alias, not_manifest, source, raw, *identity in rows:
            owners.setdefault(alias, ((not_manifest, source, raw), tuple(identity)))
        return owners

    # -- classification derived again (lineage.reclassify) ---------------------------------

    def derivations(self, keys: Iterable[str] | None) -> list[int]:
        """Current imports kept as read whose classification looks up one of ``keys`` (all of
        them when ``keys`` is None), oldest first."""
        if keys is None:
            rows = self.db.conn.execute(
                """SELECT r.import_id FROM raw_units r JOIN imports i ON i.id = r.import_id
                   WHERE i.superseded_by IS NULL ORDER BY r.import_id"""
            )
        else:
            self._fill("changed_keys", keys)
            rows = self.db.conn.execute(
                """SELECT DISTINCT k.import_id FROM classify_keys k JOIN imports i ON i.id = k.import_id
                   WHERE i.superseded_by IS NULL AND k.key IN (SELECT value FROM temp.changed_keys)
                   ORDER BY k.import_id"""
            )
        return [r[0] for r in rows]

    def derivation(self, import_id: int) -> tuple[ImportUnit, bytes, str]:
        """The unit shell (no records) of an import kept as read, its encoded records and digest."""
        row = self.db.conn.execute(
            """SELECT i.importer, i.source, i.path, i.content_hash, i.started_at, i.valid_at,
                      r.body, r.derived
               FROM raw_units r JOIN imports i ON i.id = r.import_id WHERE r.import_id = ?""",
            (import_id,),
        ).fetchone()
        shell = ImportUnit(*row[:6], nodes={}, edges={}, edge_evidence={}, node_locations={}, edge_locations={})
        return shell, row[6], row[7]

    def authority_keys(self, import_ids: Iterable[int]) -> set[str]:
        """The names (``name:``) and aliases (``alias:``) of the nodes these imports state."""
        self._fill("key_imports", import_ids)
        rows = self.db.conn.execute(
            """SELECT 'name:' || name FROM node_facts
               WHERE import_id IN (SELECT value FROM temp.key_imports)
                 AND classifiable = 0 AND reference = 0
               UNION
               SELECT 'alias:' || alias FROM aliases
               WHERE import_id IN (SELECT value FROM temp.key_imports) AND authority"""
        )
        return {r[0] for r in rows}

    def rederive(self, import_id: int, unit: ImportUnit, digest: str) -> UnitOutcome:
        """Make the facts of a current import those of ``unit``, classified again; call inside
        :meth:`write`. Only the nodes and edges whose facts or places changed are rewritten and
        rebuilt (a rule that re-kinds a few nodes of a large log touches those). Its settings,
        content hash and times stay: the file was not read again."""
        conn = self.db.conn
        old_places = conn.execute(
            "SELECT node_id, source, target, edge_kind, file, line, pointer, tbl, row FROM provenance"
            " WHERE import_id = ?", (import_id,)
        ).fetchall()
        new_places = list(_provenance_rows(unit))
        nodes = _changed(conn.execute(
            """SELECT node_id, kind, name, namespace, owner, team, tags, status, deprecated_on,
                      deprecation_reason, attributes, reference, classifiable
               FROM node_facts WHERE import_id = ?""", (import_id,)), _node_fact_rows(unit), 1)
        nodes |= _changed((r for r in old_places if r[0] is not None), (r for r in new_places if r[0] is not None), 1)
        edges = _changed(conn.execute(
            "SELECT source, target, kind, weight, declared, observed, attributes FROM edge_facts WHERE import_id = ?",
            (import_id,)), _edge_fact_rows(unit), 3)
        edges |= _changed((r[1:] for r in old_places if r[0] is None), (r[1:] for r in new_places if r[0] is None), 3)
        self._fill("changed_nodes", nodes)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS changed_edges (source TEXT, target TEXT, kind TEXT,"
                     " PRIMARY KEY (source, target, kind))")  # fmt: skip
        conn.execute("DELETE FROM temp.changed_edges")
        conn.executemany("INSERT INTO temp.changed_edges VALUES (?, ?, ?)", edges)
        conn.execute("DELETE FROM node_facts WHERE import_id = ? AND node_id IN (SELECT value FROM temp.changed_nodes)",
                     (import_id,))  # fmt: skip
        conn.execute(
            """DELETE FROM edge_facts WHERE import_id = ? AND EXISTS (SELECT 1 FROM temp.changed_edges c
               WHERE c.source = edge_facts.source AND c.target = edge_facts.target AND c.kind = edge_facts.kind)""",
            (import_id,),
        )
        conn.execute(
            """DELETE FROM provenance WHERE import_id = ? AND (node_id IN (SELECT value FROM temp.changed_nodes)
               OR EXISTS (SELECT 1 FROM temp.changed_edges c WHERE c.source = provenance.source
                          AND c.target = provenance.target AND c.kind = provenance.edge_kind))""",
            (import_id,),
        )
        conn.execute(DELETE_FACTS["aliases"], (import_id,))
        self._insert_facts(import_id, unit, only=(nodes, edges))
        conn.execute("UPDATE raw_units SET derived = ? WHERE import_id = ?", (digest, import_id))
        conn.execute("UPDATE imports SET node_count = ?, edge_count = ? WHERE id = ?",
                     (len(unit.nodes), len(unit.edges), import_id))  # fmt: skip
        outcome = UnitOutcome(import_id=import_id, unchanged=False)
        self._materialize(nodes, edges, outcome)
        return outcome

    def aliases_of(self, node_id: str) -> list[str]:
        rows = self.db.conn.execute(
            """SELECT DISTINCT a.alias FROM aliases a JOIN imports i ON i.id = a.import_id
               WHERE i.superseded_by IS NULL AND a.node_id = ? ORDER BY a.alias""",
            (node_id,),
        )
        return [r[0] for r in rows]

    def importers_by_node(self) -> dict[str, set[str]]:
        """The importers whose current imports mention each node (the explorer's source facet)."""
        out: dict[str, set[str]] = {}
        rows = self.db.conn.execute(
            """SELECT DISTINCT p.node_id, i.importer FROM provenance p
               JOIN imports i ON i.id = p.import_id
               WHERE i.superseded_by IS NULL AND p.node_id IS NOT NULL"""
        )
        for node_id, importer in rows:
            out.setdefault(node_id, set()).add(importer)
        return out

    def all_tags(self) -> list[str]:
        rows = self.db.conn.execute(
            "SELECT DISTINCT j.value FROM nodes, json_each(nodes.tags) j ORDER BY 1"
        )
        return [r[0] for r in rows if isinstance(r[0], str)]

    def tags_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        wanted = set(ids)
        rows = self.db.conn.execute("SELECT id, tags FROM nodes WHERE tags != '[]'")
        return {i: json.loads(t) for i, t in rows if i in wanted}

    # -- tours -----------------------------------------------------------------------------

    def tours(self) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            """SELECT t.name, t.description, t.updated_at, count(s.position) FROM tours t
               LEFT JOIN tour_steps s ON s.tour = t.name GROUP BY t.name ORDER BY t.name"""
        )
        return [{"name": n, "description": d, "updated_at": u, "steps": c} for n, d, u, c in rows]

    def tour(self, name: str) -> dict[str, Any] | None:
        row = self.db.conn.execute("SELECT description FROM tours WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        steps = self.db.conn.execute(
            "SELECT step FROM tour_steps WHERE tour = ? ORDER BY position", (name,)
        )
        return {"name": name, "description": row[0], "steps": [json.loads(s) for (s,) in steps]}

    def save_tour(self, name: str, steps: Sequence[dict[str, Any]], description: str = "") -> None:
        """Create or replace a tour (its steps in order), in one transaction."""
        from datetime import UTC, datetime

        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self.write():
            conn = self.db.conn
            conn.execute(
                """INSERT INTO tours (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET description = excluded.description,
                   updated_at = excluded.updated_at""",
                (name, description, now, now),
            )
            conn.execute("DELETE FROM tour_steps WHERE tour = ?", (name,))
            conn.executemany(
                "INSERT INTO tour_steps (tour, position, step) VALUES (?, ?, ?)",
                ((name, i, _json(step)) for i, step in enumerate(steps)),
            )

    def delete_tour(self, name: str) -> bool:
        with self.write():
            self.db.conn.execute("DELETE FROM tour_steps WHERE tour = ?", (name,))
            gone = self.db.conn.execute("DELETE FROM tours WHERE name = ?", (name,)).rowcount
        return bool(gone)

    def changed_elsewhere(self) -> int:
        """A number that changes when another connection commits (cheap: no table is read)."""
        return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    def last_import_id(self) -> int:
        """The id of the newest import (0 for none): a new one means the graph may have changed."""
        return self.db.conn.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0]

    def latest_valid_at(self) -> str | None:
        return self.db.conn.execute("SELECT max(valid_at) FROM imports").fetchone()[0]

    def copy_in_memory(self) -> Store:
        """A private in-memory copy, to import hypothetical changes into (``lineage check``)."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        self.db.conn.backup(memory)
        return Store(sqlite_utils.Database(memory), ":memory:")

    def _fact_rows_at(self, as_of: str) -> tuple[list, list]:
        conn = self.db.conn
        current = self._imports_current_at(as_of)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS as_of_imports (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.as_of_imports")
        conn.executemany("INSERT INTO temp.as_of_imports VALUES (?)", ((i,) for i in current))
        node_rows = conn.execute(
            """SELECT f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,
                      f.deprecated_on, f.deprecation_reason, f.attributes, f.reference
               FROM node_facts f JOIN imports i ON i.id = f.import_id
               WHERE f.import_id IN (SELECT id FROM temp.as_of_imports)
               ORDER BY f.node_id, i.importer = 'manifest', i.source, i.id"""
        ).fetchall()
        edge_rows = conn.execute(
            """SELECT f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes
               FROM edge_facts f JOIN imports i ON i.id = f.import_id
               WHERE f.import_id IN (SELECT id FROM temp.as_of_imports)
               ORDER BY f.source, f.target, f.kind, i.importer = 'manifest', i.source, i.id"""
        ).fetchall()
        return node_rows, edge_rows

    def _imports_current_at(self, as_of: str) -> list[int]:
        rows = self.db.conn.execute(
            """SELECT id FROM (
                 SELECT id, row_number() OVER
                   (PARTITION BY source ORDER BY valid_at DESC, id DESC) AS rank
                 FROM imports WHERE valid_at <= ?)
               WHERE rank = 1""",
            (as_of,),
        )
        return [r[0] for r in rows]


def _node_dict(row: Sequence) -> dict[str, Any]:
    d = dict(zip(("id", *NODE_COLUMNS), row, strict=True))
    d["tags"] = json.loads(d["tags"]) if d["tags"] else []
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] else {}
    d["declared"] = bool(d["declared"])
    return d


def _edge_dict(row: Sequence) -> dict[str, Any]:
    keys = ("source", "target", "kind", "weight", "declared", "observed", "attributes")
    d = dict(zip(keys, row, strict=True))
    d["declared"] = bool(d["declared"])
    d["observed"] = bool(d["observed"])
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] else {}
    return d


def _node_fact_rows(unit: ImportUnit) -> Iterator[tuple]:
    """node_facts rows of ``unit`` (without the import id), as SQLite gives them back."""
    for nid, n in unit.nodes.items():
        yield (nid, n.kind, n.name, n.namespace, n.owner, n.team, _json(list(n.tags)) if n.tags else None,
               n.status, n.deprecated_on, n.deprecation_reason, _json(n.attributes) if n.attributes else None,
               int(n.reference), int(n.classifiable))  # fmt: skip


def _edge_fact_rows(unit: ImportUnit) -> Iterator[tuple]:
    for key, e in unit.edges.items():
        seen = unit.edge_evidence[key]
        yield (*key, e.weight, int("declared" in seen), int("observed" in seen),
               _json(e.attributes) if e.attributes else None)  # fmt: skip


def _provenance_rows(unit: ImportUnit) -> Iterator[tuple]:
    """(node id, source, target, edge kind, file, line, pointer, table, row) of each place."""
    for nid, locs in unit.node_locations.items():
        for loc in locs:
            yield (nid, None, None, None, loc.file, loc.line, loc.pointer, loc.table, loc.row)
    for (s, t, k), locs in unit.edge_locations.items():
        for loc in locs:
            yield (None, s, t, k, loc.file, loc.line, loc.pointer, loc.table, loc.row)


def _changed(old: Iterable[tuple], new: Iterable[tuple], width: int) -> set:
    """The keys (the first ``width`` columns; one column: the value) whose rows differ between
    ``old`` and ``new``, taken as multisets of rows per key.

    >>> sorted(_changed([("a", 1), ("b", 2), ("b", 3)], [("a", 1), ("b", 3), ("b", 2), ("c", 0)], 1))
    ['c']
    """

    def grouped(rows: Iterable[tuple]) -> dict:
        out: dict = {}
        for row in rows:
            row = tuple(row)
            out.setdefault(row[0] if width == 1 else row[:width], []).append(row)
        return out

    before, after = grouped(old), grouped(new)
    changed = set(before.keys() ^ after.keys())
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        if a != b and (len(a) != len(b) or Counter(a) != Counter(b)):
            changed.add(key)
    return changed


def merge_node_facts(rows: Sequence[Sequence]) -> Iterator[tuple]:
    """Merge fact rows (sorted by node id, then the merge order) into one row per node.

    The last fact (see the merge order above) wins for single values; tags are united; attributes merge key by key.
    A reference only names the node and asserts nothing else.
    """
    i, n = 0, len(rows)
    while i < n:
        j = i + 1
        while j < n and rows[j][0] == rows[i][0]:
            j += 1
        if j == i + 1 and not rows[i][11]:
            r = rows[i]
            yield (r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "[]", r[7] or "active",
                   r[8], r[9], r[10] or "{}", 1)  # fmt: skip
        else:
            group = rows[i:j]
            first = group[0]
            owner = team = status = dep_on = dep_reason = None
            tags: list[str] = []
            attrs: dict[str, Any] = {}
            declared = 0
            for r in group:
                if r[11]:
                    continue
                declared = 1
                owner = r[4] if r[4] is not None else owner
                team = r[5] if r[5] is not None else team
                for t in json.loads(r[6]) if r[6] else ():
                    if t not in tags:
                        tags.append(t)
                if r[7] is not None:
                    status, dep_on, dep_reason = r[7], r[8], r[9]
                if r[10]:
                    attrs.update(json.loads(r[10]))
            yield (first[0], first[1], first[2], first[3], owner, team, _json(tags),
                   status or "active", dep_on, dep_reason, _json(attrs), declared)  # fmt: skip
        i = j


def merge_edge_facts(rows: Sequence[Sequence]) -> Iterator[tuple]:
    """Merge edge fact rows (sorted by key, then the merge order): declared or observed by any source."""
    i, n = 0, len(rows)
    while i < n:
        j = i + 1
        while j < n and rows[j][:3] == rows[i][:3]:
            j += 1
        if j == i + 1:
            r = rows[i]
            yield (r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "{}")
        else:
            group = rows[i:j]
            weight = None
            attrs: dict[str, Any] = {}
            for r in group:
                weight = r[3] if r[3] is not None else weight
                if r[6]:
                    attrs.update(json.loads(r[6]))
            first = group[0]
            yield (first[0], first[1], first[2], weight, max(r[4] for r in group),
                   max(r[5] for r in group), _json(attrs))  # fmt: skip
        i = j
