"""The user's time zone as a real zone (with its DST rules), not the fixed offset of one moment.

``datetime.now().astimezone()`` carries a fixed UTC offset: the offset of
*now*.  A span built from it ("in April", asked in March in Berlin) would
start at 00:00+01:00 although April is at +02:00, losing the first hour of
the month and taking the first hour of the next.  ``zoned`` swaps such a
fixed offset for the local ``ZoneInfo`` when that zone has the same offset at
that moment, so calendar arithmetic on it follows the zone's transitions.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


def local_zone() -> tzinfo | None:
    """The system's zone (``TZ`` first, then the OS setting) as a ``ZoneInfo``; None when unknown."""
    try:
        from tzlocal import get_localzone  # late: reads the OS settings

        zone = get_localzone()
    except Exception:  # an unreadable or odd system setting: callers keep the fixed offset
        return None
    return zone if isinstance(zone, ZoneInfo) else None


def zoned(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """``moment`` in a zone that knows DST.

    An explicit ``zone`` (the user's setting) always wins.  Otherwise a moment
    already in a ``ZoneInfo`` is kept, and a fixed offset becomes the local
    zone when that zone has the same offset at that instant (a fixed offset
    from elsewhere — UTC from a server, a message's own offset — is kept).
    A naive moment is taken as local time.
    """
    if moment.tzinfo is None:
        moment = moment.astimezone()
    if zone is not None:
        return moment.astimezone(zone)
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment
    local = local_zone()
    if local is None:
        return moment
    converted = moment.astimezone(local)
    return converted if converted.utcoffset() == moment.utcoffset() else moment
