"""Reading memories for views: one item, a time window (timeline), neighbours, activity, conversations.

Functions over a reader connection; the vault facade calls them with its
thread's reader.  No writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.errors import CairnError
from core.store import packed_words
from core.store.items import from_epoch, to_epoch
from core.types import ItemId, MediaId


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item as views show it (timeline rows, citations, search details)."""

    id: ItemId
    source: str
    kind: str
    timestamp: datetime
    text: str
    external_id: str | None = None
    conversation: str | None = None
    speaker: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    media: tuple[MediaId, ...] = ()


def _item_from_row(row: Sequence[Any], media: tuple[MediaId, ...] = ()) -> ItemView:
    return ItemView(
        id=ItemId(row[0]), source=row[1], kind=row[2], timestamp=from_epoch(row[3]), text=row[4],
        external_id=row[5], conversation=row[6], speaker=row[7], title=row[8],
        meta=packed_words.expand(json.loads(row[9] or "{}")), deleted=bool(row[10]), media=media,
    )


_ITEM_COLUMNS = "i.id, i.source, i.kind, i.ts, i.text, i.external_id, i.conversation, i.speaker, i.title, i.meta, i.deleted"


def get_item(conn: Any, item_id: ItemId) -> ItemView:
    row = conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items i WHERE i.id = ?", (item_id,)).fetchone()
    if row is None:
        raise CairnError(f"no memory with id {item_id}")
    return _item_from_row(row, _media_of(conn, item_id))


def _media_of(conn: Any, item_id: int) -> tuple[MediaId, ...]:
    rows = conn.execute("SELECT id FROM media WHERE item_id = ? ORDER BY id", (item_id,)).fetchall()
    return tuple(MediaId(r[0]) for r in rows)


def items_between(
    conn: Any, start: datetime, end: datetime, *, limit: int = 200, offset: int = 0,
    kinds: Sequence[str] = (), sources: Sequence[str] = (), moments_only: bool = False,
) -> list[ItemView]:
    """Items in ``[start, end)`` in time order; ``moments_only`` leaves out summaries (they describe a
    period and have no moment of their own: the timeline shows them above the day, not in it)."""
    clauses, params = ["i.ts >= ?", "i.ts < ?"], [to_epoch(start), to_epoch(end)]
    if moments_only:
        clauses.append("i.source != 'summary'")
    if kinds:
        clauses.append(f"i.kind IN ({','.join('?' * len(kinds))})")
        params.extend(kinds)
    if sources:
        clauses.append("(" + " OR ".join("i.source = ? OR i.source LIKE ?" for _ in sources) + ")")
        for s in sources:
            params.extend([s, f"{s}:%"])
    rows = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM items i WHERE {' AND '.join(clauses)} ORDER BY i.ts, i.id LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return [_item_from_row(r, _media_of(conn, r[0])) for r in rows]


def day_summary(conn: Any, day: date) -> ItemView | None:
    row = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM items i WHERE i.source = 'summary' AND i.external_id = ? AND i.deleted = 0",
        (f"day:{day.isoformat()}",),
    ).fetchone()
    return _item_from_row(row) if row else None


def neighbours(conn: Any, item_id: ItemId, before: int = 3, after: int = 3) -> list[ItemView]:
    """Items around ``item_id`` in the same conversation (or source), in time order, itself included."""
    me = get_item(conn, item_id)
    scope, scope_params = ("i.conversation = ?", [me.conversation]) if me.conversation else ("i.source = ?", [me.source])
    ts = to_epoch(me.timestamp)
    earlier = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM items i WHERE {scope} AND i.source = ? AND (i.ts < ? OR (i.ts = ? AND i.id < ?))"
        " ORDER BY i.ts DESC, i.id DESC LIMIT ?", (*scope_params, me.source, ts, ts, item_id, before),
    ).fetchall()
    later = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM items i WHERE {scope} AND i.source = ? AND (i.ts > ? OR (i.ts = ? AND i.id > ?))"
        " ORDER BY i.ts, i.id LIMIT ?", (*scope_params, me.source, ts, ts, item_id, after),
    ).fetchall()
    return [_item_from_row(r) for r in reversed(earlier)] + [me] + [_item_from_row(r) for r in later]


def activity_histogram(conn: Any, start: datetime, end: datetime, bucket_seconds: int) -> list[tuple[datetime, int]]:
    """Memories per bucket; summaries are written about a period, not activity in it, and are not counted."""
    s, e = to_epoch(start), to_epoch(end)
    rows = conn.execute(
        "SELECT CAST((ts - ?) / ? AS INTEGER) AS b, count(*) FROM items WHERE ts >= ? AND ts < ?"
        " AND source != 'summary' GROUP BY b",
        (s, bucket_seconds, s, e),
    ).fetchall()
    counts = {int(b): int(n) for b, n in rows}
    buckets = int((e - s) // bucket_seconds) + (1 if (e - s) % bucket_seconds else 0)
    return [(from_epoch(s + b * bucket_seconds), counts.get(b, 0)) for b in range(buckets)]


def conversations(conn: Any) -> list[tuple[str, str, int]]:
    rows = conn.execute(
        "SELECT source, conversation, count(*) FROM items WHERE conversation IS NOT NULL"
        " GROUP BY source, conversation ORDER BY max(ts) DESC"
    ).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]

