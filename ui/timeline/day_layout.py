"""The timeline's day view layout: the hour strip over the moment (left) and the day's glance and list (right).

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget


def _column(*widgets: tuple[QWidget, int], spacing: int) -> QWidget:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget, stretch in widgets:
        layout.addWidget(widget, stretch)
    return column


def day_view(strip: QWidget, session_bar: QWidget, moment: QWidget, glance: QWidget, day_list: QWidget) -> QWidget:
    """Strip on top; below it the moment (under the session bar) beside the glance card and the day's list."""
    list_title = QLabel("THIS DAY")
    list_title.setObjectName("SectionTitle")
    right = _column((glance, 0), (list_title, 0), (day_list, 1), spacing=8)
    left = _column((session_bar, 0), (moment, 1), spacing=6)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 5)  # the screen is the page's main element
    splitter.setStretchFactor(1, 2)
    splitter.setChildrenCollapsible(False)
    splitter.setSizes([760, 340])
    return _column((strip, 0), (splitter, 1), spacing=10)
