"""One connection to a lineage database and its transactions: what every part of the store shares."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from lineage.store.driver import sqlite_utils
from lineage.store.errors import StoreError, explain

# One-column temp tables of values (names, aliases, sources, ids) that queries join against.
TEMP_VALUES = ("wanted_names", "wanted_aliases", "excluded_sources", "changed_keys", "key_imports", "changed_nodes")
TEMP_CREATE = {t: f"CREATE TEMP TABLE IF NOT EXISTS {t} (value TEXT PRIMARY KEY)" for t in TEMP_VALUES}
TEMP_CLEAR = {t: f"DELETE FROM temp.{t}" for t in TEMP_VALUES}  # noqa: S608 (constant names)
TEMP_FILL = {t: f"INSERT OR IGNORE INTO temp.{t} VALUES (?)" for t in TEMP_VALUES}  # noqa: S608

C = TypeVar("C", bound="Connection")


class Transaction(Generic[C]):
    """A write transaction (BEGIN IMMEDIATE); a SQLite error inside it is a :class:`StoreError`."""

    def __init__(self, store: C):
        self.store = store

    def __enter__(self) -> C:
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

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self.store.db.conn
        if exc_type is None:
            try:
                self.store._before_commit()  # what the transaction deferred (current rows, indexes)
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as err:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self.store._after_rollback()
                raise StoreError(explain(self.store.path, err, writing=True)) from err
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self.store._after_rollback()
                raise
        else:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self.store._after_rollback()
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(explain(self.store.path, exc, writing=True)) from exc


class Connection:
    """A connection in autocommit mode: transactions are only those of :meth:`write` and
    :meth:`reading`, so no statement leaves a reader holding an old snapshot (and the WAL growing)."""

    def __init__(self, db: sqlite_utils.Database, path: str, *, read_only: bool = False):
        self.db = db
        self.path = path
        self.read_only = read_only

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Self]:
        """One read transaction: every query inside sees the same snapshot, whatever commits meanwhile."""
        conn = self.db.conn
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # starts the snapshot now
            yield self
        finally:
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def reading_once(self) -> Iterator[Self]:
        """:meth:`reading`, unless the caller is inside a transaction already (then its snapshot)."""
        if self.db.conn.in_transaction:
            yield self
        else:
            with self.reading():
                yield self

    def _before_commit(self) -> None:
        """Called inside a write transaction just before it commits: the parts of the store
        that defer work to the end of a transaction (``Facts``: the current rows) do it here."""

    def _after_rollback(self) -> None:
        """Called when a write transaction rolled back: forget what it deferred."""

    def write(self) -> Transaction[Self]:
        """One write transaction (BEGIN IMMEDIATE, so a second writer waits its turn)."""
        return Transaction(self)

    def _fill(self, table: str, values: Iterable[Any]) -> None:
        """Fill the one-column temp table ``table`` (a constant name) with ``values``."""
        conn = self.db.conn
        conn.execute(TEMP_CREATE[table])
        conn.execute(TEMP_CLEAR[table])
        conn.executemany(TEMP_FILL[table], ((v,) for v in values))
