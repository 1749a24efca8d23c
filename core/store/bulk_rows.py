"""Many items written in one transaction with a handful of statements (runs inside the caller's transaction).

An import's batch is mostly new items: one ``IN`` lookup finds the keys already
stored, the new items go in with one INSERT … SELECT over a JSON array and
their chunks with one per few thousand (their FTS rows and facets follow by
trigger), instead of statements per item.  Ids are given
explicitly as ``max(id) + 1`` onwards, which is what SQLite picks for a rowid
table without AUTOINCREMENT, so ids and the vector log read as if each item had
been upserted on its own.  A key already stored (a duplicate, an update) or
repeated inside the batch takes ``upsert_row``, in input order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from core.store.items import ItemRow, Outcome, to_epoch, upsert_row

LOOKUP_KEYS = 500  # bound variables per IN lookup
CHUNK_COLUMNS = "id, item_id, ordinal, text, page, heading, start, end, text_hash"
ITEM_COLUMNS = ("id, source, source_key, external_id, kind, ts, ts_end, conversation, speaker, title, text, content_hash,"
                " meta, created_at, updated_at")
STAGED_CHUNKS = 4096  # chunks (and items) moved by one INSERT … SELECT (``insert_chunks``)


def write_rows(conn: Any, rows: Sequence[ItemRow]) -> list[tuple[Outcome, int]]:
    """Upsert ``rows`` in order; ``(outcome, item_id)`` of each."""
    stored = stored_keys(conn, [row.key for row in rows])
    outcomes: list[tuple[Outcome, int]] = []
    fresh: list[ItemRow] = []
    seen: set[str] = set()
    for row in rows:
        if row.key in stored or row.key in seen:
            outcomes += insert_new(conn, fresh)  # first the new ones before it: ids stay in input order
            fresh = []
            outcome, item_id = upsert_row(conn, row)
            outcomes.append((outcome, int(item_id)))
        else:
            fresh.append(row)
        seen.add(row.key)
    outcomes += insert_new(conn, fresh)
    return outcomes


def stored_keys(conn: Any, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), LOOKUP_KEYS):
        part = keys[start : start + LOOKUP_KEYS]
        found.update(r[0] for r in conn.execute(
            f"SELECT source_key FROM items WHERE source_key IN ({','.join('?' * len(part))})", part))
    return found


def insert_new(conn: Any, rows: Sequence[ItemRow]) -> list[tuple[Outcome, int]]:
    """Insert items whose keys are not stored yet (the caller checked), with their chunks and FTS rows."""
    if not rows:
        return []
    now = time.time()
    first_item = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM items").fetchone()[0])
    chunk_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM chunks").fetchone()[0])
    items: list[tuple[Any, ...]] = []
    chunks: list[tuple[Any, ...]] = []
    for offset, row in enumerate(rows):
        record = row.record
        item_id = first_item + offset
        items.append((item_id, record.source, row.key, record.external_id, record.kind, to_epoch(record.timestamp),
                      row.ts_end, record.conversation, record.speaker, record.title, row.text, row.digest,
                      row.meta_json, now, now))
        for chunk, digest in row.chunks:
            chunks.append((chunk_id, item_id, chunk.ordinal, chunk.text, chunk.page, chunk.heading, chunk.start,
                           chunk.end, digest))
            chunk_id += 1
    # A few thousand rows a statement for items too (they have no insert triggers, so this is about JSON
    # only): json_each over one 16k-row array (~6 MB) cost ~2x per row what 4k-row arrays do.
    for start in range(0, len(items), STAGED_CHUNKS):
        conn.execute(f"INSERT INTO items ({ITEM_COLUMNS}) {_select_rows(15)}",
                     (_as_json(items[start : start + STAGED_CHUNKS]),))
    insert_chunks(conn, chunks)
    return [("imported", first_item + offset) for offset in range(len(rows))]


def insert_chunks(conn: Any, chunks: Sequence[tuple[Any, ...]]) -> None:
    """Insert chunk rows (``CHUNK_COLUMNS``, ids ascending) a few thousand a statement: few FTS5 segments.

    Why one statement: ``chunks`` has AFTER INSERT triggers, so every INSERT into it opens a statement
    savepoint, and FTS5 writes its pending terms out as a new segment at every savepoint.  One INSERT per
    chunk therefore wrote a one-row segment per chunk and kept FTS5's automerge busy merging them: at 1M
    items that was a quarter of the writer's time.  Moved with one INSERT … SELECT, the triggers run
    unchanged (the same bodies, the same facets) and FTS5 writes a segment per ``STAGED_CHUNKS`` chunks at
    most (its own 1 MiB pending-data limit flushes about as often).
    """
    for start in range(0, len(chunks), STAGED_CHUNKS):
        part = chunks[start : start + STAGED_CHUNKS]
        conn.execute(f"INSERT INTO chunks ({CHUNK_COLUMNS}) {_select_rows(9)} ORDER BY key", (_as_json(part),))


def _as_json(rows: Sequence[tuple[Any, ...]]) -> str:
    """Rows as one JSON array, read back by ``_select_rows``.

    Why not ``executemany``: it binds each row and steps it on its own, handing the GIL to the thread that
    prepares the next batch and waiting to get it back, row after row; the writer then ran only while that
    thread was idle (100k messages into a 1M vault: 26-28 s wall for 25-28 s of CPU on two cores).  One
    statement over ``json_each`` stays inside SQLite, which releases the GIL, for the whole batch (20-21 s).
    ``ensure_ascii=False``: text goes in as the same UTF-8 a bound string would."""
    return json.dumps(list(rows), ensure_ascii=False)


def _select_rows(columns: int) -> str:
    """``SELECT`` of ``columns`` values from each array of the bound JSON (``->>``: SQL values, JSON null → NULL)."""
    return "SELECT " + ", ".join(f"value ->> {i}" for i in range(columns)) + " FROM json_each(?)"
