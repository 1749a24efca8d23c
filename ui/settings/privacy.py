"""The Privacy tab: apps that are never captured and window-title patterns that pause capture.

Fields: ``excluded_apps`` and ``private_window_patterns`` (stored as regular
expressions, shown and added in plain words by ``window_rules``).  The excluded-apps
input suggests running and recently captured apps, loaded in the background
once ``load_app_suggestions`` is called.

Threads: GUI thread only; the app names are collected on the session's
workers.  Errors: none raised; a failed suggestion load leaves the list of
suggestions empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QWidget

from ui.session import Session
from ui.settings.app_names import running_and_recent_apps
from ui.settings.editable_list import EditableList
from ui.settings.section import SettingsSection, wrapped
from ui.settings.window_rules import rule_from_words, rule_name

if TYPE_CHECKING:
    from core.settings import Settings


class PrivacySection(SettingsSection):
    """The excluded apps and the private-window title patterns."""

    TITLE: ClassVar[str] = "Privacy"
    ICON: ClassVar[str] = "lock"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.excluded = EditableList("Excluded apps", "App name, e.g. keepassxc", suggestions=True)
        self.excluded.set_values(s.excluded_apps)
        self.form.addRow(wrapped("<b>Never capture these apps</b> (checked on every visible window, not only "
                                 "the focused one). Pick from running and recent apps or type a name."))
        self.form.addRow(self.excluded)
        self.private = EditableList("Private window rules", "Words in the window title, e.g. Online banking",
                                    to_value=rule_from_words, describe=rule_name)
        self.private.set_values(s.private_window_patterns)
        self.form.addRow(wrapped("<b>Private windows</b>: while a window whose title matches one of these "
                                 "rules is visible, capture stops (capital letters do not matter)."))
        self.form.addRow(self.private)

    def load_app_suggestions(self, session: Session) -> None:
        """Offer running and recent apps in the excluded-apps input, once they are collected."""
        vault = session.vault
        session.run(lambda: running_and_recent_apps(vault), on_success=self.excluded.set_suggestions,
                    owner=self, label="apps", on_failure=lambda _e: None)

    def values(self) -> dict[str, Any]:
        return {
            "excluded_apps": self.excluded.values(),
            "private_window_patterns": self.private.values(),
        }
