"""The capture host: everything that captures and keeps the vault current, for one unlocked vault, Qt-free.

It owns screen capture (the screen daemon), the folder watcher, the chat
inbox (export files dropped there are imported, idempotently), embedding of
items stored without vectors, retention, and consolidation while nothing new
arrives.  ``cairn daemon`` runs it in its own process (``app.daemon``) and
the desktop app runs it while the vault is unlocked, unless a daemon already
does (``ui.capture.runner``): either way the watched folders and the inbox
stay current.  It writes only non-secret status files (counts and times).

Threads: ``start``/``stop``/``apply`` from one controlling thread (not
concurrently); the host's own maintenance thread runs the periodic work, the
screen daemon and the watcher run their own threads.  Errors: a failing
periodic job is logged and retried on its next turn, never fatal; ``start``
raises what the screen daemon or the watcher raise while starting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.capture.files.activity import FilesActivity
from core.host.capture_lock import CaptureLock
from core.host.inbox import InboxState, import_inbox
from core.host.screen import build_screen_daemon

if TYPE_CHECKING:
    from core.capture.files.watcher import FolderWatcher
    from core.capture.screen.daemon import ScreenDaemon
    from core.settings import Settings
    from core.sync.background import BackgroundSync
    from core.vault import Vault

log = logging.getLogger(__name__)

INBOX_EVERY_S = 5.0  # a directory listing: cheap
EMBED_EVERY_S = 60.0  # screen frames are stored without vectors; they get them in batches
RETENTION_EVERY_S = 3600.0
FIRST_RETENTION_AFTER_S = 60.0
CONSOLIDATE_QUIET_S = 120.0  # nothing new for this long counts as idle for consolidation
SYNC_CHECK_EVERY_S = 10.0  # `cairn sync setup`/`leave` or the Sync tab switched sync on or off meanwhile
# Settings whose change restarts the screen daemon (privacy rules apply at once without a restart).
SCREEN_RESTART_FIELDS = ("screen_enabled", "capture_interval_s", "idle_pause_minutes", "monitors")


@dataclass(frozen=True, slots=True)
class HostOptions:
    screen: bool = True
    files: bool = True
    inbox: bool = True
    consolidate: bool = True
    sync: bool = True  # background sync, when this vault has a sync target (`cairn sync setup`)
    tick_s: float = 1.0
    holder: str = "Cairn capture"  # who holds the capture lock, as `cairn status` and a refused second host name it


class CaptureHost:
    """Runs the capture sources and the periodic upkeep of one vault.  See the module doc."""

    def __init__(self, vault: Vault, options: HostOptions = HostOptions(),
                 say: Callable[[str], None] = log.info) -> None:
        self.vault = vault
        self.options = options
        self._say = say
        self._settings: Settings | None = None
        self._screen: ScreenDaemon | None = None
        self._watcher: FolderWatcher | None = None
        self._files = FilesActivity()
        self._sync: BackgroundSync | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = CaptureLock(vault.paths.runtime_dir, options.holder)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def files_activity(self) -> str | None:
        """What the folder watcher is OCR'ing now ("scan.pdf: OCR page 37 of 200"), or None (any thread)."""
        current = self._files.current()
        return current.line() if current is not None else None

    @property
    def screen_running(self) -> bool:
        return self._screen is not None

    # -- control ----------------------------------------------------------------------------------
    def start(self, settings: Settings | None = None) -> None:
        """Start every source the settings and options enable, and the maintenance thread.

        Takes the vault's capture lock first: raises ``CaptureBusy`` naming the holder when another
        daemon or app already captures into this vault.
        """
        if self._thread is not None:
            return
        self._lock.acquire()
        try:
            settings = settings or self.vault.settings()
            self._settings = settings
            self._stop.clear()
            self._start_screen(settings)
            self._start_watcher(settings)
            self._start_sync()
        except BaseException:
            self._stop_screen()
            self._stop_watcher()
            self._lock.release()
            raise
        self._thread = threading.Thread(target=self._maintain, name="cairn-host", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop everything it started (the maintenance thread finishes its current job first)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._stop_screen(timeout)
        self._stop_watcher()
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.stop(timeout)
        self._lock.release()

    @property
    def background_sync(self) -> BackgroundSync | None:
        """The background sync (None when this vault does not sync or the option is off)."""
        return self._sync

    def restart_sync(self) -> None:
        """Sync was set up, switched on or off, or left: follow the vault's sync configuration."""
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.stop()
        if self._thread is not None:
            self._start_sync()

    def apply(self, settings: Settings) -> None:
        """New settings: restart what they change (screen daemon, watched folders), else apply in place."""
        if self._thread is None:
            return
        before, self._settings = self._settings, settings
        if self._screen is None or any(getattr(settings, f) != getattr(before, f) for f in SCREEN_RESTART_FIELDS):
            self._stop_screen()
            self._start_screen(settings)
        else:
            from core.capture.screen.privacy import PrivacyPolicy

            self._screen.set_policy(PrivacyPolicy.from_settings(settings))
        if before is None or tuple(settings.watched_folders) != tuple(before.watched_folders):
            self._stop_watcher()
            self._start_watcher(settings)

    def wait_stopped(self, stop: threading.Event, should_end: Callable[[], str | None]) -> str:
        """Block until ``stop`` is set or ``should_end()`` names a reason (checked every tick); returns why."""
        while not stop.wait(self.options.tick_s):
            reason = should_end()
            if reason:
                return reason
        return "stopped"

    # -- sources ----------------------------------------------------------------------------------
    def _start_screen(self, settings: Settings) -> None:
        if not (self.options.screen and settings.screen_enabled) or self._screen is not None:
            return
        screen = build_screen_daemon(self.vault, settings)
        screen.start()
        self._screen = screen
        self._say(f"screen capture: every {settings.capture_interval_s:g} s")

    def _stop_screen(self, timeout: float = 10.0) -> None:
        screen, self._screen = self._screen, None
        if screen is not None:
            screen.stop(timeout=timeout)

    def _start_watcher(self, settings: Settings) -> None:
        if not (self.options.files and settings.watched_folders) or self._watcher is not None:
            return
        from core.capture.files.service import start_watcher  # late: watchdog and the extractors

        self._watcher = start_watcher(self.vault, on_report=self._files.batch_done, pages=self._files.page)
        self._say(f"watching {len(settings.watched_folders)} folder(s)")

    def _start_sync(self) -> None:
        from core.sync.background import BackgroundSync  # late: fsspec and the transports

        if not self.options.sync or self._sync is not None or not BackgroundSync.enabled(self.vault):
            return
        self._sync = BackgroundSync(
            self.vault, consolidate=lambda: self.vault.consolidate(should_stop=self._stop.is_set), say=self._say)
        self._sync.start()
        self._say("background sync: on")

    def _follow_sync_setup(self) -> None:
        from core.sync.background import BackgroundSync

        wanted = self.options.sync and BackgroundSync.enabled(self.vault)
        if wanted != (self._sync is not None):
            self.restart_sync()

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            watcher.indexer.close()
        self._files.clear()

    # -- upkeep -----------------------------------------------------------------------------------
    def _maintain(self) -> None:
        settings = self._settings
        inbox = None
        if self.options.inbox and settings is not None and settings.chat_inbox:
            inbox = Path(settings.chat_inbox).expanduser()
            self._say(f"chat inbox: {inbox}")
        state = InboxState()
        last_inbox = 0.0
        started = time.monotonic()
        # Pending vectors at once; the first retention pass after a minute.
        last_embed = last_retention = started - RETENTION_EVERY_S + FIRST_RETENTION_AFTER_S
        last_new = started
        last_count = self._guard("count", self.vault.memory_count)
        last_sync_check = started
        while not self._stop.wait(self.options.tick_s):
            now = time.monotonic()
            if now - last_sync_check >= SYNC_CHECK_EVERY_S:
                last_sync_check = now
                self._guard("sync", self._follow_sync_setup)
            if inbox is not None and now - last_inbox >= INBOX_EVERY_S:
                last_inbox = now
                self._guard("inbox", lambda: import_inbox(self.vault, inbox, state, self._say))
            if now - last_embed >= EMBED_EVERY_S:
                last_embed = now
                self._guard("embeddings", self.vault.embed_pending)
            if now - last_retention >= RETENTION_EVERY_S:
                last_retention = now
                self._guard("retention", self._retention)
            count = self._guard("count", self.vault.memory_count)
            if count != last_count:
                last_count, last_new = count, now
                if self._sync is not None:
                    self._sync.changed()
            elif self.options.consolidate and now - last_new >= CONSOLIDATE_QUIET_S:
                self._guard("consolidation", self._consolidate)
                last_new = now  # wait for the next quiet period

    def _retention(self) -> None:
        gone = self.vault.enforce_retention().value
        if gone["items"] or gone["media"]:
            self._say(f"retention: {gone['items']} memories and {gone['media']} media files removed")

    def _consolidate(self) -> None:
        report = self.vault.consolidate(should_stop=self._stop.is_set)
        if report.items_processed:
            self._say(f"consolidated {report.items_processed} memories")

    def _guard(self, job: str, fn: Callable[[], Any]) -> Any:
        if self._stop.is_set():
            return None
        try:
            return fn()
        except Exception:
            if not self._stop.is_set():  # a lock closes the vault under a running job: not worth a warning
                log.warning("capture host: %s failed", job, exc_info=True)
            return None
