"""The lineage store: one SQLite file (WAL mode); this package is the only code that talks to SQLite.

Layout, in brief (docs/store.md has the whole of it):

* ``imports``: one row per imported source (a file, or a folder an importer reads whole).
  Every import is a *generation*; for each source key the newest import (by ``valid_at``,
  then id) is current and the older ones are marked ``superseded_by``. Its ``rank`` is the
  merge precedence of what it says (the lower wins).
* ``node_facts`` / ``edge_facts``: what each import said, kept for every generation, so
  the graph can be rebuilt as of any date.
* ``provenance``: where each import said it (file and line, JSON pointer, or table and row).
  Two sources that say the same thing keep a row each.
* ``nodes`` / ``edges``: the current graph, merged from the facts of current imports.
* ``nodes_fts``: full-text index over node names, tags and attributes.
* ``raw_units`` / ``classify_keys``: each import that classification can change, as read, and
  the names and aliases it looks up, so ``lineage.ingest.reclassify`` can classify it again.

Its modules, one job each: ``schema`` (tables, migrations, the checks that a file is ours),
``connection`` (transactions), ``facts`` (the write path), ``merge`` (the merge policy),
``queries`` and ``snapshots`` (reading), ``index`` (the classification index), ``tours``,
``units`` (what the write path takes and gives), ``rows`` (row shapes), ``errors``, ``driver``
(sqlite-utils, loaded without pandas), and ``database`` (the :class:`Store` of all of them).
"""

from __future__ import annotations

from lineage.store.database import Store
from lineage.store.errors import DatabaseError, StoreError, explain
from lineage.store.rows import EdgeRow, NodeRow
from lineage.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from lineage.store.snapshots import Said
from lineage.store.units import Derivation, ImportUnit, UnitOutcome

__all__ = [
    "APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "DatabaseError", "Derivation", "EdgeRow",
    "ImportUnit", "NodeRow", "Said", "Store", "StoreError", "UnitOutcome", "explain",
]  # fmt: skip
