"""``MemoryFileSink``: a ``FileSink`` in dictionaries, the reference semantics the vault sink is held to.

Test support (and the files benchmark's baseline); the product stores files through
``core.capture.files.sink.VaultFileSink``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.capture.files.ledger import FileState, LedgerEntry, LedgerState
from core.normalize.extract.base import Extraction


@dataclass(slots=True)
class MemoryItem:
    id: int
    root: Path
    path: Path
    extraction: Extraction
    state: FileState
    deleted: bool = False
    versions: int = 1


@dataclass(slots=True)
class MemoryFileSink:
    """A ``FileSink`` in dictionaries: the reference semantics, for tests and benchmarks.

    ``index_calls`` counts ``index_file`` per path, so a test can prove that a
    burst of writes was extracted once.  Items are keyed by path and keep
    their id across moves, like the vault's.
    """

    ledger: dict[Path, LedgerEntry] = field(default_factory=dict)
    items: dict[Path, MemoryItem] = field(default_factory=dict)
    index_calls: Counter[Path] = field(default_factory=Counter)
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    flushes: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def ledger_get(self, path: Path) -> LedgerEntry | None:
        return self.ledger.get(path)

    def ledger_under(self, folder: Path) -> Iterable[LedgerEntry]:
        return [e for p, e in self.ledger.items() if folder in p.parents]

    def ledger_find(self, content_hash: str) -> Iterable[LedgerEntry]:
        return [e for e in self.ledger.values()
                if e.content_hash == content_hash and e.state is LedgerState.INDEXED]

    def index_file(self, root: Path, path: Path, extraction: Extraction, state: FileState) -> None:
        self.index_calls[path] += 1
        item = self.items.get(path)
        if item is None:
            self.items[path] = MemoryItem(next(self._ids), root, path, extraction, state)
        else:
            item.extraction, item.state, item.deleted, item.root = extraction, state, False, root
            item.versions += 1
        self.ledger[path] = LedgerEntry(path, LedgerState.INDEXED, state.size, state.mtime, state.content_hash)

    def record_unchanged(self, path: Path, state: FileState) -> None:
        old = self.ledger.get(path)
        if old is not None:
            self.ledger[path] = LedgerEntry(path, old.state, state.size, state.mtime, old.content_hash, old.reason)

    def record_problem(self, root: Path, path: Path, state: FileState | None, reason: str,
                       ledger_state: LedgerState) -> None:
        self.ledger[path] = LedgerEntry(path, ledger_state, state.size if state else None,
                                        state.mtime if state else None, state.content_hash if state else None,
                                        reason)

    def file_moved(self, root: Path, old: Path, new: Path, state: FileState) -> None:
        self.moves.append((old, new))
        entry = self.ledger.pop(old, None)
        if entry is not None:
            self.ledger[new] = LedgerEntry(new, entry.state, state.size, state.mtime, entry.content_hash,
                                           entry.reason)
        item = self.items.pop(old, None)
        if item is not None:
            item.path, item.root, item.deleted = new, root, False
            self.items[new] = item

    def file_deleted(self, path: Path) -> None:
        item = self.items.get(path)
        if item is not None:
            item.deleted = True
        entry = self.ledger.get(path)
        if entry is not None:
            self.ledger[path] = LedgerEntry(path, LedgerState.DELETED, entry.size, entry.mtime, entry.content_hash,
                                            entry.reason)

    def flush(self) -> None:
        self.flushes += 1

    # ----------------------------------------------------------------- test helpers

    def live(self) -> dict[Path, MemoryItem]:
        return {p: i for p, i in self.items.items() if not i.deleted}

    def text_of(self, path: Path) -> str:
        return self.items[path].extraction.text
