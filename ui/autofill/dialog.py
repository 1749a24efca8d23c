"""The confirmation dialog of "fill form": exactly what goes where, filled only when the user clicks Fill.

Threads: GUI thread.  The fill itself is quick (xdotool typing); it runs on
the GUI thread after the click so nothing else can interleave.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.memory.profile.autofill import AutofillPlan, FieldSink, FillReport, UserConfirmation, execute_plan
from ui import theme


class AutofillDialog(QDialog):
    """Shows an ``AutofillPlan``; "Fill" confirms it (a user gesture) and types it into ``sink``."""

    filled = Signal(object)  # FillReport

    def __init__(self, plan: AutofillPlan, sink: FieldSink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self._sink = sink
        self.report: FillReport | None = None
        self.setWindowTitle("Fill this form?")
        self.setAccessibleName("Autofill confirmation")
        layout = QVBoxLayout(self)
        intro = QLabel("Cairn will type these values into the form. Nothing is filled until you click Fill.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        table = QTableWidget(len(plan.fills), 2, self)
        table.setHorizontalHeaderLabels(["Field", "Value"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, fill in enumerate(plan.fills):
            table.setItem(row, 0, QTableWidgetItem(fill.label))
            shown = QTableWidgetItem(fill.shown + ("  (re-enter your passphrase to fill)" if fill.locked else ""))
            if fill.locked:
                shown.setForeground(Qt.GlobalColor.gray)
                shown.setIcon(theme.icon("lock"))
            table.setItem(row, 1, shown)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        layout.addWidget(table)
        if plan.unmatched:
            skipped = QLabel("Left empty: " + ", ".join(f.label for f in plan.unmatched))
            skipped.setWordWrap(True)
            skipped.setProperty("muted", True)
            layout.addWidget(skipped)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.fill_button = buttons.addButton("Fill", QDialogButtonBox.ButtonRole.AcceptRole)
        self.fill_button.setEnabled(any(not f.locked for f in plan.fills))
        self.fill_button.clicked.connect(self._fill_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def present(self) -> None:
        """Show in front of the form being filled (another app has the focus, Cairn may be hidden in the tray)."""
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.show()
        self.raise_()
        self.activateWindow()

    def _fill_clicked(self) -> None:
        # The user's click is the confirmation; the token is bound to this exact plan.
        token = UserConfirmation.issue(self.plan, "click")
        self.report = execute_plan(self.plan, token, self._sink)
        self.filled.emit(self.report)
        self.accept()
