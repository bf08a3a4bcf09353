"""The classification index: which stated nodes own which names and aliases, and which imports
kept as read look them up, so ``lineage.ingest.reclassify`` can classify those again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lineage.store.connection import Connection
from lineage.store.merge import ALIAS_OWNER_RANK
from lineage.store.units import ImportUnit

Identity = tuple[str, str, str, str]  # (id, kind, namespace, name)
ALIAS_OWNERS = f"""SELECT a.alias, {ALIAS_OWNER_RANK}, i.source, coalesce(a.raw_node_id, a.node_id),
              f.node_id, f.kind, f.namespace, f.name
       FROM aliases a JOIN imports i ON i.id = a.import_id
       JOIN node_facts f ON f.import_id = a.import_id AND f.node_id = a.node_id
       WHERE i.superseded_by IS NULL AND a.authority
         AND a.alias IN (SELECT value FROM temp.wanted_aliases)
         AND i.source NOT IN (SELECT value FROM temp.excluded_sources)
       ORDER BY a.alias, 2, 3, 4"""  # noqa: S608 (constants)


class Index(Connection):
    """Lookups for classification, and the imports kept as read."""

    def identities(self, names: Iterable[str], *, exclude_sources: Iterable[str] = ()) -> list[Identity]:
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
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def alias_owners(
        self, aliases: Iterable[str], *, exclude_sources: Iterable[str] = ()
    ) -> dict[str, tuple[tuple[Any, ...], Identity]]:
        """Alias -> (rank, (id, kind, namespace, name)) of the node that owns it: of the nodes
        current imports state with the alias, the one of the lowest rank (the import's rank, so
        the manifests first; then by source and id as read), as classified; leaving out what
        the given sources say."""
        self._fill("wanted_aliases", aliases)
        self._fill("excluded_sources", exclude_sources)
        # Ranked by the owner's id as read; its identity is its own fact's, as classified.
        owners: dict[str, tuple[tuple[Any, ...], Identity]] = {}
        for alias, rank, source, raw, *identity in self.db.conn.execute(ALIAS_OWNERS):
            owners.setdefault(alias, ((rank, source, raw), (identity[0], identity[1], identity[2], identity[3])))
        return owners

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
                      r.body, r.derived, i.rank
               FROM raw_units r JOIN imports i ON i.id = r.import_id WHERE r.import_id = ?""",
            (import_id,),
        ).fetchone()
        importer, source, path, content_hash, started_at, valid_at, body, derived, rank = row
        shell = ImportUnit(importer, source, path, content_hash, started_at, valid_at, nodes={}, edges={},
                           edge_evidence={}, node_locations={}, edge_locations={}, rank=rank)  # fmt: skip
        return shell, body, derived

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
