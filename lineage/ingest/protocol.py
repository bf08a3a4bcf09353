"""What an importer is: a class with declared members, found as an entry point in ``lineage.importers``.

An importer turns one file or folder into records (:mod:`lineage.records`); it never writes SQL.
Subclass :class:`Importer` and set the class attributes; ``sniff`` and ``read`` are the two
methods every importer has.

>>> class Lines(Importer):
...     name = "lines"
...     description = "one node a line"
...     reads = "*.lines files"
...     def sniff(self, path): return path.suffix == ".lines"
...     def read(self, path, options=None): return iter(())
>>> Lines().priority, Lines().rank, dict(Lines().options)
(100, 1, {})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

from lineage.records import Record

# Where two sources disagree about one value, the lower rank wins (the merge's precedence): what a
# team declared (the native manifest) over what a log observed or a registry holds.
DECLARED = 0
OBSERVED = 1
# An import reads the inputs of importers of this priority or lower before the others, so the rules
# they declare (a manifest's ``configs:``) describe the files of the same import too.
READ_FIRST = 10


class Importer:
    """The base class of every importer."""

    name: ClassVar[str]
    """The format name users pass to ``--format``."""
    description: ClassVar[str]
    """One line, shown by ``lineage formats``."""
    reads: ClassVar[str]
    """What files or folders it reads, in words."""
    priority: ClassVar[int] = 100
    """Import order: a lower priority is read first (the manifest's classification rules, say)."""
    rank: ClassVar[int] = OBSERVED
    """Merge precedence: :data:`DECLARED` or :data:`OBSERVED`."""
    options: ClassVar[Mapping[str, str]] = MappingProxyType({})
    """The ``--option`` names it takes, to what each means; ``read`` gets the ones given."""

    def sniff(self, path: Path) -> bool:
        """A cheap test (reading at most a few KiB) whether this importer reads ``path``."""
        raise NotImplementedError

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterable[Record]:
        """The records of ``path`` (a file, or a folder for folder formats); raises
        :class:`lineage.records.InputError` when it cannot be read at all."""
        raise NotImplementedError
