"""Another tool's SQLite store, opened read-only and immutable, and the base of importers that
read one: a declarative sniff (the SQLite header, then the tables the store must have).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path
from typing import ClassVar

from lineage.ingest.protocol import Importer

SQLITE_HEADER = b"SQLite format 3\x00"


def has_sqlite_header(path: Path) -> bool:
    """Whether the file starts as every SQLite database does (an OSError if it cannot be read)."""
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only and immutable: SQLite never writes, locks or creates anything."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def table_names(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


class SQLiteStoreImporter(Importer):
    """An importer of one SQLite store a file."""

    tables: ClassVar[Collection[str]] = ()
    """Tables every store of this format has: a file without them is not one."""

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or not has_sqlite_header(path):
            return False
        try:
            with closing(connect(path)) as db:
                return set(self.tables) <= table_names(db)
        except sqlite3.Error:
            return False
