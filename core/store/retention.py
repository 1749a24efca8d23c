"""Retention: how long pixels and text are kept, and the size budget (oldest media first)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from core.settings import Settings
from core.store.items import to_epoch
from core.types import TimeRange


def enforce_retention(vault: Any, settings: Settings, now: datetime) -> dict[str, int]:
    """Apply the retention settings; returns what went: ``{"items": n, "media": m}``.

    Age: memories older than ``retention_days`` are forgotten, except that
    with ``text_retention_days`` longer than that only their pixels (media)
    go and the text stays until ``text_retention_days``.  Size: while media
    plus database exceed ``retention_gb``, the oldest media files go first.
    """
    gone = {"items": 0, "media": 0}
    if settings.retention_days > 0:
        media_cutoff = now - timedelta(days=settings.retention_days)
        text_days = max(settings.text_retention_days, settings.retention_days)
        gone["media"] += drop_media(vault, "i.ts < ?", [to_epoch(media_cutoff)])
        gone["items"] += vault.forget(TimeRange(None, now - timedelta(days=text_days)))
    budget = int(settings.retention_gb * 1e9)
    if budget > 0:
        while True:
            stats = vault.stats()
            excess = stats.media_bytes + stats.database_bytes - budget
            if excess <= 0 or stats.media_files == 0:
                break
            oldest = vault.read().execute(
                "SELECT m.id, m.bytes FROM media m LEFT JOIN items i ON i.id = m.item_id"
                " ORDER BY coalesce(i.ts, m.created_at) LIMIT 500").fetchall()
            ids, freed = [], 0
            for media_id, size in oldest:
                ids.append(media_id)
                freed += size
                if freed >= excess:
                    break
            gone["media"] += drop_media(vault, f"m.id IN ({','.join('?' * len(ids))})", ids)
    return gone


def drop_media(vault: Any, where: str, params: Sequence[Any]) -> int:
    """Delete media rows matching ``where`` (aliases ``m`` media, ``i`` items) and their files."""

    def job(conn: Any) -> list[str]:
        rows = conn.execute(
            f"SELECT m.id, m.name FROM media m LEFT JOIN items i ON i.id = m.item_id WHERE {where}", params
        ).fetchall()
        for start in range(0, len(rows), 500):
            part = [r[0] for r in rows[start : start + 500]]
            conn.execute(f"DELETE FROM media WHERE id IN ({','.join('?' * len(part))})", part)
        return [r[1] for r in rows]

    names = vault.write(job)
    for name in names:
        (vault.paths.media_dir / name).unlink(missing_ok=True)
    return len(names)
