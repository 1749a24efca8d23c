"""The "Jump to date" dialog (``Ctrl+G`` or the date button): a calendar, modal to the page.

A click or Enter on a date accepts it; Escape or closing the window cancels.

Threads: GUI thread only (runs a nested event loop via ``QDialog.exec``).
Errors: none raised; cancelling returns ``None``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QCalendarWidget, QDialog, QVBoxLayout, QWidget


def ask_date(parent: QWidget, current: date) -> date | None:
    """Let the user pick a date, starting at ``current``; ``None`` when the dialog was cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Jump to date")
    calendar = QCalendarWidget(dialog)
    calendar.setAccessibleName("Calendar")
    calendar.setSelectedDate(current)
    calendar.setGridVisible(False)
    calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
    calendar.activated.connect(dialog.accept)
    calendar.clicked.connect(dialog.accept)
    layout = QVBoxLayout(dialog)
    layout.addWidget(calendar)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return calendar.selectedDate().toPython()
    return None
