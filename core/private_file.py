"""Write a small file only its owner can read (0600 whatever the umask), atomically: temp, rename."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace ``path`` with ``data``: a 0600 temp file in the same folder (0700 when created), then a rename.

    ``durable`` syncs the data before the rename (a crash then leaves the old file or the new one).
    Raises ``OSError`` (disk full included) after removing the temp file: ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # an old temp file of another umask keeps its mode through O_CREAT
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
