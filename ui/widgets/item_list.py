"""The item list shared by search, the moment view and the timeline: its role and a thin fixed-list model.

``ITEM_ROLE`` is the data role under which every item list hands its row's
item (an ``ItemView`` or a search ``Hit``) to the delegate that paints it;
``SESSION_ROLE`` the timeline's app session (several frames in one card).

Threads: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui import fmt

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
SESSION_ROLE = Qt.ItemDataRole.UserRole + 2  # the timeline's app session (``frames``) behind a row, if any
ModelIndex = QModelIndex | QPersistentModelIndex


class ItemRows(QAbstractListModel):
    """Rows of items in a list: the item under ``ITEM_ROLE``, its text as a tooltip; subclasses say how it reads."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def item(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def display_text(self, item: Any) -> str:
        raise NotImplementedError

    def accessible_text(self, item: Any) -> str:
        return self.display_text(item)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return fmt.one_line(item.text, 300)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.accessible_text(item)
        return None


class ItemListModel(ItemRows):
    """A fixed list of items (search hits, "around this moment"); replaced as a whole."""

    def set_items(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def items(self) -> list[Any]:
        return list(self._rows)

    def display_text(self, item: Any) -> str:
        return f"{fmt.fmt_when(item.timestamp)}, {fmt.headline(item)}: {fmt.one_line(item.text, 120)}"
