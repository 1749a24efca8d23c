"""Every failure a user can cause or meet becomes one ``error: …`` line and an exit code; the trace goes to the log.

What the line says: what failed, where, and what to do.  The traceback is
logged at debug level only (``CAIRN_LOG=debug`` shows it on stderr), never
written to disk (it could quote user content) and never shown by default.
"""

from __future__ import annotations

import logging

from core.errors import CairnError
from core.store.disk_full import DISK_ERRNOS, is_sqlite_error

log = logging.getLogger("cairn")

DISK_FULL_HINT = ("what was committed before stays in the vault; free some space and run the command again"
                  " (imports and indexing resume where they stopped)")


def user_message(exc: BaseException) -> str:
    """The one line (after ``error: ``) for ``exc``."""
    if isinstance(exc, CairnError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        where = f" writing {exc.filename}" if exc.filename else ""
        return f"the disk is full{where} ({exc.strerror}); {DISK_FULL_HINT}"
    if is_sqlite_error(exc):
        return _sqlite_message(str(exc))
    if isinstance(exc, MemoryError):
        return "ran out of memory; close other programs or import the export in parts"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return (f"unexpected failure ({type(exc).__name__}); nothing was lost that was committed. Run with"
            " CAIRN_LOG=debug for the details and report them")


def _sqlite_message(text: str) -> str:
    lowered = text.lower()
    if "full" in lowered or "disk i/o" in lowered:
        return f"could not write to the vault: the disk is full or failing (SQLite: {text}); {DISK_FULL_HINT}"
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return (f"the vault database is damaged (SQLite: {text}); restore vault.db from a backup — your"
                " passphrase and key file are fine")
    if "locked" in lowered or "busy" in lowered:
        return "the vault is busy (another Cairn process is writing); try again in a moment"
    return f"the vault database failed (SQLite: {text}); run with CAIRN_LOG=debug for the details"


def report_failure(exc: BaseException) -> int:
    """Log the trace at debug level, print the one line, return the exit code (1)."""
    from rich.markup import escape

    from app.context import console

    log.debug("command failed", exc_info=exc)
    console(stderr=True).print(f"[bold red]error:[/] {escape(user_message(exc))}")
    return 1
