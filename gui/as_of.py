"""The as-of view: the graph as it was at a chosen moment. A bar above the canvas holds a
slider over every generation (oldest on the left, now on the right) and a date field; while the
past is shown the bar stays, tinted, with "Back to now", the status bar carries a badge that
goes back to now when clicked, and the window's title says "as of". Every mode draws the graph
of that moment: the model loads it (:meth:`~lineage_gui.model.ExplorerModel.set_as_of`) as a
refresh does, off the UI thread on a large database (the views wait for it, and say so)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSlider, QToolButton, QWidget

from lineage.views.generations import Generation, generations
from lineage.when import moment_time, parse_when

if TYPE_CHECKING:
    from lineage_gui.window import MainWindow

PAST_TINT = "#f3d98b"  # the bar and the badge while the past is shown: amber, readable in both themes
PAST_TEXT = "#3a2a00"


class AsOfBar(QWidget):
    """The slider over the generations and the date field. ``momentChosen(moment)``: a moment
    to show ("" for now)."""

    momentChosen = Signal(str)  # noqa: N815 (Qt signal style)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("asOfBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the tint of the past
        self.steps: list[Generation] = []  # oldest first: the slider's positions
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        self.title = QLabel("As of:")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setTracking(False)  # one load when the handle is let go, not one per pixel
        self.slider.setPageStep(1)
        self.slider.setToolTip("Every import, oldest on the left; the right end is now")
        self.slider.valueChanged.connect(self._slid)
        self.slider.sliderMoved.connect(lambda at: self.where.setText(self._label(at)))
        self.where = QLabel()
        self.where.setMinimumWidth(300)
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.date.setToolTip("The graph as it was at this date or time (ISO 8601), Enter to show it")
        self.date.setMaximumWidth(150)
        self.date.returnPressed.connect(self._dated)
        self.now = QPushButton("Back to now")
        self.now.clicked.connect(lambda: self.momentChosen.emit(""))
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this bar (the graph stays as it is shown)")
        close.clicked.connect(self.hide)
        for widget in (self.title, self.slider, self.where, QLabel("or date:"), self.date, self.now, close):
            row.addWidget(widget)
        row.setStretch(1, 1)
        self.error = ""  # the last date that could not be read, said in the status bar

    def set_generations(self, imports: list[dict]) -> None:
        self.steps = list(reversed(generations(imports)))
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(len(self.steps) - 1, 0))
        self.slider.blockSignals(False)

    def show_moment(self, moment: str | None) -> None:
        """Put the slider where ``moment`` is (the right end for now), without asking for it."""
        at = len(self.steps) - 1
        if moment is not None:
            at = next((i for i, g in enumerate(self.steps) if g.moment == moment), at)
            if all(g.moment != moment for g in self.steps):  # a date: the last generation up to it
                at = max((i for i, g in enumerate(self.steps) if _before(g.moment, moment)), default=0)
        self.slider.blockSignals(True)
        self.slider.setValue(max(at, 0))
        self.slider.blockSignals(False)
        dated = moment is not None and all(g.moment != moment for g in self.steps)
        self.where.setText(f"{moment_time(moment)}  ({self._label(at)})" if dated else self._label(at))
        self.now.setEnabled(moment is not None)
        colour = f"background: {PAST_TINT}; color: {PAST_TEXT};" if moment is not None else ""
        self.setStyleSheet(f"QWidget#asOfBar {{{colour}}} QLabel {{{colour and f'color: {PAST_TEXT};'}}}")

    def _label(self, at: int) -> str:
        if not self.steps or at < 0:
            return "no imports"
        return ("now: " if at == len(self.steps) - 1 else "after ") + self.steps[at].label

    def _slid(self, at: int) -> None:
        self.momentChosen.emit("" if at >= len(self.steps) - 1 else self.steps[at].moment)

    def _dated(self) -> None:
        try:
            moment = parse_when(self.date.text())
        except ValueError as exc:
            self.error = str(exc)
            self.momentChosen.emit("?")
            return
        self.momentChosen.emit(moment)


def _before(generation: str, moment: str) -> bool:
    return generation.partition("#")[0] <= moment


class AsOf:
    """The as-of view in a window: the bar above the canvas, the badge in the status bar, the
    window's title, and the model asked for the graph of the moment chosen."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.bar = AsOfBar()
        self.bar.hide()
        self.bar.momentChosen.connect(self.choose)
        self.badge = QToolButton()
        self.badge.setToolTip("The graph shown is of the past: click to go back to now")
        self.badge.setStyleSheet(f"background: {PAST_TINT}; color: {PAST_TEXT}; padding: 0 6px;")
        self.badge.clicked.connect(lambda: self.choose(""))
        self.badge.hide()
        window.statusBar().addPermanentWidget(self.badge)
        window.model.graphChanged.connect(self.loaded)

    def toggle(self) -> None:
        """View ▸ As of…: show the bar (its date field ready to type in), or hide it."""
        if self.bar.isVisible():
            self.bar.hide()
            return
        self.bar.show()
        self.bar.show_moment(self.window.model.as_of)
        self.bar.date.setFocus()

    def choose(self, moment: str) -> None:
        """Show the graph at ``moment`` ("" now, "?" a date the bar could not read)."""
        if moment == "?":
            self.window.statusBar().showMessage(self.bar.error)
            return
        wanted = moment or None
        model = self.window.model
        if wanted == model.as_of:
            return
        model.set_as_of(wanted)
        self.bar.show_moment(wanted)
        note = f"As of {moment_time(wanted)}" if wanted else "Back to now"
        self.window.reload_graph(note)
        if model.loading():  # a large database: the view says what it waits for (the picture stays)
            self.window.request_scene()

    def loaded(self) -> None:
        """A graph is in: the bar, the badge and the title say which moment it is of."""
        model = self.window.model
        self.bar.set_generations(model.imports)
        self.bar.show_moment(model.loaded_as_of)
        past = model.loaded_as_of
        self.badge.setVisible(past is not None)
        if past is not None:
            self.badge.setText(f"Past: as of {moment_time(past)[:16]}  ✕")
            self.bar.show()
        title = f"Lineage Explorer — {model.db_path}"
        self.window.setWindowTitle(title + (f" — as of {moment_time(past)[:16]}" if past else ""))

    def waiting_for(self) -> str:
        """What a view waits for while a graph loads: the whole graph, or the graph of a moment."""
        as_of = self.window.model.as_of
        return f"the graph as of {moment_time(as_of)[:16]}" if as_of else "the whole graph"

    def way_on(self) -> str:
        """How not to wait: Explore of the graph now is drawn from the database at once."""
        if self.window.model.as_of:
            return 'The "Past: as of" badge goes back to now.'
        return "Esc goes back to Explore, drawn from the database now."
