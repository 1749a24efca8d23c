"""'When' answers state the event's date, resolved against the message's own time (DST and year boundaries)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.answer import Answerer
from core.answer.extractive import describe_event_date
from core.answer.types import Snippet
from core.types import ItemId, Record

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _said(text: str, when: datetime) -> Snippet:
    return Snippet(number=1, item_id=ItemId(1), timestamp=when, source="chat:jsonl", text=text)


@pytest.mark.parametrize(
    ("text", "sent", "tz", "expected"),
    [
        # year boundary
        ("I went skiing yesterday", datetime(2024, 1, 1, 10, 0), BERLIN, "31 December 2023"),
        ("We went hiking last week", datetime(2024, 1, 2, 10, 0), BERLIN, "the week before 2 January 2024"),
        ("I started a new job last month", datetime(2024, 1, 2, 10, 0), BERLIN, "December 2023"),
        ("I finished the marathon last Saturday", datetime(2024, 1, 2, 10, 0), BERLIN, "30 December 2023"),
        ("I'm starting the course next month", datetime(2023, 12, 20, 10, 0), BERLIN, "January 2024"),
        ("We moved two weekends ago", datetime(2024, 1, 10, 10, 0), BERLIN, "two weekends before 10 January 2024"),
        ("We moved last weekend", datetime(2024, 1, 10, 10, 0), BERLIN, "the weekend before 10 January 2024"),
        ("We adopted a puppy three weeks ago", datetime(2024, 1, 10, 10, 0), BERLIN,
         "three weeks before 10 January 2024"),
        # DST: 00:30 local on the day after the change is still the day after in local time
        ("I went to the concert yesterday", datetime(2024, 4, 1, 0, 30), BERLIN, "31 March 2024"),
        ("I went to the concert yesterday", datetime(2024, 10, 28, 0, 30), BERLIN, "27 October 2024"),
        ("The party was yesterday", datetime(2024, 3, 11, 23, 30), NEW_YORK, "10 March 2024"),
        ("We flew back two days ago", datetime(2024, 11, 4, 0, 15), NEW_YORK, "2 November 2024"),
    ],
)
def test_relative_expressions_resolve_against_the_message_time(
    text: str, sent: datetime, tz: ZoneInfo, expected: str
) -> None:
    assert describe_event_date(_said(text, sent.replace(tzinfo=tz)), tz) == expected


def test_the_date_comes_from_the_viewers_zone_not_utc() -> None:
    # 00:30 in Berlin on 1 April is 22:30 UTC on 31 March: "yesterday" is 31 March for the user, not 30 March.
    sent = datetime(2024, 4, 1, 0, 30, tzinfo=BERLIN)
    assert describe_event_date(_said("I went to the concert yesterday", sent), BERLIN) == "31 March 2024"


def test_a_when_answer_cites_the_message_that_carries_the_date(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    chat = [
        ("m1", datetime(2023, 12, 31, 23, 50), "Ana", "Happy new year almost! What are your plans?"),
        ("m2", datetime(2024, 1, 1, 0, 20), "Ben", "I ran the charity race yesterday, still sore."),
        ("m3", datetime(2024, 1, 1, 0, 25), "Ana", "Well done! I'm off to Lisbon next week."),
    ]
    lexical_vault.ingest([
        Record(source="chat:jsonl", external_id=mid, kind="message", timestamp=ts.replace(tzinfo=BERLIN), text=text,
               conversation="friends", speaker=who) for mid, ts, who, text in chat], embed=False)
    answerer = Answerer(lexical_vault, neighbours=lexical_vault.neighbours)
    now = datetime(2024, 2, 1, 12, tzinfo=BERLIN)
    answer = answerer.answer("When did Ben run the charity race?", now=now)
    assert answer.text.startswith("31 December 2023 [")
    assert [c.external_id for c in answer.citations] == ["m2"]
    trip = answerer.answer("When is Ana going to Lisbon?", now=datetime(2024, 1, 1, 9, tzinfo=BERLIN))
    assert trip.text.startswith("the week of 8 January 2024 [") and trip.citations[0].external_id == "m3"
