"""Write a file only its owner can read (0600 whatever the umask), atomically: temp, rename."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """The hidden temp file one writer uses beside ``path``: unique per process and call, so two writers never share one."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def write_private(path: Path, data: bytes | memoryview, *, durable: bool = False) -> int:
    """Replace ``path`` with ``data``: a 0600 temp file in the same folder (0700 when created), then a rename.

    ``durable`` syncs the data before the rename and the folder after it (a crash then leaves the old file or
    the new one, and the new one stays). Returns the bytes written.
    Raises ``OSError`` (disk full included) after removing the temp file: ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)
    return len(data)


def _sync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
