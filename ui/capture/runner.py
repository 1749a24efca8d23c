"""Runs the screen capture daemon inside the app while the vault is unlocked.

When no separate ``cairn daemon`` reports into this vault's runtime folder, the
app starts the screen area's ``ScreenDaemon`` itself after unlocking (if the
settings have screen capture on) and stops it on lock and quit: capture needs
the vault's keys, so it cannot outlive them.  Settings changes apply at once
(privacy rules) or by restarting the daemon (interval, monitors, on/off).
Starting and stopping run on a worker; the daemon's own threads do the rest.

Threads: GUI thread only (the daemon object is used from workers, which its
contract allows).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject

from ui.session import Session

log = logging.getLogger(__name__)
RESTART_FIELDS = ("screen_enabled", "capture_interval_s", "idle_pause_minutes", "monitors")


class CaptureRunner(QObject):
    def __init__(self, session: Session, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.enabled = enabled
        self._daemon: Any = None
        self._applied: Any = None
        self.last_error: str | None = None
        session.settings_changed.connect(self._settings_changed)
        session.add_before_close(self.stop_now)  # capture stops before the keys go

    @property
    def running(self) -> bool:
        return self._daemon is not None

    def _settings_changed(self, settings: Any) -> None:
        if not self.enabled or not self._session.is_unlocked:
            return
        if self._daemon is None:
            self.start(settings)
            return
        if any(getattr(settings, f) != getattr(self._applied, f) for f in RESTART_FIELDS):
            self.stop()
            self.start(settings)
        else:
            from core.capture.screen.privacy import PrivacyPolicy

            self._daemon.set_policy(PrivacyPolicy.from_settings(settings))
            self._applied = settings

    def start(self, settings: Any) -> None:
        vault = self._session.vault
        control = self._session.capture
        if vault is None or not settings.screen_enabled or self._daemon is not None:
            return
        if control is not None and control.external_daemon_running():
            return  # `cairn daemon` already captures into this vault

        def build() -> Any:
            from core.host.screen import build_screen_daemon

            daemon = build_screen_daemon(vault, settings)
            daemon.start()
            return daemon

        def started(daemon: Any) -> None:
            if not self._session.is_unlocked or self._session.vault is not vault:
                self._session.run(daemon.stop, label="stop capture")  # locked meanwhile
                return
            self._daemon, self._applied = daemon, settings

        def failed(exc: BaseException) -> None:
            self.last_error = str(exc)
            log.warning("screen capture could not start: %s", exc)

        self._session.run(build, on_success=started, on_failure=failed, owner=self, label="start capture")

    def stop(self) -> None:
        daemon, self._daemon = self._daemon, None
        if daemon is not None:
            self._session.run(daemon.stop, label="stop capture",
                              on_failure=lambda exc: log.warning("stopping capture: %s", exc))

    def stop_now(self) -> None:
        """Stop synchronously (any thread): runs just before the vault closes on lock and exit."""
        daemon, self._daemon = self._daemon, None
        if daemon is not None:
            try:
                daemon.stop(timeout=5.0)
            except Exception:
                log.warning("stopping capture failed", exc_info=True)
