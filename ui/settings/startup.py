"""The Startup tab: whether Cairn starts when you log in, as the app in the tray or as the capture daemon.

Not a vault setting: the choice lives in the user's XDG config folder
(``core.autostart``), so it is read when the tab opens and applied when
the dialog is saved (``apply``), apart from the vault's settings.

Threads: GUI thread only.  Errors: ``apply`` returns what went wrong as text (a read-only config folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QWidget

from core.autostart.manager import AutostartPlaces, Mode
from ui.settings.section import SettingsSection, muted_note

if TYPE_CHECKING:
    from core.autostart.manager import SystemdUser

CHOICES: tuple[tuple[Mode | None, str], ...] = (
    (None, "Do not start Cairn when I log in"),
    ("app", "Start Cairn in the tray when I log in"),
    ("daemon", "Run only the capture daemon in the background (systemd --user service)"),
)


def system_service_manager() -> SystemdUser:
    """The real ``systemctl --user``, unless ``CAIRN_SYSTEMCTL=off`` (tests)."""
    from core import env as env_switch
    from core.autostart.manager import NoSystemd, Systemctl

    return NoSystemd() if env_switch.SYSTEMCTL.get() == "off" else Systemctl()


def apply_autostart(mode: Mode | None, home: Path, places: AutostartPlaces | None = None) -> list[str]:
    """Install ``mode`` (or remove autostart) for the vault at ``home``; returns notes for the user."""
    from core.autostart.launcher import find_launcher
    from core.autostart.manager import disable, enable
    from core.paths import default_home

    places = places or AutostartPlaces.for_user()
    systemd = system_service_manager()
    custom_home = home if home.expanduser().resolve() != default_home().expanduser().resolve() else None
    state = disable(places, systemd) if mode is None else enable(mode, find_launcher(custom_home), places, systemd)
    return list(state.notes)


class StartupSection(SettingsSection):
    """Three exclusive choices; ``apply`` installs the one picked if it changed."""

    TITLE: ClassVar[str] = "Startup"
    ICON: ClassVar[str] = "play"

    def __init__(self, home: Path, places: AutostartPlaces | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from core.autostart.manager import status

        self._home = home
        self._places = places or AutostartPlaces.for_user()
        self.current: Mode | None = status(self._places).mode
        self.group = QButtonGroup(self)
        self.buttons: dict[Mode | None, QRadioButton] = {}
        for mode, text in CHOICES:
            button = QRadioButton(text)
            button.setAccessibleName(text)
            button.setChecked(mode == self.current)
            self.group.addButton(button)
            self.buttons[mode] = button
            self.form.addRow(button)
        self.form.addRow(muted_note(
            "In the tray, Cairn unlocks from your system keyring at login (or waits for your passphrase) and "
            "captures while unlocked. The daemon captures without a window; it does not start while the vault "
            "is locked or no key is at hand, and <code>cairn lock</code> stops it. The same from a terminal: "
            "<code>cairn autostart on|off|status</code>."))

    def chosen(self) -> Mode | None:
        return next(mode for mode, button in self.buttons.items() if button.isChecked())

    def values(self) -> dict[str, Any]:
        return {}  # nothing in the vault: see apply()

    def apply(self) -> list[str]:
        """Install the chosen mode when it differs from what was installed; notes for the user."""
        chosen = self.chosen()
        if chosen == self.current:
            return []
        notes = apply_autostart(chosen, self._home, self._places)
        self.current = chosen
        return notes
