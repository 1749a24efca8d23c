"""The Sync tab: where this vault syncs, the devices that share it, and the way to add or remove one.

Not set up: a form to start a synced vault (or join one) in a folder that
Syncthing/Dropbox/iCloud/Nextcloud already syncs, on a WebDAV server or in
S3-compatible storage, with the sync passphrase or a pairing code.  Set up:
the target, last sync, pending changes, key epoch and recent errors; the
devices seen (remove one → keys rotate, a new sync passphrase); buttons to
sync now, show a pairing code, switch background sync off, and leave.

Sync's configuration lives in the vault's sync tables, not in ``Settings``:
``values()`` is empty and every action runs at once through
``ui.settings.sync_operations``.

Threads: GUI thread only; the work runs on the session's workers.  Errors:
none raised; a failure is shown in the tab.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from ui import theme
from ui.session import Session
from ui.settings import sync_operations as ops
from ui.settings.section import SettingsSection, muted_note

KINDS = (("folder", "A folder (Syncthing, Dropbox, iCloud Drive, Nextcloud…)"), ("webdav", "A WebDAV server"),
         ("s3", "S3-compatible storage (AWS, B2, R2, MinIO…)"))
DEVICE_ROLE = Qt.ItemDataRole.UserRole
NOT_REMOVABLE_ROLE = Qt.ItemDataRole.UserRole + 1  # this device, or one already removed
PLACEHOLDERS = {"folder": "/home/me/Sync/cairn", "webdav": "https://cloud.example.org/remote.php/dav/files/me/cairn",
                "s3": "s3://my-bucket/cairn"}


def _when(epoch: float | None) -> str:
    return "never" if not epoch else datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M")


class SyncSection(SettingsSection):
    """Sync status, devices and setup; actions apply at once (nothing waits for Save)."""

    TITLE: ClassVar[str] = "Sync"
    ICON: ClassVar[str] = "sync"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.status = QLabel("Reading the sync status…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sync status")
        self.form.addRow(self.status)
        self._build_setup()
        self._build_devices()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sync message")
        self.form.addRow(self.message)
        self.form.addRow(muted_note(
            "Only ciphertext leaves this device: memories, screenshots, facts and settings travel as encrypted, "
            "authenticated segments with random names and padded sizes. Vectors are recomputed on each device."))
        self.refresh()

    # -- layout ----------------------------------------------------------------------------------------
    def _build_setup(self) -> None:
        self.setup_box = QGroupBox("Start or join a synced vault")
        form = self._setup_form = QFormLayout(self.setup_box)
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Where to sync")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow("Sync through", self.kind)
        self.where = QLineEdit()
        self.where.setAccessibleName("Folder or address")
        form.addRow("Folder or address", self.where)
        self.user = QLineEdit()
        self.user.setAccessibleName("User name or access key")
        form.addRow("User / access key", self.user)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName("Password or secret key (kept in the system keyring)")
        form.addRow("Password / secret", self.secret)
        self.endpoint = QLineEdit()
        self.endpoint.setPlaceholderText("https://s3.example.com (empty for AWS)")
        self.endpoint.setAccessibleName("S3 endpoint")
        form.addRow("S3 endpoint", self.endpoint)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Sync passphrase")
        form.addRow("Sync passphrase", self.passphrase)
        self.code = QLineEdit()
        self.code.setPlaceholderText("or a pairing code from another device: ABCD-EFGH-…")
        self.code.setAccessibleName("Pairing code")
        form.addRow("Pairing code", self.code)
        self.device_name = QLineEdit()
        self.device_name.setPlaceholderText("this computer's name")
        self.device_name.setAccessibleName("Device name")
        form.addRow("This device", self.device_name)
        self.connect_button = QPushButton(theme.icon("sync"), "Connect")
        self.connect_button.setObjectName("Primary")
        self.connect_button.setAccessibleName("Connect to the sync target")
        self.connect_button.clicked.connect(self.connect_target)
        form.addRow(self.connect_button)
        form.addRow(muted_note("Passwords and secret keys go to your system keyring, never into settings or logs."))
        self.form.addRow(self.setup_box)
        self._kind_changed()

    def _build_devices(self) -> None:
        self.devices_box = QGroupBox("Devices sharing this memory")
        layout = QFormLayout(self.devices_box)
        self.devices = QListWidget()
        self.devices.setAccessibleName("Devices")
        self.devices.setMaximumHeight(110)
        layout.addRow(self.devices)
        row = QHBoxLayout()
        self.sync_button = QPushButton(theme.icon("sync"), "Sync now")
        self.sync_button.setObjectName("Primary")
        self.sync_button.clicked.connect(self.sync_now)
        self.pair_button = QPushButton(theme.icon("plus"), "Add a device…")
        self.pair_button.setToolTip("Show a one-time pairing code for another device (valid 15 minutes)")
        self.pair_button.clicked.connect(self.show_pairing_code)
        self.remove_button = QPushButton(theme.icon("remove"), "Remove device…")
        self.remove_button.clicked.connect(self.remove_selected)
        self.leave_button = QPushButton("Stop syncing here")
        self.leave_button.clicked.connect(self.leave)
        for button in (self.sync_button, self.pair_button, self.remove_button, self.leave_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addRow(row)
        self.background = QCheckBox("Sync in the background (after changes, and every 5 minutes)")
        self.background.setAccessibleName("Sync in the background")
        self.background.toggled.connect(self._background_toggled)
        layout.addRow(self.background)
        self.form.addRow(self.devices_box)
        self.form.setRowVisible(self.devices_box, False)  # until the status says sync is set up

    def values(self) -> dict[str, Any]:
        return {}  # sync's configuration is in the vault's sync tables; actions apply at once

    # -- status ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        ops.sync_status(self._session).owned_by(self).success(self.show_status).failure(self._failed).run()

    def show_status(self, status: Any) -> None:
        configured = bool(status.configured)
        self.form.setRowVisible(self.setup_box, not configured)
        self.form.setRowVisible(self.devices_box, configured)
        if not configured:
            self.status.setText("<b>Sync is off.</b> Your memory stays on this device. Choose where your devices "
                                "meet: your own storage, end-to-end encrypted.")
            return
        t = status.target
        errors = "".join(f"<br><span style='color:{theme.colours().danger}'>{html.escape(m)}</span>"
                         for _, m in status.errors[:2])
        self.status.setText(
            f"<b>Syncing</b> through {html.escape(t.kind)} <code>{html.escape(t.url)}</code> as "
            f"<b>{html.escape(status.device_name or '')}</b><br>Last sync: {_when(status.last_sync)} · "
            f"{status.pending_changes} change(s) waiting · key epoch {status.epoch}{errors}")
        self.devices.clear()
        for d in status.devices:
            label = d.name + (" (this device)" if d.this_device else "")
            label += f" — removed {_when(d.removed)}" if d.removed else (
                f" — last change {_when(d.last_applied_at)}" if d.last_applied_at else "")
            item = QListWidgetItem(label)
            item.setData(DEVICE_ROLE, d.device)
            item.setData(NOT_REMOVABLE_ROLE, bool(d.this_device or d.removed))
            self.devices.addItem(item)
        self.background.blockSignals(True)
        self.background.setChecked(bool(status.enabled))
        self.background.blockSignals(False)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"<span style='color:{theme.colours().danger}'>{html.escape(str(exc))}</span>")
        self.connect_button.setEnabled(True)
        self.sync_button.setEnabled(True)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.where.setPlaceholderText(PLACEHOLDERS[kind])
        remote = kind in ("webdav", "s3")
        for widget in (self.user, self.secret):  # a folder needs no credentials: its rows are hidden
            widget.setEnabled(remote)
            self._setup_form.setRowVisible(widget, remote)
        self.endpoint.setEnabled(kind == "s3")
        self._setup_form.setRowVisible(self.endpoint, kind == "s3")

    # -- actions ---------------------------------------------------------------------------------------
    def connect_target(self) -> None:
        request = ops.ConnectRequest(
            kind=self.kind.currentData(), where=self.where.text(), user=self.user.text(), secret=self.secret.text(),
            endpoint=self.endpoint.text(), passphrase=self.passphrase.text(), code=self.code.text(),
            device_name=self.device_name.text())
        self.connect_button.setEnabled(False)
        self.message.setText("Connecting…")

        def done(created: bool) -> None:
            self.secret.clear()
            self.passphrase.clear()
            self.connect_button.setEnabled(True)
            self.message.setText("Started a synced vault." if created else "Joined the synced vault.")
            self.refresh()

        ops.connect(self._session, request).owned_by(self).success(done).failure(self._failed).run()

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        self.message.setText("Syncing…")

        def done(report: Any) -> None:
            self.sync_button.setEnabled(True)
            a = report.applied
            self.message.setText(f"Sent {report.uploaded_ops} change(s); received {a.items} memories, "
                                 f"{a.forgotten} forgotten, {a.facts} fact edit(s).")
            self.refresh()

        ops.sync_now(self._session).owned_by(self).success(done).failure(self._failed).run()

    def show_pairing_code(self) -> None:
        def shown(code: str) -> None:
            self.message.setText(f"Pairing code for another device: <b><code>{html.escape(code)}</code></b> "
                                 "(valid 15 minutes, once). Enter it there under Settings → Sync.")

        ops.pairing_code(self._session).owned_by(self).success(shown).failure(self._failed).run()

    def remove_selected(self) -> None:
        item = self.devices.currentItem()
        if item is None or item.data(NOT_REMOVABLE_ROLE):
            self.message.setText("Select another device to remove.")
            return
        new, ok = QInputDialog.getText(
            self, "Remove device", "The removed device knew the sync passphrase. Choose a new one\n"
            "(your other devices keep syncing; new devices join with it):", QLineEdit.EchoMode.Password)
        if not ok or not new:
            return
        ops.remove_device(self._session, str(item.data(DEVICE_ROLE)), new).owned_by(self).success(
            lambda _v: (self.message.setText("Device removed; keys rotated."), self.refresh())).failure(
            self._failed).run()

    def leave(self) -> None:
        ops.leave(self._session).owned_by(self).success(
            lambda _v: (self.message.setText("This device no longer syncs; its memories stay here."),
                        self.refresh())).failure(self._failed).run()

    def _background_toggled(self, on: bool) -> None:
        ops.set_background(self._session, on).owned_by(self).failure(self._failed).run()
