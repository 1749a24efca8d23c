"""Question understanding: answer type, filters, time range, the text to search."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.answer.understand import classify_answer_type, find_names, understand

NOW = datetime(2024, 6, 12, 15, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Caroline go to the support group?", "when"),
        ("What day is the dentist appointment?", "when"),
        ("Who recommended the book?", "who"),
        ("Where did Caroline move from?", "where"),
        ("Did Priya send the invoice?", "yes_no"),
        ("Is the cabin wifi password pinecone42?", "yes_no"),
        ("What books has Melanie read?", "list"),
        ("List the restaurants we talked about", "list"),
        ("How many times did I go to the gym?", "list"),
        ("What is the wifi password?", "what"),
        ("Why did Sam move?", "what"),
    ],
)
def test_answer_types(question: str, kind: str) -> None:
    assert classify_answer_type(question) == kind


def test_time_source_and_person_filters_are_pulled_out_of_the_query() -> None:
    u = understand("What did I hear from Priya in Slack last Tuesday afternoon?", NOW)
    assert u.speakers == ("Priya",)
    assert u.sources == ("chat:slack",) and u.apps == ("slack",)
    assert u.time_range is not None and u.time_phrase == "last Tuesday afternoon"
    assert "Slack" not in u.query and "Priya" not in u.query and "Tuesday" not in u.query
    assert "hear" in u.query


def test_on_screen_and_files() -> None:
    assert understand("What was the error on my screen this morning?", NOW).sources == ("screen",)
    assert understand("the budget figure in my documents", NOW).sources == ("file",)
    u = understand("what did I read in Firefox yesterday", NOW)
    assert u.apps == ("firefox",) and u.sources == ("screen",)


def test_names_are_soft_persons_not_filters() -> None:
    u = understand("When did Caroline go to the support group?", NOW)
    assert u.persons == ("Caroline",) and u.speakers == ()
    assert u.time_range is None
    assert find_names("What did I tell May about March in Paris?") == ("Paris",)


def test_event_anchor_passes_through() -> None:
    u = understand("What did I pack the week before my trip to Lisbon?", NOW)
    assert u.event_anchor is not None and u.event_anchor.event == "my trip to Lisbon"
    assert u.time_range is None
