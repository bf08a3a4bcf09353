"""The explorer's dock panels, one module each: search and facets, the inspector, the mode
panel, the tour panel (and the presenter's notes)."""

from lineage_gui.panels.inspector import InspectorView
from lineage_gui.panels.mode import ModePanel
from lineage_gui.panels.search import SearchPanel
from lineage_gui.panels.tours import NotesView, TourPanel

__all__ = ["InspectorView", "ModePanel", "NotesView", "SearchPanel", "TourPanel"]
