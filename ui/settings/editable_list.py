"""``EditableList``: a list of strings the user extends by typing or picking, and shrinks by selecting.

Used by the settings dialog (excluded apps, private window patterns,
watched folders) and the first-run wizard.  An optional validator turns a
bad entry into an inline message instead of adding it; Enter in the input
adds the entry and is kept from the surrounding dialog (where it would press
the default button).  Duplicates are dropped silently.  With ``to_value`` and
``describe`` the typed text is stored as ``to_value(text)`` and each entry is
shown as ``describe(value)`` (the Privacy tab's window rules).

Threads: GUI thread only.  Errors: none raised; a validator's complaint is
shown under the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui import theme


class EditableList(QWidget):
    """A list of strings with an input (free text or picked) and Add/Remove buttons."""

    def __init__(self, name: str, placeholder: str, *, validator: Any = None, browse_folder: bool = False,
                 suggestions: bool = False, to_value: Callable[[str], str] | None = None,
                 describe: Callable[[str], str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._validator = validator
        self._to_value = to_value or (lambda text: text)
        self._describe = describe or (lambda value: value)
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        if suggestions:
            self.input: QLineEdit = QLineEdit()
            self.picker = QComboBox()
            self.picker.setEditable(True)
            self.picker.setLineEdit(self.input)
            self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            entry: QWidget = self.picker
        else:
            self.input = QLineEdit()
            self.picker = None  # type: ignore[assignment]
            entry = self.input
        self.input.setPlaceholderText(placeholder)
        self.input.setAccessibleName(f"New entry for {name.lower()}")
        # Enter adds the entry; it must not reach the dialog (where it would press Save).
        self.input.installEventFilter(self)
        add = QPushButton(theme.icon("plus"), "Add")
        add.setAccessibleName(f"Add to {name.lower()}")
        add.clicked.connect(self.add_current)
        remove = QPushButton(theme.icon("remove"), "Remove")
        remove.setAccessibleName(f"Remove selected from {name.lower()}")
        remove.clicked.connect(self.remove_selected)
        for button in (add, remove):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(entry, 1)
        if browse_folder:
            browse = QPushButton(theme.icon("folder"), "Choose folder…")
            browse.setAccessibleName("Choose a folder to add")
            browse.clicked.connect(self._browse)
            row.addWidget(browse)
        row.addWidget(add)
        row.addWidget(remove)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {theme.colours().danger}")
        self.error.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.input and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_current()
            return True
        return super().eventFilter(watched, event)

    def values(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count()))

    def shown(self) -> tuple[str, ...]:
        """The entries as the list shows them."""
        return tuple(self.list.item(i).text() for i in range(self.list.count()))

    def set_values(self, values: tuple[str, ...] | list[str]) -> None:
        self.list.clear()
        for v in values:
            self._append(v)

    def _append(self, value: str) -> None:
        item = QListWidgetItem(self._describe(value))
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setToolTip(value if item.text() != value else "")
        self.list.addItem(item)

    def set_suggestions(self, values: list[str]) -> None:
        if self.picker is None:
            return
        text = self.input.text()
        self.picker.clear()
        self.picker.addItems(values)
        self.input.setText(text)

    def add(self, value: str) -> bool:
        value = value.strip()
        if not value:
            return False
        if self._validator is not None:
            problem = self._validator(value)
            if problem:
                self.error.setText(problem)
                self.error.show()
                return False
        self.error.hide()
        value = self._to_value(value)
        if value not in self.values():
            self._append(value)
        return True

    def add_current(self) -> None:
        if self.add(self.input.text()):
            self.input.clear()

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to watch")
        if folder:
            self.add(folder)
