"""The autofill picker: a small list of profile values near the cursor (tray action / global shortcut).

Choosing an entry types it into the field that had focus (X11, ``xdotool``),
or copies it to the clipboard and clears the clipboard after 30 s when typing
is not available or the user holds Shift.  Sensitive values show masked and
are skipped until the user re-authenticates.

Threads: GUI thread.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from core.memory.profile.autofill import FieldSink, UserConfirmation, execute_plan, single_value_plan
from core.memory.profile.profile import Profile, ProfileValue
from core.process_env import child_env
from ui.autofill.form_fill import typing_session

CLIPBOARD_CLEAR_MS = 30_000


class FocusedFieldSink:
    """Types into whatever field has keyboard focus (the picker hides first so focus returns)."""

    def __init__(self, display: str | None = None) -> None:
        self._env = child_env({"DISPLAY": display} if display else None)  # xdotool needs no secrets
        self._display = display

    def session(self, values: Sequence[str]) -> AbstractContextManager[object]:
        return typing_session(values, self._display)

    def fill(self, field_id: str, value: str) -> None:
        subprocess.run(["xdotool", "type", "--clearmodifiers", "--delay", "8", "--", value], env=self._env,
                       check=True, timeout=20, capture_output=True)


class ClipboardSink:
    """Copies the value; clears the clipboard after 30 s if it still holds it."""

    def session(self, values: Sequence[str]) -> AbstractContextManager[object]:
        return nullcontext()

    def fill(self, field_id: str, value: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(value)

        def clear() -> None:
            if clipboard.text() == value:
                clipboard.clear()

        QTimer.singleShot(CLIPBOARD_CLEAR_MS, clear)


class AutofillPicker(QFrame):
    """A frameless popup listing the confirmed profile values; Enter/click chooses one."""

    chosen = Signal(object)  # FillReport

    def __init__(self, profile: Profile, sink: FieldSink, copy_sink: FieldSink | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setAccessibleName("Autofill picker")
        self._sink = sink
        self._copy_sink = copy_sink or ClipboardSink()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        hint = QLabel("Fill the focused field (Shift: copy instead)")
        hint.setProperty("muted", True)
        layout.addWidget(hint)
        self.list = QListWidget(self)
        for value in profile.values:
            item = QListWidgetItem(f"{value.label}: {value.value if not value.locked else value.masked}")
            item.setData(Qt.ItemDataRole.UserRole, value)
            if value.locked:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("Re-enter your passphrase to use this value")
            self.list.addItem(item)
        if not profile.values:
            self.list.addItem(QListWidgetItem("No confirmed values yet: confirm them in the profile"))
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)  # one click chooses, as in any menu
        layout.addWidget(self.list)
        self.resize(380, min(60 + 28 * max(len(profile.values), 1), 420))

    def popup_at_cursor(self) -> None:
        self.move(on_screen(QCursor.pos() + QPoint(8, 8), self.size(), QCursor.pos()))
        self.show()
        self.raise_()
        self.activateWindow()  # keyboard focus: arrows and Enter work without touching the mouse
        self.list.setFocus(Qt.FocusReason.PopupFocusReason)
        if self.list.count():
            self.list.setCurrentRow(0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def _activated(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(value, ProfileValue) or value.locked:
            return
        copy = bool(QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.choose(value, copy=copy)

    def choose(self, value: ProfileValue, *, copy: bool = False) -> None:
        """The user picked ``value`` (a click or Enter in this list is the confirmation)."""
        plan = single_value_plan(value)
        token = UserConfirmation.issue(plan, "pick")
        self.hide()  # give focus back to the field before typing
        report = execute_plan(plan, token, self._copy_sink if copy else self._sink)
        self.chosen.emit(report)
        self.close()


def on_screen(wanted: QPoint, size: QSize, anchor: QPoint) -> QPoint:
    """``wanted`` moved so a popup of ``size`` stays inside the screen holding ``anchor`` (flipped above or to
    the left of the pointer near the bottom or right edge)."""
    screen = QGuiApplication.screenAt(anchor) or QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    area = screen.availableGeometry()
    x, y = wanted.x(), wanted.y()
    if x + size.width() > area.right():
        x = max(area.left(), anchor.x() - size.width() - 8)
    if y + size.height() > area.bottom():
        y = max(area.top(), anchor.y() - size.height() - 8)
    return QPoint(max(area.left(), x), max(area.top(), y))
