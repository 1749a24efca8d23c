"""``FileSink``: the protocol through which the indexer reads the ledger and reports what it decided.

The vault implements it (``core.capture.files.sink.VaultFileSink``); tests and
benches use ``tests.support.memory_file_sink.MemoryFileSink``.

Threads: a sink is called from one thread at a time (see the class).
Errors: a failing sink raises; the indexer does not catch it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from core.capture.files.ledger import FileState, LedgerEntry, LedgerState
from core.normalize.extract.base import Extraction


class FileSink(Protocol):
    """Where the indexer's decisions go.  The vault implements it; tests use ``MemoryFileSink``.

    Paths are absolute ``Path`` objects as the OS gives them (possibly with
    surrogate-escaped bytes: store ``path_key(path)``, show
    ``display_path(path)``).  ``root`` is the watched folder the file is in
    (the item's ``conversation``).  Every method is called from one thread at
    a time.  ``index_file`` must be idempotent and should store the item and
    its ledger entry together, so a crash between files loses nothing that
    was acknowledged and a re-run duplicates nothing.
    """

    def ledger_get(self, path: Path) -> LedgerEntry | None:
        """The ledger entry of exactly ``path``, in any state."""
        ...

    def ledger_under(self, folder: Path) -> Iterable[LedgerEntry]:
        """Every ledger entry (any state) whose path is below ``folder``."""
        ...

    def ledger_find(self, content_hash: str) -> Iterable[LedgerEntry]:
        """Indexed entries (any folder) whose content hash is ``content_hash``: move sources for a new file."""
        ...

    def index_file(self, root: Path, path: Path, extraction: Extraction, state: FileState) -> None:
        """Store or replace the file's item (same item for the same path); ledger := indexed."""
        ...

    def record_unchanged(self, path: Path, state: FileState) -> None:
        """Same content, new ``stat`` (touched, copied back): refresh the ledger only."""
        ...

    def record_problem(self, root: Path, path: Path, state: FileState | None, reason: str,
                       ledger_state: LedgerState) -> None:
        """Ledger := failed or skipped with ``reason``; an existing item stays as it was."""
        ...

    def file_moved(self, root: Path, old: Path, new: Path, state: FileState) -> None:
        """Same item, new path: external id, title, path and root change; history stays."""
        ...

    def file_deleted(self, path: Path) -> None:
        """Mark the item deleted (its text stays findable as a deleted file); ledger := deleted."""
        ...

    def flush(self) -> None:
        """End of a scan or watcher batch: a sink may do deferred work now (embedding)."""
        ...
