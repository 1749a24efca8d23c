"""One capture host per vault: an exclusive ``flock`` on ``run/capture.lock``, naming its holder.

Two capture processes on one vault store every screen frame twice, so
``cairn daemon`` and the app's in-process capture both take this lock before
they start and a second one is refused with a message naming the holder.
The kernel drops a ``flock`` when its process dies (even by kill -9), so a
crash never leaves a stale lock; the holder line in the file is only a label.

Threads: one ``CaptureLock`` per host, used from its controlling thread.
Errors: ``acquire`` raises ``CaptureBusy`` (a ``CairnError``) when another
holder has the lock; ``holder`` raises nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import CairnError

LOCK_NAME = "capture.lock"


class CaptureBusy(CairnError):
    """Another process (or host) already captures into this vault."""

    def __init__(self, holder: LockHolder | None) -> None:
        who = holder.describe() if holder else "another process"
        super().__init__(f"capture already runs for this vault: {who}; stop it first (`cairn lock` stops a "
                         "daemon) or let it capture")
        self.holder = holder


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds the capture lock: a label, never content."""

    pid: int
    name: str
    since: float

    def describe(self) -> str:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"{self.name} (pid {self.pid}, since {started})"

    def to_dict(self) -> dict[str, object]:
        return {"pid": self.pid, "name": self.name, "since": self.since}


class CaptureLock:
    """The capture lock of one runtime folder; see the module doc."""

    def __init__(self, runtime_dir: Path, name: str) -> None:
        self.path = runtime_dir / LOCK_NAME
        self.name = name
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise ``CaptureBusy`` naming who has it.  Taking it twice is a no-op."""
        if self._fd is not None:
            return
        fd = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise CaptureBusy(holder(self.path.parent)) from None
        except BaseException:
            os.close(fd)
            raise
        label = json.dumps(LockHolder(os.getpid(), self.name, time.time()).to_dict()).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, label, 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # the label goes with the lock; the empty file stays for the next holder
        finally:
            os.close(fd)  # closing drops the flock


def holder(runtime_dir: Path) -> LockHolder | None:
    """Who holds the capture lock of this runtime folder now, or ``None`` when nobody does."""
    path = runtime_dir / LOCK_NAME
    if not path.exists():
        return None
    try:
        fd = _open(path)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_label(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _read_label(fd: int) -> LockHolder:
    """The holder's label; a holder that has not written it yet reads as an unnamed process."""
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return LockHolder(int(data["pid"]), str(data["name"]), float(data["since"]))
    except (ValueError, KeyError, TypeError, OSError):
        return LockHolder(0, "an unnamed capture process", time.time())
