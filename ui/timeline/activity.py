"""Activity counts the timeline reads from the vault: quarter hours for the day's strip,
local ``(date, hour)`` cells for the week/month heat map, and the latest day with memories.

Each function takes the vault and does all its work there, so the page can hand
it to ``session.run`` as one background task; nothing here touches Qt.

Threads: worker thread (called inside ``session.run``); pure apart from the vault reads.
Errors: vault exceptions propagate to the task's ``on_failure``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ui import fmt

if TYPE_CHECKING:
    from core.vault import Vault
    from ui.timeline.density import HourCounts

STRIP_BUCKET_S = 15 * 60


def strip_counts(vault: Vault, start: datetime, end: datetime) -> list[int]:
    """Memories per quarter hour from ``start`` to ``end`` (one count per strip bucket)."""
    buckets = round((end - start).total_seconds() / STRIP_BUCKET_S)
    counts = [0] * buckets
    for moment, count in vault.activity_histogram(start, end, STRIP_BUCKET_S):
        index = int((moment.timestamp() - start.timestamp()) // STRIP_BUCKET_S)
        if 0 <= index < buckets:
            counts[index] += count
    return counts


def hour_counts(vault: Vault, start: datetime, end: datetime) -> HourCounts:
    """Memories per local ``(date, hour)`` from ``start`` to ``end``; empty hours are left out."""
    counts: HourCounts = {}
    for moment, count in vault.activity_histogram(start, end, 3600):
        if count:
            local = fmt.to_local(moment)
            key = (local.date(), local.hour)
            counts[key] = counts.get(key, 0) + count
    return counts


def latest_day(vault: Vault) -> date | None:
    """The local date of the newest memory, or ``None`` when the vault holds none."""
    last = vault.stats().last_item_at
    return fmt.to_local(last).date() if last is not None else None
