"""The write path: record what one import says (its facts, places, settings and aliases), make
it the current generation of its source, and rebuild the current rows it touches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from lineage.records import owners_as_read
from lineage.store.connection import Connection
from lineage.store.merge import MERGE_ORDER, merge_edge_facts, merge_node_facts
from lineage.store.rows import NODE_INSERT, to_json
from lineage.store.units import EdgeKey, ImportUnit, UnitOutcome

# What an import said, replaced when its classification is derived again.
DELETE_FACTS = {
    t: f"DELETE FROM {t} WHERE import_id = ?"  # noqa: S608 (constant names)
    for t in ("node_facts", "edge_facts", "provenance", "aliases")
}
# The current facts of the affected nodes and edges, in the merge order.
AFFECTED_NODE_FACTS = f"""SELECT f.node_id, f.kind, f.name, f.namespace, f.owner, f.team, f.tags, f.status,
              f.deprecated_on, f.deprecation_reason, f.attributes, f.reference
       FROM node_facts f JOIN imports i ON i.id = f.import_id
       WHERE i.superseded_by IS NULL
         AND f.node_id IN (SELECT id FROM temp.affected_nodes)
       ORDER BY f.node_id, {MERGE_ORDER}"""  # noqa: S608 (constants)
AFFECTED_EDGE_FACTS = f"""SELECT f.source, f.target, f.kind, f.weight, f.declared, f.observed, f.attributes
       FROM edge_facts f JOIN imports i ON i.id = f.import_id
       JOIN temp.affected_edges a
         ON a.source = f.source AND a.target = f.target AND a.kind = f.kind
       WHERE i.superseded_by IS NULL
       ORDER BY f.source, f.target, f.kind, {MERGE_ORDER}"""  # noqa: S608 (constants)


class Facts(Connection):
    """Writing imports (call these inside :meth:`write`)."""

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

    def write_unit(self, unit: ImportUnit, finished_at: str, *, force: bool = False) -> UnitOutcome:
        """Record one source's import; call inside :meth:`write`."""
        conn = self.db.conn
        current = self._current_generation(unit.source)
        if current and current[1:] == (unit.content_hash, unit.importer) and not force:
            return UnitOutcome(import_id=current[0], unchanged=True)
        errors = [str(p) for p in unit.problems[:100]]
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
        self, import_id: int, unit: ImportUnit, *, only: tuple[set[str], set[EdgeKey]] | None = None
    ) -> None:
        """Write what ``unit`` says; with ``only`` (node ids, edge keys), just those nodes and
        edges and their provenance (the aliases are written whole either way)."""
        conn = self.db.conn
        nodes, edges = only if only is not None else (None, None)
        conn.executemany(
            """INSERT INTO node_facts (import_id, node_id, kind, name, namespace, owner, team,
                tags, status, deprecated_on, deprecation_reason, attributes, reference, classifiable)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in node_fact_rows(unit) if nodes is None or row[0] in nodes),
        )
        conn.executemany(
            """INSERT INTO edge_facts (import_id, source, target, kind, weight, declared,
                observed, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in edge_fact_rows(unit) if edges is None or row[:3] in edges),
        )
        conn.executemany(
            """INSERT INTO provenance (import_id, node_id, source, target, edge_kind, file, line,
                pointer, tbl, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((import_id, *row) for row in provenance_rows(unit)
             if nodes is None or edges is None
             or (row[0] in nodes if row[0] is not None else row[1:4] in edges)),
        )  # fmt: skip
        owned = unit.owned_aliases
        if owned is None:  # not classified (written through this API directly): as they are
            owned = {alias: (nid, nid) for alias, nid in owners_as_read(unit.nodes.values()).items()}

        def alias_rows() -> Iterator[tuple[Any, ...]]:
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
                (import_id, s.section, to_json(s.value), s.location.file, s.location.line,
                 s.location.pointer)
                for s in unit.settings
            ),
        )  # fmt: skip

    def _fact_node_ids(self, import_id: int) -> list[str]:
        return [r[0] for r in self.db.conn.execute("SELECT node_id FROM node_facts WHERE import_id = ?", (import_id,))]

    def _fact_edge_keys(self, import_id: int) -> list[EdgeKey]:
        return [
            (r[0], r[1], r[2])
            for r in self.db.conn.execute(
                "SELECT source, target, kind FROM edge_facts WHERE import_id = ?", (import_id,)
            )
        ]

    def _materialize(self, node_ids: set[str], edge_keys: set[EdgeKey], outcome: UnitOutcome) -> None:
        """Rebuild the current rows of the given nodes and edges from current facts."""
        conn = self.db.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS affected_nodes (id TEXT PRIMARY KEY, existed INTEGER)")
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS affected_edges (source TEXT, target TEXT, kind TEXT,"
            " existed INTEGER, PRIMARY KEY (source, target, kind))"
        )
        conn.execute("DELETE FROM temp.affected_nodes")
        conn.execute("DELETE FROM temp.affected_edges")
        conn.executemany("INSERT INTO temp.affected_nodes VALUES (?, 0)", ((i,) for i in node_ids))
        conn.executemany("INSERT INTO temp.affected_edges VALUES (?, ?, ?, 0)", edge_keys)
        conn.execute("UPDATE temp.affected_nodes SET existed = 1 WHERE id IN (SELECT id FROM nodes)")
        conn.execute(
            "UPDATE temp.affected_edges SET existed = 1 WHERE (source, target, kind) IN"
            " (SELECT source, target, kind FROM edges)"
        )
        conn.execute("DELETE FROM nodes WHERE id IN (SELECT id FROM temp.affected_nodes)")
        conn.execute(
            "DELETE FROM edges WHERE (source, target, kind) IN (SELECT source, target, kind FROM temp.affected_edges)"
        )
        conn.executemany(NODE_INSERT, merge_node_facts(conn.execute(AFFECTED_NODE_FACTS).fetchall()))
        conn.executemany(
            "INSERT INTO edges (source, target, kind, weight, declared, observed, attributes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            merge_edge_facts(conn.execute(AFFECTED_EDGE_FACTS).fetchall()),
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
        self._insert_facts(import_id, unit, only=(nodes, edges))
        conn.execute("UPDATE raw_units SET derived = ? WHERE import_id = ?", (digest, import_id))
        conn.execute("UPDATE imports SET node_count = ?, edge_count = ? WHERE id = ?",
                     (len(unit.nodes), len(unit.edges), import_id))  # fmt: skip
        outcome = UnitOutcome(import_id=import_id, unchanged=False)
        self._materialize(nodes, edges, outcome)
        return outcome


def node_fact_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """node_facts rows of ``unit`` (without the import id), as SQLite gives them back."""
    for nid, n in unit.nodes.items():
        yield (nid, n.kind, n.name, n.namespace, n.owner, n.team, to_json(list(n.tags)) if n.tags else None,
               n.status, n.deprecated_on, n.deprecation_reason, to_json(n.attributes) if n.attributes else None,
               int(n.reference), int(n.classifiable))  # fmt: skip


def edge_fact_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """edge_facts rows of ``unit`` (without the import id)."""
    for key, e in unit.edges.items():
        seen = unit.edge_evidence[key]
        yield (*key, e.weight, int("declared" in seen), int("observed" in seen),
               to_json(e.attributes) if e.attributes else None)  # fmt: skip


def provenance_rows(unit: ImportUnit) -> Iterator[tuple[Any, ...]]:
    """(node id, source, target, edge kind, file, line, pointer, table, row) of each place."""
    for nid, locs in unit.node_locations.items():
        for loc in locs:
            yield (nid, None, None, None, loc.file, loc.line, loc.pointer, loc.table, loc.row)
    for (s, t, k), locs in unit.edge_locations.items():
        for loc in locs:
            yield (None, s, t, k, loc.file, loc.line, loc.pointer, loc.table, loc.row)


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
