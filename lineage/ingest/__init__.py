"""Reading inputs into the store: the importer protocol, discovery, reading, classification and
the one import session the command line, the explorer, `check` and the demo share.

One job a module: :mod:`~lineage.ingest.protocol` (what an importer is),
:mod:`~lineage.ingest.registry` (the installed importers), :mod:`~lineage.ingest.discover`
(the inputs under the paths given), :mod:`~lineage.ingest.read` (one input into a unit),
:mod:`~lineage.ingest.settle` (order, options, teams' configs, the one write transaction),
:mod:`~lineage.ingest.classify`, :mod:`~lineage.ingest.reclassify` and
:mod:`~lineage.ingest.rawunits` (a log node's real kind, now and when its context changes),
:mod:`~lineage.ingest.held` and :mod:`~lineage.ingest.streamed` (a unit kept encoded until its
commit, then classified and written a piece at a time), and
:mod:`~lineage.ingest.session` (:class:`ImportSession`, which runs them in order).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from lineage.ingest.protocol import DECLARED, OBSERVED, Importer

if TYPE_CHECKING:
    from lineage.ingest.registry import UnknownFormat, detect, importer_named, importers
    from lineage.ingest.report import ImportReport, UnitReport
    from lineage.ingest.session import Cancelled, Found, ImportSession, import_paths
    from lineage.ingest.settle import Plan

# Loaded on first use, so an importer that subclasses protocol.Importer loads no store or SQLite.
_LAZY = {
    "UnknownFormat": "registry", "detect": "registry", "importer_named": "registry", "importers": "registry",
    "ImportReport": "report", "UnitReport": "report", "Plan": "settle",
    "Cancelled": "session", "Found": "session", "ImportSession": "session", "import_paths": "session",
}  # fmt: skip

__all__ = [
    "DECLARED", "OBSERVED", "Cancelled", "Found", "ImportReport", "ImportSession", "Importer", "Plan",
    "UnitReport", "UnknownFormat", "detect", "import_paths", "importer_named", "importers",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
