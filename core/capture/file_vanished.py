"""``Vanished``: ledger entries whose files are gone, kept until a new file claims one as its move source.

Threads: one ``Vanished`` belongs to one scan or watcher batch (one thread).
Errors: none raised.
"""

from __future__ import annotations

from pathlib import Path

from core.capture.file_ledger import LedgerEntry, LedgerState


class Vanished:
    """Live ledger entries whose files are gone: deleted, or the source of a move not yet seen.

    A new file whose content hash equals a vanished entry's *claims* it and
    becomes a move (same item, new path).  What nobody claims is deleted by
    ``FileIndexer.delete_unclaimed``.  This is how moves are recognised when
    the events do not pair up (a move into a folder created a moment before,
    moves while Cairn was not running).
    """

    def __init__(self) -> None:
        self.entries: dict[Path, LedgerEntry] = {}
        self._by_hash: dict[str, list[Path]] = {}

    def add(self, entry: LedgerEntry) -> None:
        if entry.path in self.entries or entry.state is LedgerState.DELETED:
            return
        self.entries[entry.path] = entry
        if entry.content_hash and entry.state is LedgerState.INDEXED:
            self._by_hash.setdefault(entry.content_hash, []).append(entry.path)

    def claim(self, digest: str) -> LedgerEntry | None:
        for path in self._by_hash.get(digest, []):
            entry = self.entries.pop(path, None)
            if entry is not None:
                self._by_hash[digest].remove(path)
                return entry
        return None

    def __len__(self) -> int:
        return len(self.entries)
