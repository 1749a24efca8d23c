"""Telling a full disk apart from other failures: ``is_disk_full(exc)`` for OS and SQLite errors.

A write past the end of a full file system is ``ENOSPC`` (or ``EDQUOT`` over a
quota, ``EFBIG`` past a file-size limit); SQLite reports the first as
"database or disk is full" and the others as "disk I/O error".
"""

from __future__ import annotations

import errno

DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def is_sqlite_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("sqlite3", "sqlcipher3") or type(exc).__name__ in (
        "OperationalError", "DatabaseError", "IntegrityError")


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says a write found no room (an OS error or SQLite's full / I/O error)."""
    if isinstance(exc, OSError):
        return exc.errno in DISK_ERRNOS
    if is_sqlite_error(exc):
        text = str(exc).lower()
        return "full" in text or "disk i/o" in text
    return False
