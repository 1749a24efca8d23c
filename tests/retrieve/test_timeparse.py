"""Time expressions → ranges, against a fixed "now" (Wednesday 12 June 2024, 15:30, Berlin)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.retrieve.timeparse import EventAnchor, parse_time_expression, resolve_anchor

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 6, 12, 15, 30, tzinfo=TZ)  # a Wednesday


def at(spec: str | None) -> datetime | None:
    """'2024-06-11 12:00' or '2024-06-11' in Berlin time."""
    if spec is None:
        return None
    fmt = "%Y-%m-%d %H:%M" if " " in spec else "%Y-%m-%d"
    return datetime.strptime(spec, fmt).replace(tzinfo=TZ)


# (question, expected start, expected end, expected phrase)
TABLE = [
    ("what did I do yesterday?", "2024-06-11", "2024-06-12", "yesterday"),
    ("yesterday afternoon", "2024-06-11 12:00", "2024-06-11 18:00", "yesterday afternoon"),
    ("what did Priya say last Tuesday afternoon?", "2024-06-11 12:00", "2024-06-11 18:00", "last Tuesday afternoon"),
    ("notes from last week", "2024-06-03", "2024-06-10", "last week"),
    ("what did I read this month", "2024-06-01", "2024-07-01", "this month"),
    ("what did I buy in March", "2024-03-01", "2024-04-01", "in March"),
    ("what happened in May 2023", "2023-05-01", "2023-06-01", "in May 2023"),
    ("who called two weeks ago", "2024-05-26", "2024-06-02", "two weeks ago"),
    ("the recipe from 3 days ago", "2024-06-09", "2024-06-10", "3 days ago"),
    ("what did we decide on 12 March", "2024-03-12", "2024-03-13", "on 12 March"),
    ("chat on 2023-05-08", "2023-05-08", "2023-05-09", "on 2023-05-08"),
    ("bills between March and May", "2024-03-01", "2024-06-01", "between March and May"),
    ("what changed since Monday", "2024-06-10", None, "since Monday"),
    ("invoices before 2024", None, "2024-01-01", "before 2024"),
    ("what did I see this morning", "2024-06-12 05:00", "2024-06-12 12:00", "this morning"),
    ("plans for tonight", "2024-06-12 18:00", "2024-06-13 05:00", "tonight"),
    ("where did we go last weekend", "2024-06-08", "2024-06-10", "last weekend"),
    ("the week before last", "2024-05-27", "2024-06-03", "the week before last"),
    ("what did Sam say last night", "2024-06-11 18:00", "2024-06-12 05:00", "last night"),
    ("this evening's messages", "2024-06-12 18:00", "2024-06-12 23:00", "this evening's"),
    ("the day before yesterday", "2024-06-10", "2024-06-11", "the day before yesterday"),
    ("on Monday morning", "2024-06-10 05:00", "2024-06-10 12:00", "on Monday morning"),
    ("Friday evening", "2024-06-07 18:00", "2024-06-07 23:00", "Friday evening"),
    ("yesterday at 3pm", "2024-06-11 14:30", "2024-06-11 16:00", "yesterday at 3pm"),
    ("what was on screen at 9:30", "2024-06-12 09:00", "2024-06-12 10:30", "at 9:30"),
    ("in the past 3 days", "2024-06-09", None, "in the past 3 days"),
    ("over the last few weeks", "2024-05-15", None, "over the last few weeks"),
    ("earlier this week", "2024-06-10", "2024-06-12 15:30", "earlier this week"),
    ("on the 3rd", "2024-06-03", "2024-06-04", "on the 3rd"),
    ("on the 20th", "2024-05-20", "2024-05-21", "on the 20th"),
    ("a month ago", "2024-05-01", "2024-06-01", "a month ago"),
    ("in April last year", "2023-04-01", "2023-05-01", "in April last year"),
    ("on Tuesday last week", "2024-06-04", "2024-06-05", "on Tuesday last week"),
    ("in the summer", "2024-06-01", "2024-09-01", "in the summer"),
    ("last summer", "2023-06-01", "2023-09-01", "last summer"),
    ("in the fall", "2023-09-01", "2023-12-01", "in the fall"),
    ("in early March", "2024-03-01", "2024-03-11", "in early March"),
    ("in mid-April", "2024-04-11", "2024-04-21", "in mid-April"),
    ("at the end of last month", "2024-05-21", "2024-06-01", "at the end of last month"),
    ("at christmas", "2023-12-24", "2023-12-27", "at christmas"),
    ("in 2023", "2023-01-01", "2024-01-01", "in 2023"),
    ("between 2020 and 2022", "2020-01-01", "2023-01-01", "between 2020 and 2022"),
    ("since last week", "2024-06-03", None, "since last week"),
    ("until yesterday", None, "2024-06-12", "until yesterday"),
    ("after March", "2024-04-01", None, "after March"),
    ("on 8 May, 2023", "2023-05-08", "2023-05-09", "on 8 May, 2023"),
    ("March 12th 2023", "2023-03-12", "2023-03-13", "March 12th 2023"),
    ("the 5th of June", "2024-06-05", "2024-06-06", "the 5th of June"),
    ("on June 20", "2023-06-20", "2023-06-21", "on June 20"),  # not yet this year
    ("in July", "2023-07-01", "2023-08-01", "in July"),  # most recent July that has started
    ("between November and February", "2023-11-01", "2024-03-01", "between November and February"),
    ("on the morning of 12 March", "2024-03-12 05:00", "2024-03-12 12:00", "on the morning of 12 March"),
    ("this past weekend", "2024-06-08", "2024-06-10", "this past weekend"),
    ("the weekend before last", "2024-06-01", "2024-06-03", "the weekend before last"),
    ("a few days ago", "2024-06-08", "2024-06-11", "a few days ago"),
    ("today", "2024-06-12", "2024-06-13", "today"),
    ("last Wednesday", "2024-06-05", "2024-06-06", "last Wednesday"),
    ("on Wednesday", "2024-06-12", "2024-06-13", "on Wednesday"),
    ("this Friday", "2024-06-14", "2024-06-15", "this Friday"),
    ("last year", "2023-01-01", "2024-01-01", "last year"),
    ("last month", "2024-05-01", "2024-06-01", "last month"),
    ("2024-02", "2024-02-01", "2024-03-01", "2024-02"),
]


@pytest.mark.parametrize(("text", "start", "end", "phrase"), TABLE, ids=[row[0] for row in TABLE])
def test_phrasings(text: str, start: str | None, end: str | None, phrase: str) -> None:
    parsed = parse_time_expression(text, NOW)
    assert parsed.range is not None, text
    assert parsed.phrase == phrase
    assert parsed.range.start == at(start)
    assert parsed.range.end == at(end)


NO_RANGE = [
    "When did Caroline go to the support group?",
    "what did I read recently",
    "have I ever been to Paris",
    "when did I last talk to Bob",
    "the last time I saw Bob",
    "what did May say about the march",  # May the person, the march the event
    "what did I hear from May",
    "did I fall on the stairs",
    "the christmas tree receipt",
    "what were my plans for 2025",
    "room 2023 booking",
    "Did I talk to John at 5?",
    "what did I do the other day",
    "a while ago someone mentioned a book",
    "on 31 February",
    "",
]


@pytest.mark.parametrize("text", NO_RANGE)
def test_vague_or_ambiguous_words_do_not_filter(text: str) -> None:
    parsed = parse_time_expression(text, NOW)
    assert parsed.range is None
    assert parsed.phrase is None
    assert parsed.remainder == " ".join(text.split())


def test_remainder_drops_the_phrase_and_keeps_the_rest() -> None:
    parsed = parse_time_expression("What did Priya send me in Slack last Friday?", NOW)
    assert parsed.phrase == "last Friday"
    assert parsed.remainder == "What did Priya send me in Slack?"
    assert parse_time_expression("Tuesday's meeting notes", NOW).remainder == "meeting notes"


def test_event_anchor_is_returned_unresolved_then_resolved() -> None:
    parsed = parse_time_expression("What did I buy the week before my trip to Japan?", NOW)
    assert parsed.range is None
    assert parsed.anchor == EventAnchor("before", "week", 1, "my trip to Japan")
    assert parsed.remainder == "What did I buy?"
    trip = datetime(2024, 4, 10, 9, 0, tzinfo=TZ)
    resolved = resolve_anchor(parsed.anchor, trip)
    assert (resolved.start, resolved.end) == (at("2024-04-03"), at("2024-04-10"))
    after = parse_time_expression("the day after my birthday party, what did we eat", NOW).anchor
    assert after is not None and after.relation == "after" and after.unit == "day"
    resolved = resolve_anchor(after, trip)
    assert (resolved.start, resolved.end) == (at("2024-04-11"), at("2024-04-12"))
    plain = parse_time_expression("what did I read before my trip", NOW).anchor
    assert plain is not None and plain.unit is None
    assert resolve_anchor(plain, trip) .end == at("2024-04-10")
    two = parse_time_expression("2 weeks before my wedding", NOW).anchor
    assert two is not None and two.count == 2
    assert resolve_anchor(two, trip).start == at("2024-03-27")


def test_anchor_does_not_swallow_plain_dates() -> None:
    parsed = parse_time_expression("invoices before the end of March", NOW)
    assert parsed.anchor is None


def test_ranges_use_the_timezone_of_now_and_day_boundaries_across_dst() -> None:
    parsed = parse_time_expression("on 31 March", NOW)  # Berlin switches to summer time that night
    assert parsed.range is not None and parsed.range.start is not None and parsed.range.end is not None
    assert parsed.range.start.tzinfo is TZ
    # Real elapsed time (what the store compares, as UTC epoch seconds) is 23 hours.
    assert parsed.range.end.timestamp() - parsed.range.start.timestamp() == timedelta(hours=23).total_seconds()
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    assert parse_time_expression("today", utc_now).range.start == datetime(  # type: ignore[union-attr]
        2024, 6, 12, tzinfo=ZoneInfo("UTC")
    )


def test_naive_now_is_taken_as_local_time() -> None:
    parsed = parse_time_expression("yesterday", datetime(2024, 6, 12, 15, 30))
    assert parsed.range is not None and parsed.range.start is not None
    assert parsed.range.start.tzinfo is not None
    assert parsed.range.start.date().isoformat() == "2024-06-11"


def test_longest_expression_wins() -> None:
    parsed = parse_time_expression("photos from last Tuesday afternoon at the lake", NOW)
    assert parsed.phrase == "last Tuesday afternoon"
    assert parsed.remainder == "photos from at the lake"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["last ", "this ", "in ", "since ", "before ", "between ", "and ", "the ", "week ", "March ", "2023 ",
     "Tuesday ", "afternoon ", "ago ", "3 ", "days ", "12 ", "-", "/", "?", "my trip ", "x", "of ", "at "]),
    max_size=12).map("".join))
def test_never_raises_and_ranges_are_well_formed(text: str) -> None:
    parsed = parse_time_expression(text, NOW)
    if parsed.range is not None:
        assert parsed.phrase
        start, end = parsed.range.start, parsed.range.end
        assert start is not None or end is not None
        if start is not None and end is not None:
            assert start < end


def test_prefer_future_reads_plans_forward() -> None:
    monday = parse_time_expression("the plumber comes Monday morning", NOW, prefer_future=True).range
    assert monday is not None and monday.start == at("2024-06-17 05:00")
    march = parse_time_expression("we fly out in March", NOW, prefer_future=True).range
    assert march is not None and march.start == at("2025-03-01")
    assert parse_time_expression("on Wednesday", NOW, prefer_future=True).range.start == at("2024-06-12")  # type: ignore[union-attr]
    # Explicitly relative words are not affected.
    assert parse_time_expression("last Monday", NOW, prefer_future=True).range.start == at("2024-06-10")  # type: ignore[union-attr]
