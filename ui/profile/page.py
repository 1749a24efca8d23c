"""The profile page: the values autofill may type for you, with where each was seen.

Two lists: confirmed values (the only ones autofill offers; Correct… and
Remove on each) and suggestions found in your memories (Confirm, Correct…,
Remove).  Below them a row adds a value by hand (confirmed at once).
Sensitive values (passport, IBAN, IDs) are shown masked.  The page reloads
whenever facts or the profile change anywhere in the app.

Threads: GUI thread only; every read and change goes through ``ui.profile.operations``.
Errors: a failed change is reported in the page's status line; nothing is raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.memory.profile.profile import FIELD_LABELS
from ui import theme
from ui.profile import operations as ops
from ui.session import Session

if TYPE_CHECKING:
    from core.memory.profile.profile import Profile, ProfileValue

class ValueList(QFrame):
    """One card of profile values: label · value · where it was seen · action buttons."""

    def __init__(self, title: str, empty: str, actions: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._actions = actions
        self._empty_text = empty
        self.title = QLabel(title)
        self.title.setObjectName("SectionTitle")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        self.buttons: dict[tuple[int, str], QPushButton] = {}  # (fact id, action) → its button

    def show_values(self, values: tuple[ProfileValue, ...], act: Any) -> None:
        while self.grid.count():
            child = self.grid.takeAt(0).widget()
            if child is not None:
                child.deleteLater()
        self.buttons = {}
        if not values:
            empty = QLabel(self._empty_text)
            empty.setProperty("muted", True)
            empty.setWordWrap(True)
            self.grid.addWidget(empty, 0, 0, 1, 3)
            return
        c = theme.colours()
        for row, value in enumerate(values):
            label = QLabel(value.label)
            label.setStyleSheet("font-weight: 600;")
            shown = QLabel(value.masked if value.sensitive else (value.value or value.masked))
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(f"{value.label} value")
            seen = QLabel(_seen_text(value))
            seen.setStyleSheet(f"color: {c.muted};")
            seen.setWordWrap(True)
            text = QVBoxLayout()
            text.setSpacing(0)
            text.addWidget(shown)
            text.addWidget(seen)
            holder = QWidget()
            holder.setLayout(text)
            buttons = QHBoxLayout()
            buttons.setSpacing(6)
            for action in self._actions:
                button = QPushButton(action)
                button.setAccessibleName(f"{action} {value.label.lower()}")
                button.clicked.connect(lambda _c=False, v=value, a=action: act(a, v))
                buttons.addWidget(button)
                self.buttons[(value.fact_id, action)] = button
            box = QWidget()
            box.setLayout(buttons)
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(holder, row, 1)
            self.grid.addWidget(box, row, 2, Qt.AlignmentFlag.AlignTop)


def _seen_text(value: ProfileValue) -> str:
    where = "; ".join(value.seen_in[:2]) if value.seen_in else ""
    lock = "sensitive: shown masked, autofill asks for your passphrase" if value.sensitive else ""
    return " · ".join(part for part in (f"seen in {where}" if where and where != "entered by you" else where, lock)
                      if part)


class ProfilePage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Profile")
        self._session = session
        self.profile: Profile | None = None
        title = QLabel("Your profile")
        title.setObjectName("PageTitle")
        intro = QLabel("What autofill may type for you (Ctrl+Alt+A in any app, or the tray). Only confirmed "
                       "values are offered; suggestions were found in your memories and wait for you.")
        intro.setWordWrap(True)
        intro.setProperty("muted", True)
        self.confirmed = ValueList("CONFIRMED — AUTOFILL USES THESE",
                                   "Nothing confirmed yet: confirm a suggestion below or add a value.",
                                   ("Correct…", "Remove"))
        self.suggestions = ValueList("SUGGESTIONS FROM YOUR MEMORIES",
                                     "No suggestions: nothing about you was found that is not confirmed yet.",
                                     ("Confirm", "Correct…", "Remove"))
        self.field = QComboBox()
        self.field.setAccessibleName("Field to add")
        for key, label in FIELD_LABELS.items():
            self.field.addItem(label, key)
        self.value = QLineEdit()
        self.value.setPlaceholderText("Its value, e.g. sam@example.com")
        self.value.setAccessibleName("Value to add")
        self.value.returnPressed.connect(self.add)
        add = QPushButton(theme.icon("plus"), "Add")
        add.setAccessibleName("Add this value to your profile")
        add.clicked.connect(self.add)
        add_row = QHBoxLayout()
        add_row.addWidget(self.field)
        add_row.addWidget(self.value, 1)
        add_row.addWidget(add)
        add_card = QFrame()
        add_card.setObjectName("Card")
        add_layout = QVBoxLayout(add_card)
        add_layout.setContentsMargins(14, 12, 14, 12)
        add_title = QLabel("ADD A VALUE")
        add_title.setObjectName("SectionTitle")
        add_layout.addWidget(add_title)
        add_layout.addLayout(add_row)
        self.status = QLabel()
        self.status.setProperty("muted", True)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        for widget in (self.confirmed, self.suggestions, add_card, self.status):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        session.changed.connect(self._on_changed)
        session.unlocked.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        if self._session.vault is None:
            return
        ops.load(self._session).success(self._show).owned_by(self).run()

    def _show(self, profile: Profile) -> None:
        self.profile = profile
        self.confirmed.show_values(profile.values, self._act)
        self.suggestions.show_values(profile.suggestions, self._act)

    def _on_changed(self, what: frozenset[str]) -> None:
        if what & {"facts", "profile", "entities"}:
            self.reload()

    def _act(self, action: str, value: ProfileValue) -> None:
        if action == "Confirm":
            self._run(ops.confirm(self._session, value.fact_id), f"{value.label} confirmed.")
        elif action == "Remove":
            self._run(ops.remove(self._session, value.fact_id), f"{value.label} removed; it will not be suggested again.")
        else:
            text, ok = QInputDialog.getText(self, f"Correct {value.label.lower()}", f"The right {value.label.lower()}:",
                                            text="" if value.sensitive else (value.value or ""))
            if ok and text.strip():
                self.correct(value.fact_id, text.strip())

    def correct(self, fact_id: int, text: str) -> None:
        self._run(ops.correct(self._session, fact_id, text), "Corrected; the old value is kept in history as wrong.")

    def add(self) -> None:
        text = self.value.text().strip()
        if not text:
            self.status.setText("Type the value first.")
            return
        label = self.field.currentText()
        self._run(ops.add_value(self._session, str(self.field.currentData()), text), f"{label} added.")
        self.value.clear()

    def _run(self, op: Any, done: str) -> None:
        op.success(lambda _v: self.status.setText(done)).failure(
            lambda exc: self.status.setText(f"Not saved: {exc}")).owned_by(self).run()
