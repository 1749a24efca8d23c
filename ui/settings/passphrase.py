"""Changing the vault passphrase: ``PassphraseDialog`` and the rule a new passphrase must pass.

The dialog asks for the current passphrase (empty when the key is only in
the keyring) and the new one twice, then re-wraps the vault key in a
background task; nothing is re-encrypted.  ``passphrase_problem`` is shared
with the first-run wizard.

Threads: GUI thread only; the re-wrap runs on the session's workers.
Errors: a refused passphrase or a failed re-wrap (e.g. wrong current
passphrase) is shown in the dialog, which stays open; nothing is raised.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from ui import theme
from ui.session import Session
from ui.settings.operations import change_passphrase


class PassphraseDialog(QDialog):
    """Asks for the current and the new passphrase and re-wraps the vault key in the background."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase")
        self._session = session
        self.current = QLineEdit()
        self.new = QLineEdit()
        self.confirm = QLineEdit()
        for w, name in ((self.current, "Current passphrase"), (self.new, "New passphrase"),
                        (self.confirm, "Repeat new passphrase")):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setAccessibleName(name)
        self.current.setPlaceholderText("Leave empty if the key is only in the keyring")
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Current", self.current)
        form.addRow("New", self.new)
        form.addRow("Repeat", self.confirm)
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def submit(self) -> None:
        new, confirm = self.new.text(), self.confirm.text()
        problem = passphrase_problem(new, confirm)
        if problem:
            self.message.setText(f"<span style='color:{theme.colours().danger}'>{problem}</span>")
            return
        current = self.current.text() or None
        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"<span style='color:{theme.colours().danger}'>{exc}</span>")

        def done(_r: Any) -> None:
            self._session.status_message.emit("Passphrase changed: the new one unlocks Cairn from now on")
            self.accept()

        self.buttons.setEnabled(False)
        self.message.setText("Changing…")

        change_passphrase(self._session, current, new).owned_by(self).success(done).failure(failed).run()


def passphrase_problem(new: str, confirm: str) -> str | None:
    """Why a new passphrase is refused, or None."""
    if len(new) < 8:
        return "Use at least 8 characters (a few unrelated words work well)."
    if new != confirm:
        return "The two new passphrases differ."
    return None
