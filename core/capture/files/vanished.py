"""``Vanished``: ledger entries whose files are gone, kept until a new file claims one as its move source.

Threads: one ``Vanished`` belongs to one scan or watcher batch (one thread).
Errors: none raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.capture.files.ledger import LedgerEntry, LedgerState


class Vanished:
    """Live ledger entries whose files are gone: deleted, or the source of a move not yet seen.

    A new file whose content hash equals a vanished entry's *claims* it and
    becomes a move (same item, new path).  What nobody claims is deleted by
    ``FileIndexer.delete_unclaimed``.  This is how moves are recognised when
    the events do not pair up (a move into a folder created a moment before,
    moves while Cairn was not running).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.entries: dict[Path, LedgerEntry] = {}
        self.noted_at: dict[Path, float] = {}   # clock() when each entry was added
        self._clock = clock
        self._by_hash: dict[str, list[Path]] = {}

    def add(self, entry: LedgerEntry) -> None:
        if entry.path in self.entries or entry.state is LedgerState.DELETED:
            return
        self.entries[entry.path] = entry
        self.noted_at[entry.path] = self._clock()
        if entry.content_hash and entry.state is LedgerState.INDEXED:
            self._by_hash.setdefault(entry.content_hash, []).append(entry.path)

    def claim(self, digest: str) -> LedgerEntry | None:
        for path in self._by_hash.get(digest, []):
            entry = self.entries.pop(path, None)
            if entry is not None:
                self._by_hash[digest].remove(path)
                self.noted_at.pop(path, None)
                return entry
        return None

    def take(self, path: Path) -> LedgerEntry | None:
        """Remove ``path``'s entry (it came back, or it is being decided now) and return it."""
        entry = self.entries.pop(path, None)
        self.noted_at.pop(path, None)
        if entry is not None and entry.content_hash in self._by_hash:
            paths = self._by_hash[entry.content_hash]
            if path in paths:
                paths.remove(path)
        return entry

    def noted_before(self, moment: float) -> list[Path]:
        """Paths noted before ``moment`` (on the same clock): their grace for a move has run out."""
        return [path for path, at in self.noted_at.items() if at < moment]

    def oldest(self) -> float | None:
        """When the oldest entry was noted, or ``None`` when empty."""
        return min(self.noted_at.values(), default=None)

    def __len__(self) -> int:
        return len(self.entries)
