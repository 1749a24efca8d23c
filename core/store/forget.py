"""Forgetting for real: which items a request names, and deleting them with all that hangs on them.

``forget_where`` turns a request (time range, source, app, item ids) into a
WHERE clause over ``items``; ``delete_items`` removes the items, their chunks
(and FTS rows), media rows, orphaned vectors, and marks their ledger rows
forgotten so a watched file does not come back at the next scan.  The caller
deletes the media files after the transaction (``Forgotten.media_names``) and
drops the chunks from any in-memory index (``Forgotten.chunk_ids``).

Threads: ``delete_items`` and ``mark_deleted`` run inside the writer's
transaction.  Errors: ``CairnError`` for an empty request; database errors propagate.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import CairnError
from core.store.items import delete_chunks, delete_orphan_embeddings, to_epoch
from core.types import ItemId, TimeRange

BATCH = 500  # ids per statement: well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Forgotten:
    item_ids: list[int]
    media_names: list[str]
    chunk_ids: list[int]


def forget_where(time_range: TimeRange | None = None, *, source: str | None = None, app: str | None = None,
                 item_ids: Sequence[ItemId] = ()) -> tuple[str, list[Any]]:
    """The WHERE clause (over ``items``) and its parameters for a forget request."""
    clauses: list[str] = []
    params: list[Any] = []
    if time_range is not None and time_range.start is not None:
        clauses.append("ts >= ?")
        params.append(to_epoch(time_range.start))
    if time_range is not None and time_range.end is not None:
        clauses.append("ts < ?")
        params.append(to_epoch(time_range.end))
    if source:
        clauses.append("(source = ? OR source LIKE ?)")
        params.extend([source, f"{source}:%"])
    if app:
        clauses.append("lower(json_extract(meta, '$.app')) = ?")
        params.append(app.lower())
    if item_ids:
        clauses.append(f"id IN ({','.join('?' * len(item_ids))})")
        params.extend(int(i) for i in item_ids)
    if not clauses:
        raise CairnError("forget needs a time range, a source, an app or item ids")
    return " AND ".join(clauses), params


def count_items(conn: Any, where: str, params: Sequence[Any]) -> int:
    """How many items a forget request would delete (its preview)."""
    return int(conn.execute(f"SELECT count(*) FROM items WHERE {where}", params).fetchone()[0])


def delete_items(conn: Any, where: str, params: Sequence[Any]) -> Forgotten:
    """Delete the items matching ``where`` and everything stored for them."""
    ids = [r[0] for r in conn.execute(f"SELECT id FROM items WHERE {where}", params)]
    names: list[str] = []
    removed_chunks: list[int] = []
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        marks = ",".join("?" * len(part))
        names += [r[0] for r in conn.execute(f"SELECT name FROM media WHERE item_id IN ({marks})", part)]
        conn.execute(f"DELETE FROM media WHERE item_id IN ({marks})", part)
        removed_chunks += delete_chunks(conn, part)
        conn.execute(f"DELETE FROM items WHERE id IN ({marks})", part)
    delete_orphan_embeddings(conn)
    # A forgotten file must not come back at the next scan: its ledger row stays, marked forgotten.
    conn.execute(
        "UPDATE ingest_ledger SET state = 'forgotten', item_id = NULL, updated_at = ?"
        " WHERE item_id IS NOT NULL AND item_id NOT IN (SELECT id FROM items)", (time.time(),))
    return Forgotten(ids, names, removed_chunks)


def mark_deleted(conn: Any, source_key: str) -> bool:
    """The source deleted this record (a chat message): keep it, flagged.  Returns whether it was found."""
    cur = conn.execute("UPDATE items SET deleted = 1, updated_at = ? WHERE source_key = ?", (time.time(), source_key))
    return bool(cur.rowcount)
