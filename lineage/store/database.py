"""The :class:`Store`: a lineage database file opened (checked, migrated), composed of the store's parts."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Self

from lineage.store.driver import sqlite_utils
from lineage.store.errors import StoreError, busy_timeout_ms, explain
from lineage.store.facts import Facts
from lineage.store.index import Index
from lineage.store.queries import Queries
from lineage.store.schema import check_and_migrate, header_problem
from lineage.store.snapshots import Snapshots
from lineage.store.tours import Tours


def _writable(path: Path) -> bool:
    """Whether SQLite could write the database and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _has_wal_content(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


class Store(Facts, Queries, Snapshots, Index, Tours):
    """A lineage database. Open with :meth:`open`; use as a context manager to close it."""

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Self:
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
            check_and_migrate(store)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(explain(str(p), exc)) from exc
        except StoreError:
            conn.close()  # closed now, so the -wal and -shm files it made go away now
            raise
        return store

    def copy_in_memory(self) -> Store:
        """A private in-memory copy, to import hypothetical changes into (``lineage check``)."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        self.db.conn.backup(memory)
        return Store(sqlite_utils.Database(memory), ":memory:")
