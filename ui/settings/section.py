"""The base of every settings tab, ``SettingsSection``, and the two kinds of explanatory label.

A section is a page laid out as a padded form (fields grow, labels align
right, rows stay at the top) inside a frameless scroll area, so a tab taller
than the dialog scrolls instead of squeezing its rows over each other; it
names its tab title and icon and reports the values of the
``core.settings.Settings`` fields it edits.  Explanatory
text is either a word-wrapped rich-text label (``wrapped``) or a muted note
(``muted_note``).

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget


class SettingsSection(QWidget):
    """One tab of the settings dialog; subclasses add their rows to ``self.form`` and implement ``values``."""

    TITLE: ClassVar[str]  # tab text ("&&" shows a literal ampersand)
    ICON: ClassVar[str]  # a ``ui.theme.icon`` name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The rows live on ``page`` inside a scroll area: below the rows' minimum height (a small
        # dialog, a 2x screen, the model catalogue's table) Qt would otherwise paint rows over each other.
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = QWidget()
        self.page.setObjectName("SettingsPage")
        self.scroll.setWidget(self.page)
        self.scroll.viewport().setAutoFillBackground(False)
        self.page.setAutoFillBackground(False)
        holder = QVBoxLayout(self)
        holder.setContentsMargins(0, 0, 0, 0)
        holder.addWidget(self.scroll)
        outer = QVBoxLayout(self.page)
        outer.setContentsMargins(16, 16, 16, 16)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(10)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(self.form)
        outer.addStretch(1)

    def values(self) -> dict[str, Any]:
        """The current value of every settings field this section edits, by field name."""
        raise NotImplementedError


def wrapped(text: str) -> QLabel:
    """A word-wrapped label (rich text allowed) that introduces the field below it."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def muted_note(text: str) -> QLabel:
    """A word-wrapped, de-emphasised explanation (the theme styles the ``muted`` property)."""
    note = QLabel(text)
    note.setWordWrap(True)
    note.setProperty("muted", True)
    return note
