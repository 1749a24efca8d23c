"""Forget, from the app: pick what (this memory, its hour, its day, an app, a time range, the demo), see how
many memories that is, then delete them for good.

Opened from a memory's right-click menu (with that memory) or from the main
window's "Forget…" action (without one).  The count is read on a worker each
time the choice changes; the Forget button is enabled only once the count is
known and above zero, and a second, explicit confirmation is not needed: the
preview *is* the confirmation, worded plainly.

Threads: GUI thread; reads and the deletion run through ``ui.forget.operations``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.types import TimeRange
from ui.forget.operations import count_scope, forget_scope
from ui.forget.scope import ForgetScope, preview_text, scopes_for
from ui.session import Session


class ForgetDialog(QDialog):
    forgotten = Signal(int)  # how many memories went

    def __init__(self, session: Session, item: Any | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Forget memories")
        self.setAccessibleName("Forget memories")
        self.setMinimumWidth(520)
        self._session = session
        self._generation = 0
        self._count: int | None = None
        self.scopes = scopes_for(item)

        heading = QLabel("<b>What should Cairn forget?</b>")
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(heading)
        for n, scope in enumerate(self.scopes):
            button = QRadioButton(scope.label)
            button.setAccessibleName(scope.label)
            self.group.addButton(button, n)
            layout.addWidget(button)
            if scope.key == "range":
                self.range_box = QWidget()
                row = QHBoxLayout(self.range_box)
                row.setContentsMargins(24, 0, 0, 0)
                now = QDateTime.currentDateTime()
                self.range_start = QDateTimeEdit(now.addSecs(-3600))
                self.range_end = QDateTimeEdit(now)
                for edit, name in ((self.range_start, "From"), (self.range_end, "To")):
                    edit.setCalendarPopup(True)
                    edit.setDisplayFormat("d MMM yyyy HH:mm")
                    edit.setAccessibleName(f"{name} time")
                    edit.dateTimeChanged.connect(lambda _v: self._choice_changed())
                    row.addWidget(QLabel(name))
                    row.addWidget(edit)
                row.addStretch(1)
                layout.addWidget(self.range_box)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("What will be forgotten")
        self.preview.setProperty("muted", True)
        self.preview.setMinimumHeight(3 * self.preview.fontMetrics().lineSpacing())  # the warning never clips
        layout.addSpacing(6)
        layout.addWidget(self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.forget_button = self.buttons.addButton("Forget", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.forget_button.setObjectName("Danger")
        self.forget_button.setAccessibleName("Forget for good")
        self.forget_button.clicked.connect(self._forget)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.group.idToggled.connect(lambda _id, on: self._choice_changed() if on else None)
        self.group.button(0).setChecked(True)

    # -- public ------------------------------------------------------------------------------------
    def choose(self, key: str) -> None:
        for n, scope in enumerate(self.scopes):
            if scope.key == key:
                self.group.button(n).setChecked(True)
                return
        raise KeyError(key)

    def set_range(self, start: datetime, end: datetime) -> None:
        self.range_start.setDateTime(QDateTime(start))
        self.range_end.setDateTime(QDateTime(end))

    def scope(self) -> ForgetScope:
        chosen = self.scopes[max(0, self.group.checkedId())]
        if chosen.key != "range":
            return chosen
        start = self.range_start.dateTime().toPython().astimezone()
        end = self.range_end.dateTime().toPython().astimezone()
        if end <= start:
            end = start + timedelta(minutes=1)
        return ForgetScope("range", chosen.label, time_range=TimeRange(start, end))

    def count(self) -> int | None:
        return self._count

    # -- internals ---------------------------------------------------------------------------------
    def _choice_changed(self) -> None:
        scope = self.scope()
        if hasattr(self, "range_box"):
            self.range_box.setEnabled(scope.key == "range")
        self._count = None
        self.forget_button.setEnabled(False)
        self.preview.setText(preview_text(None, scope))
        self._generation += 1
        generation = self._generation

        def counted(n: int) -> None:
            if generation == self._generation:
                self._count = n
                self.preview.setText(preview_text(n, scope))
                self.forget_button.setEnabled(n > 0)

        count_scope(self._session, scope).success(counted).owned_by(self).run()

    def _forget(self) -> None:
        scope = self.scope()
        self.forget_button.setEnabled(False)
        self.preview.setText("Forgetting…")

        def done(n: int) -> None:
            self.forgotten.emit(int(n))
            self.accept()

        forget_scope(self._session, scope).success(done).owned_by(self).run()
