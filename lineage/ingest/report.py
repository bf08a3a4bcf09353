"""What an import did, input by input: read counts, problems and warnings, and what was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from lineage.records import Notice, Problem
from lineage.store import UnitOutcome


@dataclass
class UnitReport:
    path: str
    importer: str
    node_count: int
    edge_count: int
    problems: list[Problem]
    outcome: UnitOutcome | None = None
    notices: list[Notice] = field(default_factory=list)


@dataclass
class ImportReport:
    units: list[UnitReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    committed: bool = False
    notices: list[Notice] = field(default_factory=list)  # warnings: reported, never a failure
    # Earlier imports whose classification this import changed, rewritten without reading them.
    reclassified: list[UnitReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def unrecognised(self) -> list[str]:
        """The files given by name that no importer recognised (each a problem), in order: the
        explorer asks which format to read them with.

        >>> from lineage.ingest.discover import NO_IMPORTER
        >>> from lineage.records import Location
        >>> problems = [Problem(Location("a.txt"), NO_IMPORTER), Problem(Location("b.yaml", line=2), "bad")]
        >>> ImportReport(problems=problems).unrecognised()
        ['a.txt']
        """
        from lineage.ingest.discover import NO_IMPORTER

        return [p.location.file for p in self.problems if p.message == NO_IMPORTER]

    @property
    def imported(self) -> int:
        """How many inputs wrote a new generation (unchanged and unreadable ones did not)."""
        return sum(1 for u in self.units if u.outcome and not u.outcome.unchanged)

    def changes(self) -> dict[str, int]:
        """What the graph gained and lost: ``nodes_added``, ``edges_added``, ``nodes_removed``,
        ``edges_removed``, over the new generations and the imports classified again."""
        written = [u.outcome for u in self.units if u.outcome and not u.outcome.unchanged]
        written += [u.outcome for u in self.reclassified if u.outcome]
        keys = ("nodes_added", "edges_added", "nodes_removed", "edges_removed")
        return {key: sum(getattr(o, key) for o in written) for key in keys}
