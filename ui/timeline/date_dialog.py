"""The "Jump to date" dialog (``Ctrl+G`` or the date button): a calendar, modal to the page.

A click or Enter on a date accepts it; Escape or closing the window cancels.
Days that hold memories are drawn bold in the accent colour: ``load_marks``
is asked for each month shown and calls back with those days (off the GUI
thread, so the calendar opens at once and the marks follow).

Threads: GUI thread only (runs a nested event loop via ``QDialog.exec``).
Errors: none raised; cancelling returns ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QDialog, QVBoxLayout, QWidget

from ui import theme

MarkLoader = Callable[[date, date, Callable[[set[date]], None]], None]  # first day, day after the last, callback


def ask_date(parent: QWidget, current: date, load_marks: MarkLoader | None = None) -> date | None:
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
    if load_marks is not None:
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setForeground(QColor(theme.colours().accent))

        def mark(days: set[date]) -> None:
            for day in days:
                calendar.setDateTextFormat(day, marked)
            dialog.setProperty("marked_days", len(days))

        def month_shown(year: int, month: int) -> None:
            first = date(year, month, 1)
            after = date(year + (month == 12), month % 12 + 1, 1)
            load_marks(first, after, mark)

        calendar.currentPageChanged.connect(month_shown)
        month_shown(current.year, current.month)
    layout = QVBoxLayout(dialog)
    layout.addWidget(calendar)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return calendar.selectedDate().toPython()
    return None
