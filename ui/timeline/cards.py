"""The timeline's framed cards (object name ``Card``, styled by the theme): the day view's
"day at a glance" card and the week/month card holding the heat map under its hint line.

Both only lay out and show what the page gives them; their content comes from
``glance.glance_text`` and ``count_text.density_hint_text``.

Threads: GUI thread only.
Errors: none raised.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.timeline.density import DensityView
from ui.timeline.glance import GlanceText


class GlanceCard(QFrame):
    """A section title over rich text whose ``item:<id>`` links are reported by ``link_activated``."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setAccessibleName("Day at a glance")
        self.text_label.linkActivated.connect(self.link_activated)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.title_label = QLabel("DAY AT A GLANCE")
        self.title_label.setObjectName("SectionTitle")
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)

    def show_glance(self, glance: GlanceText) -> None:
        self.title_label.setText(glance.title)
        self.text_label.setText(glance.html)

    def clear(self) -> None:
        """Empty the text (the title keeps its last wording, as the page always did)."""
        self.text_label.setText("")


class DensityCard(QFrame):
    """The week/month heat map (``view``) under a muted hint line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = DensityView()
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self._hint = QLabel()
        self._hint.setProperty("muted", True)
        layout.addWidget(self._hint)
        layout.addWidget(self.view, 1)

    def set_hint(self, text: str) -> None:
        self._hint.setText(text)

    def hint(self) -> str:
        return self._hint.text()
