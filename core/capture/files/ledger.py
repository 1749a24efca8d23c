"""What the ledger records about a watched file: ``LedgerState``, ``LedgerEntry``, ``FileState``.

The ledger is stored by a ``FileSink`` (``core.capture.files.sink_protocol``);
these are the plain values that travel between the indexer and the sink.

Threads: immutable values, safe to share.  Errors: none raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class LedgerState(StrEnum):
    INDEXED = "indexed"   # an item holds this content
    FAILED = "failed"     # extraction failed; reason says why (an older item may remain)
    SKIPPED = "skipped"   # deliberately not extracted (binary, too large, loop); reason says why
    DELETED = "deleted"   # the file is gone; its item is marked deleted
    FORGOTTEN = "forgotten"  # the user forgot its item: not indexed again until the file changes


@dataclass(frozen=True, slots=True)
class FileState:
    """What was seen on disk: ``mtime`` is ``st_mtime`` (float seconds), compared for equality."""

    size: int
    mtime: float
    content_hash: str | None = None

    @classmethod
    def of(cls, st: os.stat_result, content_hash: str | None = None) -> FileState:
        return cls(st.st_size, st.st_mtime, content_hash)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    path: Path
    state: LedgerState
    size: int | None = None
    mtime: float | None = None
    content_hash: str | None = None
    reason: str | None = None

    def same_stat(self, st: os.stat_result) -> bool:
        return self.size == st.st_size and self.mtime == st.st_mtime

