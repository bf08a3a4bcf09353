"""The write path: record what one import says (its facts, places, settings and aliases), make
it the current generation of its source, and rebuild the current rows it touches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from lineage.records import EdgeRecord, Location, NodeRecord, owners_as_read
from lineage.store.connection import Connection
from lineage.store.driver import sqlite_utils
from lineage.store.merge import (
    MERGE_ORDER,
    SINGLE_EDGE_FACT,
    SINGLE_NODE_FACT,
    merge_edge_facts,
    merge_node_facts,
)
from lineage.store.rows import to_json
from lineage.store.units import ALIAS, EDGE, NODE, PLACE, EdgeKey, FactRow, ImportUnit, UnitOutcome, UnitRows

# What an import said, replaced when its classification is derived again.
DELETE_FACTS = {
    t: f"DELETE FROM {t} WHERE import_id = ?"  # noqa: S608 (constant names)
    for t in ("node_facts", "edge_facts", "provenance", "aliases")
}

# The rows of one import, each table's written a batch at a time.
FACT_INSERTS = {
    NODE: """INSERT INTO node_facts (import_id, node_id, kind, name, namespace, owner, team, tags, status,
             deprecated_on, deprecation_reason, attributes, reference, classifiable)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    EDGE: """INSERT INTO edge_facts (import_id, source, target, kind, weight, declared, observed, attributes)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
    PLACE: """INSERT INTO provenance (import_id, node_id, source, target, edge_kind, file, line, pointer, tbl, row)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    ALIAS: "INSERT INTO aliases (import_id, alias, node_id, authority, raw_node_id) VALUES (?, ?, ?, ?, ?)",
}
BATCH = 10_000

# -- rebuilding the current rows: what a transaction touched waits in pending_nodes/edges ------
# ``by``: the outcome (of this transaction's) that touched the row first; ``existed``: whether
# it had a current row before the rebuild.
PENDING_NODES = "CREATE TEMP TABLE IF NOT EXISTS pending_nodes (id TEXT PRIMARY KEY, by INTEGER, existed INTEGER)"
PENDING_EDGES = (
    "CREATE TEMP TABLE IF NOT EXISTS pending_edges (source TEXT, target TEXT, kind TEXT, by INTEGER,"
    " existed INTEGER, PRIMARY KEY (source, target, kind))"
)
TOUCH_NODES = "INSERT OR IGNORE INTO temp.pending_nodes (id, by) SELECT node_id, ? FROM node_facts WHERE import_id = ?"
TOUCH_EDGES = """INSERT OR IGNORE INTO temp.pending_edges (source, target, kind, by)
       SELECT source, target, kind, ? FROM edge_facts WHERE import_id = ?"""
DELETE_EDGES = "DELETE FROM edges WHERE (source, target, kind) IN (SELECT source, target, kind FROM temp.pending_edges)"
# Secondary indexes that no query of an import reads: created after the load on a new database
# (their SQL as schema.py creates them; tests/unit/test_store.py checks that they come back).
DEFERRED_INDEXES = {
    "provenance_node": "CREATE INDEX provenance_node ON provenance(node_id)",
    "provenance_edge": "CREATE INDEX provenance_edge ON provenance(source, target, edge_kind)",
    "provenance_import": "CREATE INDEX provenance_import ON provenance(import_id)",
    "nodes_kind": "CREATE INDEX nodes_kind ON nodes(kind)",
    "nodes_name": "CREATE INDEX nodes_name ON nodes(name)",
    "edges_target": "CREATE INDEX edges_target ON edges(target)",
    "aliases_node": "CREATE INDEX aliases_node ON aliases(node_id)",
    "classify_keys_key": "CREATE INDEX classify_keys_key ON classify_keys(key)",
    "classify_keys_import": "CREATE INDEX classify_keys_import ON classify_keys(import_id)",
}
DROP_INDEX = {name: f"DROP INDEX main.{name}" for name in DEFERRED_INDEXES}
# Re-index the full text of every node when the rows rebuilt are at least 1/FTS_REBUILD_SHARE of them.
FTS_REBUILD_SHARE = 5
FTS_COLUMNS = "name, namespace, owner, team, tags, attributes"
FTS_DELETE = f"""INSERT INTO nodes_fts (nodes_fts, rowid, {FTS_COLUMNS})
       SELECT 'delete', n.rowid, n.name, n.namespace, n.owner, n.team, n.tags, n.attributes
       FROM temp.pending_nodes p CROSS JOIN nodes n ON n.id = p.id"""  # noqa: S608 (constants)
FTS_INSERT = f"""INSERT INTO nodes_fts (rowid, {FTS_COLUMNS})
       SELECT n.rowid, n.name, n.namespace, n.owner, n.team, n.tags, n.attributes
       FROM temp.merged_nodes m CROSS JOIN nodes n ON n.id = m.id"""  # noqa: S608 (constants)
REBUILD_PREPARE = (
    "UPDATE temp.pending_nodes SET existed = EXISTS (SELECT 1 FROM nodes n WHERE n.id = pending_nodes.id)",
    """UPDATE temp.pending_edges SET existed = EXISTS (SELECT 1 FROM edges e WHERE e.source = pending_edges.source
       AND e.target = pending_edges.target AND e.kind = pending_edges.kind)""",
    # How many current facts each touched node and edge has: one is copied, more are merged.
    "CREATE TEMP TABLE IF NOT EXISTS node_fact_counts (id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    """INSERT INTO temp.node_fact_counts SELECT p.id, count(*) FROM temp.pending_nodes p
       CROSS JOIN node_facts f ON f.node_id = p.id CROSS JOIN imports i ON i.id = f.import_id
       WHERE i.superseded_by IS NULL GROUP BY p.id""",
    """CREATE TEMP TABLE IF NOT EXISTS edge_fact_counts (source TEXT, target TEXT, kind TEXT, n INTEGER NOT NULL,
       PRIMARY KEY (source, target, kind))""",
    """INSERT INTO temp.edge_fact_counts SELECT p.source, p.target, p.kind, count(*) FROM temp.pending_edges p
       CROSS JOIN edge_facts f ON f.source = p.source AND f.target = p.target AND f.kind = p.kind
       CROSS JOIN imports i ON i.id = f.import_id
       WHERE i.superseded_by IS NULL GROUP BY p.source, p.target, p.kind""",
    # The rows rebuilt, staged so that they go into the tables in key order.
    """CREATE TEMP TABLE IF NOT EXISTS merged_nodes (id TEXT PRIMARY KEY, kind, name, namespace, owner, team,
       tags, status, deprecated_on, deprecation_reason, attributes, declared)""",
    """CREATE TEMP TABLE IF NOT EXISTS merged_edges (source TEXT, target TEXT, kind TEXT, weight, declared,
       observed, attributes, PRIMARY KEY (source, target, kind))""",
)
REBUILD_CLEAR = tuple(
    f"DELETE FROM temp.{t}"  # noqa: S608 (constant names)
    for t in ("pending_nodes", "pending_edges", "node_fact_counts", "edge_fact_counts", "merged_nodes", "merged_edges")
)
NODE_SINGLES = f"""INSERT INTO temp.merged_nodes SELECT {SINGLE_NODE_FACT}
       FROM temp.node_fact_counts c CROSS JOIN node_facts f ON f.node_id = c.id
       CROSS JOIN imports i ON i.id = f.import_id
       WHERE c.n = 1 AND i.superseded_by IS NULL"""  # noqa: S608 (constants)
EDGE_SINGLES = f"""INSERT INTO temp.merged_edges SELECT {SINGLE_EDGE_FACT}
       FROM temp.edge_fact_counts c
       CROSS JOIN edge_facts f ON f.source = c.source AND f.target = c.target AND f.kind = c.kind
       CROSS JOIN imports i ON i.id = f.import_id
       WHERE c.n = 1 AND i.superseded_by IS NULL"""  # noqa: S608 (constants)
# CROSS JOIN: from the few rows touched to their facts by key (SQLite, knowing nothing of the
# temp tables, would rather scan the facts).
# The current facts of what has more than one, in the merge order.
NODE_MULTI_FACTS = f"""SELECT f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,
              f.deprecated_on, f.deprecation_reason, f.attributes, f.reference
       FROM temp.node_fact_counts c CROSS JOIN node_facts f ON f.node_id = c.id
       CROSS JOIN imports i ON i.id = f.import_id
       WHERE c.n > 1 AND i.superseded_by IS NULL
       ORDER BY f.node_id, {MERGE_ORDER}"""  # noqa: S608 (constants)
EDGE_MULTI_FACTS = f"""SELECT f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes
       FROM temp.edge_fact_counts c
       CROSS JOIN edge_facts f ON f.source = c.source AND f.target = c.target AND f.kind = c.kind
       CROSS JOIN imports i ON i.id = f.import_id
       WHERE c.n > 1 AND i.superseded_by IS NULL
       ORDER BY f.source, f.target, f.kind, {MERGE_ORDER}"""  # noqa: S608 (constants)
MERGED_NODE_INSERT = "INSERT INTO temp.merged_nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
MERGED_EDGE_INSERT = "INSERT INTO temp.merged_edges VALUES (?, ?, ?, ?, ?, ?, ?)"
# (outcome, added, removed) of the rows rebuilt.
NODE_CHANGES = """SELECT p.by, coalesce(sum(NOT p.existed AND m.id IS NOT NULL), 0),
              coalesce(sum(p.existed AND m.id IS NULL), 0)
       FROM temp.pending_nodes p LEFT JOIN temp.merged_nodes m ON m.id = p.id GROUP BY p.by"""
EDGE_CHANGES = """SELECT p.by, coalesce(sum(NOT p.existed AND m.source IS NOT NULL), 0),
              coalesce(sum(p.existed AND m.source IS NULL), 0)
       FROM temp.pending_edges p LEFT JOIN temp.merged_edges m
         ON m.source = p.source AND m.target = p.target AND m.kind = p.kind GROUP BY p.by"""


class Facts(Connection):
    """Writing imports (call these inside :meth:`write`).

    The current rows are rebuilt once per transaction, just before it commits
    (:meth:`rebuild_current`): a transaction's writes record what they touch, and nothing inside
    the transaction reads the current rows (classification reads the facts)."""

    def __init__(self, db: sqlite_utils.Database, path: str, *, read_only: bool = False):
        super().__init__(db, path, read_only=read_only)
        # This transaction's outcomes waiting for rebuild_current (None: nothing touched yet),
        # the indexes it dropped to create after the load (None: not decided yet),
        # and the outcome of each import it classified again.
        self._pending_outcomes: list[UnitOutcome] | None = None
        self._deferred_indexes: list[str] | None = None
        self._rederived: dict[int, UnitOutcome] = {}

    def _current_generation(self, source: str) -> tuple[int, str, str] | None:
        """(import id, content hash, importer) of the current generation of ``source``."""
        row: tuple[int, str, str] | None = self.db.conn.execute(
            "SELECT id, content_hash, importer FROM imports WHERE source = ? AND superseded_by IS NULL", (source,)
        ).fetchone()
        return row

    def is_current(self, unit: ImportUnit) -> bool:
        """Whether the current generation of the unit's source is this very content (so
        :meth:`write_unit` would leave it as it is, unless forced)."""
        current = self._current_generation(unit.source)
        return current is not None and current[1:] == (unit.content_hash, unit.importer)

    def write_unit(
        self, unit: ImportUnit, finished_at: str, *, force: bool = False, rows: UnitRows | None = None
    ) -> UnitOutcome:
        """Record one source's import; call inside :meth:`write`. With ``rows``, ``unit`` is the
        shell of a unit too big to hold whole, and ``rows`` the rows it writes, made as they are
        written (``lineage.ingest.streamed``); they are not read if the source is unchanged."""
        conn = self.db.conn
        current = self._current_generation(unit.source)
        if current and current[1:] == (unit.content_hash, unit.importer) and not force:
            return UnitOutcome(import_id=current[0], unchanged=True)
        errors = [str(p) for p in unit.problems[:100]]
        if conn.in_transaction:
            self._defer_indexes()
        cur = conn.execute(
            """INSERT INTO imports (importer, source, path, content_hash, started_at, finished_at,
                valid_at, status, node_count, edge_count, error_count, errors, rank)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                unit.importer, unit.source, unit.path, unit.content_hash, unit.started_at,
                finished_at, unit.valid_at, "partial" if unit.problems else "ok",
                len(unit.nodes), len(unit.edges), len(unit.problems), to_json(errors), unit.rank,
            ),
        )  # fmt: skip
        import_id = cur.lastrowid
        assert import_id is not None  # an INSERT's
        if rows is None:
            self._insert_rows(import_id, unit_rows(unit))
        else:
            self._insert_rows(import_id, rows)
            conn.execute("UPDATE imports SET node_count = ?, edge_count = ? WHERE id = ?",
                         (rows.node_count, rows.edge_count, import_id))  # fmt: skip
        self._insert_settings(import_id, unit)
        if unit.derivation is not None:
            conn.execute("INSERT INTO raw_units (import_id, body, derived) VALUES (?, ?, ?)",
                         (import_id, unit.derivation.body, unit.derivation.digest))  # fmt: skip
            conn.executemany("INSERT INTO classify_keys (import_id, key) VALUES (?, ?)",
                             ((import_id, k) for k in sorted(unit.derivation.keys)))  # fmt: skip
        # The newest generation of this source is current; all others are superseded.
        generations = conn.execute(
            "SELECT id FROM imports WHERE source = ? ORDER BY valid_at DESC, id DESC",
            (unit.source,),
        ).fetchall()
        newest = generations[0][0]
        for (other,) in generations[1:]:
            conn.execute("UPDATE imports SET superseded_by = ? WHERE id = ?", (newest, other))
            # History is never classified again (docs/store.md): its kept copy can go.
            conn.execute("DELETE FROM raw_units WHERE import_id = ?", (other,))
            conn.execute("DELETE FROM classify_keys WHERE import_id = ?", (other,))
        conn.execute("UPDATE imports SET superseded_by = NULL WHERE id = ?", (newest,))
        replaced = current[0] if current and current[0] != newest else None
        outcome = UnitOutcome(import_id=import_id, unchanged=False, replaced=replaced, current=newest == import_id)
        if newest == import_id:  # else an older snapshot: history only, the current graph stays
            self._touch_import(import_id, outcome)
            if replaced is not None:
                self._touch_import(replaced, outcome)
        if not conn.in_transaction:  # written through this API outside write(): rebuild now
            self.rebuild_current()
        return outcome

    def _insert_rows(self, import_id: int, rows: Iterable[FactRow]) -> None:
        """Write the rows of one import (:data:`FactRow`), a batch at a time."""
        conn = self.db.conn
        batches: dict[str, list[tuple[Any, ...]]] = {table: [] for table in FACT_INSERTS}
        for table, row in rows:
            batch = batches[table]
            batch.append((import_id, *row))
            if len(batch) >= BATCH:
                conn.executemany(FACT_INSERTS[table], batch)
                batch.clear()
        for table, batch in batches.items():
            if batch:
                conn.executemany(FACT_INSERTS[table], batch)

    def _insert_settings(self, import_id: int, unit: ImportUnit) -> None:
        self.db.conn.executemany(
            "INSERT INTO settings (import_id, section, value, file, line, pointer)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (import_id, s.section, to_json(s.value), s.location.file, s.location.line,
                 s.location.pointer)
                for s in unit.settings
            ),
        )  # fmt: skip

    # -- the current rows, rebuilt once per transaction ---------------------------------------

    def _deferred(self) -> list[UnitOutcome]:
        """The outcomes of this transaction whose nodes and edges wait for :meth:`rebuild_current`
        (their index is the ``by`` column of ``temp.pending_nodes`` and ``temp.pending_edges``)."""
        outcomes = self._pending_outcomes
        if outcomes is None:
            outcomes = self._pending_outcomes = []
            conn = self.db.conn
            conn.execute(PENDING_NODES)
            conn.execute(PENDING_EDGES)
        return outcomes

    def _pend(self, outcome: UnitOutcome) -> int:
        outcomes = self._deferred()
        for i, o in enumerate(outcomes):
            if o is outcome:
                return i
        outcomes.append(outcome)
        return len(outcomes) - 1

    def _touch_import(self, import_id: int, outcome: UnitOutcome) -> None:
        """The nodes and edges an import states wait to be rebuilt (set-based, from its facts)."""
        by = self._pend(outcome)
        conn = self.db.conn
        conn.execute(TOUCH_NODES, (by, import_id))
        conn.execute(TOUCH_EDGES, (by, import_id))

    def _touch(self, node_ids: Iterable[str], edge_keys: Iterable[EdgeKey], outcome: UnitOutcome) -> None:
        by = self._pend(outcome)
        conn = self.db.conn
        conn.executemany("INSERT OR IGNORE INTO temp.pending_nodes (id, by) VALUES (?, ?)", ((i, by) for i in node_ids))
        conn.executemany("INSERT OR IGNORE INTO temp.pending_edges (source, target, kind, by) VALUES (?, ?, ?, ?)",
                         ((*k, by) for k in edge_keys))  # fmt: skip

    def _defer_indexes(self) -> None:
        """On a database with no import yet, drop the secondary indexes the load does not read;
        :meth:`rebuild_current` creates them again, once, after the load (cheaper than keeping
        them row by row). Inside the transaction: a rollback brings them back as they were."""
        if self._deferred_indexes is not None:
            return
        conn = self.db.conn
        found: list[str] = []
        if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM imports)").fetchone()[0]:
            present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            for name in DEFERRED_INDEXES:
                if name in present:
                    conn.execute(DROP_INDEX[name])
                    found.append(name)
        self._deferred_indexes = found

    def _before_commit(self) -> None:
        super()._before_commit()
        self.rebuild_current()

    def _after_rollback(self) -> None:
        super()._after_rollback()
        self._pending_outcomes, self._deferred_indexes, self._rederived = None, None, {}

    def rebuild_current(self) -> None:
        """Rebuild the current rows (and their full-text index) of every node and edge this
        transaction touched, from the current facts, and count what that added and removed in
        the outcomes that touched them (each change in the first one). Called before the
        transaction commits; set-based: one INSERT ... SELECT for what has a single fact, the
        merge of :mod:`lineage.store.merge` for the rest, streamed once over all of them."""
        conn = self.db.conn
        outcomes, indexes = self._pending_outcomes, self._deferred_indexes or []
        self._pending_outcomes, self._deferred_indexes, self._rederived = None, None, {}
        if outcomes is not None:
            for step in range(len(REBUILD_PREPARE)):
                conn.execute(REBUILD_PREPARE[step])
            pending = conn.execute("SELECT count(*) FROM temp.pending_nodes").fetchone()[0]
            total = conn.execute("SELECT count(*) FROM nodes").fetchone()[0]
            # Measured: re-indexing a few rows is cheaper than a rebuild of every row; past
            # about a fifth of the table, a rebuild is.
            rebuild_fts = pending * FTS_REBUILD_SHARE >= total + pending
            if not rebuild_fts:
                conn.execute(FTS_DELETE)
            conn.execute("DELETE FROM nodes WHERE id IN (SELECT id FROM temp.pending_nodes)")
            conn.execute(DELETE_EDGES)
            conn.execute(NODE_SINGLES)
            conn.executemany(MERGED_NODE_INSERT, _merged(conn.execute(NODE_MULTI_FACTS), 1, merge_node_facts))
            conn.execute(EDGE_SINGLES)
            conn.executemany(MERGED_EDGE_INSERT, _merged(conn.execute(EDGE_MULTI_FACTS), 3, merge_edge_facts))
            conn.execute("INSERT INTO nodes SELECT * FROM temp.merged_nodes ORDER BY id")
            conn.execute("INSERT INTO edges SELECT * FROM temp.merged_edges ORDER BY source, target, kind")
            if rebuild_fts:
                conn.execute("INSERT INTO nodes_fts (nodes_fts) VALUES ('rebuild')")
            else:
                conn.execute(FTS_INSERT)
            for by, added, removed in conn.execute(NODE_CHANGES):
                outcomes[by].nodes_added += added
                outcomes[by].nodes_removed += removed
            for by, added, removed in conn.execute(EDGE_CHANGES):
                outcomes[by].edges_added += added
                outcomes[by].edges_removed += removed
            for step in range(len(REBUILD_CLEAR)):
                conn.execute(REBUILD_CLEAR[step])
        for name in indexes:
            conn.execute(DEFERRED_INDEXES[name])

    def rederive(self, import_id: int, unit: ImportUnit, digest: str) -> UnitOutcome:
        """Make the facts of a current import those of ``unit``, classified again; call inside
        :meth:`write`. Only the nodes and edges whose facts or places changed are rewritten and
        rebuilt (a rule that re-kinds a few nodes of a large log touches those). Its settings,
        content hash and times stay: the file was not read again."""
        conn = self.db.conn
        old_places = conn.execute(
            "SELECT node_id, source, target, edge_kind, file, line, pointer, tbl, row FROM provenance"
            " WHERE import_id = ?",
            (import_id,),
        ).fetchall()
        new_places = list(provenance_rows(unit))
        nodes: set[str] = _changed(
            conn.execute(
                """SELECT node_id, kind, name, namespace, owner, team, tags, status, deprecated_on,
                      deprecation_reason, attributes, reference, classifiable
               FROM node_facts WHERE import_id = ?""",
                (import_id,),
            ),
            node_fact_rows(unit),
            1,
        )
        nodes |= _changed((r for r in old_places if r[0] is not None), (r for r in new_places if r[0] is not None), 1)
        edges: set[EdgeKey] = _changed(
            conn.execute(
                "SELECT source, target, kind, weight, declared, observed, attributes"
                " FROM edge_facts WHERE import_id = ?",
                (import_id,),
            ),
            edge_fact_rows(unit),
            3,
        )
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
        # Only the nodes and edges changed, and their places; the aliases are written whole.
        self._insert_rows(import_id, (
            (table, row) for table, row in unit_rows(unit)
            if table == ALIAS or (row[0] in nodes if table == NODE else row[:3] in edges if table == EDGE
                                  else row[0] in nodes if row[0] is not None else row[1:4] in edges)
        ))  # fmt: skip
        conn.execute("UPDATE raw_units SET derived = ? WHERE import_id = ?", (digest, import_id))
        conn.execute("UPDATE imports SET node_count = ?, edge_count = ? WHERE id = ?",
                     (len(unit.nodes), len(unit.edges), import_id))  # fmt: skip
        # One outcome per import and transaction: classifying it again in a later round of
        # lineage.ingest.reclassify.settle adds to the same counts, filled in by rebuild_current.
        outcome = self._rederived.setdefault(import_id, UnitOutcome(import_id=import_id, unchanged=False))
        self._touch(nodes, edges, outcome)
        if not conn.in_transaction:
            self.rebuild_current()
        return outcome


def node_fact_row(nid: str, n: NodeRecord) -> tuple[Any, ...]:
    """The node_facts row of one node (without the import id), as SQLite gives it back."""
    return (nid, n.kind, n.name, n.namespace, n.owner, n.team, to_json(list(n.tags)) if n.tags else None,
            n.status, n.deprecated_on, n.deprecation_reason, to_json(n.attributes) if n.attributes else None,
            int(n.reference), int(n.classifiable))  # fmt: skip


def edge_fact_row(key: EdgeKey, e: EdgeRecord, seen: frozenset[str]) -> tuple[Any, ...]:
    """The edge_facts row of one edge (without the import id), ``seen``: its kinds of evidence."""
    return (*key, e.weight, int("declared" in seen), int("observed" in seen),
            to_json(e.attributes) if e.attributes else None)  # fmt: skip


def node_place_rows(nid: str, places: Iterable[Location]) -> Iterator[tuple[Any, ...]]:
    """Provenance rows (node id, source, target, edge kind, file, line, pointer, table, row)."""
    for loc in places:
        yield (nid, None, None, None, loc.file, loc.line, loc.pointer, loc.table, loc.row)


def edge_place_rows(key: EdgeKey, places: Iterable[Location]) -> Iterator[tuple[Any, ...]]:
    s, t, k = key
    for loc in places:
        yield (None, s, t, k, loc.file, loc.line, loc.pointer, loc.table, loc.row)


def alias_rows(nid: str, node: NodeRecord, owned: Mapping[str, tuple[str, str]]) -> Iterator[tuple[Any, ...]]:
    """aliases rows (alias, node id, authority, raw node id) of one node as classified; ``owned``:
    alias -> (id as read, id as classified) of the node of its import that owns it."""
    for alias in node.aliases:
        raw, final = owned.get(alias, (None, None))
        yield (alias, nid, int(final == nid), raw if final == nid else None)


def unit_rows(unit: ImportUnit) -> Iterator[FactRow]:
    """Every row ``unit`` writes (:data:`FactRow`)."""
    owned = unit.owned_aliases
    if owned is None:  # not classified (written through this API directly): as they are
        owned = {alias: (nid, nid) for alias, nid in owners_as_read(unit.nodes.values()).items()}
    for nid, n in unit.nodes.items():
        yield NODE, node_fact_row(nid, n)
    for key, e in unit.edges.items():
        yield EDGE, edge_fact_row(key, e, unit.edge_evidence[key])
    for row in provenance_rows(unit):
        yield PLACE, row
    for nid, n in unit.nodes.items():
        for row in alias_rows(nid, n, owned):
            yield ALIAS, row


def node_fact_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """node_facts rows of ``unit`` (without the import id), as SQLite gives them back."""
    for nid, n in unit.nodes.items():
        yield node_fact_row(nid, n)


def edge_fact_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """edge_facts rows of ``unit`` (without the import id)."""
    for key, e in unit.edges.items():
        yield edge_fact_row(key, e, unit.edge_evidence[key])


def provenance_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """(node id, source, target, edge kind, file, line, pointer, table, row) of each place."""
    for nid, locs in unit.node_locations.items():
        yield from node_place_rows(nid, locs)
    for key, locs in unit.edge_locations.items():
        yield from edge_place_rows(key, locs)


def _changed(old: Iterable[Iterable[Any]], new: Iterable[Iterable[Any]], width: int) -> set[Any]:
    """The keys (the first ``width`` columns; one column: the value) whose rows differ between
    ``old`` and ``new``, taken as multisets of rows per key.

    >>> sorted(_changed([("a", 1), ("b", 2), ("b", 3)], [("a", 1), ("b", 3), ("b", 2), ("c", 0)], 1))
    ['c']
    """

    def grouped(rows: Iterable[Iterable[Any]]) -> dict[Hashable, list[tuple[Any, ...]]]:
        out: dict[Hashable, list[tuple[Any, ...]]] = {}
        for row in rows:
            whole = tuple(row)
            out.setdefault(whole[0] if width == 1 else whole[:width], []).append(whole)
        return out

    before, after = grouped(old), grouped(new)
    changed = set(before.keys() ^ after.keys())
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        if a != b and (len(a) != len(b) or Counter(a) != Counter(b)):
            changed.add(key)
    return changed


def _merged(
    rows: Iterable[Sequence[Any]], width: int, merge: Callable[[Sequence[Sequence[Any]]], Iterator[tuple[Any, ...]]]
) -> Iterator[tuple[Any, ...]]:
    """``merge`` applied to each run of rows with the same key (the first ``width`` columns),
    streamed: one key's facts in memory at a time."""
    group: list[Sequence[Any]] = []
    key: Any = None
    for row in rows:
        k = row[0] if width == 1 else tuple(row[:width])
        if group and k != key:
            yield from merge(group)
            group = []
        key = k
        group.append(row)
    if group:
        yield from merge(group)
