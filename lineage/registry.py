"""The importer plug-in registry: every importer is an entry point in ``lineage.importers``.

An importer is a class (or object) with:

* ``name``: the format name users pass to ``--format``;
* ``description``: one line, shown by ``lineage formats``;
* ``reads``: what files or folders it reads, in words;
* ``sniff(path) -> bool``: a cheap test (reads at most a few KiB) whether it reads ``path``;
* ``read(path[, options]) -> Iterable[NodeRecord | EdgeRecord | Problem | Setting | Progress]``:
  the records of ``path``, raising :class:`lineage.records.InputError` when the input cannot be
  read at all;
* optionally ``options``: a dict of the option names it takes (``lineage import --option``)
  to what each means; ``read`` then gets the options given as a second argument.

``path`` may be a folder, for importers whose input is a folder (an MLflow store, say).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable

from lineage.records import Record

GROUP = "lineage.importers"


@runtime_checkable
class Importer(Protocol):
    name: str
    description: str
    reads: str

    def sniff(self, path: Path) -> bool: ...

    def read(self, path: Path) -> Iterable[Record]: ...


class UnknownFormat(LookupError):
    pass


@cache
def importers() -> tuple[Importer, ...]:
    """Every installed importer, in a stable order (by priority, then name)."""
    found = []
    for ep in entry_points(group=GROUP):
        obj = ep.load()
        found.append(obj() if isinstance(obj, type) else obj)
    return tuple(sorted(found, key=lambda imp: (getattr(imp, "priority", 100), imp.name)))


def importer_named(name: str) -> Importer:
    for imp in importers():
        if imp.name == name:
            return imp
    known = ", ".join(i.name for i in importers())
    raise UnknownFormat(f"unknown format {name!r} (known: {known})")


def detect(path: Path) -> Importer | None:
    """The first importer whose ``sniff`` accepts ``path``, or None."""
    for imp in importers():
        try:
            if imp.sniff(path):
                return imp
        except OSError:
            return None
    return None
