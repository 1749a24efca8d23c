"""The memory graph page's right-hand panel: the overview before a selection, the selected entity's detail after.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from ui.graph.panels import AutoMergeRow


def build_detail(self: Any) -> QWidget:
    """The right-hand panel of ``page`` (its widgets become attributes of the page, which wires them)."""
    panel = QWidget()
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    self.title = QLabel("Your memory at a glance")
    self.title.setObjectName("Hero")
    self.title.setWordWrap(True)
    outer.addWidget(self.title)
    # before a selection: who and what matters most, one click from its detail
    self.overview_box = QWidget()
    ov = QVBoxLayout(self.overview_box)
    ov.setContentsMargins(0, 0, 0, 0)
    self.overview_hint = QLabel("The people, places and projects your memories mention most. "
                                "Click one here or a dot on the left; scroll to zoom, drag to move.")
    self.overview_hint.setWordWrap(True)
    self.overview_hint.setProperty("muted", True)
    self.overview = QListWidget()
    self.overview.setAccessibleName("Most important")
    self.overview.itemActivated.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
    self.overview.itemClicked.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
    ov.addWidget(self.overview_hint)
    ov.addWidget(self.overview, 1)
    outer.addWidget(self.overview_box, 1)
    # after a selection: the entity's detail and its edits
    self.selection_box = QWidget()
    v = QVBoxLayout(self.selection_box)
    v.setContentsMargins(0, 0, 0, 0)
    self.aliases = QLabel("")
    self.aliases.setWordWrap(True)
    self.aliases.setProperty("muted", True)
    self.timeline_chart = QLabel()  # one bar a day (or a few days), drawn as a picture: rich text cannot
    self.timeline_chart.setAccessibleName("Mentions over time")
    self.timeline = QLabel("")
    self.timeline.setWordWrap(True)
    self.timeline.setProperty("muted", True)
    self.facts = QListWidget()
    self.facts.setAccessibleName("Facts")
    self.neighbours = QListWidget()
    self.neighbours.setAccessibleName("Related")
    self.neighbours.itemDoubleClicked.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
    self.memories = QListWidget()
    self.memories.setAccessibleName("Memories")
    for rows in (self.facts, self.neighbours, self.memories):  # long rows end in "…", no sideways scrolling
        rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows.setTextElideMode(Qt.TextElideMode.ElideRight)
    self.memories.itemDoubleClicked.connect(self._open_memory)
    buttons = QHBoxLayout()
    buttons.setSpacing(4)
    self.back_button = QPushButton("← Overview")
    self.back_button.clicked.connect(self.clear_selection)
    self.rename_button = QPushButton("Rename…")
    self.rename_button.clicked.connect(self._rename)
    self.merge_button = QPushButton("Merge…")
    self.merge_button.clicked.connect(self._merge)
    self.delete_button = QPushButton("Delete")
    self.delete_button.clicked.connect(self._delete)
    buttons.addWidget(self.back_button)
    buttons.addStretch(1)
    for b in (self.rename_button, self.merge_button, self.delete_button):
        b.setEnabled(False)
        buttons.addWidget(b)
    fact_buttons = QHBoxLayout()
    self.confirm_button = QPushButton("Confirm fact")
    self.confirm_button.clicked.connect(lambda: self._fact_action("confirm"))
    self.edit_button = QPushButton("Correct…")
    self.edit_button.clicked.connect(lambda: self._fact_action("edit"))
    self.reject_button = QPushButton("Wrong")
    self.reject_button.clicked.connect(lambda: self._fact_action("reject"))
    for b in (self.confirm_button, self.edit_button, self.reject_button):
        fact_buttons.addWidget(b)
    v.addWidget(self.aliases)
    self.auto_merge_row = AutoMergeRow(self._undo_auto_merge)
    self._auto_merge: Any = None
    v.addWidget(self.auto_merge_row)
    v.addLayout(buttons)
    v.addWidget(QLabel("Facts (with history)"))
    v.addWidget(self.facts, 2)
    v.addLayout(fact_buttons)
    v.addWidget(QLabel("Mentions over time"))
    v.addWidget(self.timeline_chart)
    v.addWidget(self.timeline)
    v.addWidget(QLabel("Related"))
    v.addWidget(self.neighbours, 1)
    v.addWidget(QLabel("Memories (double-click to open)"))
    v.addWidget(self.memories, 2)
    outer.addWidget(self.selection_box, 3)
    self.selection_box.hide()
    return panel
