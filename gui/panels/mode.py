"""The side panels of each mode: trace endpoints, impact options, the removal list, the
findings tree, the generation to compare with. They only hold widgets and say what changed."""

from __future__ import annotations

from lineage_gui.plain import tooltip
from lineage_gui.theme import hint_colour
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lineage.analyses import FINDING_KINDS, Finding
from lineage.views.generations import BEFORE_EVERYTHING, generations

HINTS = {
    "explore": "Double-click a node to focus it. Click a +N badge to show what is hidden "
    "beyond it, and − to fold it again. Right-click for more.",
    "trace": "Every node on a path between two nodes. Right-click a node: Trace from / to.",
    "impact": "What a change to the focused node reaches, in rings by hop distance.",
    "simulate": "Click a node or an edge to remove it (again to restore it): broken nodes turn "
    "red, degraded ones orange. Ctrl+Z and Ctrl+Shift+Z undo and redo.",
    "findings": "Click a finding to see the part of the graph it is about.",
    "diff": "What was added, removed or changed since the generation you choose.",
}


def _summary() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # the summary names nodes
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    return label


class ModePanel(QStackedWidget):
    traceRequested = Signal(str, str)  # noqa: N815 (Qt signal style)
    impactChanged = Signal()  # noqa: N815
    findingChosen = Signal(object)  # noqa: N815
    generationChosen = Signal(str)  # noqa: N815
    clearRemovals = Signal()  # noqa: N815

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pages: dict[str, QWidget] = {}
        self.summaries: dict[str, QLabel] = {}
        self.hints: list[QLabel] = []
        for mode in HINTS:
            page = QWidget()
            layout = QVBoxLayout(page)
            hint = QLabel(HINTS[mode])
            hint.setWordWrap(True)
            self.hints.append(hint)
            layout.addWidget(hint)
            getattr(self, f"_build_{mode}")(layout)
            self.summaries[mode] = _summary()
            layout.addWidget(self.summaries[mode])
            layout.addStretch(1)
            self.pages[mode] = page
            self.addWidget(page)

    def show_theme(self, dark: bool) -> None:
        """Hints in a quieter colour that still reads on the palette's background."""
        for hint in self.hints:
            hint.setStyleSheet(f"color: {hint_colour(dark)};")

    def show_mode(self, mode: str) -> None:
        self.setCurrentWidget(self.pages[mode])

    def set_summary(self, mode: str, lines: list[str]) -> None:
        self.summaries[mode].setText("\n".join(lines))

    def _build_explore(self, layout) -> None:
        pass

    def _build_trace(self, layout) -> None:
        form = QFormLayout()
        self.trace_from = QLineEdit()
        self.trace_to = QLineEdit()
        self.trace_from.setPlaceholderText("a node id or name")
        self.trace_to.setPlaceholderText("a node id or name")
        form.addRow("From", self.trace_from)
        form.addRow("To", self.trace_to)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        button = QPushButton("Trace")
        button.clicked.connect(self.emit_trace)
        self.trace_to.returnPressed.connect(self.emit_trace)
        self.reverse = QPushButton("⇄ Reverse")
        self.reverse.setToolTip("Trace the other way: from To back to From")
        self.reverse.clicked.connect(self.reverse_trace)
        buttons.addWidget(button)
        buttons.addWidget(self.reverse)
        layout.addLayout(buttons)

    def emit_trace(self) -> None:
        self.traceRequested.emit(self.trace_from.text().strip(), self.trace_to.text().strip())

    def reverse_trace(self) -> None:
        """From and To swapped, and traced (when there is no path one way, there may be the other)."""
        start, end = self.trace_from.text(), self.trace_to.text()
        self.trace_from.setText(end)
        self.trace_to.setText(start)
        self.emit_trace()

    def _build_impact(self, layout) -> None:
        self.upstream = QCheckBox("Include upstream (what it depends on)")
        self.upstream.toggled.connect(lambda _: self.impactChanged.emit())
        layout.addWidget(self.upstream)

    def _build_simulate(self, layout) -> None:
        self.removed_list = QListWidget()
        self.removed_list.setMaximumHeight(120)
        layout.addWidget(QLabel("Removed:"))
        layout.addWidget(self.removed_list)
        row = QHBoxLayout()
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clearRemovals.emit)
        for b in (self.undo_button, self.redo_button, clear):
            row.addWidget(b)
        layout.addLayout(row)

    def _build_findings(self, layout) -> None:
        self.findings_tree = QTreeWidget()
        self.findings_tree.setHeaderHidden(True)
        self.findings_tree.setMinimumHeight(260)
        self.findings_tree.itemActivated.connect(self._finding_item)
        self.findings_tree.itemClicked.connect(self._finding_item)
        layout.addWidget(self.findings_tree)

    def set_findings(self, findings: dict[str, list[Finding]], names) -> None:
        tree = self.findings_tree
        tree.clear()
        for kind, items in findings.items():
            top = QTreeWidgetItem([f"{kind.replace('_', ' ')} ({len(items)})"])
            top.setToolTip(0, FINDING_KINDS[kind])
            tree.addTopLevelItem(top)
            for finding in items:
                label = " → ".join(names(n) for n in finding.nodes[:4])
                label += " …" if len(finding.nodes) > 4 else ""
                if finding.details.get("hidden"):
                    label = "[hidden] " + label
                child = QTreeWidgetItem([label])
                child.setToolTip(0, tooltip(finding.reason))
                child.setData(0, Qt.ItemDataRole.UserRole, finding)
                top.addChild(child)
        tree.expandAll()

    def _finding_item(self, item: QTreeWidgetItem) -> None:
        finding = item.data(0, Qt.ItemDataRole.UserRole)
        if finding is not None:
            self.findingChosen.emit(finding)

    def _build_diff(self, layout) -> None:
        self.generations = QComboBox()
        self.generations.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.generations.setMinimumContentsLength(24)  # the dock stays narrow; the list opens wide
        self.generations.view().setMinimumWidth(460)
        self.generations.activated.connect(lambda i: self.generationChosen.emit(self.generations.itemData(i)))
        label = QLabel("Compare the graph with the graph just after the import:")
        label.setWordWrap(True)  # the dock stays narrow
        layout.addWidget(label)
        layout.addWidget(self.generations)

    def set_generations(self, imports: list[dict]) -> None:
        """Every import, newest first (see :func:`lineage.views.generations.generations`), and
        the empty graph before the first."""
        self.generations.clear()
        for generation in generations(imports):
            self.generations.addItem(generation.label, generation.moment)
        if imports:
            self.generations.addItem("before the first import (nothing)", BEFORE_EVERYTHING)

    def show_since(self, since: str | None) -> None:
        """The generation a diff compares with, chosen in the list (none for a date given)."""
        self.generations.setCurrentIndex(self.generations.findData(since) if since else -1)
