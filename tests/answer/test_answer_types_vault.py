"""Each answer type on a hand-written vault (real encrypted store, lexical search), extractive answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.answer import NOT_FOUND_TEXT, Answerer
from core.types import Record

TZ = ZoneInfo("Europe/Lisbon")
START = datetime(2026, 3, 30, 18, 0, tzinfo=TZ)
CHATS = {
    "Lisbon trip": [
        ("Ana", "Booked it! Our flight is on Thursday, it lands at 09:55."),
        ("Ben", "Great. The door code for the building is 4417."),
        ("Ana", "Marta recommended the pastry shop next to the tram stop."),
    ],
    "home": [
        ("Ben", "I planted tomatoes, basil and peppers in the garden."),
        ("Ana", "Did you pay the electricity bill?"),
        ("Ben", "Yes, I paid the electricity bill this morning."),
        ("Ana", "Thanks, Ben! My grandma gave me this necklace, she grew up in Sweden."),
    ],
    "work": [
        ("Cleo", "I lost my job at the design studio last week, they closed for good."),
        ("Dan", "Sorry to hear about your job, Cleo! You will find something better soon."),
        ("Cleo", "Thanks, Dan! Max and I went camping by the lake to clear our heads."),
    ],
}


@pytest.fixture()
def answerer(lexical_vault):  # type: ignore[no-untyped-def]
    records, n = [], 0
    for conversation, turns in CHATS.items():
        for speaker, text in turns:
            n += 1
            records.append(Record(source="chat:jsonl", external_id=f"m{n}", kind="message", conversation=conversation,
                                  timestamp=START + timedelta(minutes=7 * n), text=text, speaker=speaker))
    lexical_vault.ingest(records, embed=False)
    return Answerer(lexical_vault, neighbours=lexical_vault.neighbours)


NOW = START + timedelta(days=3)


def test_a_time_of_day_question_gets_the_clock_time_not_the_date(answerer: Answerer) -> None:
    answer = answerer.answer("What time does our flight land?", now=NOW)
    assert answer.text.startswith("09:55 [") and answer.citations[0].external_id == "m1"


def test_a_place_only_named_by_the_chat_does_not_hide_the_answer(answerer: Answerer) -> None:
    answer = answerer.answer("What is the door code for the apartment in Lisbon?", now=NOW)
    assert answer.mode == "extractive" and "4417" in answer.text
    assert answer.citations[0].external_id == "m2"


def test_who_list_and_yes_no_answers_cite_their_evidence(answerer: Answerer) -> None:
    who = answerer.answer("Who recommended the pastry shop?", now=NOW)
    assert "Marta" in who.text and who.citations[0].external_id == "m3"
    planted = answerer.answer("What did Ben plant in the garden?", now=NOW)
    assert all(word in planted.text for word in ("tomatoes", "basil", "peppers"))
    paid = answerer.answer("Did Ben pay the electricity bill?", now=NOW)
    assert "paid the electricity bill" in paid.text and paid.citations[0].external_id == "m6"


def test_an_absent_answer_is_not_in_memory(answerer: Answerer) -> None:
    answer = answerer.answer("What is the wifi password at the cabin?", now=NOW)
    assert answer.mode == "not_found" and answer.text == NOT_FOUND_TEXT and not answer.citations


def test_a_question_about_the_person_only_spoken_to_is_not_answered_from_the_speakers_life(
    answerer: Answerer,
) -> None:
    swapped = answerer.answer("Where did Ben's grandma grow up?", now=NOW)
    assert swapped.mode == "not_found", swapped.text
    right = answerer.answer("Where did Ana's grandma grow up?", now=NOW)
    assert "Sweden" in right.text and right.citations[0].external_id == "m7"


def test_the_named_persons_reaction_to_the_other_is_not_their_story(answerer: Answerer) -> None:
    reacted = answerer.answer("What happened to Dan's job?", now=NOW)
    assert reacted.mode == "not_found", reacted.text
    own = answerer.answer("What happened to Cleo's job?", now=NOW)
    assert "lost my job" in own.text and own.citations[0].external_id == "m8"


def test_a_named_non_speaker_is_what_the_question_is_about_not_who(answerer: Answerer) -> None:
    swapped = answerer.answer("Where did Dan go camping with Max?", now=NOW)
    assert swapped.mode == "not_found", swapped.text
    right = answerer.answer("Where did Cleo go camping with Max?", now=NOW)
    assert "lake" in right.text and right.citations[0].external_id == "m10"
