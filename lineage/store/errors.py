"""What goes wrong with a database, said in one line: :class:`StoreError` and :func:`explain`."""

from __future__ import annotations

import os
import sqlite3

BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_ENV = "LINEAGE_BUSY_TIMEOUT"  # seconds a writer waits for another writer
DatabaseError = sqlite3.DatabaseError  # what a damaged file raises on any read (see explain)


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
