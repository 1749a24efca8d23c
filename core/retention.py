"""Retention: how long pixels and text are kept, and the size budget (oldest media first).

A policy over the vault (it forgets through ``Forget``, so the in-memory index
drops what goes), run hourly by the capture host and on demand.

Threads: any thread; blocks on the vault's writer.  Errors: database errors propagate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.capture.screen.ledger_store import drop_before
from core.changes import ITEMS, MEDIA, Outcome, changes_if
from core.ports import RetentionStore
from core.settings import Settings
from core.storage_budget import PIXELS, THUMBNAILS
from core.store.items import from_epoch, to_epoch
from core.types import TimeRange


def enforce_retention(vault: RetentionStore, settings: Settings, now: datetime) -> Outcome[dict[str, int]]:
    """Apply the retention settings; what went: ``{"items": n, "media": m}``.

    Age: memories older than ``retention_days`` are forgotten, except that
    with ``text_retention_days`` longer than that only their pixels (media)
    go and the text stays until ``text_retention_days``.  Size: while media
    plus database exceed the budget (``core.storage_budget``), the oldest
    screenshots go first (a keyframe with the frames composited on it), then
    the oldest thumbnails, and only then the oldest memories' text.
    """
    gone = {"items": 0, "media": 0}
    if settings.retention_days > 0:
        media_cutoff = now - timedelta(days=settings.retention_days)
        text_days = max(settings.text_retention_days, settings.retention_days)
        gone["media"] += vault.drop_media("i.ts < ?", [to_epoch(media_cutoff)]).value
        gone["items"] += vault.forget(TimeRange(None, now - timedelta(days=text_days))).value
        drop_before(vault, (now - timedelta(days=text_days)).timestamp())  # the capture ledger as long as the text
    budget = vault.storage_budget(settings)
    if budget.budget > 0:
        # Over budget: pixels age out first, then thumbnails, text last.
        excess = budget.used - budget.budget
        for kind in (PIXELS, THUMBNAILS):
            if excess > 0:
                dropped, freed = _drop_oldest(vault, kind, excess)
                gone["media"] += dropped
                excess -= freed
        if excess > 0:
            gone["items"] += _forget_oldest_text(vault, excess, budget.database)
    return Outcome(gone, changes_if(gone["items"], ITEMS) | changes_if(gone["media"], MEDIA))


def _drop_oldest(vault: RetentionStore, kind: str, excess: int) -> tuple[int, int]:
    """Drop the oldest media of ``kind`` until ``excess`` bytes went; (files, bytes) dropped."""
    dropped = freed = 0
    while freed < excess:
        rows = vault.read().execute(
            "SELECT m.id, m.bytes, i.external_id FROM media m LEFT JOIN items i ON i.id = m.item_id"
            " WHERE m.kind = ? ORDER BY coalesce(i.ts, m.created_at), m.id LIMIT 500", (kind,)).fetchall()
        if not rows:
            break
        ids, frames = [], []
        for media_id, size, frame_id in rows:
            ids.append(int(media_id))
            frames.append(frame_id)
            freed += int(size)
            if freed >= excess:
                break
        if kind == PIXELS:
            # A screenshot stored as changed regions composites on its keyframe: they go together.
            marks = ",".join("?" * len(frames))
            for media_id, size in vault.read().execute(
                    f"SELECT m.id, m.bytes FROM media m JOIN items i ON i.id = m.item_id WHERE m.kind = ?"
                    f" AND json_extract(i.meta, '$.keyframe') IN ({marks})", (PIXELS, *frames)).fetchall():
                if int(media_id) not in ids:
                    ids.append(int(media_id))
                    freed += int(size)
        dropped += vault.drop_media(f"m.id IN ({','.join('?' * len(ids))})", ids).value
    return dropped, freed


def _forget_oldest_text(vault: RetentionStore, excess: int, database: int) -> int:
    """Forget the oldest memories whose share of the database covers ``excess`` bytes; how many went."""
    conn = vault.read()
    text_total = conn.execute("SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM items").fetchone()[0]
    if not text_total:
        return 0
    want = excess * text_total / max(1, database)  # the text whose rows, index and vectors free ``excess``
    total, cutoff = 0, None
    for ts, size in conn.execute("SELECT ts, length(CAST(text AS BLOB)) FROM items ORDER BY ts"):
        total += int(size or 0)
        cutoff = ts
        if total >= want:
            break
    if cutoff is None:
        return 0
    return vault.forget(TimeRange(None, from_epoch(cutoff + 1e-6))).value
