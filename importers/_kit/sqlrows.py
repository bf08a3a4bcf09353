"""Rows of another tool's SQLite store, checked: text decoded, numbers where numbers belong.

Stores are opened with ``text_factory = bytes`` so that a value that is not UTF-8 becomes a
problem at its table and row instead of an exception that stops the whole import.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any


def decode_row(
    row: Sequence[Any], columns: Sequence[str], *, integer: Collection[str] = (),
    number: Collection[str] = (), binary: Collection[str] = (),
) -> tuple[Any, ...] | str:  # fmt: skip
    """The row with its text decoded, or why it cannot be read.

    >>> decode_row((b"ctr", 3), ("name", "version"), integer={"version"})
    ('ctr', 3)
    >>> decode_row((b"c\\xfftr", 3), ("name", "version"))
    'column name is not UTF-8 text'
    >>> decode_row((b"ctr", b"three"), ("name", "version"), integer={"version"})
    "column version must be an integer, not 'three'"
    """
    out = []
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, bytes) and column not in binary:
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                return f"column {column} is not UTF-8 text"
        if value is not None and column in integer and (not isinstance(value, int) or isinstance(value, bool)):
            return f"column {column} must be an integer, not {value!r}"[:200]
        if value is not None and column in number and not isinstance(value, int | float):
            return f"column {column} must be a number, not {value!r}"[:200]
        out.append(value)
    return tuple(out)
