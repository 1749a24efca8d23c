"""The periods the timeline shows (a day, a week or a month): stepping from one to the
next and the words for the current one in the toolbar.

A period is named by its zoom (``"day"``, ``"week"``, ``"month"``) and an anchor
date inside it; weeks start on Monday (``density.week_start``).

Threads: any (pure date arithmetic); the page calls it on the GUI thread.
Errors: none; an unknown zoom is treated as ``"month"``, as the page always did.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from ui import fmt
from ui.timeline.density import week_start


class PeriodTitle(NamedTuple):
    text: str  # the date button's text, e.g. "Week of 3 Mar – 9 Mar 2025"
    unit: str  # "day", "week" or "month", for "Previous …" / "Next …"


def shift_period(zoom: str, anchor: date, direction: int) -> date:
    """The anchor ``direction`` (±1) periods away: a day, seven days, or the 1st of the next/previous month."""
    if zoom == "day":
        return anchor + timedelta(days=direction)
    if zoom == "week":
        return anchor + timedelta(days=7 * direction)
    first = anchor.replace(day=1)
    if direction > 0:
        return (first + timedelta(days=32)).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def period_title(zoom: str, anchor: date) -> PeriodTitle:
    """How the toolbar names the period holding ``anchor``."""
    if zoom == "day":
        return PeriodTitle(fmt.fmt_day(anchor), "day")
    if zoom == "week":
        start = week_start(anchor)
        end = start + timedelta(days=6)
        return PeriodTitle(f"Week of {start.day} {start.strftime('%b')} – {end.day} {end.strftime('%b %Y')}",
                           "week")
    return PeriodTitle(anchor.strftime("%B %Y"), "month")
