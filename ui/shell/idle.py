"""What the app does while the user is away: auto-lock, and giving memory back.

``IdleWatch`` notes the last key, click or wheel event anywhere in the app.
While idle it drops decoded screenshots and hands freed heap back to the
system (once per idle spell), releases the search embedder after a minute,
and asks for the vault to be locked after ``auto_lock_minutes``
(``lock_requested``).

Threads: GUI thread only; the releases run on workers (``ui.shell.operations``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from ui.media import MediaCache
from ui.session import Session
from ui.shell.operations import release_memory, release_models

AUTO_LOCK_CHECK_MS = 15000
TRIM_CHECK_MS = 2500
IDLE_TRIM_AFTER_S = 5.0  # no input for this long: decoded screenshots are dropped from memory
IDLE_MODEL_RELEASE_S = 60.0  # and after this long the search embedder too (it reloads in ~0.3 s)
IDLE_KEEP_BYTES = 4 * 1024 * 1024


class IdleWatch(QObject):
    lock_requested = Signal()

    def __init__(self, session: Session, media: MediaCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._media = media
        self.last_input = time.monotonic()
        self._trimmed_at = 0.0
        self._models_released_at = 0.0
        self._auto_lock_timer = QTimer(self)
        self._auto_lock_timer.setInterval(AUTO_LOCK_CHECK_MS)
        self._auto_lock_timer.timeout.connect(self.check_auto_lock)
        self._auto_lock_timer.start()
        self._trim_timer = QTimer(self)
        self._trim_timer.setInterval(TRIM_CHECK_MS)
        self._trim_timer.timeout.connect(self.trim_when_idle)
        self._trim_timer.start()

    def touched(self) -> None:
        """The user is here (input, or an unlock)."""
        self.last_input = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.touched()
        return False

    def trim_when_idle(self) -> None:
        """Once per idle spell: drop decoded screenshots and hand freed heap back to the system."""
        idle = time.monotonic() - self.last_input
        vault = self._session.vault
        if idle > IDLE_MODEL_RELEASE_S and self._models_released_at < self.last_input and vault is not None:
            self._models_released_at = time.monotonic()
            release_models(self._session, vault).run()
        if time.monotonic() - self.last_input <= IDLE_TRIM_AFTER_S or self._trimmed_at >= self.last_input:
            return
        self._trimmed_at = time.monotonic()
        self._media.trim(IDLE_KEEP_BYTES)
        release_memory(self._session).run()

    def check_auto_lock(self) -> None:
        if not self._session.is_unlocked:
            return
        minutes = self._session.settings.auto_lock_minutes
        if minutes and time.monotonic() - self.last_input > minutes * 60:
            self.lock_requested.emit()
