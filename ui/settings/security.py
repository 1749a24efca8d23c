"""The Security tab: auto-lock, the read-only MCP server, and the button that changes the passphrase.

Fields: ``auto_lock_minutes`` (0 means never) and ``mcp_enabled``.  The
passphrase is not a setting: the button calls the ``change_passphrase``
callback the dialog passes in (it opens ``PassphraseDialog``).

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QCheckBox, QPushButton, QSpinBox, QWidget

from ui import theme
from ui.settings.section import SettingsSection, muted_note

if TYPE_CHECKING:
    from core.settings import Settings


class SecuritySection(SettingsSection):
    """Idle auto-lock, MCP access for local tools, and the way to a new passphrase."""

    TITLE: ClassVar[str] = "Security"
    ICON: ClassVar[str] = "key"

    def __init__(self, settings: Settings, change_passphrase: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 1440)
        self.auto_lock.setSpecialValueText("never")
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setValue(s.auto_lock_minutes)
        self.auto_lock.setAccessibleName("Auto-lock after minutes idle, zero means never")
        self.form.addRow("Lock after idle", self.auto_lock)
        self.mcp = QCheckBox("Let other local tools search and ask (MCP server, read-only)")
        self.mcp.setChecked(s.mcp_enabled)
        self.mcp.setAccessibleName("Enable the MCP server")
        self.form.addRow(self.mcp)
        change = QPushButton(theme.icon("key"), "Change passphrase…")
        change.setAccessibleName("Change passphrase")
        # clicked passes a bool; the callback takes no arguments.
        change.clicked.connect(lambda: change_passphrase())
        self.form.addRow("Passphrase", change)
        self.form.addRow(muted_note("Changing the passphrase re-wraps the vault key; nothing is "
                                    "re-encrypted, so it is instant. There is no way to recover a forgotten "
                                    "passphrase unless the key is also kept in your system keyring."))

    def values(self) -> dict[str, Any]:
        return {
            "auto_lock_minutes": self.auto_lock.value(),
            "mcp_enabled": self.mcp.isChecked(),
        }
