"""The demo's dates move with the install date without carrying a memory past a date it writes itself: asked
"When is Grandpa's birthday lunch?", the birthday note (written before 3 December) answers this year's 3 December,
not next year's."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.answer.extractive import describe_event_date
from core.answer.types import Snippet
from core.demo import chat_records, demo_shift, document_records
from core.types import ItemId, Record

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("today", "birthday"), [
    ("2026-11-20", "3 December 2026"),  # days after the story: it stays where it is written
    ("2026-12-07", "3 December 2026"),  # after the birthday: still this year's, four days ago
    ("2027-03-01", "3 December 2026"),
    ("2027-12-07", "3 December 2027"),  # a year on: the story moves a whole year (52 weeks)
    ("2028-12-20", "3 December 2028"),
])
def test_the_birthday_note_answers_the_birthday_it_was_written_before(today: str, birthday: str) -> None:
    now = datetime.fromisoformat(today).replace(hour=12, tzinfo=BERLIN)
    shift = demo_shift(now)
    assert shift % timedelta(weeks=1) == timedelta(0)  # whole weeks: "Thursday" in the story stays a Thursday
    note = next(r for r in document_records(shift) if r.title.startswith("Grandpa's 85th birthday"))
    said = Snippet(number=1, item_id=ItemId(1), timestamp=note.timestamp, source="file:demo", text=note.text)
    heading = note.text.splitlines()[0]  # "# Grandpa's 85th birthday — 3 December": what the answer reads
    assert describe_event_date(said, BERLIN, sentence=heading, upcoming=True) == birthday
    newest = max(r.timestamp for r in chat_records(shift) if isinstance(r, Record))
    assert newest.date() < now.date()  # nothing of the demo lies in the future
    assert now - newest < timedelta(days=366)  # nor more than a year back
