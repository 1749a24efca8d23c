"""The facade the CLI, the daemon and the UI talk to: one unlocked vault.

Threads: every method may be called from any thread.  Writes are serialised
on the database's single writer thread; reads use a connection per thread.
Errors: ``core.errors.CairnError`` subclasses with user-facing messages.
Every mutation returns what it changed (``core.changes``): an ``Outcome``
(value and changes) or a report with a ``changes`` property.
Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core import env as env_switch
from core.capture.chats.reader import ImportOptions
from core.capture.files.path_recode import ensure_path_keys
from core.capture.files.real_path import real_path
from core.capture.screen.ledger import Coverage
from core.capture.screen.ledger_store import read_spans
from core.changes import ITEMS, MEDIA, NOTHING, SETTINGS, Changes, Outcome, changes, changes_if
from core.crypto.envelope import MediaCipher, derive_key
from core.crypto.keys import PENDING_WRAP, KeyFile, create_keyfile, unlock_data_key
from core.crypto.sealed_file import SealedFiles
from core.errors import CairnError, VaultLocked, VaultNotFound
from core.index.ann_store import AnnService
from core.index.fulltext import Rankings, WordFacts
from core.index.provider import ANN_MIN_VECTORS, VectorIndexes
from core.index.query_cache import QueryVectors
from core.index.vectors import VectorSearch
from core.paths import VaultPaths
from core.ports import ProgressCallback
from core.retrieve.hybrid import FusionWeights, HybridRetriever
from core.retrieve.types import SearchRequest, SearchResult
from core.schema import MIGRATIONS
from core.settings import Settings
from core.storage_budget import StorageBudget, measure
from core.store import browse, facet_columns, facets, forget, frame_codec, fts_contentless, media
from core.store.browse import ItemView
from core.store.database import Database
from core.store.fts_secure_delete import enable_fts_secure_delete
from core.store.ingest import Embedder, ImportReport, embed_all, ingest
from core.store.items import source_key
from core.store.schema import migrate
from core.store.settings import load_settings, save_settings
from core.store.stats import VaultStats, memory_count, vault_stats
from core.types import ItemId, MediaId, ReadResult, Record, TimeRange

if TYPE_CHECKING:
    from core.memory.consolidation.types import ConsolidationReport

T = TypeVar("T")


class Vault:
    """One unlocked vault.  Create with ``Vault.create`` or ``Vault.open``; ``close()`` locks it."""

    def __init__(self, paths: VaultPaths, data_key: bytes, *, embedder: str | None = "default") -> None:
        self.paths = paths
        self._db = Database(paths.database, data_key)
        self._cipher = MediaCipher(data_key)
        self._derive: Callable[[str], bytes] | None = functools.partial(derive_key, data_key)
        self._embedder_choice = embedder if (env_switch.EMBEDDER.get() or "").lower() != "none" else None
        self._embedder: Embedder | None = None
        self._embedder_lock = threading.Lock()
        self.vectors = VectorIndexes(
            self.read, self._db.write, self.embedder, paths.index_dir, SealedFiles(data_key, "vector-index"),
            int(env_switch.ANN_MIN_VECTORS.get() or ANN_MIN_VECTORS))
        # The desktop app searches while older vectors still load (and says so); one-shot callers wait.
        self.partial_vector_search = False
        self._redactor: Any = None
        self._graph_cache: Any = None
        self._query_vectors, self._word_facts = QueryVectors(), WordFacts()  # kept across searches
        self.filters = facet_columns.FacetColumns(self.read)  # in RAM; loads at unlock (the app) or first use
        self.creation_notes: list[str] = []
        self._db.write(lambda conn: migrate(conn, MIGRATIONS))
        self._db.write(enable_fts_secure_delete)
        # Path keys written before they were encoded, or under other rules: re-encoded once (see path_recode).
        self._db.write(lambda conn: ensure_path_keys(conn, self.derived_key))
        # An old vault fills chunk_facets / the contentless chunks_fts in the background; searches use SQL meanwhile.
        self._facets = facets.Backfill.if_pending(self._db.write, self.read())
        self._fts_fill = fts_contentless.migrate_in_background(self._db.write)

    # -- lifecycle ------------------------------------------------------------------
    @classmethod
    def create(
        cls, paths: VaultPaths, passphrase: str | None, use_keyring: bool = True, *, embedder: str | None = "default"
    ) -> Vault:
        data_key, _, notes = create_keyfile(paths, passphrase, use_keyring)
        vault = cls(paths, data_key, embedder=embedder)
        vault.creation_notes = notes
        return vault

    @classmethod
    def open(cls, paths: VaultPaths, passphrase: str | None = None, *, embedder: str | None = "default") -> Vault:
        if not paths.keyfile.exists():
            raise VaultNotFound(f"no Cairn vault at {paths.home} (run `cairn init`)")
        if passphrase is None and lock_flag(paths).exists():
            raise VaultLocked("the vault is locked: unlock it with your passphrase (`cairn unlock`)")
        data_key = unlock_data_key(paths, passphrase)
        if PENDING_WRAP in KeyFile.load(paths).wraps:
            raise CairnError("a `cairn rekey` was interrupted: run `cairn rekey` again to finish it (nothing is lost)")
        paths.ensure()  # 0700/0600 again, whatever an older version or the user's umask left
        return cls(paths, data_key, embedder=embedder)

    def close(self) -> None:
        """Lock: stop writing, close connections, forget keys and the in-memory index."""
        self.vectors.close()  # before the connections its loads and builds use close
        self._facets.stop()
        self.filters.stop()
        self._fts_fill.stop()
        self._db.close()
        self._cipher = None  # type: ignore[assignment]
        self._derive = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def locked(self) -> bool:
        return self._db.closed

    # -- low level --------------------------------------------------------------------
    def derived_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` derived from the data key (HKDF); refused once the vault is locked."""
        if self._derive is None:
            raise VaultLocked("the vault is locked")
        return self._derive(purpose)

    def write(self, fn: Callable[[Any], T]) -> T:
        result = self._db.write(fn)
        self.vectors.mark_dirty()
        return result

    def read(self) -> Any:
        return self._db.reader()

    # -- components -----------------------------------------------------------------------
    def embedder(self) -> Embedder | None:
        if self._embedder_choice is None:
            return None
        with self._embedder_lock:  # the index loader and a search may both ask first
            if self._embedder is None:
                from core.index.embedder import load_default_embedder

                self._embedder = load_default_embedder(self.paths.models_dir)
            return self._embedder

    def release_embedder(self) -> bool:
        """Drop the query embedder (~170 MB) while idle (the index stays); the next search loads it again (~0.3 s)."""
        with self._embedder_lock:
            released, self._embedder = self._embedder is not None, None
        return released

    def redactor(self) -> Any:
        if self._redactor is None:
            from core.redact.redactor import Redactor

            self._redactor = Redactor.from_default_rules()
        return self._redactor

    def start_index_load(self) -> None:
        """Make vectors and filters searchable from RAM (the app calls this at unlock, off the GUI thread)."""
        self.vectors.start_load()
        self.filters.start_load()

    def ann(self) -> AnnService | None:
        """The sealed approximate index's keeper for the current embedder (``None`` without one)."""
        return self.vectors.ann()

    def vector_index(self) -> VectorSearch | None:
        """The index to search now: the approximate one for a large vault, else the exact one."""
        return self.vectors.current()

    @property
    def partial_vector_search(self) -> bool:
        return self.vectors.partial

    @partial_vector_search.setter
    def partial_vector_search(self, value: bool) -> None:
        self.vectors.partial = value

    @property
    def ann_min_vectors(self) -> int:
        return self.vectors.min_vectors

    @ann_min_vectors.setter
    def ann_min_vectors(self, value: int) -> None:
        self.vectors.min_vectors = value

    # -- ingest -----------------------------------------------------------------------------
    def ingest(
        self, results: Iterable[ReadResult], progress: ProgressCallback | None = None, embed: bool = True,
        total: int | None = None,
    ) -> ImportReport:
        report = ingest(
            self._db, results, redactor=self.redactor(),
            embedder_factory=self._require_embedder if (embed and self._embedder_choice) else None,
            progress=progress, total=total,
        )
        self.vectors.mark_dirty()
        if report.redactions:
            report.notes.append(f"{report.redactions} secret(s) redacted before storage")
        if report.truncated:
            report.notes.append(f"{report.truncated} message(s) or document(s) too long: cut, the rest not stored")
        return report

    def _require_embedder(self) -> Embedder:
        embedder = self.embedder()
        assert embedder is not None
        return embedder

    def import_path(self, path: Path, fmt: str = "auto", options: ImportOptions | None = None,
                    progress: ProgressCallback | None = None, embed: bool = True) -> ImportReport:
        """Import an export file with its reader (``core.capture.chats.import_file``)."""
        from core.capture.chats.import_file import import_export

        return import_export(self, Path(path), fmt, options or ImportOptions(), progress, embed)

    def embed_pending(self, progress: ProgressCallback | None = None) -> Outcome[int]:
        """Embed chunks stored without vectors; the count.  No view shows vectors, so nothing changes."""
        embedder = self.embedder()
        if embedder is None:
            return Outcome(0, NOTHING)
        done = embed_all(self._db, embedder, progress)
        self.vectors.mark_dirty()
        return Outcome(done, NOTHING)

    def mark_deleted(self, source: str, external_id: str, conversation: str | None = None) -> Outcome[bool]:
        key = source_key(Record(source=source, external_id=external_id, kind="x",
                                timestamp=datetime.now().astimezone(), text="", conversation=conversation))
        marked = self.write(lambda conn: forget.mark_deleted(conn, key))
        return Outcome(marked, changes_if(marked, ITEMS))

    def count_forget(
        self, time_range: TimeRange | None = None, *, source: str | None = None, app: str | None = None,
        item_ids: Sequence[ItemId] = (),
    ) -> int:
        """How many memories ``forget`` with the same arguments would delete (nothing is deleted)."""
        where, params = forget.forget_where(time_range, source=source, app=app, item_ids=item_ids)
        return forget.count_items(self.read(), where, params)

    def forget(
        self, time_range: TimeRange | None = None, *, source: str | None = None, app: str | None = None,
        item_ids: Sequence[ItemId] = (),
    ) -> Outcome[int]:
        """Delete for real: items, chunks, FTS rows, orphaned vectors and media files; how many items went."""
        where, params = forget.forget_where(time_range, source=source, app=app, item_ids=item_ids)
        self.vectors.before_forget()
        gone = self.write(lambda conn: forget.delete_items(conn, where, params))
        media.unlink_media(self.paths.media_dir, gone.media_names)
        self.vectors.forgotten(gone.chunk_ids)
        self._db.execute_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")
        return Outcome(len(gone.item_ids), changes_if(gone.item_ids, ITEMS) | changes_if(gone.media_names, MEDIA))

    def drop_media(self, where: str, params: Sequence[Any]) -> Outcome[int]:
        """Delete media rows matching ``where`` (aliases ``m`` media, ``i`` items) and their files; the items stay."""
        names = self.write(lambda conn: media.delete_media_rows(conn, where, params))
        media.unlink_media(self.paths.media_dir, names)
        return Outcome(len(names), changes_if(names, MEDIA))

    def enforce_retention(self, settings: Settings | None = None,
                          now: datetime | None = None) -> Outcome[dict[str, int]]:
        """Apply the retention settings (see ``core.retention``); what went: ``{"items": n, "media": m}``."""
        from core.retention import enforce_retention

        return enforce_retention(self, settings or self.settings(), now or datetime.now().astimezone())

    # -- search and browse ---------------------------------------------------------------
    def retriever(self, weights: FusionWeights | None = None, rankings: Rankings | None = None) -> HybridRetriever:
        embed = self._query_vectors.embed_query(self.embedder())
        return HybridRetriever(self.read, self.vector_index, embed, weights, rankings, self.vectors.lane.submit,
                               self.filters)

    def search(self, request: SearchRequest, now: datetime | None = None, nearest: bool = True) -> SearchResult:
        """Hybrid retrieval (graph re-ranked once consolidated); hits flagged good/weak by the relevance floor; ``nearest``:
        the best good match outside the filters (an unfiltered search; ``nearest=False``: the app asks after the hits)."""
        from core.retrieve.elsewhere import with_nearest

        result = self._search_judged(request, now, rankings := Rankings(self._word_facts))  # reused by the pass outside the filters
        return with_nearest(lambda w: self._search_judged(w, now, rankings), request, result) if nearest else result

    def _search_judged(self, request: SearchRequest, now: datetime | None, rankings: Rankings) -> SearchResult:
        from core.retrieve.relevance import judge

        if not self._memory_ready():
            result = self.retriever(rankings=rankings).search(request, now)
        else:
            from core.memory.recall.recall import GraphCache, recall  # late: scipy and the graph
            from core.memory.recall.window import StoredVectors
            self._graph_cache = self._graph_cache or GraphCache()
            result = recall(self.retriever(rankings=rankings), self, request, now=now, cache=self._graph_cache,
                            vectors=StoredVectors(self.read, self.embedder(), self._query_vectors))
        embed = self._query_vectors.embed_query(self.embedder())
        return judge(result, self.read(), self.vector_index(), embed, facts=self._word_facts)

    def _memory_ready(self) -> bool:
        try:
            return self.read().execute("SELECT 1 FROM mem_consolidated LIMIT 1").fetchone() is not None
        except Exception:
            return False

    def consolidate(self, progress: ProgressCallback | None = None, *, llm: Any | None = None,
                    should_stop: Callable[[], bool] | None = None, embed_summaries: bool = True,
                    ) -> ConsolidationReport:
        """Build episodes, summaries, entities, facts and the graph for new memories (resumable); its ``changes``.

        ``embed_summaries=False`` leaves the summaries' vectors to ``embed_pending`` (idle time): right after
        a big import, embedding hundreds of paragraph-long summaries costs more than the import itself.
        """
        from core.memory.consolidation.consolidate import consolidate  # late: the extractors and the model
        from core.memory.consolidation.types import options_from_settings

        options = options_from_settings(self.settings())
        options.embed_summaries = options.embed_summaries and embed_summaries
        report = consolidate(self, progress, llm=llm, options=options, should_stop=should_stop)
        self.vectors.mark_dirty()
        return report

    def get_item(self, item_id: ItemId) -> ItemView:
        return browse.get_item(self.read(), item_id)

    def file_path(self, item_id: ItemId) -> Path | None:
        """An indexed file's real path, secrets in it opened in memory: hand it to the OS, never store/log/show it."""
        return real_path(self.derived_key, self.get_item(item_id))

    def items_between(
        self, start: datetime, end: datetime, *, limit: int = 200, offset: int = 0,
        kinds: Sequence[str] = (), sources: Sequence[str] = (), moments_only: bool = False,
    ) -> list[ItemView]:
        return browse.items_between(self.read(), start, end, limit=limit, offset=offset, kinds=kinds, sources=sources,
                                    moments_only=moments_only)

    def day_summary(self, day: date) -> ItemView | None:
        """The written summary of a calendar day (consolidation's ``day:<date>``), if there is one."""
        return browse.day_summary(self.read(), day)

    def neighbours(self, item_id: ItemId, before: int = 3, after: int = 3) -> list[ItemView]:
        """Items around ``item_id`` in the same conversation (or source), in time order, itself included."""
        return browse.neighbours(self.read(), item_id, before, after)

    def activity_histogram(self, start: datetime, end: datetime, bucket_seconds: int) -> list[tuple[datetime, int]]:
        return browse.activity_histogram(self.read(), start, end, bucket_seconds)

    def conversations(self) -> list[tuple[str, str, int]]:
        return browse.conversations(self.read())

    def capture_coverage(self, start: datetime, end: datetime) -> Coverage:
        """Screen capture's ledger over ``[start, end)``: its spans, how much was captured, the gaps and why."""
        return Coverage.of(read_spans(self, start.timestamp(), end.timestamp()))

    # -- media --------------------------------------------------------------------------------
    def put_media(self, data: bytes, kind: str, item_id: ItemId | None = None) -> Outcome[MediaId]:
        """Encrypt and store ``data``; the file is durable before its row commits."""
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        name = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.crn"
        self._cipher.write_file(self.paths.media_dir, name, data)
        try:
            media_id = self.write(lambda conn: media.insert_media(conn, name, kind, len(data), item_id))
        except BaseException:
            (self.paths.media_dir / name).unlink(missing_ok=True)
            raise
        return Outcome(media_id, changes(MEDIA))

    def attach_media(self, media_id: MediaId, item_id: ItemId) -> Changes:
        self.write(lambda conn: media.attach_media(conn, media_id, item_id))
        return changes(MEDIA)

    def get_media(self, media_id: MediaId) -> bytes:
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        return self._cipher.read_file(self.paths.media_dir, media.media_name(self.read(), media_id))

    def get_frame(self, media_id: MediaId) -> bytes:
        """A stored image ready to show: a delta screenshot composited on its base frames (as PPM), else the bytes;
        ``CairnError`` (``FrameCodecError``) when a base frame is gone (forgotten or aged out)."""
        data = self.get_media(media_id)
        if not frame_codec.is_delta(data):
            return data

        def fetch(frame_id: str) -> bytes | None:
            found = media.screenshot_media(self.read(), frame_id)
            return None if found is None else self.get_media(found)

        return frame_codec.to_ppm(frame_codec.resolve(data, fetch))

    def change_passphrase(self, current: str | None, new: str) -> Changes:
        """Re-wrap the data key under ``new`` (instant; nothing is re-encrypted, so no view changes)."""
        from core.crypto.keys import change_passphrase

        change_passphrase(self.paths, current, new)
        return NOTHING

    # -- settings -------------------------------------------------------------------------------
    def settings(self) -> Settings:
        return load_settings(self.read())

    def update_settings(self, **values: Any) -> Outcome[Settings]:
        """Store the settings with ``values`` changed; the new settings."""
        new = self.settings().updated(**values)
        self.write(lambda conn: save_settings(conn, new))
        return Outcome(new, changes(SETTINGS))

    # -- status ---------------------------------------------------------------------------------
    def stats(self) -> VaultStats:
        return vault_stats(self.read(), list(self.paths.home.glob("vault.db*")))

    def storage_budget(self, settings: Settings | None = None) -> StorageBudget:
        """The size budget (automatic: from the free disk), what is used, the measured rate and the forecast."""
        return measure(self.read(), settings or self.settings(), self.paths.database)

    def memory_count(self) -> int:
        """``stats().items`` alone, cheap enough to ask every second."""
        return memory_count(self.read())


def lock_flag(paths: VaultPaths) -> Path:
    """Present while the user has locked the vault: keyring auto-unlock is refused."""
    return paths.runtime_dir / "locked"


def unlock_options(paths: VaultPaths) -> tuple[bool, bool]:
    """Whether the data key is wrapped for the OS keyring, and whether the user has locked the vault."""
    from core.crypto.keys import KeyFile

    return "keyring" in KeyFile.load(paths).wraps, lock_flag(paths).exists()


def keyring_status() -> tuple[bool, str]:
    """Whether a trusted OS keyring exists here, and a sentence saying why not."""
    from core.crypto.keyring_guard import trusted_keyring
    from core.errors import KeyringUnavailable

    try:
        trusted_keyring()
    except KeyringUnavailable as exc:
        return False, str(exc)
    except Exception as exc:  # a broken D-Bus session must not break the caller
        return False, f"the system keyring is not reachable ({exc})"
    return True, ""
