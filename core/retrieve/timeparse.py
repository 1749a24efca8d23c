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

Where things live: this module is the public entry and the phrase rules;
``time_span`` resolves one span ("early March", "Tuesday afternoon");
``time_rules`` holds the span kinds and their resolvers (holidays, seasons,
"3 days ago"...); ``time_context`` the shared ``Ctx``/``Resolved`` types and
calendar helpers; ``time_vocab`` the month/weekday/number/clock words.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from core.retrieve.time_context import Ctx
from core.retrieve.time_span import SPAN_RAW, kind_of, parse_span
from core.retrieve.time_vocab import NUM_RE, NUMBER_WORDS, UNIT_RE, parse_count
from core.retrieve.zone import zoned
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


# --------------------------------------------------------------------------- phrase rules

_B = r"(?<![\w'’-])"  # word start
_E = r"(?:['’]s)?(?![\w-])"  # word end; a possessive ("Tuesday's") goes with the phrase
_PREP = r"(?:back\s+in|in|on|during|at|over|throughout|around|of|from|for)"
# Prepositions that make an ambiguous span ("March", "2023", "summer") a time.
_TIME_PREPS = frozenset({"in", "back in", "on", "during", "throughout", "over", "around", "at", "of"})
_SEASON_PREPS = frozenset({"in", "back in", "during", "throughout", "over"})


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    range: TimeRange | None
    priority: int
    anchor: EventAnchor | None = None


def _rule_between(text: str, ctx: Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?:between\s+(?P<a>{SPAN_RAW})\s+and\s+(?P<b>{SPAN_RAW})"
        rf"|from\s+(?P<a2>{SPAN_RAW})\s+(?:to|until|till|through|thru|-)\s+(?P<b2>{SPAN_RAW})){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in pattern.finditer(text):
        a_text, b_text = (m["a"], m["b"]) if m["a"] else (m["a2"], m["b2"])
        b = parse_span(b_text, ctx, ctx.now)
        if b is None:
            continue
        a = parse_span(a_text, ctx, b.span[0])
        if a is None or a.span[0] >= b.span[1]:
            continue
        out.append(_Candidate(m.start(), m.end(), TimeRange(a.span[0], b.span[1]), 0))
    return out


def _rule_operator(text: str, ctx: Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?P<op>since|after|before|until|till|prior\s+to|up\s+to|as\s+of)\s+(?P<a>{SPAN_RAW}){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in pattern.finditer(text):
        a = parse_span(m["a"], ctx, ctx.now)
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


def _rule_rolling(text: str, ctx: Ctx) -> list[_Candidate]:
    """'in the past 3 days', 'over the last few weeks', 'the past week', 'earlier this week'."""
    rolling = re.compile(
        rf"{_B}(?:(?:in|during|over|within|for)\s+)?(?:the\s+)?(?:(?P<rel>past|last|previous)\s+)"
        rf"(?P<n>{NUM_RE}\s+)?(?P<unit>{UNIT_RE}){_E}",
        re.IGNORECASE,
    )
    out = []
    for m in rolling.finditer(text):
        unit = m["unit"].lower().rstrip("s")
        rel = m["rel"].lower()
        if m["n"] is None and rel != "past" and unit in ("week", "month", "year"):
            continue  # "last week" is the calendar week: a span rule handles it
        _, high = parse_count(m["n"]) if m["n"] else (1, 1)
        delta = {
            "minute": timedelta(minutes=high), "min": timedelta(minutes=high),
            "hour": timedelta(hours=high), "hr": timedelta(hours=high),
            "day": timedelta(days=high), "week": timedelta(weeks=high),
            "month": relativedelta(months=high), "year": relativedelta(years=high),
        }[unit]
        if isinstance(delta, timedelta) and unit in ("minute", "min", "hour", "hr"):
            # elapsed time, not wall-clock time: "the past 2 hours" across a DST change is still 2 hours
            start = (ctx.now.astimezone(UTC) - delta).astimezone(ctx.tz)
        else:
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


def _rule_bare(text: str, ctx: Ctx) -> list[_Candidate]:
    pattern = re.compile(
        rf"{_B}(?:(?P<prep>{_PREP})\s+(?:(?P<article>the)\s+)?)?(?P<a>{SPAN_RAW}){_E}", re.IGNORECASE
    )
    out = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        pos = m.start() + 1
        a = parse_span(m["a"], ctx, ctx.now)
        if a is None:
            continue
        prep = re.sub(r"\s+", " ", (m["prep"] or "").lower())
        start = m.start()
        if a.needs_prep:
            kind = kind_of(m["a"])
            allowed = _SEASON_PREPS if kind == "season" else _TIME_PREPS
            if prep not in allowed:
                continue
        elif prep in ("for", "from"):
            # "for/from" + span without a partner are not time prepositions here:
            # keep the span, leave the word in the query.
            start = m.start("a")
        out.append(_Candidate(start, m.end(), TimeRange(*a.span), 3))
    return out


_ANCHOR_UNITS = MappingProxyType({
    "day": "day", "days": "day", "week": "week", "weeks": "week", "weekend": "weekend",
    "month": "month", "months": "month", "year": "year", "years": "year",
})


def _rule_anchor(text: str, ctx: Ctx) -> list[_Candidate]:
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
        if parse_span(re.sub(r"^(?:the)\s+", "", event, flags=re.IGNORECASE), ctx, ctx.now) is not None:
            continue
        count_match = re.match(r"\s*(\w+)\s+", m[0])
        count = 1
        if m["unit"] and count_match and count_match[1].lower() not in ("the", "a", "an"):
            word = count_match[1].lower()
            count = int(word) if word.isdigit() else parse_count(word)[0] if word in NUMBER_WORDS else 1
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
    now = zoned(now)  # a fixed offset would put April's midnights at March's offset
    ctx = Ctx(now=now, tz=now.tzinfo, prefer_future=prefer_future)  # type: ignore[arg-type]
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
    event_time = zoned(event_time)
    ctx = Ctx(now=event_time, tz=event_time.tzinfo)  # type: ignore[arg-type]
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
