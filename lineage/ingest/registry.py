"""The importer plug-in registry: every importer is an entry point in ``lineage.importers``.

An importer subclasses :class:`lineage.ingest.protocol.Importer` (its declared members say what
each is for). ``path`` may be a folder, for importers whose input is a folder (an MLflow store,
say).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from lineage.ingest.protocol import Importer

GROUP = "lineage.importers"


class UnknownFormat(LookupError):
    pass


@cache
def importers() -> tuple[Importer, ...]:
    """Every installed importer, in a stable order (by priority, then name)."""
    found: list[Importer] = []
    for ep in entry_points(group=GROUP):
        obj = ep.load()
        found.append(obj() if isinstance(obj, type) else obj)
    return tuple(sorted(found, key=lambda imp: (imp.priority, imp.name)))


def importer_named(name: str) -> Importer:
    for imp in importers():
        if imp.name == name:
            return imp
    known = ", ".join(i.name for i in importers())
    raise UnknownFormat(f"unknown format {name!r} (known: {known})")


def describe(importer: Importer) -> dict[str, Any]:
    """What ``lineage formats --json`` says of an importer: its name, description, what it
    reads and the options it takes (name to meaning)."""
    return {"name": importer.name, "description": importer.description, "reads": importer.reads,
            "options": dict(importer.options)}  # fmt: skip


def detect(path: Path) -> Importer | None:
    """The first importer whose ``sniff`` accepts ``path``, or None."""
    for imp in importers():
        try:
            if imp.sniff(path):
                return imp
        except OSError:
            return None
    return None
