"""Analyses: pure, typed functions over a lineage graph (see :mod:`lineage.graph`)."""

from lineage.analyses.impact import Impact, Reach, Reached, impact
from lineage.analyses.trace import Trace, trace

__all__ = ["Impact", "Reach", "Reached", "Trace", "impact", "trace"]
