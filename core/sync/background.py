"""Background sync for the capture host: a thread that runs sync passes when ``SyncSchedule`` says so.

The host nudges it when the vault changed (``changed()``); it also notices
commits by any other connection through SQLite's ``PRAGMA data_version``.  A
pass that cannot reach the target marks sync offline and backs off; a refused
pass (wrong key, removed device) stops background sync until the user acts;
both are written to the vault's sync log and shown by `cairn sync status` and
Settings → Sync.

Threads: ``start``/``stop`` from the controlling thread; passes run on this
object's own thread, one at a time.  Errors: never raised out of the thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import CairnError
from core.sync import state
from core.sync.schedule import SyncSchedule
from core.sync.service import SyncedVault, sync_pass
from core.sync.target import TargetUnreachable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackgroundState:
    phase: str  # 'idle' | 'syncing' | 'offline' | 'stopped: <reason>' | 'off'
    last_pass: float | None
    passes: int
    last_error: str | None


class BackgroundSync:
    def __init__(self, vault: SyncedVault, *, schedule: SyncSchedule | None = None, tick_s: float = 1.0,
                 consolidate: Callable[[], Any] | None = None, keyring_backend: Any | None = None,
                 say: Callable[[str], None] = log.info) -> None:
        self.vault = vault
        self.schedule = schedule or SyncSchedule()
        self.tick_s = tick_s
        self._consolidate = consolidate
        self._keyring = keyring_backend
        self._say = say
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._phase = "idle"
        self._last_pass: float | None = None
        self._passes = 0
        self._last_error: str | None = None
        self._data_version: int | None = None

    @staticmethod
    def enabled(vault: SyncedVault) -> bool:
        """Set up here and not switched off by the user."""
        conn = vault.read()
        return state.get_meta(conn, "target") is not None and state.get_meta(conn, "enabled") == "1"

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cairn-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def changed(self) -> None:
        """The vault changed (the host saw new memories): sync once things settle."""
        self.schedule.changed(time.monotonic())

    def sync_soon(self) -> None:
        """Run a pass at the next tick (the user pressed "Sync now", or the network came back)."""
        self.schedule.last_pass = None
        self.schedule.offline_since = None
        self._wake.set()

    def state(self) -> BackgroundState:
        return BackgroundState(self._phase, self._last_pass, self._passes, self._last_error)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            self._notice_commits(now)
            if self.schedule.due(now):
                self._pass(now)
            self._wake.wait(self.tick_s)
            self._wake.clear()

    def _notice_commits(self, now: float) -> None:
        try:
            version = int(self.vault.read().execute("PRAGMA data_version").fetchone()[0])
        except Exception:
            return
        if self._data_version is not None and version != self._data_version:
            self.schedule.changed(now)
        self._data_version = version

    def _pass(self, now: float) -> None:
        self.schedule.started(now)
        self._phase = "syncing"
        try:
            report = sync_pass(self.vault, keyring_backend=self._keyring, consolidate=self._consolidate)
        except TargetUnreachable as exc:
            self.schedule.offline(time.monotonic())
            self._record(f"offline, retrying: {exc}")  # logged before the phase says so: readers see both
            self._phase, self._last_error = "offline", str(exc)
            return
        except CairnError as exc:
            self._record(f"background sync stopped: {exc}")
            self._phase, self._last_error = f"stopped: {exc}", str(exc)
            self._stop.set()
            return
        except Exception as exc:  # a bug must not kill the host: log it, retry on the usual schedule
            log.warning("background sync failed", exc_info=True)
            self.schedule.finished(time.monotonic())
            self._phase, self._last_error = "idle", f"{type(exc).__name__}: {exc}"
            return
        self.schedule.finished(time.monotonic())
        self._phase, self._last_error = "idle", None
        self._last_pass = time.time()
        self._passes += 1
        # our own bookkeeping commits are not the user's changes
        with contextlib.suppress(Exception):
            self._data_version = int(self.vault.read().execute("PRAGMA data_version").fetchone()[0])
        if report.uploaded_ops or report.applied_segments:
            self._say(f"sync: sent {report.uploaded_ops} change(s), applied {report.applied_segments} segment(s)")

    def _record(self, message: str) -> None:
        with contextlib.suppress(Exception):
            self.vault.write(lambda c: state.log_error(c, message))
