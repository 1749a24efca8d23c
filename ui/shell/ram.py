"""Giving memory back to the system while the app sits idle in the tray (glibc only; no-ops elsewhere).

Decoding screenshots and parsing OCR word lists on worker threads leaves freed
memory in glibc's per-thread arenas, which RSS keeps counting.  Two knobs help:
fewer arenas (``M_ARENA_MAX``, set once at start-up before worker threads
exist) and ``malloc_trim(0)`` when the user has been idle for a while.

Threads: ``limit_malloc_arenas`` at start-up on the GUI thread;
``release_free_memory`` from any thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # glibc's mallopt parameter number


@lru_cache(maxsize=1)
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (call before worker threads start); True when applied."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Return freed heap memory to the system (``malloc_trim(0)``); True when something was released."""
    libc = _libc()
    if libc is None:
        return False
    try:
        return bool(libc.malloc_trim(0))
    except Exception:  # never let housekeeping break the app
        log.debug("malloc_trim failed", exc_info=True)
        return False
