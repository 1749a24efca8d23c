"""Parts of the graph's side panel: the overview before a selection and the automatic-merge notice with Undo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QWidget

from ui import theme
from ui.graph.canvas import KIND_COLOURS, dot

KIND_LABELS = MappingProxyType({"person": "People", "org": "Organisations", "place": "Places", "project": "Projects",
                                "topic": "Topics", "work": "Books & titles", "app": "Apps", "file": "Files",
                                "date": "Dates"})
OVERVIEW_KINDS = ("person", "place", "project", "org", "topic", "work", "app")
PER_KIND = 5
RELATION_WORDS = MappingProxyType({"co_occurs": "mentioned together", "talks_with": "talks with"})


def related_rows(neighbours: Iterable[tuple[Any, str, float]]) -> list[tuple[Any, str]]:
    """One row per related entity, strongest first, with all its relations ("talks with (6), co-occurs (4)").

    Two entities can be linked by several relations; listed one per relation, the same person stood in
    "Related" twice."""
    rows: dict[int, tuple[Any, list[tuple[str, float]]]] = {}
    for other, rel, weight in neighbours:
        rows.setdefault(other.id, (other, []))[1].append((rel, weight))
    ordered = sorted(rows.values(), key=lambda row: -max(w for _, w in row[1]))
    return [(other, ", ".join(f"{RELATION_WORDS.get(rel, rel.replace('_', ' '))} ({int(weight)})"
                              for rel, weight in sorted(rels, key=lambda r: -r[1])))
            for other, rels in ordered]


def fill_overview(overview: QListWidget, ranked: list[Any]) -> None:
    """The most important entities of each kind (``ranked``: most important first), under a kind heading."""
    overview.clear()
    by_kind: dict[str, list[Any]] = {}
    for node in ranked:
        by_kind.setdefault(node.kind, []).append(node)
    for kind in OVERVIEW_KINDS:
        nodes = by_kind.get(kind, [])[:PER_KIND]
        if not nodes:
            continue
        header = QListWidgetItem(KIND_LABELS[kind].upper())
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        header.setForeground(QColor(theme.colours().muted))
        overview.addItem(header)
        for node in nodes:
            row = QListWidgetItem(dot(KIND_COLOURS[kind]), f"{node.name}  ·  {node.mentions} memories")
            row.setData(Qt.ItemDataRole.UserRole, node.entity_id)
            overview.addItem(row)


class AutoMergeRow(QWidget):
    """“Priya” was taken to be Priya Raman and merged automatically. [Undo]"""

    def __init__(self, undo: Callable[[], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo the automatic merge")
        self.undo_button.clicked.connect(undo)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo_button)
        self.hide()

    def show_merge(self, merge: Any) -> None:
        self.label.setText(f"“{merge.folded_name}” was taken to be {merge.kept_name} and merged automatically.")
        self.show()
