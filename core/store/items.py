"""Writing and reading items and their chunks (runs inside a caller's transaction).

An item's idempotency key is ``(source, conversation, external_id)``.  Storing a
record whose key exists and whose content is unchanged is a *duplicate*; with
changed content it is an *update*: the item keeps its id, its chunks and FTS
rows are replaced, and the previous text is kept in ``meta["history"]``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from core.normalize.chunking import Chunk
from core.store import packed_words
from core.types import ItemId, Record

Outcome = Literal["imported", "updated", "duplicate"]
HISTORY_LIMIT = 5


def source_key(record: Record) -> str:
    raw = "\x1f".join((record.source, record.conversation or "", record.external_id))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def content_hash(record: Record, text: str) -> str:
    h = hashlib.sha256()
    for part in (text, record.speaker or "", record.title or "", record.timestamp.isoformat()):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:40]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def fts_body(record_speaker: str | None, record_title: str | None, chunk_text: str) -> str:
    """What the full-text index sees for a chunk: who said it / what it is, then the text."""
    prefix = record_speaker or record_title
    return f"{prefix}: {chunk_text}" if prefix else chunk_text


def embed_text(speaker: str | None, title: str | None, chunk_text: str) -> str:
    """What the embedder sees; the same shape as the FTS body."""
    return fts_body(speaker, title, chunk_text)


def to_epoch(moment: datetime) -> float:
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class ItemRow:
    """What writing an item needs that does not depend on the database (hashes, JSON): an import computes
    it on its own thread, the writer thread only runs SQL (the FTS body is computed by the chunk triggers,
    ``core.store.fts_contentless``)."""

    record: Record
    text: str
    key: str
    digest: str
    ts_end: float | None
    meta: dict[str, Any]
    meta_json: str
    chunks: tuple[tuple[Chunk, str], ...]  # (chunk, text hash)


def item_row(record: Record, text: str, chunks: Sequence[Chunk], meta: dict[str, Any],
             hashes: tuple[str, str] | None = None) -> ItemRow:
    """``hashes``: ``(source_key(record), content_hash(record, text))`` when the caller has them already."""
    meta = dict(meta)
    ts_end = meta.pop("ts_end", None)
    key, digest = hashes or (source_key(record), content_hash(record, text))
    return ItemRow(
        record=record, text=text, key=key, digest=digest, ts_end=ts_end,
        meta=meta, meta_json=_meta_json(meta),
        chunks=tuple((chunk, text_hash(embed_text(record.speaker, record.title, chunk.text))) for chunk in chunks),
    )


def _meta_json(meta: dict[str, Any]) -> str:
    """Compact JSON; OCR word boxes packed (``packed_words``: redaction has already run on the plain list)."""
    if not meta:  # most messages: json.dumps costs ~5 us even for nothing
        return "{}"
    return json.dumps(packed_words.pack_meta(meta), ensure_ascii=False, default=str, separators=(",", ":"))


def upsert_item(conn: Any, record: Record, text: str, chunks: Sequence[Chunk], meta: dict[str, Any]) -> tuple[Outcome, ItemId]:
    return upsert_row(conn, item_row(record, text, chunks, meta))


def upsert_row(conn: Any, item: ItemRow) -> tuple[Outcome, ItemId]:
    record = item.record
    now = time.time()
    row = conn.execute("SELECT id, content_hash, text, meta FROM items WHERE source_key = ?", (item.key,)).fetchone()
    if row is not None and row[1] == item.digest:
        # Seen again unchanged: a memory marked deleted (a file that came back) is live again.
        conn.execute("UPDATE items SET deleted = 0 WHERE id = ? AND deleted = 1", (row[0],))
        return "duplicate", ItemId(row[0])
    ts = to_epoch(record.timestamp)
    if row is None:
        cur = conn.execute(
            "INSERT INTO items (source, source_key, external_id, kind, ts, ts_end, conversation, speaker, title,"
            " text, content_hash, meta, deleted, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)",
            (record.source, item.key, record.external_id, record.kind, ts, item.ts_end, record.conversation,
             record.speaker, record.title, item.text, item.digest, item.meta_json, now, now),
        )
        item_id = ItemId(cur.lastrowid)
        outcome: Outcome = "imported"
    else:
        item_id = ItemId(row[0])
        old_meta = json.loads(row[3] or "{}")
        history = list(old_meta.get("history", []))
        history.append({"text": row[2][:2000], "replaced_at": now})
        meta = {**item.meta, "history": history[-HISTORY_LIMIT:]}
        delete_chunks(conn, [item_id])  # first: their FTS rows are deleted with the speaker/title they were indexed with
        conn.execute(
            "UPDATE items SET kind=?, ts=?, ts_end=?, speaker=?, title=?, text=?, content_hash=?, meta=?,"
            " deleted=0, updated_at=? WHERE id=?",
            (record.kind, ts, item.ts_end, record.speaker, record.title, item.text, item.digest,
             _meta_json(meta), now, item_id),
        )
        outcome = "updated"
    for chunk, digest in item.chunks:
        conn.execute(
            "INSERT INTO chunks (item_id, ordinal, text, page, heading, start, end, text_hash) VALUES (?,?,?,?,?,?,?,?)",
            (item_id, chunk.ordinal, chunk.text, chunk.page, chunk.heading, chunk.start, chunk.end, digest),
        )
    return outcome, item_id


def delete_chunks(conn: Any, item_ids: Sequence[int]) -> list[int]:
    """Remove the chunks of items (their FTS rows go with them, by trigger); returns the chunk ids removed."""
    removed: list[int] = []
    for item_id in item_ids:
        ids = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE item_id = ?", (item_id,))]
        conn.execute("DELETE FROM chunks WHERE item_id = ?", (item_id,))
        removed.extend(ids)
    return removed


def delete_orphan_embeddings(conn: Any) -> int:
    cur = conn.execute(
        "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT DISTINCT text_hash FROM chunks)"
    )
    return int(cur.rowcount or 0)
