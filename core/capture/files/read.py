"""Reading one file safely for indexing: ``read_file`` (bounded, non-blocking, stat-consistent) and its hash.

``read_file`` refuses pipes, sockets and devices, checks the size cap and
the first bytes (binary content without an extractor) before reading the
rest, and retries a file that changes while it is read.

Threads: pure functions, safe from any thread (``read_file`` sleeps briefly
between retries).  Errors: ``read_file`` raises ``Unreadable`` with a reason
for people; ``gone`` and ``skipped`` say how the indexer should record it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat as stat_mod
import time
from dataclasses import dataclass
from pathlib import Path

from core.capture.files.ignore import human_size
from core.normalize.extract import Unsupported, choose_extractor
from core.normalize.extract.sniff import HEAD_BYTES


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True, slots=True)
class FileRead:
    data: bytes
    stat: os.stat_result
    digest: str


class Unreadable(Exception):
    def __init__(self, reason: str, *, gone: bool = False, skipped: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone
        self.skipped = skipped


def read_file(path: Path, max_bytes: int) -> FileRead:
    """Read a regular file safely: no blocking on FIFOs, bounded, consistent with its ``stat``.

    Raises ``Unreadable``.  The head is checked before the rest is read, so a
    large binary file costs one small read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(3):
        try:
            fd = os.open(path, flags)
        except FileNotFoundError as exc:
            raise Unreadable("file vanished before it could be read", gone=True) from exc
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Unreadable("symbolic link loop", skipped=True) from exc
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise Unreadable("permission denied") from exc
            raise Unreadable(f"cannot open: {exc.strerror or exc}") from exc
        try:
            before = os.fstat(fd)
            if not stat_mod.S_ISREG(before.st_mode):
                raise Unreadable("not a regular file (pipe, socket or device)", skipped=True)
            if before.st_size > max_bytes:
                raise Unreadable(f"{human_size(before.st_size)} is over the {human_size(max_bytes)} size cap",
                                  skipped=True)
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            head = os.read(fd, HEAD_BYTES)
            try:
                choose_extractor(path.name, head)
            except Unsupported as exc:
                raise Unreadable(exc.reason, skipped=True) from exc
            parts = [head]
            left = max_bytes + 1 - len(head)
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                parts.append(chunk)
                left -= len(chunk)
            data = b"".join(parts)
            after = os.fstat(fd)
        except OSError as exc:
            raise Unreadable(f"read error: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)
        if len(data) > max_bytes:
            raise Unreadable(f"grew over the {human_size(max_bytes)} size cap while being read", skipped=True)
        if (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns) and len(data) == after.st_size:
            return FileRead(data, after, content_hash(data))
        time.sleep(0.05 * (_attempt + 1))  # being written right now: give the writer a moment
    raise Unreadable("kept changing while being read; will retry on the next change")
