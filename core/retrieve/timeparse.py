"""Time expressions in a question → a time range to filter retrieval by.

``parse_time_expression("what did Priya say last Tuesday afternoon?", now)``
returns the range (that Tuesday, 12:00–18:00), the words that said so
("last Tuesday afternoon") and the question without them.

How it works: a small grammar of *spans* (a day, a week, a month, a year, a
season, "3 days ago"...) written as regular expressions, composed by a few
*rules* ("between A and B", "since A", "in A", "the past N days"...).  Every
rule is tried over the whole text; the longest match wins, so "last Tuesday
afternoon" beats "Tuesday".  ``dateparser`` reads the explicit dates the
grammar finds ("12 March 2023", "05/08/2023") and ``dateutil.relativedelta``
does the calendar arithmetic.

Conventions (documented because every one of them is a choice):

* Ranges are half-open ``[start, end)`` in ``now``'s timezone (local day
  boundaries); an open side is ``None`` ("since Monday" has no end).
* Weeks start on Monday.  "last week" is the previous calendar week,
  "the past week" the last 7 days.
* A month, weekday, season or holiday without a year is the most recent one
  that has started ("in March" in February 2024 is March 2023).
  "last Tuesday" is the most recent Tuesday before today; "on Tuesday" may be
  today.
* "N days ago" is that calendar day; "N weeks ago" a 7-day window centred on
  that day; "N months/years ago" the calendar month/year.
* Times of day: morning 05–12, afternoon 12–18, evening 18–23, night 20–05
  (next day), "tonight" 18–05, "last night" yesterday 18:00 – today 05:00,
  "at 3pm" 14:30–16:00.
* Seasons are northern-hemisphere meteorological (summer = Jun–Aug).
* Ambiguous words only count with a preposition: "in March" is time, "March"
  alone is not; "in May" is time, "from May" is not (May may be a person);
  a bare year needs one ("in 2023", "before 2024").
* Vague words ("recently", "ever", "when", "the other day") never become a
  filter: a wrong filter hides the answer, a missing one only ranks worse.
* "the week before my trip" cannot be resolved from the text alone: it comes
  back as an ``EventAnchor`` (no range) that the caller resolves once it
  knows when the event happened (``resolve_anchor``).

Pure functions, thread-safe, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from core.types import TimeRange

__all__ = ["EventAnchor", "TimeParse", "parse_time_expression", "resolve_anchor"]


@dataclass(frozen=True, slots=True)
class EventAnchor:
    """A time stated relative to an event: "the week before my trip".

    ``relation`` is ``"before"`` or ``"after"``; ``unit`` is ``"day"``,
    ``"week"``, ``"weekend"``, ``"month"``, ``"year"`` or ``None`` (plain
    "before my trip": everything before it); ``event`` is the event's words
    as written ("my trip to Japan"), to search for.
    """

    relation: str
    unit: str | None
    count: int
    event: str


@dataclass(frozen=True, slots=True)
class TimeParse:
    """What ``parse_time_expression`` understood.

    ``range`` is ``None`` when the text states no usable time.  ``phrase`` is
    the matched words as written, ``remainder`` the text without them (what
    should be searched for).  ``anchor`` is set, with ``range`` ``None``, for
    event-relative expressions.
    """

    range: TimeRange | None
    phrase: str | None
    remainder: str
    anchor: EventAnchor | None = None


# --------------------------------------------------------------------------- vocabulary

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
# Long names first so the alternation prefers "march" over "mar".
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RE = "|".join(_WEEKDAYS)
_NUMBER_WORDS = {
    "a": (1, 1), "an": (1, 1), "one": (1, 1), "two": (2, 2), "three": (3, 3), "four": (4, 4),
    "five": (5, 5), "six": (6, 6), "seven": (7, 7), "eight": (8, 8), "nine": (9, 9), "ten": (10, 10),
    "eleven": (11, 11), "twelve": (12, 12), "a couple of": (2, 2), "a couple": (2, 2),
    "couple of": (2, 2), "a few": (2, 4), "few": (2, 4), "several": (3, 6),
}
_NUM_RE = r"(?:\d{1,3}|a\s+couple(?:\s+of)?|couple\s+of|a\s+few|few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT_RE = r"(?:minute|min|hour|hr|day|week|month|year)s?"
_YEAR_RE = r"(?:19[7-9]\d|20\d\d)"
_TOD_WORDS = r"(?:morning|afternoon|evening|night|lunchtime|noon|midday)"
_CLOCK_RE = (
    r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midday|midnight)"
)

# Hours of each time-of-day word: (start hour, end hour) where end may pass 24.
_TOD_HOURS = {
    "morning": (5, 12),
    "afternoon": (12, 18),
    "evening": (18, 23),
    "night": (20, 29),
    "lunchtime": (11, 15),
    "lunch": (11, 15),
    "noon": (11, 14),
    "midday": (11, 14),
}

_Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class _Ctx:
    now: datetime
    tz: tzinfo
    prefer_future: bool = False  # undated "Monday", "in March": the next one, not the last

    @property
    def today(self) -> date:
        return self.now.date()

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def day_span(self, day: date, days: int = 1) -> _Span:
        return self.midnight(day), self.midnight(day + timedelta(days=days))

    def month_span(self, year: int, month: int, months: int = 1) -> _Span:
        first = date(year, month, 1)
        return self.midnight(first), self.midnight(first + relativedelta(months=months))

    def year_span(self, year: int) -> _Span:
        return self.midnight(date(year, 1, 1)), self.midnight(date(year + 1, 1, 1))

    def week_span(self, day: date) -> _Span:
        monday = day - timedelta(days=day.weekday())
        return self.day_span(monday, 7)


@dataclass(frozen=True, slots=True)
class _Resolved:
    span: _Span
    is_day: bool  # one calendar day: a time of day may narrow it
    needs_prep: bool  # ambiguous alone ("March", "2023", "fall")


# --------------------------------------------------------------------------- span kinds
# Each kind: a regex (fullmatched against a candidate span, case-insensitive)
# and a resolver ``(match, ctx, ref) -> _Resolved | None``.  ``ref`` is the
# moment "most recent" is counted back from: ``now``, or the end of a range
# ("between March and May": March is resolved before May).


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _count(text: str) -> tuple[int, int]:
    text = re.sub(r"\s+", " ", text.strip().lower())
    if text.isdigit():
        return int(text), int(text)
    return _NUMBER_WORDS[text]


def _recent_date(ctx: _Ctx, ref: datetime, month: int, day: int, year: int | None) -> date | None:
    """The date (month, day) in ``year``, or the most recent one on or before ``ref``
    (the next one on or after it when the context prefers the future)."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    ref_day = ref.astimezone(ctx.tz).date()
    step = 1 if ctx.prefer_future else -1
    for offset in range(9):  # 29 February needs up to 8 years
        try:
            candidate = date(ref_day.year + step * offset, month, day)
        except ValueError:
            continue
        if (candidate >= ref_day) if ctx.prefer_future else (candidate <= ref_day):
            return candidate
    return None


def _recent_month(ctx: _Ctx, ref: datetime, month: int) -> int:
    """The year of the most recent ``month`` that has started by ``ref`` (or the next one to come)."""
    ref_day = ref.astimezone(ctx.tz).date()
    if ctx.prefer_future:
        return ref_day.year if month >= ref_day.month else ref_day.year + 1
    return ref_day.year if month <= ref_day.month else ref_day.year - 1


def _parse_explicit_date(text: str, ctx: _Ctx, ref: datetime) -> date | None:
    """An explicit date through ``dateparser`` ("12/03/2023", "8 May, 2023")."""
    import dateparser  # late: its import loads language data

    settings = {
        "RELATIVE_BASE": ref.astimezone(ctx.tz).replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return parsed.date() if parsed is not None else None


def _r_iso_date(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return _Resolved(ctx.day_span(day), True, False)


def _r_iso_month(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return _Resolved(ctx.month_span(int(m["y"]), month), False, False)


def _r_numeric_date(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    day = _parse_explicit_date(m[0], ctx, ref)
    return None if day is None else _Resolved(ctx.day_span(day), True, False)


def _r_day_month(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    month = _MONTHS[m["mon"].lower()]
    year = _int(m["y"])
    if year is not None:
        # dateparser reads the full explicit form ("8 May, 2023", "March 12th 2023").
        day = _parse_explicit_date(m[0], ctx, ref)
        if day is None or day.month != month:
            return None
    else:
        day = _recent_date(ctx, ref, month, int(m["d"]), None)
        if day is None:
            return None
    return _Resolved(ctx.day_span(day), True, False)


def _r_month_year(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    return _Resolved(ctx.month_span(int(m["y"]), _MONTHS[m["mon"].lower()]), False, False)


def _r_month(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    month = _MONTHS[m["mon"].lower()]
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
        year = _recent_month(ctx, ref, month)
    # A bare month name is ambiguous ("may", "march"): it needs a preposition.
    return _Resolved(ctx.month_span(year, month), False, needs_prep=not rel)


def _r_month_rel_year(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    """'April last year'."""
    year = ctx.today.year + {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return _Resolved(ctx.month_span(year, _MONTHS[m["mon"].lower()]), False, False)


def _r_weekday_week(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    """'Tuesday last week': that weekday in that calendar week."""
    offset = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    monday = ctx.week_span(ctx.today + timedelta(weeks=offset))[0].date()
    return _Resolved(ctx.day_span(monday + timedelta(days=_WEEKDAYS.index(m["wd"].lower()))), True, False)


def _r_year(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    return _Resolved(ctx.year_span(int(m["y"])), False, needs_prep=not m["the"])


def _r_the_nth(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
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
            return _Resolved(ctx.day_span(candidate), True, needs_prep=True)
    return None


def _r_rel_day(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    word = re.sub(r"\s+", " ", m[0].lower())
    offsets = {
        "today": 0,
        "yesterday": -1,
        "tomorrow": 1,
        "the day before yesterday": -2,
        "the day after tomorrow": 2,
    }
    return _Resolved(ctx.day_span(ctx.today + timedelta(days=offsets[word])), True, False)


def _r_weekday(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    target = _WEEKDAYS.index(m["wd"].lower())
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
    return _Resolved(ctx.day_span(day), True, False)


def _r_rel_unit(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    """this/last/next week|month|year, and "the week before last" / "the month after next"."""
    if m["unit"] is not None:
        unit = m["unit"].lower()
        offset = {"this": 0, "last": -1, "previous": -1, "next": 1}[m["rel"].lower()]
    else:
        unit = m["unit2"].lower()
        offset = -2 if "before" in m[0].lower() else 2
    if unit == "week":
        return _Resolved(ctx.week_span(ctx.today + timedelta(weeks=offset)), False, False)
    if unit == "month":
        first = ctx.today.replace(day=1) + relativedelta(months=offset)
        return _Resolved(ctx.month_span(first.year, first.month), False, False)
    return _Resolved(ctx.year_span(ctx.today.year + offset), False, False)


def _r_weekend(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
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
    return _Resolved(ctx.day_span(saturday, 2), False, False)


def _r_ago(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    low, high = _count(m["n"])
    unit = m["unit"].lower().rstrip("s")
    now = ctx.now
    if unit in ("minute", "min"):
        half = timedelta(minutes=max(5, low // 2))
        return _Resolved((now - timedelta(minutes=high) - half, now - timedelta(minutes=low) + half), False, False)
    if unit in ("hour", "hr"):
        return _Resolved(
            (now - timedelta(hours=high + 1), now - timedelta(hours=low - 1)), False, False
        )
    if unit == "day":
        start, _ = ctx.day_span(ctx.today - timedelta(days=high))
        _, end = ctx.day_span(ctx.today - timedelta(days=low))
        return _Resolved((start, end), low == high, False)
    if unit == "week":
        start = ctx.midnight(ctx.today - timedelta(weeks=high, days=3))
        end = ctx.midnight(ctx.today - timedelta(weeks=low, days=-4))
        return _Resolved((start, end), False, False)
    if unit == "month":
        first = ctx.today.replace(day=1)
        start_month = first - relativedelta(months=high)
        end_month = first - relativedelta(months=low)
        return _Resolved(
            (ctx.midnight(start_month), ctx.midnight(end_month + relativedelta(months=1))), False, False
        )
    return _Resolved(
        (ctx.year_span(ctx.today.year - high)[0], ctx.year_span(ctx.today.year - low)[1]), False, False
    )


_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _r_season(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
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
    return _Resolved(ctx.month_span(year, start_month, 3), False, needs_prep=not (rel or m["y"]))


_HOLIDAYS = {  # name → (month, day, days)
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
}


def _r_holiday(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    name = re.sub(r"\s+", " ", m["name"].lower()).replace("’", "'")
    month, day_of_month, days = _HOLIDAYS[name]
    day = _recent_date(ctx, ref, month, day_of_month, _int(m["y"]))
    if day is None:
        return None
    # "christmas tree", "halloween costume": a holiday name alone is too often an object.
    return _Resolved(ctx.day_span(day, days), days == 1, needs_prep=True)


def _clock_to_time(text: str) -> time | None:
    text = text.lower().replace(".", "").replace(" ", "")
    if text in ("noon", "midday"):
        return time(12)
    if text == "midnight":
        return time(0)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", text)
    if m is None:
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _r_clock(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    """'at 3pm' with no day: today, or yesterday when that is still to come."""
    moment = _clock_to_time(m[0])
    if moment is None:
        return None
    day = ctx.today
    if datetime.combine(day, moment, tzinfo=ctx.tz) > ctx.now:
        day -= timedelta(days=1)
    return _Resolved(_clock_window(ctx, day, moment), False, needs_prep=True)


def _r_tod_today(m: re.Match[str], ctx: _Ctx, ref: datetime) -> _Resolved | None:
    text = re.sub(r"\s+", " ", m[0].lower())
    today = ctx.today
    if text == "tonight":
        return _Resolved(_hours(ctx, today, 18, 29), False, False)
    if text == "last night":
        return _Resolved(_hours(ctx, today - timedelta(days=1), 18, 29), False, False)
    if text == "earlier today":
        return _Resolved((ctx.midnight(today), ctx.now), False, False)
    word = text.split()[-1]
    start, end = _TOD_HOURS[word]
    return _Resolved(_hours(ctx, today, start, end), False, False)


def _hours(ctx: _Ctx, day: date, start_hour: int, end_hour: int) -> _Span:
    base = ctx.midnight(day)
    return base + timedelta(hours=start_hour), base + timedelta(hours=end_hour)


def _clock_window(ctx: _Ctx, day: date, moment: time) -> _Span:
    at = datetime.combine(day, moment, tzinfo=ctx.tz)
    return at - timedelta(minutes=30), at + timedelta(minutes=60)


_Resolver = Callable[[re.Match[str], _Ctx, datetime], "_Resolved | None"]

# Order matters for the combined search regex: longer, more specific forms first.
_KINDS: tuple[tuple[str, str, _Resolver], ...] = (
    ("iso_date", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)", _r_iso_date),
    ("iso_month", r"(?P<y>\d{4})-(?P<m>\d{2})(?![\d-])", _r_iso_month),
    ("numeric_date", r"\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?!\d)", _r_numeric_date),
    (
        "day_month",
        rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<mon>{_MONTH_RE})\.?(?:,?\s+(?P<y>{_YEAR_RE}))?",
        _r_day_month,
    ),
    (
        "month_day",
        rf"(?P<mon>{_MONTH_RE})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>{_YEAR_RE}))?",
        _r_day_month,
    ),
    ("month_year", rf"(?P<mon>{_MONTH_RE})\.?,?\s+(?P<y>{_YEAR_RE})", _r_month_year),
    (
        "month_rel_year",
        rf"(?P<mon>{_MONTH_RE})\s+(?:of\s+)?(?P<rel>last|this|next)\s+year",
        _r_month_rel_year,
    ),
    (
        "weekday_week",
        rf"(?P<wd>{_WEEKDAY_RE})\s+(?:of\s+)?(?P<rel>last|this|next)\s+week",
        _r_weekday_week,
    ),
    ("the_nth", r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)", _r_the_nth),
    (
        "season",
        rf"(?:(?P<rel>last|this|next)\s+)?(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?(?P<y>{_YEAR_RE}))?",
        _r_season,
    ),
    (
        "holiday",
        rf"(?P<name>christmas(?:\s+(?:eve|day))?|new\s+year(?:'|’)?s?\s+(?:eve|day)|halloween|valentine(?:'|’)?s?\s+day)(?:\s+(?P<y>{_YEAR_RE}))?",
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
        rf"(?:(?P<rel>last|this\s+past|this|next|previous|past)\s+)?(?P<wd>{_WEEKDAY_RE})",
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
    ("ago", rf"(?P<n>{_NUM_RE})\s+(?P<unit>{_UNIT_RE})\s+ago", _r_ago),
    (
        "month",
        rf"(?:(?P<rel>last|this|next)\s+)?(?P<mon>{_MONTH_RE})",
        _r_month,
    ),
    ("year", rf"(?P<the>the\s+year\s+)?(?P<y>{_YEAR_RE})(?!\d)", _r_year),
    ("clock", _CLOCK_RE, _r_clock),
)

_PART_PREFIX = (
    r"(?:(?P<part>early|mid|late)[\s-]+|the\s+(?P<part2>start|beginning|middle|end)\s+of\s+)"
)
_TOD_PREFIX = rf"the\s+(?P<tod_pre>{_TOD_WORDS})\s+of\s+"
_TOD_SUFFIX = (
    rf"(?:,?\s+(?:in\s+the\s+|during\s+the\s+)?(?P<tod>{_TOD_WORDS}|lunch)"
    rf"|\s+(?:at|around|about)\s+(?P<clock>{_CLOCK_RE}))$"
)


def _strip_groups(pattern: str) -> str:
    """The pattern with named groups made anonymous (for embedding twice)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_SPAN_CORE_RAW = "|".join(f"(?:{_strip_groups(p)})" for _, p, _ in _KINDS)
_SPAN_RAW = (
    rf"(?:{_strip_groups(_PART_PREFIX)})?(?:{_strip_groups(_TOD_PREFIX)})?(?:{_SPAN_CORE_RAW})"
    rf"(?:{_strip_groups(_TOD_SUFFIX)[:-1]})?"
)

_KIND_PATTERNS = tuple(
    (name, re.compile(pattern, re.IGNORECASE), resolver) for name, pattern, resolver in _KINDS
)
_PART_RE = re.compile(_PART_PREFIX, re.IGNORECASE)
_TOD_PREFIX_RE = re.compile(_TOD_PREFIX, re.IGNORECASE)
_TOD_SUFFIX_RE = re.compile(_TOD_SUFFIX, re.IGNORECASE)


def _parse_span(text: str, ctx: _Ctx, ref: datetime) -> _Resolved | None:
    """Resolve one span ("last Tuesday afternoon", "early March", "2023")."""
    text = text.strip()
    direct = _resolve_core(text, ctx, ref)
    if direct is not None:
        return direct
    part = tod = clock = None
    if (pm := _PART_RE.match(text)) is not None:
        part = (pm["part"] or pm["part2"]).lower()
        text = text[pm.end():]
    if (tm := _TOD_PREFIX_RE.match(text)) is not None:
        tod = tm["tod_pre"].lower()
        text = text[tm.end():]
    if (sm := _TOD_SUFFIX_RE.search(text)) is not None and sm.start() > 0:
        tod = (sm["tod"] or "").lower() or tod
        clock = sm["clock"]
        text = text[: sm.start()]
    resolved = _resolve_core(text, ctx, ref)
    if resolved is None:
        return None
    if part is not None:
        resolved = _apply_part(resolved, part, ctx)
    if resolved.is_day and (tod or clock):
        day = resolved.span[0].date()
        if clock:
            moment = _clock_to_time(clock)
            if moment is None:
                return None
            return _Resolved(_clock_window(ctx, day, moment), False, resolved.needs_prep)
        start_hour, end_hour = _TOD_HOURS[tod or "morning"]
        return _Resolved(_hours(ctx, day, start_hour, end_hour), False, resolved.needs_prep)
    return resolved


def _resolve_core(text: str, ctx: _Ctx, ref: datetime) -> _Resolved | None:
    for _, pattern, resolver in _KIND_PATTERNS:
        m = pattern.fullmatch(text)
        if m is not None and (resolved := resolver(m, ctx, ref)) is not None:
            return resolved
    return None


def _apply_part(resolved: _Resolved, part: str, ctx: _Ctx) -> _Resolved:
    """early/mid/late (or start/middle/end of) a multi-day span: its first/middle/last third."""
    start, end = resolved.span
    days = (end.date() - start.date()).days
    if days < 3:
        return resolved
    # A calendar month splits 1–10, 11–20, 21–end; anything else in thirds.
    is_month = start.day == 1 and 28 <= days <= 31
    cuts = (10, 20) if is_month else (round(days / 3), round(2 * days / 3))
    first = start.date()
    bounds = {
        "early": (0, cuts[0]), "start": (0, cuts[0]), "beginning": (0, cuts[0]),
        "mid": (cuts[0], cuts[1]), "middle": (cuts[0], cuts[1]),
        "late": (cuts[1], days), "end": (cuts[1], days),
    }[part]
    return _Resolved(
        (ctx.midnight(first + timedelta(days=bounds[0])), ctx.midnight(first + timedelta(days=bounds[1]))),
        False,
        False,
    )


# --------------------------------------------------------------------------- rules

_B = r"(?<![\w'’-])"  # word start
_E = r"(?:['’]s)?(?![\w-])"  # word end; a possessive ("Tuesday's") goes with the phrase
_PREP = r"(?:back\s+in|in|on|during|at|over|throughout|around|of|from|for)"
# Prepositions that make an ambiguous span ("March", "2023", "summer") a time.
_TIME_PREPS = {"in", "back in", "on", "during", "throughout", "over", "around", "at", "of"}
_SEASON_PREPS = {"in", "back in", "during", "throughout", "over"}


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    range: TimeRange | None
    priority: int
    anchor: EventAnchor | None = None


def _rule_between(text: str, ctx: _Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?:between\s+(?P<a>{_SPAN_RAW})\s+and\s+(?P<b>{_SPAN_RAW})"
        rf"|from\s+(?P<a2>{_SPAN_RAW})\s+(?:to|until|till|through|thru|-)\s+(?P<b2>{_SPAN_RAW})){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in pattern.finditer(text):
        a_text, b_text = (m["a"], m["b"]) if m["a"] else (m["a2"], m["b2"])
        b = _parse_span(b_text, ctx, ctx.now)
        if b is None:
            continue
        a = _parse_span(a_text, ctx, b.span[0])
        if a is None or a.span[0] >= b.span[1]:
            continue
        out.append(_Candidate(m.start(), m.end(), TimeRange(a.span[0], b.span[1]), 0))
    return out


def _rule_operator(text: str, ctx: _Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?P<op>since|after|before|until|till|prior\s+to|up\s+to|as\s+of)\s+(?P<a>{_SPAN_RAW}){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in pattern.finditer(text):
        a = _parse_span(m["a"], ctx, ctx.now)
        if a is None:
            continue
        op = re.sub(r"\s+", " ", m["op"].lower())
        start, end = a.span
        time_range = {
            "since": TimeRange(start, None),
            "as of": TimeRange(start, None),
            "after": TimeRange(end, None),
            "before": TimeRange(None, start),
            "prior to": TimeRange(None, start),
            "until": TimeRange(None, end),
            "till": TimeRange(None, end),
            "up to": TimeRange(None, end),
        }[op]
        out.append(_Candidate(m.start(), m.end(), time_range, 1))
    return out


def _rule_rolling(text: str, ctx: _Ctx) -> list[_Candidate]:
    """'in the past 3 days', 'over the last few weeks', 'the past week', 'earlier this week'."""
    rolling = re.compile(
        rf"{_B}(?:(?:in|during|over|within|for)\s+)?(?:the\s+)?(?:(?P<rel>past|last|previous)\s+)"
        rf"(?P<n>{_NUM_RE}\s+)?(?P<unit>{_UNIT_RE}){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in rolling.finditer(text):
        unit = m["unit"].lower().rstrip("s")
        rel = m["rel"].lower()
        if m["n"] is None and rel != "past" and unit in ("week", "month", "year"):
            continue  # "last week" is the calendar week: a span rule handles it
        _, high = _count(m["n"]) if m["n"] else (1, 1)
        delta = {
            "minute": timedelta(minutes=high), "min": timedelta(minutes=high),
            "hour": timedelta(hours=high), "hr": timedelta(hours=high),
            "day": timedelta(days=high), "week": timedelta(weeks=high),
            "month": relativedelta(months=high), "year": relativedelta(years=high),
        }[unit]
        start = ctx.now - delta
        if unit in ("day", "week", "month", "year"):
            start = ctx.midnight(start.date())
        out.append(_Candidate(m.start(), m.end(), TimeRange(start, None), 2))
    earlier = re.compile(rf"{_B}earlier\s+this\s+(?P<unit>week|month|year){_E}", re.IGNORECASE)
    for m in earlier.finditer(text):
        unit = m["unit"].lower()
        if unit == "week":
            start = ctx.week_span(ctx.today)[0]
        elif unit == "month":
            start = ctx.midnight(ctx.today.replace(day=1))
        else:
            start = ctx.midnight(date(ctx.today.year, 1, 1))
        out.append(_Candidate(m.start(), m.end(), TimeRange(start, ctx.now), 2))
    return out


def _rule_bare(text: str, ctx: _Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?:(?P<prep>{_PREP})\s+(?:(?P<article>the)\s+)?)?(?P<a>{_SPAN_RAW}){_E}", re.IGNORECASE
    )
    out = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        pos = m.start() + 1
        a = _parse_span(m["a"], ctx, ctx.now)
        if a is None:
            continue
        prep = re.sub(r"\s+", " ", (m["prep"] or "").lower())
        start = m.start()
        if a.needs_prep:
            kind = _kind_of(m["a"])
            allowed = _SEASON_PREPS if kind == "season" else _TIME_PREPS
            if prep not in allowed:
                continue
        elif prep in ("for", "from"):
            # "for/from" + span without a partner are not time prepositions here:
            # keep the span, leave the word in the query.
            start = m.start("a")
        out.append(_Candidate(start, m.end(), TimeRange(*a.span), 3))
    return out


def _kind_of(span_text: str) -> str | None:
    for name, pattern, _ in _KIND_PATTERNS:
        if pattern.fullmatch(span_text.strip()):
            return name
    stripped = _TOD_SUFFIX_RE.sub("", span_text.strip())
    for name, pattern, _ in _KIND_PATTERNS:
        if pattern.fullmatch(stripped):
            return name
    return None


_ANCHOR_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "weekend": "weekend",
                 "month": "month", "months": "month", "year": "year", "years": "year"}


def _rule_anchor(text: str, ctx: _Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?:(?:(?:the|a|an|one|two|three|four|five|six|seven|\d{{1,2}})\s+)?"
        rf"(?P<unit>days?|weeks?|weekend|months?|years?)\s+|(?:right|just|shortly|soon)\s+)?"
        rf"(?P<rel>before|after)\s+(?P<event>(?:my|our|the|his|her|their)\s+[^,.;:?!\n]+?)"
        rf"(?=\s*(?:[,.;:?!\n]|$)|\s+(?:and|but|when|while|where|in|on|from|with|at|did|was|were)\b)",
        re.IGNORECASE,
    )
    out = []
    for m in pattern.finditer(text):
        event = m["event"].strip()
        # "before the end of March" etc. are spans, not events.
        if _parse_span(re.sub(r"^(?:the)\s+", "", event, flags=re.IGNORECASE), ctx, ctx.now) is not None:
            continue
        count_match = re.match(r"\s*(\w+)\s+", m[0])
        count = 1
        if m["unit"] and count_match and count_match[1].lower() not in ("the", "a", "an"):
            word = count_match[1].lower()
            count = int(word) if word.isdigit() else _count(word)[0] if word in _NUMBER_WORDS else 1
        unit = _ANCHOR_UNITS.get((m["unit"] or "").lower())
        anchor = EventAnchor(m["rel"].lower(), unit, count, event)
        out.append(_Candidate(m.start(), m.end(), None, 4, anchor))
    return out


_RULES = (_rule_between, _rule_operator, _rule_rolling, _rule_bare, _rule_anchor)


# --------------------------------------------------------------------------- API


def parse_time_expression(text: str, now: datetime, *, prefer_future: bool = False) -> TimeParse:
    """Find the time the text talks about, relative to ``now``.

    ``now`` should be timezone-aware (a naive one is taken as local time);
    ranges are computed in its timezone.  Questions about the past leave
    ``prefer_future`` off; reading a message that makes plans ("the plumber
    comes Monday") turns it on, so undated weekdays, months and dates are the
    next ones.  Returns a ``TimeParse`` whose ``range`` is ``None`` when there
    is no usable time expression.  Never raises on odd input.
    """
    if now.tzinfo is None:
        now = now.astimezone()
    ctx = _Ctx(now=now, tz=now.tzinfo, prefer_future=prefer_future)  # type: ignore[arg-type]
    candidates: list[_Candidate] = []
    for rule in _RULES:
        candidates.extend(rule(text, ctx))
    if not candidates:
        return TimeParse(None, None, _tidy(text))
    best = max(candidates, key=lambda c: (c.end - c.start, -c.priority, -c.start))
    phrase = text[best.start : best.end].strip()
    remainder = _tidy(text[: best.start] + " " + text[best.end :])
    return TimeParse(best.range, phrase, remainder, best.anchor)


def resolve_anchor(anchor: EventAnchor, event_time: datetime) -> TimeRange:
    """The range an ``EventAnchor`` means once its event's time is known.

    Counted in whole days in ``event_time``'s timezone: "the week before my
    trip" (trip on the 10th) is the 3rd–9th; "after my trip" starts the day
    after it.
    """
    tz = event_time.tzinfo or event_time.astimezone().tzinfo
    ctx = _Ctx(now=event_time if event_time.tzinfo else event_time.astimezone(), tz=tz)  # type: ignore[arg-type]
    day = ctx.now.date()
    if anchor.unit is None:
        if anchor.relation == "before":
            return TimeRange(None, ctx.midnight(day))
        return TimeRange(ctx.midnight(day + timedelta(days=1)), None)
    if anchor.unit == "weekend":
        if anchor.relation == "before":  # the last weekend that ended before the event's day
            saturday = day - timedelta(days=(day.weekday() - 5) % 7 or 7)
            if saturday + timedelta(days=2) > day:
                saturday -= timedelta(days=7)
        else:  # the first weekend starting after the event's day
            saturday = day + timedelta(days=(5 - day.weekday()) % 7 or 7)
        return TimeRange(ctx.midnight(saturday), ctx.midnight(saturday + timedelta(days=2)))
    delta = {
        "day": relativedelta(days=anchor.count),
        "week": relativedelta(weeks=anchor.count),
        "month": relativedelta(months=anchor.count),
        "year": relativedelta(years=anchor.count),
    }[anchor.unit]
    if anchor.relation == "before":
        return TimeRange(ctx.midnight(day - delta), ctx.midnight(day))
    return TimeRange(ctx.midnight(day + timedelta(days=1)), ctx.midnight(day + timedelta(days=1) + delta))


def _tidy(text: str) -> str:
    """Collapse the gap a removed phrase leaves ("what did I do  ?" → "what did I do?")."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([?!.,;:])", r"\1", text)
    text = re.sub(r"^[,;:]\s*", "", text)
    text = re.sub(r",\s*([?!.])", r"\1", text)
    return text.strip(" ,;:")
