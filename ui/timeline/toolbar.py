"""The timeline's toolbar: ◀ date ▶, Today, Latest, the memory count, and the Day/Week/Month
segment.

The toolbar only shows and reports: each button emits a ``*_requested`` signal
and the page decides what it means; the page tells it the period's title
(``set_period``), the count text and the checked zoom.

Threads: GUI thread only.
Errors: none raised; ``set_zoom`` with an unknown mode raises ``KeyError`` (a programming error).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from ui import theme
from ui.timeline.periods import PeriodTitle

ZOOM_MODES = (("day", "Day"), ("week", "Week"), ("month", "Month"))


class TimelineToolbar(QWidget):
    previous_requested = Signal()
    next_requested = Signal()
    date_requested = Signal()
    today_requested = Signal()
    latest_requested = Signal()
    zoom_requested = Signal(str)  # "day", "week" or "month"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prev = _icon_button("chevron-left", "Previous day (Page Up)")
        self._prev.clicked.connect(self.previous_requested)
        self._next = _icon_button("chevron-right", "Next day (Page Down)")
        self._next.clicked.connect(self.next_requested)
        self._date_button = QToolButton()
        self._date_button.setObjectName("Flat")
        self._date_button.setAccessibleName("Choose a date")
        self._date_button.setToolTip("Jump to a date (Ctrl+G)")
        self._date_button.clicked.connect(self.date_requested)
        self._date_button.setStyleSheet("font-size: 16px; font-weight: 600; padding: 4px 10px;")
        self._today = QToolButton()
        self._today.setText("Today")
        self._today.setObjectName("Segment")
        self._today.setAccessibleName("Go to today")
        self._today.clicked.connect(self.today_requested)
        self._latest = QToolButton()
        self._latest.setText("Latest")
        self._latest.setObjectName("Segment")
        self._latest.setToolTip("Go to the most recent day with memories")
        self._latest.setAccessibleName("Go to the latest day with memories")
        self._latest.clicked.connect(self.latest_requested)
        self._count_label = QLabel()
        self._count_label.setProperty("muted", True)

        self._zoom_group = QButtonGroup(self)
        self._zoom_buttons: dict[str, QToolButton] = {}
        zoom_box = QHBoxLayout()
        zoom_box.setSpacing(0)
        for i, (mode, label) in enumerate(ZOOM_MODES):
            b = QToolButton()
            b.setText(label)
            b.setObjectName("Segment")
            b.setCheckable(True)
            b.setAccessibleName(f"{label} view")
            b.setToolTip(f"{label} view (Ctrl+{i + 1})")
            b.setChecked(mode == "day")
            b.clicked.connect(lambda _c=False, m=mode: self.zoom_requested.emit(m))
            self._zoom_group.addButton(b)
            zoom_box.addWidget(b)
            self._zoom_buttons[mode] = b

        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)  # sits in the page's layout as a plain row, as a sub-layout would
        bar.setSpacing(6)
        bar.addWidget(self._prev)
        bar.addWidget(self._date_button)
        bar.addWidget(self._next)
        bar.addSpacing(6)
        bar.addWidget(self._today)
        bar.addWidget(self._latest)
        bar.addSpacing(10)
        bar.addWidget(self._count_label)
        bar.addStretch(1)
        bar.addLayout(zoom_box)

    def set_period(self, title: PeriodTitle) -> None:
        """Show the period's name on the date button and say it in ◀/▶'s tooltips."""
        self._date_button.setText(title.text)
        self._prev.setToolTip(f"Previous {title.unit}")
        self._next.setToolTip(f"Next {title.unit}")
        self._prev.setAccessibleName(f"Previous {title.unit}")
        self._next.setAccessibleName(f"Next {title.unit}")

    def set_count_text(self, text: str) -> None:
        self._count_label.setText(text)

    def count_text(self) -> str:
        return self._count_label.text()

    def set_zoom(self, mode: str) -> None:
        """Check ``mode``'s segment button (the group unchecks the others); emits nothing."""
        self._zoom_buttons[mode].setChecked(True)

    def retheme(self) -> None:
        """Re-colour the icon buttons after a theme change."""
        for b in (self._prev, self._next):
            b.setIcon(theme.icon(b.property("icon_name")))


def _icon_button(icon_name: str, tip: str) -> QToolButton:
    b = QToolButton()
    b.setObjectName("Flat")
    b.setIcon(theme.icon(icon_name))
    b.setToolTip(tip)
    b.setAccessibleName(tip.split(" (")[0])
    b.setProperty("icon_name", icon_name)  # retheme() redraws the icon in the new colour
    return b
