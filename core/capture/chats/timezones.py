"""Turning the naive local times many exports use into aware datetimes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ImportFailed


def localize(moment: datetime, zone: str | None) -> datetime:
    """``moment`` unchanged if aware; else interpreted in ``zone`` (default: the machine's zone)."""
    if moment.tzinfo is not None:
        return moment
    if zone:
        try:
            return moment.replace(tzinfo=ZoneInfo(zone))
        except ZoneInfoNotFoundError as exc:
            raise ImportFailed(f"unknown time zone {zone!r} (use an IANA name such as Europe/Berlin)") from exc
    return moment.astimezone()  # the machine's local zone, DST-correct for that date
