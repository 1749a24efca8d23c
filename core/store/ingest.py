"""The one ingest path every source uses: records in, encrypted items out.

Order of work for each record: redact secrets (text and every other stored
field: title, speaker, conversation, id, meta) → cap the size → chunk →
upsert (idempotent) in a batch transaction on the writer thread, the next batch
prepared meanwhile (``core.store.batch_writer``) → embed the new chunk texts.
A bad record is counted and reported, never fatal; records already committed
stay committed if the process dies (re-running the import finds them as duplicates).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np

from core.changes import ITEMS, Changes, changes_if
from core.errors import DiskFull
from core.normalize.chunking import Chunk, chunk_sections, chunk_text
from core.store.batch_writer import BatchWriter
from core.store.database import Database
from core.store.disk_full import is_disk_full
from core.store.items import content_hash, embed_text, source_key
from core.store.redact_fields import FieldRedaction, redact_record_fields
from core.types import ItemId, Record, RecordError, RecordNote, RecordSkip, Section

MAX_MESSAGE_CHARS = 100_000
MAX_DOCUMENT_CHARS = 5_000_000
EMBED_BATCH = 64


class Redactor(Protocol):
    def redact(self, text: str) -> Any:
        """Returns an object with ``.text`` (clean) and ``.findings`` (list)."""
        ...


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


@dataclasses.dataclass(slots=True)
class ImportReport:
    """What an import did, honestly: every record is counted in exactly one bucket."""

    imported: int = 0
    updated: int = 0
    duplicate: int = 0
    skipped: dict[str, int] = dataclasses.field(default_factory=dict)
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (where, reason)
    notes: list[str] = dataclasses.field(default_factory=list)
    format: str | None = None
    item_ids: list[int] = dataclasses.field(default_factory=list)
    redactions: int = 0  # secrets redacted before storage (the facade turns it into a note)
    truncated: int = 0  # records too long, cut while reading or here (the facade turns it into a note)

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    @property
    def changes(self) -> Changes:
        """Items when any record was stored or updated (duplicates change nothing)."""
        return changes_if(self.imported or self.updated, ITEMS)


def _cap(text: str, limit: int) -> tuple[str, str | None]:
    if len(text) <= limit:
        return text, None
    return text[:limit], f"truncated from {len(text)} to {limit} characters"


def prepare(record: Record, redactor: Redactor | None,
            fields: FieldRedaction | None = None) -> tuple[Record, str, list[Chunk], dict[str, Any], int]:
    """Redact, cap and chunk one record.  Returns the record with every field clean.

    ``fields`` carries the redactor's memory of short strings across one import (made here if not given).
    """
    limit = MAX_MESSAGE_CHARS if record.kind == "message" else MAX_DOCUMENT_CHARS
    redactions = 0
    if redactor is not None:
        fields = fields or FieldRedaction(redactor.redact)
        before = fields.count
        record = redact_record_fields(record, fields)
        redactions += fields.count - before
    meta = dict(record.meta)

    def clean(text: str) -> str:
        nonlocal redactions
        if redactor is None or not text:
            return text
        result = redactor.redact(text)
        redactions += len(result.findings)
        return str(result.text)

    if record.sections:
        # Redact each section once and build the item text from the clean sections
        # (redacting the joined text as well doubled the cost for documents).
        sections = [dataclasses.replace(s, text=clean(s.text)) for s in record.sections]
        text, note = _cap("\n\n".join(s.text for s in sections), limit)
    else:
        text, note = _cap(clean(record.text), limit)
    if note:
        meta["truncated"] = note
    if record.sections:
        budget = limit
        capped: list[Section] = []
        for s in sections:
            if budget <= 0:
                meta["truncated"] = f"document text over {limit} characters was not indexed"
                break
            capped.append(dataclasses.replace(s, text=s.text[:budget]))
            budget -= len(s.text)
        chunks = chunk_sections(capped)
    elif record.index_text is not None:  # only part of the text is new (a screen frame's new lines)
        chunks = chunk_text(clean(record.index_text)[:limit])
    elif record.kind == "message" and len(text) < 2000:
        chunks = [Chunk(text=text, ordinal=0, start=0, end=len(text))] if text.strip() else []
    else:
        chunks = chunk_text(text)
    if redactions:
        meta["redactions"] = redactions
    return record, text, chunks, meta, redactions


def ingest(
    db: Database,
    results: Iterable[Record | RecordError | RecordSkip | RecordNote],
    *,
    redactor: Redactor | None,
    embedder_factory: Callable[[], Embedder] | None,
    progress: Callable[[int, int | None], None] | None = None,
    total: int | None = None,
) -> ImportReport:
    """Store ``results``; returns honest counts.  ``embedder_factory=None`` defers embedding."""
    counts = ImportReport()
    fields = FieldRedaction(redactor.redact) if redactor is not None else None
    occurrences = RepeatedIds()
    seen = 0
    embedder: Embedder | None = None

    def written(outcomes: list[tuple[str, int]]) -> None:
        nonlocal embedder
        for outcome, item_id in outcomes:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            if outcome != "duplicate":
                counts.item_ids.append(ItemId(item_id))
        if embedder_factory is not None:
            if embedder is None:
                embedder = embedder_factory()
            embed_missing(db, embedder)

    writer = BatchWriter(db, written, sync=embedder_factory is not None)
    items = iter(results)
    records = 0
    try:
        for result in items:
            seen += 1
            if isinstance(result, RecordError):
                counts.failed.append((result.where, result.reason))
            elif isinstance(result, RecordSkip):
                counts.skipped[result.reason] = counts.skipped.get(result.reason, 0) + 1
            elif isinstance(result, RecordNote):
                seen -= 1  # a note is about the import, not a record
                counts.notes.append(f"{result.where}: {result.text}")
            else:
                records += 1
                try:
                    record, text, chunks, meta, redactions = prepare(result, redactor, fields)
                    record, hashes = occurrences.distinct(record, text)
                except Exception as exc:
                    counts.failed.append((result.external_id, f"could not prepare: {exc}"))
                    continue
                counts.redactions += redactions
                counts.truncated += "truncated" in meta
                writer.add((record, text, chunks, meta), hashes)
            if progress is not None and seen % 100 == 0:
                progress(seen, total)
        writer.finish()
    except BaseException as exc:
        writer.abandon()
        if not isinstance(exc, Exception) or not is_disk_full(exc):
            raise
        stored = counts.imported + counts.updated + counts.duplicate
        raise DiskFull(stored, _count_records(items, records)) from exc
    if progress is not None:
        progress(seen, total)
    return counts


def _count_records(rest: Iterator[Any], so_far: int) -> int | None:
    """How many records the whole input holds, reading what is left of it (None if reading fails)."""
    try:
        return so_far + sum(1 for result in rest if isinstance(result, Record))
    except Exception:  # the input broke on its own: the count is unknown, the disk-full message stays
        return None


class RepeatedIds:
    """Tells apart records of one input that share an id but not their content: the n-th is stored as ``id#n``.

    Without it the second record "updates" the first on every import, and re-importing the same
    file never settles (each run swaps them back and grows the history).  A record repeated with
    the same content stays one item (a duplicate).  The order of an input is stable, so the same
    file gives the same ids every time.
    """

    def __init__(self) -> None:
        self._seen: dict[bytes, list[bytes]] = {}

    def distinct(self, record: Record, text: str) -> tuple[Record, tuple[str, str]]:
        """The record to store and its ``(source_key, content_hash)``, computed once here for the writer too."""
        key, digest = source_key(record), content_hash(record, text)
        versions = self._seen.setdefault(bytes.fromhex(key[:16]), [])
        short = bytes.fromhex(digest[:16])
        if short not in versions:
            versions.append(short)
        n = versions.index(short)
        if n == 0:
            return record, (key, digest)
        record = dataclasses.replace(record, external_id=f"{record.external_id}#{n + 1}")
        return record, (source_key(record), digest)  # the content hash does not read the id


def _missing_texts(conn: Any, model: str, limit: int) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT c.text_hash, c.text, i.speaker, i.title FROM chunks c JOIN items i ON i.id = c.item_id"
        " WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ? AND e.text_hash = c.text_hash)"
        " GROUP BY c.text_hash LIMIT ?",
        (model, limit),
    ).fetchall()
    return [(r[0], embed_text(r[2], r[3], r[1])) for r in rows]


def iter_missing(db: Database, model: str, batch: int = 512) -> Iterator[list[tuple[str, str]]]:
    while True:
        rows = _missing_texts(db.reader(), model, batch)
        if not rows:
            return
        yield rows


def embed_all(db: Database, embedder: Embedder, progress: Callable[[int, int | None], None] | None = None) -> int:
    """``embed_missing``, a full disk told as ``DiskFull`` with how many vectors were stored (they stay)."""
    done = [0]

    def counted(n: int, total: int | None) -> None:
        done[0] = n
        if progress is not None:
            progress(n, total)

    try:
        return embed_missing(db, embedder, counted)
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        raise DiskFull(done[0], done[0] + _count_missing(db.reader(), embedder.model_id), "chunk vectors") from exc


def _count_missing(conn: Any, model: str) -> int:
    return int(conn.execute(
        "SELECT COUNT(DISTINCT c.text_hash) FROM chunks c JOIN items i ON i.id = c.item_id"
        " WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ? AND e.text_hash = c.text_hash)",
        (model,),
    ).fetchone()[0])


def embed_missing(db: Database, embedder: Embedder, progress: Callable[[int, int | None], None] | None = None) -> int:
    """Embed every chunk text that has no vector for ``embedder.model_id``; returns how many."""
    done = 0
    for rows in iter_missing(db, embedder.model_id):
        for start in range(0, len(rows), EMBED_BATCH):
            part = rows[start : start + EMBED_BATCH]
            vectors = embedder.embed([t for _, t in part]).astype(np.float16)
            payload = [(h, embedder.model_id, embedder.dim, v.tobytes()) for (h, _), v in zip(part, vectors, strict=True)]

            def write(conn: Any, payload: list[tuple[str, str, int, bytes]] = payload) -> None:
                conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (text_hash, model, dim, vector) VALUES (?,?,?,?)", payload
                )

            db.write(write)
            done += len(part)
            if progress is not None:
                progress(done, None)
    return done
