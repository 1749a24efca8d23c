"""The memory layer's view of an item: a plain value, loaded from any connection.

Logic modules (episodes, extract, summaries) work on lists of ``MemItem`` so
they are testable without a vault; ``load_items`` is the only place that reads
the items table for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SUMMARY_SOURCE = "summary"


@dataclass(frozen=True, slots=True)
class MemItem:
    id: int
    source: str
    kind: str
    ts: float
    text: str
    conversation: str | None = None
    speaker: str | None = None
    title: str | None = None
    external_id: str | None = None
    ts_end: float | None = None
    content_hash: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def app(self) -> str | None:
        value = self.meta.get("app")
        return str(value) if value else None

    @property
    def window_title(self) -> str | None:
        for key in ("window_title", "window", "title"):
            value = self.meta.get(key)
            if value:
                return str(value)
        return self.title if self.source == "screen" else None

    @property
    def is_chat(self) -> bool:
        return self.source.startswith("chat")


_COLUMNS = "id, source, kind, ts, text, conversation, speaker, title, external_id, ts_end, content_hash, meta"


def _row_to_item(row: Sequence[Any]) -> MemItem:
    try:
        meta = json.loads(row[11] or "{}")
    except ValueError:
        meta = {}
    return MemItem(
        id=int(row[0]), source=row[1], kind=row[2], ts=float(row[3]), text=row[4] or "", conversation=row[5],
        speaker=row[6], title=row[7], external_id=row[8], ts_end=row[9], content_hash=row[10] or "",
        meta=meta if isinstance(meta, dict) else {},
    )


def load_items(conn: Any, ids: Iterable[int]) -> list[MemItem]:
    """Items by id, in (ts, id) order; ids that do not exist are left out."""
    wanted = sorted(set(int(i) for i in ids))
    out: list[MemItem] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM items WHERE id IN ({','.join('?' * len(part))})", part
        ).fetchall()
        out.extend(_row_to_item(r) for r in rows)
    out.sort(key=lambda it: (it.ts, it.id))
    return out


def load_stream_items(conn: Any, source: str, conversation: str | None, start: float, end: float) -> list[MemItem]:
    """Items of one stream (source + conversation) with ``start <= ts <= end``."""
    if conversation is None:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM items WHERE source = ? AND conversation IS NULL AND ts >= ? AND ts <= ?"
            " ORDER BY ts, id", (source, start, end),
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM items WHERE source = ? AND conversation = ? AND ts >= ? AND ts <= ?"
            " ORDER BY ts, id", (source, conversation, start, end),
        ).fetchall()
    return [_row_to_item(r) for r in rows]
