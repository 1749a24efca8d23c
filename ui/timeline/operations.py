"""The timeline's reads: a page of a day's memories, the activity counts of the strip and the heat map, the latest day.

Each function returns a ``ui.operations.QueryOp``; the page adds what to do
with the value and runs it.  The counting itself is in ``ui.timeline.activity``.

Threads: build on the GUI thread; the read runs on a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from ui.operations import QueryOp
from ui.session import Session
from ui.timeline import activity

if TYPE_CHECKING:
    from core.store.browse import ItemView
    from ui.timeline.density import HourCounts


def load_page(session: Session, start: datetime, end: datetime, *, limit: int, offset: int,
              kinds: Sequence[str]) -> QueryOp[list[ItemView]]:
    """Up to ``limit`` memories from ``start`` to ``end`` after the first ``offset``, oldest first.

    Moments only: summaries describe the day and are shown above it (``load_summaries``), not in it."""
    return QueryOp(session, lambda v: v.items_between(start, end, limit=limit, offset=offset, kinds=kinds,
                                                      moments_only=True), label="timeline page")


def load_summaries(session: Session, start: datetime, end: datetime) -> QueryOp[list[ItemView]]:
    """The day's summary and its episodes' summaries (written by consolidation), in time order."""
    return QueryOp(session, lambda v: v.items_between(start, end, limit=200, sources=("summary",)),
                   label="day summaries")


def load_strip_counts(session: Session, start: datetime, end: datetime) -> QueryOp[list[int]]:
    """Memories per quarter hour of the day's strip."""
    return QueryOp(session, lambda v: activity.strip_counts(v, start, end), label="histogram")


def load_hour_counts(session: Session, start: datetime, end: datetime) -> QueryOp[HourCounts]:
    """Memories per local ``(date, hour)`` for the week/month heat map."""
    return QueryOp(session, lambda v: activity.hour_counts(v, start, end), label="density")


def load_latest_day(session: Session) -> QueryOp[date | None]:
    """The newest day that holds memories (None when there are none)."""
    return QueryOp(session, activity.latest_day, label="latest day")
