"""Settings: every field of ``core.settings.Settings``, grouped in tabs, plus passphrase change.

The dialog composes one section per tab (``ui.settings.capture``,
``privacy``, ``sources``, ``memory``, ``storage``, ``model``, ``security``, ``startup``); each builds
its widgets from the settings the dialog opened with and reports its
fields' values.  The dialog edits a copy; Save sends only the changed
fields to the vault (``ui.settings.operations.save_settings``) in a background task and closes when
the vault has stored them (settings live encrypted inside the vault).
Running and recent apps for the exclusion list and the storage usage load
in the background.

The sections' widgets stay reachable as attributes of the dialog
(``dialog.interval``, ``dialog.auto_lock`` …).  Every setting has a widget
here except those in ``CLI_ONLY``, which ``cairn settings`` shows and sets.

Threads: GUI thread only.  Errors: none raised; a failed save is shown in
the dialog, which stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.session import Session
from ui.settings.capture import CaptureSection
from ui.settings.memory import MemorySection
from ui.settings.model import ModelSection
from ui.settings.operations import save_settings
from ui.settings.passphrase import PassphraseDialog
from ui.settings.privacy import PrivacySection
from ui.settings.section import SettingsSection
from ui.settings.security import SecuritySection
from ui.settings.sources import SourcesSection
from ui.settings.startup import StartupSection
from ui.settings.storage import StorageSection
from ui.settings.sync import SyncSection

CLI_ONLY: dict[str, str] = {  # setting: why the dialog has no widget for it
    "version": "set by Cairn, never by the user",
    "llm_chat_format": "only for a GGUF whose chat template llama.cpp cannot use: a rare expert fix",
}


class SettingsDialog(QDialog):
    """Edits a copy of the session's settings, one tab per section; Save stores only what changed."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cairn settings")
        self.setAccessibleName("Settings")
        self.setMinimumSize(640, 560)
        self._session = session
        self._original = session.settings
        s = self._original

        self.capture = CaptureSection(s)
        self.privacy = PrivacySection(s)
        self.sources = SourcesSection(s)
        self.memory = MemorySection(s)
        self.storage = StorageSection(s, session)
        self.model = ModelSection(s, session)
        self.security = SecuritySection(s, self.change_passphrase)
        self.startup = StartupSection(session.paths.home)
        self.sync = SyncSection(session)
        self._sections: tuple[SettingsSection, ...] = (
            self.capture, self.privacy, self.sources, self.memory, self.storage, self.model, self.security,
            self.startup, self.sync)
        self.tabs = QTabWidget()
        for section in self._sections:
            self.tabs.addTab(section, theme.icon(section.ICON), section.TITLE)
        self._expose_section_widgets()
        # Every tab title visible at once: scroll arrows hide tabs nobody then finds.
        self.setMinimumWidth(max(640, self.tabs.tabBar().sizeHint().width() + 48))

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("Primary")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.setMinimumHeight(30)  # Fusion's default is cramped next to the line edits
        self.privacy.load_app_suggestions(session)
        self.resize(self._opening_size())

    def _opening_size(self) -> QSize:
        """Tall enough that the longest tab needs no scroll bar, but never taller than the screen."""
        tallest = max(section.page.sizeHint().height() for section in self._sections)
        chrome = self.sizeHint().height() - self.tabs.sizeHint().height() + self.tabs.tabBar().sizeHint().height()
        height = tallest + chrome + 16
        screen = self.screen()
        if screen is not None:
            height = min(height, screen.availableGeometry().height() - 64)
        return QSize(max(self.minimumWidth(), 760), max(self.minimumHeight(), height))

    def _expose_section_widgets(self) -> None:
        # Tests, tools/screenshots.py and callers reach the fields as dialog attributes, as before the split.
        self.screen_enabled = self.capture.screen_enabled
        self.interval = self.capture.interval
        self.idle = self.capture.idle
        self.all_monitors = self.capture.all_monitors
        self.monitors = self.capture.monitors
        self.excluded = self.privacy.excluded
        self.private = self.privacy.private
        self.folders = self.sources.folders
        self.inbox = self.sources.inbox
        self.max_file = self.sources.max_file
        self.retention_gb = self.storage.retention_gb
        self.retention_days = self.storage.retention_days
        self.text_days = self.storage.text_days
        self.usage = self.storage.usage
        self.model_path = self.model.model_path
        self.context = self.model.context
        self.threads = self.model.threads
        self.budget = self.model.budget
        self.auto_lock = self.security.auto_lock
        self.mcp = self.security.mcp

    # -- actions -----------------------------------------------------------------------------------
    def changes(self) -> dict[str, Any]:
        """The fields that differ from the settings the dialog opened with."""
        values: dict[str, Any] = {}
        for section in self._sections:
            values.update(section.values())
        return {k: v for k, v in values.items() if getattr(self._original, k) != v}

    def save(self) -> None:
        try:
            for note in self.startup.apply():  # outside the vault: the user's autostart files
                self._session.status_message.emit(note)
        except OSError as exc:
            self.message.setText(f"<span style='color:{theme.colours().danger}'>Could not change startup: "
                                 f"{exc}</span>")
            return
        changes = self.changes()
        if not changes:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.message.setText("Saving…")

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"<span style='color:{theme.colours().danger}'>Could not save: {exc}</span>")

        save_settings(self._session, changes, done=lambda _s: self.accept()).owned_by(self).failure(failed).run()

    def change_passphrase(self) -> None:
        dialog = PassphraseDialog(self._session, self)
        dialog.exec()
