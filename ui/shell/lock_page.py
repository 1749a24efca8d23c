"""The lock screen inside the main window: unlock with the passphrase (or the keyring).

Unlocking runs ``Vault.open`` on a worker (Argon2id takes ~0.1 s, opening the
database a little more); on success the page emits ``unlocked(vault)``.  A
wrong passphrase shows a clear message and keeps the field focused.

Threads: GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui import theme
from ui.session import Session

if TYPE_CHECKING:
    from core.vault import Vault


class LockPage(QWidget):
    unlocked = Signal(object)  # the opened Vault

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Locked")
        self._session = session
        self._busy = False

        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(QSize(72, 72)))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Cairn is locked")
        title.setObjectName("Hero")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel("Your memory is encrypted on this computer. Enter your passphrase to open it.")
        self.subtitle.setWordWrap(True)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle.setProperty("muted", True)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("BigInput")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.returnPressed.connect(self.unlock)
        self.button = QPushButton(theme.icon("unlock", theme.colours().accent_text), "Unlock")
        self.button.setObjectName("Primary")
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self.unlock)
        self.keyring_button = QPushButton(theme.icon("key"), "Use system keyring")
        self.keyring_button.setAccessibleName("Unlock with the system keyring")
        self.keyring_button.clicked.connect(lambda: self.unlock(use_keyring=True))
        self.keyring_button.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("Unlock message")

        card = QFrame()
        card.setObjectName("Card")
        card.setMaximumWidth(460)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(14)
        inner.addWidget(logo)
        inner.addWidget(title)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keyring_button)
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        inner.addLayout(buttons)
        inner.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def prepare(self, message: str = "", keyring_available: bool = False) -> None:
        self.passphrase.clear()
        self.set_message(message)
        self.keyring_button.setVisible(keyring_available)
        self.passphrase.setFocus()

    def set_message(self, message: str, error: bool = False) -> None:
        colour = theme.colours().danger if error else theme.colours().muted
        self.message.setText(f"<span style='color:{colour}'>{message}</span>" if message else "")

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.passphrase.setEnabled(not busy)
        self.button.setEnabled(not busy)
        self.keyring_button.setEnabled(not busy)
        if message:
            self.set_message(message)

    def unlock(self, use_keyring: bool = False) -> None:
        if self._busy:
            return
        passphrase = None if use_keyring else (self.passphrase.text() or None)
        if passphrase is None and not use_keyring:
            self.set_message("Type your passphrase first.", error=True)
            return
        self.set_busy(True, "Unlocking…")
        paths = self._session.paths

        def open_vault() -> Any:
            from core.vault import Vault, lock_flag

            vault = Vault.open(paths, passphrase)
            if passphrase is not None:
                lock_flag(paths).unlink(missing_ok=True)  # the user proved who they are
            return vault

        def failed(exc: BaseException) -> None:
            self.set_busy(False)
            from core.errors import CairnError, WrongPassphrase

            if isinstance(exc, WrongPassphrase):
                text = "That passphrase does not unlock this vault. Check Caps Lock and try again."
            elif isinstance(exc, CairnError):
                text = str(exc)
            else:
                text = f"Could not open the vault: {exc}"
            self.set_message(text, error=True)
            self.passphrase.selectAll()
            self.passphrase.setFocus()

        def done(vault: Vault) -> None:
            self.set_busy(False)
            self.passphrase.clear()
            self.set_message("")
            self.unlocked.emit(vault)

        self._session.run(open_vault, on_success=done, on_failure=failed, owner=self, label="unlock")
