"""Retention: how long pixels and text are kept, and the size budget (oldest media first).

A policy over the vault (it forgets through ``Forget``, so the in-memory index
drops what goes), run hourly by the capture host and on demand.

Threads: any thread; blocks on the vault's writer.  Errors: database errors propagate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.changes import ITEMS, MEDIA, Outcome, changes_if
from core.ports import RetentionStore
from core.settings import Settings
from core.store.items import to_epoch
from core.store.media import oldest_media
from core.types import TimeRange


def enforce_retention(vault: RetentionStore, settings: Settings, now: datetime) -> Outcome[dict[str, int]]:
    """Apply the retention settings; what went: ``{"items": n, "media": m}``.

    Age: memories older than ``retention_days`` are forgotten, except that
    with ``text_retention_days`` longer than that only their pixels (media)
    go and the text stays until ``text_retention_days``.  Size: while media
    plus database exceed ``retention_gb``, the oldest media files go first.
    """
    gone = {"items": 0, "media": 0}
    if settings.retention_days > 0:
        media_cutoff = now - timedelta(days=settings.retention_days)
        text_days = max(settings.text_retention_days, settings.retention_days)
        gone["media"] += vault.drop_media("i.ts < ?", [to_epoch(media_cutoff)]).value
        gone["items"] += vault.forget(TimeRange(None, now - timedelta(days=text_days))).value
    budget = int(settings.retention_gb * 1e9)
    if budget > 0:
        while True:
            stats = vault.stats()
            excess = stats.media_bytes + stats.database_bytes - budget
            if excess <= 0 or stats.media_files == 0:
                break
            ids, freed = [], 0
            for media_id, size in oldest_media(vault.read()):
                ids.append(media_id)
                freed += size
                if freed >= excess:
                    break
            gone["media"] += vault.drop_media(f"m.id IN ({','.join('?' * len(ids))})", ids).value
    return Outcome(gone, changes_if(gone["items"], ITEMS) | changes_if(gone["media"], MEDIA))
