"""Counts in words, for every line a person reads: "1 hop", "2 hops", "1,602 nodes"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is one (``plural``, or the noun and an "s"),
    thousands separated.

    >>> counted(1, "hop"), counted(2, "hop"), counted(0, "path"), counted(1602, "node")
    ('1 hop', '2 hops', '0 paths', '1,602 nodes')
    >>> counted(1, "dependency", "dependencies"), counted(3, "dependency", "dependencies")
    ('1 dependency', '3 dependencies')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
