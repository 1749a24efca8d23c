"""Settings: every change is saved encrypted in the vault and survives a re-open; passphrase change."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import wait_idle


def _open_dialog(window: Any, qtbot: Any) -> Any:
    from ui.settings.dialog import SettingsDialog

    qtbot.waitUntil(lambda: window.session._settings is not None, timeout=10000)
    dialog = SettingsDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _save_and_reopen(window: Any, qtbot: Any, dialog: Any) -> Any:
    """Save the dialog, lock, and read the settings back from the vault on disk."""
    from core.vault import Vault

    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    paths = window.session.paths
    window.lock()
    wait_idle(qtbot, window)
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        return vault.settings()


def test_changed_settings_are_persisted_in_the_vault(unlocked: Any, qtbot: Any) -> None:
    from core.vault import Vault

    window = unlocked
    dialog = _open_dialog(window, qtbot)
    dialog.interval.setValue(5.0)
    dialog.excluded.input.setText("signal-desktop")
    qtbot.keyClick(dialog.excluded.input, Qt.Key.Key_Return)  # adds the entry, does not save the dialog
    assert dialog.isVisible() and "signal-desktop" in dialog.excluded.values()
    # Private-window rules are named and added in plain words; no regular expression is shown.
    shown = dialog.private.shown()
    assert "Incognito windows (Chrome, Chromium, Brave)" in shown
    assert not any("\\" in name or "|" in name for name in shown), shown
    dialog.private.input.setText("Online banking (work)")
    dialog.private.add_current()
    assert dialog.private.shown()[-1] == "Window titles containing “Online banking (work)”"
    dialog.folders.add("/home/sam/Documents")
    dialog.inbox.setText("/home/sam/Downloads/chats")
    dialog.retention_gb.setValue(12.5)
    dialog.auto_lock.setValue(30)
    dialog.model_path.setText("/models/qwen2.5-1.5b-instruct-q4_k_m.gguf")
    dialog.mcp.setChecked(True)
    assert set(dialog.changes()) == {"capture_interval_s", "excluded_apps", "private_window_patterns",
                                     "watched_folders", "chat_inbox",
                                     "retention_gb", "auto_lock_minutes", "model_path", "mcp_enabled"}
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert window.session.settings.capture_interval_s == 5.0

    paths = window.session.paths
    window.lock()
    wait_idle(qtbot, window)
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        saved = vault.settings()
    assert saved.capture_interval_s == 5.0
    assert "signal-desktop" in saved.excluded_apps and "keepassxc" in saved.excluded_apps
    assert r"Online\ banking\ \(work\)" in saved.private_window_patterns
    assert "incognito" in saved.private_window_patterns
    assert saved.watched_folders == ("/home/sam/Documents",)
    assert saved.chat_inbox == "/home/sam/Downloads/chats"
    assert saved.retention_gb == 12.5 and saved.auto_lock_minutes == 30 and saved.mcp_enabled
    assert saved.model_path == "/models/qwen2.5-1.5b-instruct-q4_k_m.gguf"
    # the settings name folders: they must not appear in any file in plain text
    for file in paths.home.rglob("*"):
        if file.is_file():
            assert b"/home/sam/Documents" not in file.read_bytes(), file


def test_passphrase_change_rewraps_the_key(unlocked: Any, qtbot: Any) -> None:
    from core.errors import WrongPassphrase
    from core.vault import Vault
    from ui.settings.passphrase import PassphraseDialog

    window = unlocked
    dialog = PassphraseDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.current.setText(TEST_PASSPHRASE)
    dialog.new.setText("short")
    dialog.confirm.setText("short")
    dialog.submit()
    assert "at least 8" in dialog.message.text()
    dialog.new.setText("a brand new passphrase")
    dialog.confirm.setText("a brand new passphrase")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15000)
    paths = window.session.paths
    window.lock()
    wait_idle(qtbot, window)
    with pytest.raises(WrongPassphrase):
        Vault.open(paths, TEST_PASSPHRASE, embedder=None)
    Vault.open(paths, "a brand new passphrase", embedder=None).close()


def test_auto_lock_after_idle(unlocked: Any, qtbot: Any, monkeypatch: Any) -> None:
    window = unlocked
    from ui.settings.operations import save_settings

    save_settings(window.session, {"auto_lock_minutes": 1}).run()
    qtbot.waitUntil(lambda: window.session.settings.auto_lock_minutes == 1, timeout=10000)
    window.idle.last_input -= 61  # a minute without keyboard or mouse input
    window.idle.check_auto_lock()
    qtbot.waitUntil(lambda: not window.session.is_unlocked, timeout=5000)
    assert window.root.currentWidget() is window.lock_page


def test_the_dialog_edits_every_setting_but_the_named_cli_only_ones(qapp: Any, tmp_path: Any) -> None:
    from dataclasses import fields

    from core.paths import VaultPaths
    from core.settings import Settings
    from ui.session import Session
    from ui.settings.dialog import CLI_ONLY, SettingsDialog

    dialog = SettingsDialog(Session(VaultPaths(tmp_path)))
    edited = {name for section in dialog._sections for name in section.values()}
    assert not edited & set(CLI_ONLY)
    assert edited | set(CLI_ONLY) == {f.name for f in fields(Settings)}  # CLI_ONLY: tests/cli/test_settings_cli.py
    assert dialog.changes() == {}  # every widget shows the value it was given
    dialog.close()


def test_file_and_personal_settings_are_saved_from_the_dialog(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    dialog = _open_dialog(window, qtbot)
    sources, memory = dialog.sources, dialog.memory
    sources.include_hidden.setChecked(True)
    sources.follow_symlinks.setChecked(True)
    sources.ignore_patterns.add("*.log")
    memory.self_names.add("Sam Doe")
    memory.phone_region.setCurrentIndex(memory.phone_region.findData("DE"))
    memory.timezone.setCurrentIndex(memory.timezone.findData("Europe/Berlin"))
    assert dialog.changes() == {"files_include_hidden": True, "files_follow_symlinks": True,
                                "files_ignore_patterns": ("*.log",), "self_names": ("Sam Doe",),
                                "phone_region": "DE", "timezone": "Europe/Berlin"}
    saved = _save_and_reopen(window, qtbot, dialog)
    assert (saved.files_include_hidden, saved.files_follow_symlinks, saved.files_ignore_patterns) == (
        True, True, ("*.log",))
    assert (saved.self_names, saved.phone_region, saved.timezone) == (("Sam Doe",), "DE", "Europe/Berlin")
