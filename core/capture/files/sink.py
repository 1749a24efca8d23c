"""Where indexed files go: the vault, through ``VaultFileSink`` (a ``core.capture.files.sink_protocol.FileSink``).

Tests and benches use an in-memory sink with the same semantics (``tests.support.memory_file_sink``).

The vault sink stores one item per file: ``Record(source="file",
kind="document", external_id=key(path), conversation=key(root),
title=<file name>, timestamp=<mtime>, sections=<extraction>)`` with
``meta`` = path, root, mime, size, pages, notes, image-only pages, the
document's own title/author/date.  Its ledger rows live in the vault's
``ingest_ledger`` with ``origin = "file:" + key(path)`` (the prefix keeps
them apart from other sources' origins).  ``key`` is the vault's
``core.capture.files.path_codec.PathCodec``: the path as it is, except that a
part holding a secret is stored encrypted (the title and meta paths are
redacted by ingest, as every field is).  A move rewrites the item's key,
title, path and full-text rows in place (same item id, same history); a
deletion sets ``deleted = 1`` so the text stays findable as a deleted file
until the user forgets it.

Crash safety: an item is committed by ``Vault.ingest`` before its ledger row;
a crash in between leaves an item without a ledger row, which the next scan
extracts again and ``ingest`` recognises as a duplicate.  Nothing is lost,
nothing is stored twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.capture.files.ledger import FileState, LedgerEntry, LedgerState
from core.capture.files.path_codec import PathCodec, codec_for
from core.normalize.extract.base import Extraction
from core.ports import FileStore

SOURCE = "file"
ORIGIN_PREFIX = "file:"
_MAX_NOTES = 20
_MAX_WORDS = 50_000


def file_meta(root: Path, path: Path, extraction: Extraction, state: FileState,
              shown: Callable[[Path], str]) -> dict[str, Any]:
    """The item's ``meta`` for a file (small, JSON-safe, no surrogates); ``shown`` writes its paths for people."""
    meta: dict[str, Any] = {
        "path": shown(path),
        "root": shown(root),
        "mime": extraction.mime,
        "size": state.size,
    }
    if extraction.pages is not None:
        meta["pages"] = extraction.pages
    if extraction.title:
        meta["document_title"] = extraction.title
    if extraction.notes:
        meta["notes"] = list(extraction.notes[:_MAX_NOTES])
    if extraction.image_only_pages:
        meta["image_only_pages"] = list(extraction.image_only_pages)
    if extraction.words:
        # OCR'd words as screenshots keep them ([text, left, top, width, height, conf] + page), for highlighting
        meta["words"] = [list(w) for w in extraction.words[:_MAX_WORDS]]
    for key in ("author", "date", "encoding"):
        if key in extraction.meta:
            meta[key] = extraction.meta[key]
    return meta


def file_record(root: Path, path: Path, extraction: Extraction, state: FileState, codec: PathCodec) -> Any:
    """The file's item; ``codec`` makes its stored path keys and the paths shown (secrets out of both)."""
    from core.types import Record

    return Record(
        source=SOURCE,
        external_id=codec.key(path),
        kind="document",
        timestamp=datetime.fromtimestamp(state.mtime, tz=UTC),
        text=extraction.text,
        conversation=codec.key(root),
        title=codec.shown(path.name),
        meta=file_meta(root, path, extraction, state, codec.shown),
        sections=extraction.sections,
    )


# --------------------------------------------------------------------------- the vault


class VaultFileSink:
    """``FileSink`` on an unlocked ``core.vault.Vault``.

    ``embed``: compute vectors in ``flush()`` (after a scan or a watcher
    batch) rather than per file, so bulk indexing is not held up by the
    embedder.  ``batch_size``: files are stored ``batch_size`` at a time
    (two transactions per batch instead of two per file); any other call,
    and ``flush()``, commits what is buffered first.  ``on_commit(paths)`` is
    called after each commit with the paths now safely stored: the honest
    moment to tell a user a file is indexed.  ``items_stored`` counts the files
    whose item is committed (their ledger row follows in a second transaction).

    Threads: one thread at a time (the indexer's); the vault does its own locking.
    """

    def __init__(self, store: FileStore, *, embed: bool = True, batch_size: int = 32,
                 on_commit: Callable[[list[Path]], None] | None = None) -> None:
        self.store = store
        self.embed = embed
        self.batch_size = max(1, batch_size)
        self.on_commit = on_commit
        self._dirty = False
        self._pending: list[tuple[Any, Path, FileState]] = []
        self.items_stored = 0
        self._codec = codec_for(store.derived_key)
        self._key = self._codec.key

    # ----------------------------------------------------------------- ledger reads

    def _entry(self, row: Any) -> LedgerEntry:
        origin, size, mtime, digest, state, reason = row
        return LedgerEntry(self._codec.path(origin[len(ORIGIN_PREFIX):]), LedgerState(state), size, mtime, digest,
                           reason)

    def ledger_get(self, path: Path) -> LedgerEntry | None:
        self.commit()
        row = self.store.read().execute(
            "SELECT origin, size, mtime, content_hash, state, reason FROM ingest_ledger WHERE origin = ?",
            (ORIGIN_PREFIX + self._key(path),),
        ).fetchone()
        return self._entry(row) if row else None

    def ledger_under(self, folder: Path) -> Iterator[LedgerEntry]:
        self.commit()
        # Every key below the folder starts with "<folder>/"; '0' sorts right after '/'.
        prefix = ORIGIN_PREFIX + self._key(folder).rstrip("/")
        rows = self.store.read().execute(
            "SELECT origin, size, mtime, content_hash, state, reason FROM ingest_ledger"
            " WHERE origin >= ? AND origin < ? AND source = ?",
            (prefix + "/", prefix + "0", SOURCE),
        ).fetchall()
        for row in rows:
            yield self._entry(row)

    def ledger_find(self, content_hash: str) -> Iterator[LedgerEntry]:
        self.commit()
        rows = self.store.read().execute(
            "SELECT origin, size, mtime, content_hash, state, reason FROM ingest_ledger"
            " WHERE content_hash = ? AND source = ? AND state = ?",
            (content_hash, SOURCE, LedgerState.INDEXED.value),
        ).fetchall()
        for row in rows:
            yield self._entry(row)

    # ----------------------------------------------------------------- writes

    def _item_id(self, conn: Any, origin: str) -> int | None:
        row = conn.execute("SELECT item_id FROM ingest_ledger WHERE origin = ?", (origin,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def index_file(self, root: Path, path: Path, extraction: Extraction, state: FileState) -> None:
        self._pending.append((file_record(root, path, extraction, state, self._codec), path, state))
        if len(self._pending) >= self.batch_size:
            self.commit()

    def commit(self) -> None:
        """Store the buffered files: items in one ingest, then their ledger rows in one transaction."""
        if not self._pending:
            return
        from core.store.items import source_key

        pending, self._pending = self._pending, []
        report = self.store.ingest([record for record, _, _ in pending], embed=False)
        refused = dict(report.failed)  # external_id -> reason
        self.items_stored += report.imported + report.updated + report.duplicate
        self._dirty = True

        def job(conn: Any) -> None:
            for record, path, state in pending:
                origin = ORIGIN_PREFIX + self._key(path)
                reason = refused.get(record.external_id)
                if reason is not None:
                    self._upsert_ledger(conn, origin, state, LedgerState.FAILED,
                                        f"the vault refused it: {reason}", None)
                    continue
                row = conn.execute("SELECT id FROM items WHERE source_key = ?", (source_key(record),)).fetchone()
                if row is not None:
                    # A file that comes back unchanged after being marked deleted is an
                    # ingest "duplicate", which leaves the flag alone: clear it here.
                    conn.execute("UPDATE items SET deleted = 0 WHERE id = ? AND deleted = 1", (row[0],))
                self._upsert_ledger(conn, origin, state, LedgerState.INDEXED, None, row[0] if row else None)

        self.store.write(job)
        if self.on_commit is not None:
            self.on_commit([path for record, path, _ in pending if record.external_id not in refused])

    @staticmethod
    def _upsert_ledger(conn: Any, origin: str, state: FileState | None, ledger_state: LedgerState,
                       reason: str | None, item_id: int | None) -> None:
        conn.execute(
            "INSERT INTO ingest_ledger (origin, source, size, mtime, content_hash, state, reason, item_id, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(origin) DO UPDATE SET size=excluded.size, mtime=excluded.mtime,"
            " content_hash=excluded.content_hash, state=excluded.state, reason=excluded.reason,"
            " item_id=COALESCE(excluded.item_id, ingest_ledger.item_id), updated_at=excluded.updated_at",
            (origin, SOURCE, state.size if state else None, state.mtime if state else None,
             state.content_hash if state else None, ledger_state.value, reason, item_id, time.time()),
        )

    def record_unchanged(self, path: Path, state: FileState) -> None:
        self.commit()
        origin = ORIGIN_PREFIX + self._key(path)

        def job(conn: Any) -> None:
            conn.execute("UPDATE ingest_ledger SET size=?, mtime=?, updated_at=? WHERE origin=?",
                         (state.size, state.mtime, time.time(), origin))

        self.store.write(job)

    def record_problem(self, root: Path, path: Path, state: FileState | None, reason: str,
                       ledger_state: LedgerState) -> None:
        self.commit()
        origin = ORIGIN_PREFIX + self._key(path)
        self.store.write(lambda conn: self._upsert_ledger(conn, origin, state, ledger_state, reason, None))

    def file_moved(self, root: Path, old: Path, new: Path, state: FileState) -> None:
        self.commit()
        from core.store.items import source_key
        from core.types import Record

        old_origin, new_origin = ORIGIN_PREFIX + self._key(old), ORIGIN_PREFIX + self._key(new)
        probe = Record(source=SOURCE, external_id=self._key(new), kind="document",
                       timestamp=datetime.fromtimestamp(state.mtime, tz=UTC), text="", conversation=self._key(root))
        new_key = source_key(probe)
        # A deleted file's remains at the new path make room for the moved one.
        stale = self.store.read().execute("SELECT id FROM items WHERE source_key = ?", (new_key,)).fetchone()
        if stale is not None:
            self.store.forget(item_ids=[stale[0]])
        # This path writes the item itself (not through ingest): redact the new name and paths here.
        shown = self._codec.shown
        title = shown(new.name)

        def job(conn: Any) -> None:
            item_id = self._item_id(conn, old_origin)
            conn.execute("DELETE FROM ingest_ledger WHERE origin = ?", (new_origin,))
            conn.execute("UPDATE ingest_ledger SET origin=?, size=?, mtime=?, updated_at=? WHERE origin=?",
                         (new_origin, state.size, state.mtime, time.time(), old_origin))
            if item_id is None:
                return
            row = conn.execute("SELECT meta FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                return
            meta = json.loads(row[0] or "{}")
            meta.update(path=shown(new), root=shown(root))
            moves = list(meta.get("moved_from", []))[-4:]
            meta["moved_from"] = [*moves, shown(old)]
            conn.execute(
                "UPDATE items SET external_id=?, source_key=?, conversation=?, title=?, meta=?, deleted=0,"
                " updated_at=? WHERE id=?",
                (self._key(new), new_key, self._key(root), title, json.dumps(meta, ensure_ascii=False),
                 time.time(), item_id),
            )
            # The full-text body starts with the title: the title trigger re-indexes its chunks
            # (core.store.fts_contentless), so search by the new file name works.

        self.store.write(job)

    def file_deleted(self, path: Path) -> None:
        self.commit()
        origin = ORIGIN_PREFIX + self._key(path)

        def job(conn: Any) -> None:
            item_id = self._item_id(conn, origin)
            if item_id is not None:
                conn.execute("UPDATE items SET deleted = 1, updated_at = ? WHERE id = ?", (time.time(), item_id))
            conn.execute("UPDATE ingest_ledger SET state = ?, updated_at = ? WHERE origin = ?",
                         (LedgerState.DELETED.value, time.time(), origin))

        self.store.write(job)

    def flush(self) -> None:
        self.commit()
        if self.embed and self._dirty:
            self.store.embed_pending()
        self._dirty = False
