"""The timeline's day view layout: the hour strip over the moment (left) and the day's glance and list (right).

"Screen only" (the button over the moment, or Ctrl+B) hides the right column and the moment's neighbours, so
the screenshot is the page: scrub it with the strip, the arrow keys or an app session's slider.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from ui import theme


def _column(*widgets: tuple[QWidget, int], spacing: int) -> QWidget:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget, stretch in widgets:
        layout.addWidget(widget, stretch)
    return column


class DayView(QWidget):
    """Strip on top; below it the moment (under the session bar) beside the glance card and the day's list."""

    def __init__(self, strip: QWidget, session_bar: QWidget, moment: Any, glance: QWidget, day_list: QWidget) -> None:
        super().__init__()
        self._moment = moment
        list_title = QLabel("THIS DAY")
        list_title.setObjectName("SectionTitle")
        self.right = _column((glance, 0), (list_title, 0), (day_list, 1), spacing=8)
        self.screen_only = QToolButton()
        self.screen_only.setObjectName("Segment")
        self.screen_only.setCheckable(True)
        self.screen_only.setIcon(theme.icon("screen"))
        self.screen_only.setText("Screen only")
        self.screen_only.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.screen_only.setToolTip("Only the screen: hide the day's list and what happened around (Ctrl+B)")
        self.screen_only.toggled.connect(self.set_screen_only)
        QShortcut(QKeySequence("Ctrl+B"), self, self.screen_only.toggle)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(session_bar, 1)
        top.addStretch(0)
        top.addWidget(self.screen_only, 0, Qt.AlignmentFlag.AlignRight)
        head = QWidget()
        head.setLayout(top)
        left = _column((head, 0), (moment, 1), spacing=6)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 5)  # the screen is the page's main element
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([760, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(strip)
        layout.addWidget(splitter, 1)

    def set_screen_only(self, on: bool) -> None:
        """The screenshot as the whole page (True) or beside the day's list (False)."""
        if self.screen_only.isChecked() != on:
            self.screen_only.setChecked(on)  # emits toggled → here again
            return
        self.right.setVisible(not on)
        self._moment.set_around_shown(not on)


def day_view(strip: QWidget, session_bar: QWidget, moment: Any, glance: QWidget, day_list: QWidget) -> DayView:
    """The day view (kept as a function: the page builds it in one line)."""
    return DayView(strip, session_bar, moment, glance, day_list)
