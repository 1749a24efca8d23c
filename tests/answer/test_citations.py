"""Checking a model's answer against the snippets it was given."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.answer.citations import citation_numbers, date_consistent, validate_answer
from core.answer.types import Snippet
from core.types import ItemId

TZ = ZoneInfo("Europe/Berlin")
SNIPPETS = [
    Snippet(1, ItemId(10), datetime(2023, 5, 8, 13, 56, tzinfo=TZ), "chat:whatsapp",
            "I went to a LGBTQ support group yesterday and it was so powerful.", "Caroline"),
    Snippet(2, ItemId(11), datetime(2023, 5, 8, 13, 57, tzinfo=TZ), "chat:whatsapp",
            "I painted a lake sunrise last year.", "Melanie"),
]


def test_citation_numbers_in_all_spellings() -> None:
    assert citation_numbers("a [1] b [2, 3] c [4][5]") == [1, 2, 3, 4, 5]


def test_invalid_numbers_and_uncited_sentences_are_dropped() -> None:
    v = validate_answer("Melanie painted a lake sunrise [2][7]. She loves Paris.", SNIPPETS, "What did Melanie paint?")
    assert v.text == "Melanie painted a lake sunrise [2]."
    assert v.cited == (2,)
    assert any("[7]" in d for d in v.dropped) and any("Paris" in d for d in v.dropped)


def test_unsupported_sentence_is_dropped_even_with_a_valid_number() -> None:
    v = validate_answer("She painted a portrait of a horse [1].", SNIPPETS, "What did Melanie paint?")
    assert v.text == "" and v.cited == ()


def test_a_supported_sentence_citing_the_wrong_snippet_is_re_cited() -> None:
    v = validate_answer("A lake sunrise [1].", SNIPPETS, "What did Melanie paint?")
    assert v.text == "A lake sunrise [2]." and v.cited == (2,)
    assert any("re-cited" in d for d in v.dropped)


def test_not_found_is_recognised() -> None:
    v = validate_answer("NOT FOUND", SNIPPETS, "What is Alex's phone number?")
    assert v.says_not_found and v.text == ""


def test_dates_must_be_the_events_date_not_the_messages() -> None:
    assert date_consistent("On 7 May 2023 [1].", [SNIPPETS[0]], TZ)  # "yesterday" of 8 May
    assert not date_consistent("On 8 May 2023 [1].", [SNIPPETS[0]], TZ)
    assert not date_consistent("She went there [1].", [SNIPPETS[0]], TZ)


def test_event_dates_of_plans_point_forward() -> None:
    from core.answer.extractive import describe_event_date

    plan = Snippet(3, ItemId(12), datetime(2024, 10, 12, 10, 0, tzinfo=TZ), "chat:jsonl",
                   "The plumber comes Monday morning between 8 and 10.", "Sam")
    assert describe_event_date(plan, TZ) == "14 October 2024"
    past = Snippet(4, ItemId(13), datetime(2024, 10, 12, 10, 0, tzinfo=TZ), "chat:jsonl",
                   "We fixed the sink on Monday.", "Sam")
    assert describe_event_date(past, TZ) == "7 October 2024"
    week = Snippet(5, ItemId(14), datetime(2023, 8, 9, 10, 0, tzinfo=TZ), "chat:jsonl",
                   "Last week the shelter gave me a medal!", "Maria")
    assert describe_event_date(week, TZ) == "the week before 9 August 2023"


def test_a_sentence_copying_the_notes_layout_is_dropped() -> None:
    # What the 270M model wrote through the catalogue path (chat template) for "What is the door code?".
    echoed = ("Mon 8 May 2023, 13:56, whatsapp chat, Caroline: I went to a LGBTQ support group [1]! "
              "Mon 8 May 2023, 13:57, whatsapp chat, Melanie: I painted [2]. Mon 8 May 20 [1]")
    v = validate_answer(echoed, SNIPPETS, "What did Caroline go to?")
    assert v.text == "" and v.cited == ()
    assert sum("copies the notes' layout" in d for d in v.dropped) == 3
    said = validate_answer("On Monday 8 May she went to a LGBTQ support group [1].", SNIPPETS, "What did Caroline go to?")
    assert said.cited == (1,), "a date in words is still an answer"
