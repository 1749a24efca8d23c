"""Autostart from the UI: the first-run opt-in and the Settings → Startup tab (temporary XDG folders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.autostart.manager import AutostartPlaces
from core.paths import VaultPaths


def test_startup_tab_installs_switches_and_removes(qapp: Any, tmp_path: Path) -> None:
    from ui.settings.startup import StartupSection

    places = AutostartPlaces(tmp_path / "config")
    section = StartupSection(tmp_path / "vault", places)
    assert section.chosen() is None and section.values() == {}
    section.buttons["app"].setChecked(True)
    assert section.apply() == []
    entry = places.desktop_entry.read_text("utf-8")
    assert "--tray" in entry and str(tmp_path / "vault") in entry  # a vault away from the default is named
    reopened = StartupSection(tmp_path / "vault", places)
    assert reopened.buttons["app"].isChecked()
    reopened.buttons["daemon"].setChecked(True)
    notes = reopened.apply()
    assert places.unit.exists() and not places.desktop_entry.exists()
    assert notes  # systemd was not consulted (CAIRN_SYSTEMCTL=off): the user is told when it will start
    reopened.buttons[None].setChecked(True)
    reopened.apply()
    assert not places.unit.exists() and not places.wants_link.is_symlink()


def test_wizard_offers_autostart_off_by_default_and_setup_installs_it(qapp: Any, tmp_path: Path) -> None:
    from ui.shell.first_run import FirstRunFlow, SetupDone, setup_events

    wizard = FirstRunFlow(keyring=(False, "no keyring here"))
    assert not wizard.capture.autostart.isChecked()  # opt-in
    wizard.capture.autostart.setChecked(True)
    wizard.protect.passphrase.setText("first run passphrase")
    wizard.protect.confirm.setText("first run passphrase")
    choices = wizard.choices()
    assert choices.autostart
    choices.load_demo = False
    wizard.deleteLater()

    places = AutostartPlaces.for_user()  # the session's temporary XDG_CONFIG_HOME (tests/conftest.py)
    assert str(places.config_home).startswith(str(Path.home()))
    events = list(setup_events(VaultPaths(tmp_path / "vault"), choices))
    done = events[-1]
    assert isinstance(done, SetupDone)
    done.vault.close()
    try:
        assert places.desktop_entry.exists()
        assert str(tmp_path / "vault") in places.desktop_entry.read_text("utf-8")
    finally:
        places.desktop_entry.unlink(missing_ok=True)
