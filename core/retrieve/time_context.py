"""The shared types and calendar arithmetic of the time grammar.

``Ctx`` carries the moment a question is asked (and its timezone) and builds
half-open ``[start, end)`` spans on local day boundaries: a day, a week
(Monday first), a month, a year, some hours of a day, the window around a
clock time.  ``Resolved`` is what resolving one span of text gives.  The
``recent_*`` helpers find the most recent (or, when the context prefers the
future, the next) occurrence of an undated month or date; ``parse_explicit_date``
hands a fully written date to ``dateparser``.

Pure functions and frozen dataclasses, thread-safe, no I/O.  Nothing here
raises on odd dates: impossible ones come back as ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

__all__ = ["Ctx", "Resolved", "Span", "parse_explicit_date", "recent_date", "recent_month"]

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Ctx:
    now: datetime
    tz: tzinfo
    prefer_future: bool = False  # undated "Monday", "in March": the next one, not the last

    @property
    def today(self) -> date:
        return self.now.date()

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def day_span(self, day: date, days: int = 1) -> Span:
        return self.midnight(day), self.midnight(day + timedelta(days=days))

    def month_span(self, year: int, month: int, months: int = 1) -> Span:
        first = date(year, month, 1)
        return self.midnight(first), self.midnight(first + relativedelta(months=months))

    def year_span(self, year: int) -> Span:
        return self.midnight(date(year, 1, 1)), self.midnight(date(year + 1, 1, 1))

    def week_span(self, day: date) -> Span:
        monday = day - timedelta(days=day.weekday())
        return self.day_span(monday, 7)

    def hours_span(self, day: date, start_hour: int, end_hour: int) -> Span:
        """Hours of ``day``; ``end_hour`` past 24 runs into the next day ("night" is 20–29)."""
        base = self.midnight(day)
        return base + timedelta(hours=start_hour), base + timedelta(hours=end_hour)

    def clock_window(self, day: date, moment: time) -> Span:
        """'at 3pm': from half an hour before it to an hour after it."""
        at = datetime.combine(day, moment, tzinfo=self.tz)
        return at - timedelta(minutes=30), at + timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class Resolved:
    span: Span
    is_day: bool  # one calendar day: a time of day may narrow it
    needs_prep: bool  # ambiguous alone ("March", "2023", "fall")


def recent_date(ctx: Ctx, ref: datetime, month: int, day: int, year: int | None) -> date | None:
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


def recent_month(ctx: Ctx, ref: datetime, month: int) -> int:
    """The year of the most recent ``month`` that has started by ``ref`` (or the next one to come)."""
    ref_day = ref.astimezone(ctx.tz).date()
    if ctx.prefer_future:
        return ref_day.year if month >= ref_day.month else ref_day.year + 1
    return ref_day.year if month <= ref_day.month else ref_day.year - 1


def parse_explicit_date(text: str, ctx: Ctx, ref: datetime) -> date | None:
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
