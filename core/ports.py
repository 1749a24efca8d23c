"""The narrow interfaces lower modules take instead of the whole vault facade.

``core.vault.Vault`` implements every port here (structurally: it never names
them); a module below the facade asks only for what it uses, so it can be
tested with a small fake and cannot call back up into the facade for anything
else (a search that went vault → recall → vault → retriever now gets its
retriever handed in).

The ports sit above the store and the retriever (whose value types they
name) and below capture, memory and answer (which take them).  ``Connection``
is an open SQLCipher connection (sqlcipher3 ships no type stubs): a reader's
from ``Reader.read()``, the writer's inside ``Writer.write(fn)``.
Mutations return what they changed (``core.changes``), as the facade does.

Threads and errors: each port's methods keep the contract of the facade
method that implements them (any thread; ``core.errors.CairnError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from core.changes import Changes, Outcome
from core.retrieve.types import SearchRequest, SearchResult
from core.settings import Settings
from core.storage_budget import StorageBudget
from core.store.ingest import ImportReport
from core.store.stats import VaultStats
from core.types import ItemId, MediaId, ReadResult, TimeRange

T = TypeVar("T")
Connection = Any
ProgressCallback = Callable[[int, int | None], None]
"""Called as ``progress(done, total_or_None)`` from the working thread."""

FilePageProgress = Callable[[Path, int, int], None]
"""Called as ``progress(path, page, pages)`` when indexing starts to OCR the ``page``-th of the ``pages``
of ``path`` it will OCR (an image's frames, a PDF's scanned pages), in order, from an extraction thread."""


class Reader(Protocol):
    def read(self) -> Connection:
        """This thread's reader connection (a snapshot per statement; never writes)."""
        ...


class Writer(Protocol):
    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` on the single writer thread, in one transaction; returns its result."""
        ...


class Store(Reader, Writer, Protocol):
    """Reads anywhere, writes through the one writer."""


class Ingest(Protocol):
    def ingest(self, results: Iterable[ReadResult], progress: ProgressCallback | None = None, embed: bool = True,
               total: int | None = None) -> ImportReport:
        """Redact, store, chunk and (optionally) embed records, idempotently by their source keys."""
        ...


class EmbedPending(Protocol):
    def embed_pending(self, progress: ProgressCallback | None = None) -> Outcome[int]:
        """Embed the chunks stored without vectors; how many."""
        ...


class Forget(Protocol):
    def forget(self, time_range: TimeRange | None = None, *, source: str | None = None, app: str | None = None,
               item_ids: Sequence[ItemId] = ()) -> Outcome[int]:
        """Delete memories for real (rows, chunks, vectors, media files); how many items went."""
        ...


class Media(Protocol):
    def put_media(self, data: bytes, kind: str, item_id: ItemId | None = None) -> Outcome[MediaId]:
        """Encrypt and store ``data``; the file is durable before its row commits."""
        ...

    def attach_media(self, media_id: MediaId, item_id: ItemId) -> Changes: ...


class Stats(Protocol):
    def stats(self) -> VaultStats: ...


class DropMedia(Protocol):
    def drop_media(self, where: str, params: Sequence[Any]) -> Outcome[int]:
        """Delete media rows matching ``where`` (aliases ``m`` media, ``i`` items) and their files; items stay."""
        ...


class Keys(Protocol):
    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` derived from the vault's data key (another one after `cairn rekey`)."""
        ...


class SettingsSource(Protocol):
    def settings(self) -> Settings: ...


class SettingsStore(SettingsSource, Protocol):
    def update_settings(self, **values: Any) -> Outcome[Settings]: ...


class Retriever(Protocol):
    def search(self, request: SearchRequest, now: datetime | None = None) -> SearchResult:
        """Hybrid retrieval (lexical + vectors), filters applied inside both."""
        ...


# -- what one lower module needs, named for its job ------------------------------------------------
class ForgetStore(Store, Forget, Protocol):
    """Consolidation's pruning: reads, writes, and forgets memories that lost their evidence."""


class SummaryStore(Store, Ingest, Protocol):
    """Summaries are stored as items of their own."""


class ConsolidationStore(Store, Ingest, Forget, SettingsSource, Protocol):
    """Everything consolidation touches."""


class FileStore(Store, Ingest, Forget, EmbedPending, Keys, Protocol):
    """Where indexed files go: their items, the ingest ledger (keys with no secret in them: ``Keys``), their removal."""


class Budget(Protocol):
    def storage_budget(self, settings: Settings | None = None) -> StorageBudget:
        """The size budget, what is used and the measured rate (``core.storage_budget``)."""
        ...


class RetentionStore(Store, Forget, Stats, DropMedia, Budget, Protocol):
    """Retention forgets old memories and drops the oldest media while over budget."""


class WatchStore(FileStore, SettingsStore, Protocol):
    """The file features: index into the store, keep the watched folders in the settings."""


class MemoryStore(Store, SettingsSource, Protocol):
    """The memory layer's facade reads and edits entities and facts (and knows the user's names)."""


class FrameStore(Ingest, Media, EmbedPending, Protocol):
    """Where captured screen frames go: an item, its encrypted image, its vectors later."""
