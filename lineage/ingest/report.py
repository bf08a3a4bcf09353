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
