"""Analyses: pure, typed functions over a lineage graph (see :mod:`lineage.graph`)."""

from lineage.analyses.cascades import correction_cascades
from lineage.analyses.columns import unused_fields
from lineage.analyses.diff import Changed, Diff, diff
from lineage.analyses.finding import Finding
from lineage.analyses.findings import FINDING_KINDS, find_all
from lineage.analyses.flags import FlagGeneration, dead_flags, repurposed_flags
from lineage.analyses.hotspots import cace_hotspots, downstream_counts
from lineage.analyses.impact import Impact, Reach, Reached, impact
from lineage.analyses.loops import feedback_loops, undeclared_consumers
from lineage.analyses.signals import (
    bundled_features,
    deprecated_in_use,
    epsilon_features,
    legacy_features,
    unused_features,
)
from lineage.analyses.simulate import Affected, Simulation, simulate
from lineage.analyses.trace import Trace, trace

__all__ = [
    "FINDING_KINDS", "Affected", "Changed", "Diff", "Finding", "FlagGeneration", "Impact", "Reach", "Reached",
    "Simulation", "Trace", "bundled_features", "cace_hotspots", "correction_cascades",
    "dead_flags", "deprecated_in_use", "diff", "downstream_counts", "epsilon_features",
    "feedback_loops", "find_all", "impact", "legacy_features", "repurposed_flags", "simulate",
    "trace", "undeclared_consumers", "unused_features", "unused_fields",
]  # fmt: skip
