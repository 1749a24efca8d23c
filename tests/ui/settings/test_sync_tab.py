"""Settings → Sync: start a synced vault in a folder, see this device, sync now, show a pairing code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_idle


def _save_png(widget: Any, tmp_path: Path, name: str) -> Path:
    out = tmp_path / name
    assert widget.grab().save(str(out))
    return out


def test_sync_tab_sets_up_a_folder_and_syncs(unlocked: Any, qtbot: Any, tmp_path: Path) -> None:
    from ui.settings.dialog import SettingsDialog

    window = unlocked
    qtbot.waitUntil(lambda: window.session._settings is not None, timeout=10000)
    dialog = SettingsDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.resize(760, 780)
    dialog.show()
    tab = dialog.sync
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "Sync is off" in tab.status.text(), timeout=10000)
    assert tab.setup_box.isVisible() and not tab.devices_box.isVisible()
    _save_png(dialog, tmp_path, "settings-sync-off.png")

    folder = tmp_path / "Sync"
    folder.mkdir()
    tab.where.setText(str(folder))
    tab.passphrase.setText("a sync passphrase")
    tab.device_name.setText("studio")
    assert tab.user.isHidden() and tab.endpoint.isHidden()  # a folder needs no credentials
    tab.kind.setCurrentIndex(2)
    assert tab.user.isVisibleTo(dialog) and tab.endpoint.isVisibleTo(dialog)
    _save_png(dialog, tmp_path, "settings-sync-s3-form.png")
    tab.kind.setCurrentIndex(0)
    qtbot.mouseClick(tab.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.devices.count() == 1, timeout=20000)
    assert "studio (this device)" in tab.devices.item(0).text()
    assert tab.passphrase.text() == ""  # not kept in the widget
    assert (folder / "cairn-sync.json").exists()

    qtbot.mouseClick(tab.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.text().startswith("Sent"), timeout=60000)
    assert list((folder / "segments").iterdir())  # the demo memory went up, sealed
    qtbot.mouseClick(tab.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Pairing code" in tab.message.text(), timeout=20000)
    qtbot.waitUntil(lambda: "Last sync: never" not in tab.status.text(), timeout=10000)
    _save_png(dialog, tmp_path, "settings-sync-on.png")
    assert dialog.changes() == {}  # sync actions apply at once; Save has nothing of theirs to store
    dialog.reject()
    wait_idle(qtbot, window, timeout=60000)
