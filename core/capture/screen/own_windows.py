"""Cairn never captures itself: the processes whose windows are Cairn's, known by process id, not by title.

A window title can be anything (a document called "Cairn", a browser tab), so
the capture path asks who *owns* a window instead: this process (the app runs
capture in-process) and every Cairn app that registered its pid in the
vault's runtime folder (``run/ui-<pid>.pid``), which is how a separate
``cairn daemon`` knows the app's windows.  A registration of a process that is
gone is ignored (a crash leaves a stale file; pids are checked alive).

Threads: ``OwnProcesses`` may be shared; ``pids()`` rereads the folder as soon
as it changes (its mtime: an app that registers is known on the very next
tick, before its window can be grabbed) and at least every ``refresh_s`` (a
registered process that died).  Errors: none raised by ``pids``; ``register``
raises ``OSError``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

PREFIX = "ui-"
SUFFIX = ".pid"


class OwnProcesses:
    def __init__(self, runtime_dir: Path | None, refresh_s: float = 5.0) -> None:
        self._dir = runtime_dir
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._cached: frozenset[int] = frozenset()
        self._read_at = float("-inf")
        self._dir_mtime: int | None = None

    def register(self, pid: int | None = None) -> None:
        """Mark ``pid`` (default: this process) as a Cairn process whose windows are never captured."""
        from core.private_file import write_private

        if self._dir is None:
            return
        pid = pid or os.getpid()
        write_private(self._dir / f"{PREFIX}{pid}{SUFFIX}", str(pid).encode())

    def unregister(self, pid: int | None = None) -> None:
        if self._dir is not None:
            with contextlib.suppress(OSError):
                (self._dir / f"{PREFIX}{pid or os.getpid()}{SUFFIX}").unlink()

    def pids(self) -> frozenset[int]:
        """This process and every registered Cairn process that is alive."""
        now = time.monotonic()
        mtime = self._mtime()
        with self._lock:
            if now - self._read_at >= self._refresh_s or mtime != self._dir_mtime:
                self._cached = frozenset(self._registered())
                self._read_at, self._dir_mtime = now, mtime
            return self._cached | {os.getpid()}

    def _mtime(self) -> int | None:
        try:
            return os.stat(self._dir).st_mtime_ns if self._dir is not None else None
        except OSError:
            return None

    def _registered(self) -> set[int]:
        if self._dir is None:
            return set()
        import psutil  # late: only capture asks

        found = set()
        with contextlib.suppress(OSError):
            for entry in self._dir.iterdir():
                name = entry.name
                if name.startswith(PREFIX) and name.endswith(SUFFIX) and name[len(PREFIX):-len(SUFFIX)].isdigit():
                    pid = int(name[len(PREFIX):-len(SUFFIX)])
                    if psutil.pid_exists(pid):
                        found.add(pid)
        return found
