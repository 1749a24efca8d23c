"""Storage as a budget you can see: the budget (by default from the free disk), the measured rate, the forecast.

``retention_gb`` > 0 is the user's budget, 0 means no size limit, < 0 (the
default) means automatic: a quarter of what the disk has free plus what the
vault already uses, at most ``AUTO_CAP_BYTES``.  The rate is measured from
what was stored over the last ``RATE_DAYS`` days (per day that had any
capture), so the forecast follows the user's own habits: "at this rate,
screenshots of the last 41 days fit; text and facts are kept longer".
``low_disk`` says when the disk is so full that capture keeps text only.

Threads: any thread (reads).  Errors: database and OS errors propagate.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings

AUTO_SHARE = 0.25
AUTO_CAP_BYTES = 200e9
RATE_DAYS = 7
DAY = 86400.0
# Below this much free space capture stores text only (pixels are what fills a disk): 2 GB or 2 % of it.
LOW_DISK_BYTES = 2e9
LOW_DISK_SHARE = 0.02
PIXELS = "screenshot"
THUMBNAILS = "thumbnail"


def gb(n: float) -> str:
    if n >= 1e8:
        return f"{n / 1e9:.1f} GB"
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def low_disk_limit(total_bytes: int) -> float:
    """Free bytes under which the disk counts as nearly full."""
    return max(LOW_DISK_BYTES, LOW_DISK_SHARE * total_bytes) if total_bytes else LOW_DISK_BYTES


def disk_low(path: Path, limit: float | None = None) -> str | None:
    """Why capture must keep text only (the disk holding ``path`` is nearly full), else ``None``."""
    usage = shutil.disk_usage(path)
    if usage.free >= (limit if limit is not None else low_disk_limit(usage.total)):
        return None
    return f"disk nearly full ({gb(usage.free)} free): storing text only"


def budget_bytes(settings: Settings, used_bytes: int, free_bytes: int) -> int:
    """The size budget in bytes (0: no limit)."""
    if settings.retention_gb > 0:
        return int(settings.retention_gb * 1e9)
    if settings.retention_gb == 0:
        return 0
    return int(min(AUTO_CAP_BYTES, AUTO_SHARE * (free_bytes + used_bytes)))


@dataclass(frozen=True, slots=True)
class StorageBudget:
    budget: int  # bytes, 0: no limit
    auto: bool
    database: int  # live bytes of the database (free pages not counted)
    pixels: int  # screenshot media
    thumbnails: int
    other_media: int  # files' images, attachments
    pixels_per_day: float  # measured over ``days`` days with capture
    text_per_day: float  # database growth per day, estimated from the text stored
    days: int
    oldest_pixels_at: float | None  # UTC epoch of the oldest screenshot still kept
    free_disk: int
    low_disk: str | None

    @property
    def used(self) -> int:
        return self.database + self.pixels + self.thumbnails + self.other_media

    def pixel_days(self) -> float | None:
        """How many days of screenshots fit in the budget at the measured rate (None: unknown or no limit)."""
        if not self.budget or self.pixels_per_day <= 0:
            return None
        return max(0.0, self.budget - self.database - self.thumbnails - self.other_media) / self.pixels_per_day

    def text_days(self) -> float | None:
        if not self.budget or self.text_per_day <= 0:
            return None
        return max(0.0, self.budget - self.other_media) / self.text_per_day

    def forecast(self) -> str:
        """One sentence for settings and `cairn status`."""
        limit = "no size limit" if not self.budget else (
            f"budget {gb(self.budget)}" + (" (automatic: a quarter of the free disk)" if self.auto else ""))
        head = f"{gb(self.used)} used of {limit}"
        days = self.pixel_days()
        if days is None:
            rate = "" if self.budget else f"; screenshots grow by {gb(self.pixels_per_day)} a day"
            return head + (rate if self.pixels_per_day > 0 else "; no screenshots stored in the last days")
        text = self.text_days()
        longer = f" (about {_span(text)})" if text is not None else ""
        return (f"{head}; at this rate ({gb(self.pixels_per_day)} of screenshots a day, measured over "
                f"{self.days} day{'s' if self.days != 1 else ''}), screenshots of the last {days:.0f} days fit; "
                f"text and facts are kept longer{longer}")


def _span(days: float) -> str:
    return f"{days / 365:.0f} years" if days >= 730 else f"{days:.0f} days"


def measure(conn: Any, settings: Settings, database_path: Path, now: float | None = None) -> StorageBudget:
    """The budget and the rate over ``conn`` (a reader of the database at ``database_path``)."""
    now = now or time.time()
    disk_path = database_path.parent
    # The database with its write-ahead log and shared-memory files.
    database_bytes = sum(p.stat().st_size for p in disk_path.glob(database_path.name + "*") if p.is_file())
    by_kind = dict(conn.execute("SELECT kind, coalesce(sum(bytes), 0) FROM media GROUP BY kind").fetchall())
    pixels, thumbs = int(by_kind.pop(PIXELS, 0)), int(by_kind.pop(THUMBNAILS, 0))
    other = int(sum(by_kind.values()))
    free_pages = int(conn.execute("PRAGMA freelist_count").fetchone()[0] or 0)
    database = max(0, database_bytes - free_pages * int(conn.execute("PRAGMA page_size").fetchone()[0] or 4096))
    since = now - RATE_DAYS * DAY
    recent, days = conn.execute(
        "SELECT coalesce(sum(bytes), 0), count(DISTINCT CAST(created_at / 86400 AS INTEGER)) FROM media"
        " WHERE kind = ? AND created_at >= ?", (PIXELS, since)).fetchone()
    days = max(1, int(days or 0))
    text_all, text_recent = conn.execute(
        "SELECT coalesce(sum(length(CAST(text AS BLOB))), 0),"
        " coalesce(sum(CASE WHEN ts >= ? THEN length(CAST(text AS BLOB)) ELSE 0 END), 0) FROM items",
        (since,)).fetchone()
    # The database holds more than the text (chunks, full-text index, vectors): scale by what it costs now.
    per_text_byte = database / text_all if text_all else 1.0
    oldest = conn.execute("SELECT min(created_at) FROM media WHERE kind = ?", (PIXELS,)).fetchone()[0]
    usage = shutil.disk_usage(disk_path)
    used = database + pixels + thumbs + other
    return StorageBudget(
        budget=budget_bytes(settings, used, usage.free), auto=settings.retention_gb < 0, database=database,
        pixels=pixels, thumbnails=thumbs, other_media=other, pixels_per_day=int(recent) / days,
        text_per_day=int(text_recent) * per_text_byte / days, days=days,
        oldest_pixels_at=float(oldest) if oldest is not None else None, free_disk=int(usage.free),
        low_disk=disk_low(disk_path))
