"""Media rows (the index of encrypted media files): add, attach, look up, and drop with their files.

The files themselves are AES-GCM envelopes written by ``core.crypto.envelope``
before their row commits; dropping deletes the rows in the writer's
transaction (``delete_media_rows``) and the files after it (``unlink_media``).

Threads: functions taking ``conn`` run inside the caller's transaction (the
writer) or on a reader.  Errors:
``CairnError`` for an unknown id; database errors propagate.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import CairnError
from core.types import ItemId, MediaId

BATCH = 500


def insert_media(conn: Any, name: str, kind: str, size: int, item_id: ItemId | None) -> MediaId:
    cur = conn.execute("INSERT INTO media (item_id, kind, name, bytes, created_at) VALUES (?,?,?,?,?)",
                       (item_id, kind, name, size, time.time()))
    return MediaId(cur.lastrowid)


def attach_media(conn: Any, media_id: MediaId, item_id: ItemId) -> None:
    conn.execute("UPDATE media SET item_id = ? WHERE id = ?", (item_id, media_id))


def screenshot_media(conn: Any, frame_id: str) -> MediaId | None:
    """The media row holding the screenshot of the screen item whose external id is ``frame_id``."""
    row = conn.execute(
        "SELECT m.id FROM media m JOIN items i ON i.id = m.item_id"
        " WHERE i.source = 'screen' AND i.external_id = ? AND m.kind = 'screenshot' AND i.deleted = 0"
        " ORDER BY m.id LIMIT 1",
        (frame_id,),
    ).fetchone()
    return MediaId(row[0]) if row else None


def media_name(conn: Any, media_id: MediaId) -> str:
    row = conn.execute("SELECT name FROM media WHERE id = ?", (media_id,)).fetchone()
    if row is None:
        raise CairnError(f"no media with id {media_id}")
    return str(row[0])


def oldest_media(conn: Any, limit: int = BATCH) -> list[tuple[int, int]]:
    """``(media id, bytes)`` of the oldest media (by their item's time, else their own), oldest first."""
    rows = conn.execute(
        "SELECT m.id, m.bytes FROM media m LEFT JOIN items i ON i.id = m.item_id"
        " ORDER BY coalesce(i.ts, m.created_at) LIMIT ?", (limit,)).fetchall()
    return [(int(r[0]), int(r[1])) for r in rows]


def delete_media_rows(conn: Any, where: str, params: Sequence[Any]) -> list[str]:
    """Delete media rows matching ``where`` (aliases ``m`` media, ``i`` items); returns their file names."""
    rows = conn.execute(
        f"SELECT m.id, m.name FROM media m LEFT JOIN items i ON i.id = m.item_id WHERE {where}", params
    ).fetchall()
    for start in range(0, len(rows), BATCH):
        part = [r[0] for r in rows[start : start + BATCH]]
        conn.execute(f"DELETE FROM media WHERE id IN ({','.join('?' * len(part))})", part)
    return [str(r[1]) for r in rows]


def unlink_media(media_dir: Path, names: Sequence[str]) -> None:
    """Delete media files whose rows are gone (after the transaction committed)."""
    for name in names:
        (media_dir / name).unlink(missing_ok=True)
