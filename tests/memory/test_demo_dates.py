"""The demo looks recent on any day of the year: its newest message lies in the past week, it moved by whole
weeks (a Thursday stays a Thursday), its wall-clock times stay, and the dates it writes in its own words move
with it — asked "When is Grandpa's birthday lunch?", the birthday note answers the birthday it now speaks of."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.answer.extractive import describe_event_date
from core.answer.types import Snippet
from core.demo import chat_records, demo_shift, document_records, screenshot_records, shift_text
from core.types import ItemId, Record

BERLIN = ZoneInfo("Europe/Berlin")
# Install dates across the year: before the story, on it, in winter, in summer time, a year and two on.
TODAYS = ["2026-10-20", "2026-11-16", "2026-12-07", "2027-03-01", "2027-04-01", "2027-07-15", "2027-10-31",
          "2027-12-07", "2028-02-29", "2028-12-20"]
_WEEKDAY_DATE = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (\d{1,2}) ([A-Z][a-z]+)"
                           r"(?: (\d{4}))?")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def _now(today: str) -> datetime:
    return datetime.fromisoformat(today).replace(hour=12, tzinfo=BERLIN)


@pytest.mark.parametrize("today", TODAYS)
def test_the_newest_message_is_from_the_past_week_on_any_day(today: str) -> None:
    now = _now(today)
    shift = demo_shift(now)
    assert shift % timedelta(weeks=1) == timedelta(0)  # whole weeks: "Thursday" in the story stays a Thursday
    newest = max(r.timestamp for r in chat_records(shift) if isinstance(r, Record))
    assert newest.date() < now.date()  # nothing of the demo lies in the future
    assert now - newest < timedelta(days=8)  # and it looks recent
    shots = [r.timestamp for r, _image in screenshot_records(shift)]
    docs = [r.timestamp for r in document_records(shift)]
    assert max([*shots, *docs]) < now


@pytest.mark.parametrize("today", TODAYS)
def test_the_birthday_note_answers_the_birthday_it_speaks_of(today: str) -> None:
    shift = demo_shift(_now(today))
    note = next(r for r in document_records(shift) if r.title.startswith("Grandpa's 85th birthday"))
    heading = note.text.splitlines()[0]  # "# Grandpa's 85th birthday — 3 December" as written, moved
    birthday = date(2026, 12, 3) + shift  # the day the story means, moved with it
    assert heading.endswith(f"— {birthday.day} {_MONTHS[birthday.month - 1]}")
    assert note.title == heading.lstrip("# ")
    said = Snippet(number=1, item_id=ItemId(1), timestamp=note.timestamp, source="file:demo", text=note.text)
    answer = describe_event_date(said, BERLIN, sentence=heading, upcoming=True)
    assert answer == f"{birthday.day} {_MONTHS[birthday.month - 1]} {birthday.year}"
    assert note.timestamp.date() < birthday  # written before the lunch, as in the story


@pytest.mark.parametrize("today", TODAYS)
def test_weekdays_and_wall_clock_times_stay_true(today: str) -> None:
    shift = demo_shift(_now(today))
    texts = [r.text for r in document_records(shift)] + [r.text for r, _ in screenshot_records(shift)]
    texts += [r.text for r in chat_records(shift) if isinstance(r, Record)]
    checked = 0
    for text in texts:
        for weekday, day, month, year in _WEEKDAY_DATE.findall(text):
            if month not in _MONTHS:
                continue
            if year:
                assert date(int(year), _MONTHS.index(month) + 1, int(day)).strftime("%A") == weekday, text
                checked += 1
    assert checked >= 2  # "Thursday 5 November 2026" in the review notes and the calendar invite
    invite = next(r for r, _ in screenshot_records(shift) if r.title.startswith("Release review"))
    assert invite.timestamp.astimezone(BERLIN).strftime("%H:%M") == "12:25"  # in summer time too
    review = next(r for r in document_records(shift) if r.title.startswith("Release review"))
    assert re.search(r"Thursday \d{1,2} [A-Z][a-z]+ \d{4}, 15:00", review.text)


def test_each_written_date_keeps_its_form() -> None:
    when = datetime(2026, 11, 7, 10, 0, tzinfo=BERLIN)
    four = timedelta(weeks=4)
    assert shift_text("Grandpa's birthday is on 3 December", when, four) == "Grandpa's birthday is on 31 December"
    assert shift_text("Last updated 9 Nov 2026", when, four) == "Last updated 7 Dec 2026"
    assert shift_text("I start on 12 January", when, four) == "I start on 9 February"  # next year's January
    assert shift_text("deploy on 2026-11-05", when, four) == "deploy on 2026-12-03"
    assert shift_text("lunch on the 16th?", when, four) == "lunch on the 14th?"
    assert shift_text("moving to Leipzig in January", when, timedelta(weeks=30)) == "moving to Leipzig in August"
    assert shift_text("valid until 30 November 2027", when, four) == "valid until 28 December 2027"
    assert shift_text("nothing dated here, 15:00", when, four) == "nothing dated here, 15:00"
    assert shift_text("on 3 December", when, timedelta(0)) == "on 3 December"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# "Sunday lunch on the 8th": a weekday and, in the same clause, the day of the month it falls on
_WEEKDAY_ORDINAL = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b[^.?!,;—]*?"
                              r"\bthe (\d{1,2})(?:st|nd|rd|th)\b")
# "Release went out at 17:40": a time the message says has passed
_PAST_TIME = re.compile(r"\b(?:went out|went live|was|were|arrived|landed|finished|ended|left)\b[^.?!]*?"
                        r"\bat (\d{1,2}):(\d\d)\b")


def _story(shift: timedelta) -> list[tuple[datetime, str]]:
    said = [(r.timestamp, r.text) for r in chat_records(shift) if isinstance(r, Record)]
    said += [(r.timestamp, r.text) for r in document_records(shift)]
    return said + [(r.timestamp, r.text) for r, _ in screenshot_records(shift)]


def _nearest_date(when: date, month: int, day: int) -> date:
    return min((date(y, month, day) for y in (when.year - 1, when.year, when.year + 1)
                if (month, day) != (2, 29) or y % 4 == 0), key=lambda d: abs((d - when).days))


@pytest.mark.parametrize("today", TODAYS)
def test_the_story_names_the_right_weekday_for_each_date_and_no_time_before_it_happened(today: str) -> None:
    shift = demo_shift(_now(today))
    weekdays = times = 0
    for when, text in _story(shift):
        local = when.astimezone(BERLIN)
        for weekday, day, month, year in _WEEKDAY_DATE.findall(text):  # "Thursday 12 November" too
            if month in _MONTHS:
                meant = (date(int(year), _MONTHS.index(month) + 1, int(day)) if year else
                         _nearest_date(local.date(), _MONTHS.index(month) + 1, int(day)))
                assert _WEEKDAYS[meant.weekday()] == weekday, (text, meant)
                weekdays += 1
        for weekday, day in _WEEKDAY_ORDINAL.findall(text):
            meant = min((d for d in (local.date() + timedelta(days=n) for n in range(-20, 21)) if d.day == int(day)),
                        key=lambda d: abs((d - local.date()).days))
            assert _WEEKDAYS[meant.weekday()] == weekday, (text, meant)
            weekdays += 1
        for hour, minute in _PAST_TIME.findall(text):
            assert (int(hour), int(minute)) <= (local.hour, local.minute), (text, local)  # said after it
            times += 1
    assert weekdays >= 5 and times >= 1  # the invite, review, delivery, pick-up, Sunday lunch; the release


@pytest.mark.parametrize("today", TODAYS)
def test_the_chat_and_the_note_name_the_same_birthday(today: str) -> None:
    shift = demo_shift(_now(today))
    said = next(t for _w, t in _story(shift) if t.startswith("Grandpa's birthday is on"))
    note = next(r for r in document_records(shift) if r.title.startswith("Grandpa's 85th birthday"))
    in_chat = re.search(r"is on (\d{1,2} [A-Z][a-z]+)", said)
    assert in_chat and note.title.endswith("— " + in_chat[1])
