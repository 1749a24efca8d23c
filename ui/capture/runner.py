"""Runs the capture host inside the app while the vault is unlocked.

When no separate ``cairn daemon`` reports into this vault's runtime folder, the
app starts ``core.host.CaptureHost`` itself after unlocking (screen capture if
the settings have it on, the watched folders, the chat inbox, pending
embeddings, retention, consolidation while idle) and stops it on lock and
quit: capture needs the vault's keys, so it cannot outlive them.  Settings
changes go to the host, which applies privacy rules at once and restarts what
needs it (screen interval, monitors, on/off; the watched folders).  Starting,
applying and stopping run on a worker (``ui.capture.operations``); the host's
own threads do the rest.

Threads: GUI thread only (the host is used from workers, one at a time, which
its contract allows).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ui.capture.operations import apply_settings, start_host, stop_host
from ui.session import Session

if TYPE_CHECKING:
    from core.host.host import CaptureHost
    from core.settings import Settings

log = logging.getLogger(__name__)


class CaptureRunner(QObject):
    def __init__(self, session: Session, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.enabled = enabled
        self._host: CaptureHost | None = None
        self.last_error: str | None = None
        session.settings_changed.connect(self._settings_changed)
        session.add_before_close(self.stop_now)  # capture stops before the keys go

    @property
    def running(self) -> bool:
        return self._host is not None

    def files_activity(self) -> str | None:
        """What the in-app host's folder watcher is OCR'ing now, or None (any thread: the host allows it)."""
        host = self._host
        return host.files_activity() if host is not None else None

    def _settings_changed(self, settings: Settings) -> None:
        if not self.enabled or not self._session.is_unlocked:
            return
        host = self._host
        if host is None:
            self.start(settings)
            return
        apply_settings(self._session, host, settings).failure(self._failed).owned_by(self).run()

    def start(self, settings: Settings) -> None:
        vault = self._session.vault
        control = self._session.capture
        if vault is None or self._host is not None:
            return
        if control is not None and control.external_daemon_running():
            return  # `cairn daemon` already captures into this vault

        def started(host: CaptureHost) -> None:
            if not self._session.is_unlocked or self._session.vault is not vault:
                stop_host(self._session, host).run()  # locked meanwhile
                return
            self._host = host

        start_host(self._session, vault, settings).success(started).failure(self._failed).owned_by(self).run()

    def _failed(self, exc: BaseException) -> None:
        from core.host.capture_lock import CaptureBusy

        if isinstance(exc, CaptureBusy):  # a daemon started meanwhile: it captures, the app does not
            log.info("%s", exc)
            return
        self.last_error = str(exc)
        log.warning("capture could not start: %s", exc)

    def stop(self) -> None:
        host, self._host = self._host, None
        if host is not None:
            stop_host(self._session, host).failure(lambda exc: log.warning("stopping capture: %s", exc)).run()

    def stop_now(self) -> None:
        """Stop synchronously (any thread): runs just before the vault closes on lock and exit."""
        host, self._host = self._host, None
        if host is not None:
            try:
                host.stop(timeout=5.0)
            except Exception:
                log.warning("stopping capture failed", exc_info=True)
