"""The kinds of time span the grammar knows, and how each one resolves to a range.

``KINDS`` lists every span kind ("iso_date", "weekday", "season", "holiday",
"clock"...) as ``(name, pattern, resolver)``.  The pattern is fullmatched,
case-insensitively, against a candidate span of text; the resolver turns the
match into a ``Resolved`` range, given the ``Ctx`` (now, timezone) and
``ref``, the moment "most recent" is counted back from: ``now``, or the end
of a range ("between March and May": March is resolved before May).  Order
matters: ``time_span`` joins the patterns into one search regex, so longer,
more specific forms come first.

Pure functions and read-only tables, thread-safe, no I/O.  Resolvers never
raise on odd input: an impossible date (31 February, month 13, "25pm")
resolves to ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from core.retrieve.time_context import (
    Ctx,
    Resolved,
    parse_explicit_date,
    recent_date,
    recent_month,
)
from core.retrieve.time_vocab import (
    CLOCK_RE,
    MONTH_RE,
    MONTHS,
    NUM_RE,
    TOD_HOURS,
    UNIT_RE,
    WEEKDAY_RE,
    WEEKDAYS,
    YEAR_RE,
    clock_to_time,
    parse_count,
)

__all__ = ["KINDS", "Resolver"]


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _r_iso_date(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return Resolved(ctx.day_span(day), True, False)


def _r_iso_month(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return Resolved(ctx.month_span(int(m["y"]), month), False, False)


def _r_numeric_date(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    day = parse_explicit_date(m[0], ctx, ref)
    return None if day is None else Resolved(ctx.day_span(day), True, False)


def _r_day_month(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    month = MONTHS[m["mon"].lower()]
    year = _int(m["y"])
    if year is not None:
        # dateparser reads the full explicit form ("8 May, 2023", "March 12th 2023").
        day = parse_explicit_date(m[0], ctx, ref)
        if day is None or day.month != month:
            return None
    else:
        day = recent_date(ctx, ref, month, int(m["d"]), None)
        if day is None:
            return None
    return Resolved(ctx.day_span(day), True, False)


def _r_month_year(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    return Resolved(ctx.month_span(int(m["y"]), MONTHS[m["mon"].lower()]), False, False)


def _r_month(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    month = MONTHS[m["mon"].lower()]
    rel = (m["rel"] or "").lower()
    ref_day = ref.astimezone(ctx.tz).date()
    if rel == "this":
        year = ref_day.year
    elif rel == "next":
        year = ref_day.year if month > ref_day.month else ref_day.year + 1
    elif rel == "last":
        # "last March" in March is a year ago; otherwise the most recent March.
        year = ref_day.year if month < ref_day.month else ref_day.year - 1
    else:
        year = recent_month(ctx, ref, month)
    # A bare month name is ambiguous ("may", "march"): it needs a preposition.
    return Resolved(ctx.month_span(year, month), False, needs_prep=not rel)


def _r_month_rel_year(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    """'April last year'."""
    year = ctx.today.year + {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return Resolved(ctx.month_span(year, MONTHS[m["mon"].lower()]), False, False)


def _r_weekday_week(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    """'Tuesday last week': that weekday in that calendar week."""
    offset = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    monday = ctx.week_span(ctx.today + timedelta(weeks=offset))[0].date()
    return Resolved(ctx.day_span(monday + timedelta(days=WEEKDAYS.index(m["wd"].lower()))), True, False)


def _r_year(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    return Resolved(ctx.year_span(int(m["y"])), False, needs_prep=not m["the"])


def _r_the_nth(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    """'on the 12th': this month's 12th if it has come, else last month's."""
    day_of_month = int(m["d"])
    ref_day = ref.astimezone(ctx.tz).date()
    first = ref_day.replace(day=1)
    for back in range(3):
        month_start = first - relativedelta(months=back)
        try:
            candidate = month_start.replace(day=day_of_month)
        except ValueError:
            continue
        if candidate <= ref_day:
            return Resolved(ctx.day_span(candidate), True, needs_prep=True)
    return None


def _r_rel_day(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    word = re.sub(r"\s+", " ", m[0].lower())
    offsets = {
        "today": 0,
        "yesterday": -1,
        "tomorrow": 1,
        "the day before yesterday": -2,
        "the day after tomorrow": 2,
    }
    return Resolved(ctx.day_span(ctx.today + timedelta(days=offsets[word])), True, False)


def _r_weekday(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    target = WEEKDAYS.index(m["wd"].lower())
    rel = re.sub(r"\s+", " ", (m["rel"] or "").lower())
    ref_day = ref.astimezone(ctx.tz).date()
    if rel == "this":
        day = ref_day - timedelta(days=ref_day.weekday()) + timedelta(days=target)
    elif rel == "next":
        day = ref_day + timedelta(days=(target - ref_day.weekday() - 1) % 7 + 1)
    elif rel in ("last", "this past", "past", "previous"):
        day = ref_day - timedelta(days=(ref_day.weekday() - target - 1) % 7 + 1)
    elif ctx.prefer_future:
        day = ref_day + timedelta(days=(target - ref_day.weekday()) % 7)
    else:
        day = ref_day - timedelta(days=(ref_day.weekday() - target) % 7)
    return Resolved(ctx.day_span(day), True, False)


def _r_rel_unit(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    """this/last/next week|month|year, and "the week before last" / "the month after next"."""
    if m["unit"] is not None:
        unit = m["unit"].lower()
        offset = {"this": 0, "last": -1, "previous": -1, "next": 1}[m["rel"].lower()]
    else:
        unit = m["unit2"].lower()
        offset = -2 if "before" in m[0].lower() else 2
    if unit == "week":
        return Resolved(ctx.week_span(ctx.today + timedelta(weeks=offset)), False, False)
    if unit == "month":
        first = ctx.today.replace(day=1) + relativedelta(months=offset)
        return Resolved(ctx.month_span(first.year, first.month), False, False)
    return Resolved(ctx.year_span(ctx.today.year + offset), False, False)


def _r_weekend(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    rel = re.sub(r"\s+", " ", (m["rel"] or "").lower())
    today = ctx.today
    in_weekend = today.weekday() >= 5
    # The Saturday of the most recent weekend that has started.
    latest = today - timedelta(days=(today.weekday() - 5) % 7)
    if m["before_last"]:
        saturday = latest - timedelta(days=7 if in_weekend else 0) - timedelta(days=7)
    elif rel == "last" and in_weekend:
        saturday = latest - timedelta(days=7)
    elif rel == "next":
        saturday = latest + timedelta(days=7)
    else:  # "this weekend", "the weekend", "this past weekend", "last weekend" on a weekday
        saturday = latest
    return Resolved(ctx.day_span(saturday, 2), False, False)


def _r_ago(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    low, high = parse_count(m["n"])
    unit = m["unit"].lower().rstrip("s")
    now = ctx.now
    if unit in ("minute", "min"):
        half = timedelta(minutes=max(5, low // 2))
        return Resolved((now - timedelta(minutes=high) - half, now - timedelta(minutes=low) + half), False, False)
    if unit in ("hour", "hr"):
        return Resolved(
            (now - timedelta(hours=high + 1), now - timedelta(hours=low - 1)), False, False
        )
    if unit == "day":
        start, _ = ctx.day_span(ctx.today - timedelta(days=high))
        _, end = ctx.day_span(ctx.today - timedelta(days=low))
        return Resolved((start, end), low == high, False)
    if unit == "weekend":  # "two weekends ago" on a weekday: the weekend before last
        today = ctx.today
        latest = today - timedelta(days=(today.weekday() - 5) % 7)  # Saturday of the latest weekend begun
        back = high if today.weekday() >= 5 else high - 1
        return Resolved(ctx.day_span(latest - timedelta(weeks=back), 2), False, False)
    if unit == "week":
        start = ctx.midnight(ctx.today - timedelta(weeks=high, days=3))
        end = ctx.midnight(ctx.today - timedelta(weeks=low, days=-4))
        return Resolved((start, end), False, False)
    if unit == "month":
        first = ctx.today.replace(day=1)
        start_month = first - relativedelta(months=high)
        end_month = first - relativedelta(months=low)
        return Resolved(
            (ctx.midnight(start_month), ctx.midnight(end_month + relativedelta(months=1))), False, False
        )
    return Resolved(
        (ctx.year_span(ctx.today.year - high)[0], ctx.year_span(ctx.today.year - low)[1]), False, False
    )


_SEASON_START = MappingProxyType({"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12})


def _r_season(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    season = m["season"].lower()
    start_month = _SEASON_START[season]
    rel = (m["rel"] or "").lower()
    ref_day = ref.astimezone(ctx.tz).date()
    if m["y"]:
        year = int(m["y"])
    else:
        # Most recent season that has started by ``ref``.
        year = ref_day.year if date(ref_day.year, start_month, 1) <= ref_day else ref_day.year - 1
        season_end = date(year, start_month, 1) + relativedelta(months=3)
        if rel == "last" and season_end > ref_day:
            year -= 1  # "last summer" during the summer is the previous one
        elif rel == "next":
            year += 1
    return Resolved(ctx.month_span(year, start_month, 3), False, needs_prep=not (rel or m["y"]))


_HOLIDAYS = MappingProxyType({  # name → (month, day, days)
    "christmas": (12, 24, 3),
    "christmas eve": (12, 24, 1),
    "christmas day": (12, 25, 1),
    "new year's eve": (12, 31, 1),
    "new years eve": (12, 31, 1),
    "new year eve": (12, 31, 1),
    "new year's day": (1, 1, 1),
    "new years day": (1, 1, 1),
    "new year day": (1, 1, 1),
    "halloween": (10, 31, 1),
    "valentine's day": (2, 14, 1),
    "valentines day": (2, 14, 1),
    "valentine day": (2, 14, 1),
})


def _r_holiday(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    name = re.sub(r"\s+", " ", m["name"].lower()).replace("’", "'")
    month, day_of_month, days = _HOLIDAYS[name]
    day = recent_date(ctx, ref, month, day_of_month, _int(m["y"]))
    if day is None:
        return None
    # "christmas tree", "halloween costume": a holiday name alone is too often an object.
    return Resolved(ctx.day_span(day, days), days == 1, needs_prep=True)


def _r_clock(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    """'at 3pm' with no day: today, or yesterday when that is still to come."""
    moment = clock_to_time(m[0])
    if moment is None:
        return None
    day = ctx.today
    if datetime.combine(day, moment, tzinfo=ctx.tz) > ctx.now:
        day -= timedelta(days=1)
    return Resolved(ctx.clock_window(day, moment), False, needs_prep=True)


def _r_tod_today(m: re.Match[str], ctx: Ctx, ref: datetime) -> Resolved | None:
    text = re.sub(r"\s+", " ", m[0].lower())
    today = ctx.today
    if text == "tonight":
        return Resolved(ctx.hours_span(today, 18, 29), False, False)
    if text == "last night":
        return Resolved(ctx.hours_span(today - timedelta(days=1), 18, 29), False, False)
    if text == "earlier today":
        return Resolved((ctx.midnight(today), ctx.now), False, False)
    word = text.split()[-1]
    start, end = TOD_HOURS[word]
    return Resolved(ctx.hours_span(today, start, end), False, False)


Resolver = Callable[[re.Match[str], Ctx, datetime], Resolved | None]

# Order matters for the combined search regex: longer, more specific forms first.
KINDS: tuple[tuple[str, str, Resolver], ...] = (
    ("iso_date", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)", _r_iso_date),
    ("iso_month", r"(?P<y>\d{4})-(?P<m>\d{2})(?![\d-])", _r_iso_month),
    ("numeric_date", r"\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?!\d)", _r_numeric_date),
    (
        "day_month",
        rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<mon>{MONTH_RE})\.?(?:,?\s+(?P<y>{YEAR_RE}))?",
        _r_day_month,
    ),
    (
        "month_day",
        rf"(?P<mon>{MONTH_RE})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>{YEAR_RE}))?",
        _r_day_month,
    ),
    ("month_year", rf"(?P<mon>{MONTH_RE})\.?,?\s+(?P<y>{YEAR_RE})", _r_month_year),
    (
        "month_rel_year",
        rf"(?P<mon>{MONTH_RE})\s+(?:of\s+)?(?P<rel>last|this|next)\s+year",
        _r_month_rel_year,
    ),
    (
        "weekday_week",
        rf"(?P<wd>{WEEKDAY_RE})\s+(?:of\s+)?(?P<rel>last|this|next)\s+week",
        _r_weekday_week,
    ),
    ("the_nth", r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)", _r_the_nth),
    (
        "season",
        rf"(?:(?P<rel>last|this|next)\s+)?(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?(?P<y>{YEAR_RE}))?",
        _r_season,
    ),
    (
        "holiday",
        rf"(?P<name>christmas(?:\s+(?:eve|day))?|new\s+year(?:'|’)?s?\s+(?:eve|day)|halloween|valentine(?:'|’)?s?\s+day)(?:\s+(?P<y>{YEAR_RE}))?",
        _r_holiday,
    ),
    (
        "tod_today",
        r"this\s+(?:morning|afternoon|evening)|tonight|last\s+night|earlier\s+today",
        _r_tod_today,
    ),
    (
        "rel_day",
        r"the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|today|yesterday|tomorrow",
        _r_rel_day,
    ),
    (
        "weekday",
        rf"(?:(?P<rel>last|this\s+past|this|next|previous|past)\s+)?(?P<wd>{WEEKDAY_RE})",
        _r_weekday,
    ),
    (
        "weekend",
        r"(?:(?P<rel>this\s+past|the\s+past|last|this|next|the)\s+)?weekend(?P<before_last>\s+before\s+last)?",
        _r_weekend,
    ),
    (
        "rel_unit",
        r"(?:the\s+(?P<unit2>week|month|year)\s+(?:before\s+last|after\s+next))|(?:(?P<rel>this|last|next|previous)\s+(?P<unit>week|month|year))",
        _r_rel_unit,
    ),
    ("ago", rf"(?P<n>{NUM_RE})\s+(?P<unit>weekends?|{UNIT_RE})\s+ago", _r_ago),
    (
        "month",
        rf"(?:(?P<rel>last|this|next)\s+)?(?P<mon>{MONTH_RE})",
        _r_month,
    ),
    ("year", rf"(?P<the>the\s+year\s+)?(?P<y>{YEAR_RE})(?!\d)", _r_year),
    ("clock", CLOCK_RE, _r_clock),
)
