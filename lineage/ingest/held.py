"""A unit read and held until its commit: its records compressed, beside what classifying the
other units needs from it.

An import reads every input before it writes any (one transaction: nothing is written if
anything is wrong), so holding every source's records as objects would make its memory the sum
of all its sources. A :class:`HeldUnit` keeps the records encoded as read
(:mod:`lineage.ingest.rawunits`, a few bytes a record) and the unit's
:class:`~lineage.ingest.reclassify.Summary`; the commit loads, classifies and writes one unit at
a time, so it holds the records of one source at most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lineage.ingest import rawunits, reclassify
from lineage.records import Problem
from lineage.store import ImportUnit


@dataclass(frozen=True)
class HeldUnit:
    """One source's unit, held: ``shell`` is the unit without its records (its source, path,
    hash, times, problems, notices and settings), ``body`` the records as read, encoded."""

    shell: ImportUnit
    body: bytes
    summary: reclassify.Summary
    node_count: int
    edge_count: int

    @property
    def problems(self) -> list[Problem]:
        return self.shell.problems

    def load(self) -> ImportUnit:
        """The unit as it was read, records and all."""
        unit = rawunits.decode(self.body, self.shell)
        return replace(unit, problems=self.shell.problems, notices=self.shell.notices, settings=self.shell.settings)


def hold(unit: ImportUnit) -> HeldUnit:
    """``unit`` held (:class:`HeldUnit`): ``unit`` itself may then go."""
    shell = replace(unit, nodes={}, edges={}, edge_evidence={}, node_locations={}, edge_locations={})
    return HeldUnit(shell, rawunits.encode(unit), reclassify.summary(unit), len(unit.nodes), len(unit.edges))
