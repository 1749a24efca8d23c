"""A "when" answer about an event gives its time of day, and its place when the same clause says it.

On real encrypted vaults: the demo memory (the app wizard's "demo", its Grandpa note) and hand-written chats.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.answer import Answerer
from core.answer.extractive import place_in
from core.types import Record
from tests.answer.demo_memory import BERLIN, NOW, with_demo


@pytest.fixture()
def demo_answerer(lexical_vault):  # type: ignore[no-untyped-def]
    vault = with_demo(lexical_vault)
    return Answerer(vault, neighbours=vault.neighbours)


def test_the_demo_birthday_lunch_gets_its_date_time_and_place(demo_answerer: Answerer) -> None:
    answer = demo_answerer.answer("When is Grandpa's birthday lunch?", now=NOW, use_model=False)
    assert answer.mode == "extractive"
    assert "3 December" in answer.text and "13:00 at Mum's [" in answer.text, answer.text
    note = answer.citations[0]
    assert "Lunch at Mum's at 13:00" in note.text  # the cited note is the one that says it


def test_the_birthday_itself_does_not_take_the_lunchs_time(demo_answerer: Answerer) -> None:
    answer = demo_answerer.answer("When is Grandpa's birthday?", now=NOW, use_model=False)
    assert "3 December" in answer.text and "13:00" not in answer.text, answer.text


START = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN)
TURNS = [
    ("Ana", "The farewell dinner for Olaf is on Friday at 19:30 in the Alte Post; bring a card."),
    ("Ben", "Got it. I'll leave the office at 18:00 then."),
    ("Ana", "The dentist moved my check-up to 12 March, no time yet."),
]


def answerer_of(vault, turns: list[tuple[str, str]], conversation: str, id_prefix: str) -> Answerer:  # type: ignore[no-untyped-def]
    """``vault`` holding ``turns`` as one chat, five minutes apart from ``START`` (ids ``<id_prefix>1``, …)."""
    vault.ingest([
        Record(source="chat:jsonl", external_id=f"{id_prefix}{i}", kind="message", conversation=conversation,
               timestamp=START + timedelta(minutes=5 * i), text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(turns, 1)
    ], embed=False)
    return Answerer(vault, neighbours=vault.neighbours)


@pytest.fixture()
def chat_answerer(lexical_vault):  # type: ignore[no-untyped-def]
    return answerer_of(lexical_vault, TURNS, "plans", "m")


def test_a_chat_event_gets_the_time_and_place_of_its_own_clause(chat_answerer: Answerer) -> None:
    answer = chat_answerer.answer("When is the farewell dinner?", now=START + timedelta(days=1), use_model=False)
    assert answer.text.startswith("6 March 2026, 19:30 in the Alte Post ["), answer.text
    assert answer.citations[0].external_id == "m1"


def test_an_event_without_a_time_of_day_keeps_the_date_alone(chat_answerer: Answerer) -> None:
    answer = chat_answerer.answer("When is the dentist check-up?", now=START + timedelta(days=1), use_model=False)
    assert answer.text.startswith("12 March 2026 ["), answer.text
    assert answer.citations[0].external_id == "m3"


def test_times_months_and_days_are_not_places() -> None:
    assert place_in("Lunch at Mum's at 13:00") == "at Mum's"
    assert place_in("We meet at 13:00 in December") is None
    assert place_in("see you at Café Lisboa on Monday") == "at Café Lisboa"
    assert place_in("dinner in the garden") is None


def test_a_where_question_gets_the_place_and_the_same_citation(demo_answerer: Answerer) -> None:
    answer = demo_answerer.answer("Where is Grandpa's birthday lunch?", now=NOW, use_model=False)
    assert answer.text.startswith("at Mum's ["), answer.text
    assert "Lunch at Mum's at 13:00" in answer.citations[0].text


def test_a_where_answer_without_a_named_place_quotes_the_sentence(chat_answerer: Answerer) -> None:
    answer = chat_answerer.answer("Where will Ben leave from at 18:00?", now=START + timedelta(days=1), use_model=False)
    assert "leave the office at 18:00" in answer.text and answer.citations[0].external_id == "m2"


COUNT_TURNS = [
    ("Ana", "We have lived in this flat for 6 years now, and the rent went up again."),
    ("Ben", "We go swimming once or twice a week when the pool is open."),
    ("Ana", "The new bakery around the corner sells amazing bread."),
]


@pytest.fixture()
def count_answerer(lexical_vault):  # type: ignore[no-untyped-def]
    return answerer_of(lexical_vault, COUNT_TURNS, "home", "c")


def test_how_long_and_how_often_are_answered_with_the_amount(count_answerer: Answerer) -> None:
    now = START + timedelta(days=1)
    lived = count_answerer.answer("How long has Ana lived in the flat?", now=now, use_model=False)
    assert lived.text.startswith("6 years ["), lived.text
    assert lived.citations[0].external_id == "c1"
    swim = count_answerer.answer("How often does Ben go swimming?", now=now, use_model=False)
    assert swim.text.startswith("once or twice a week ["), swim.text
    assert swim.citations[0].external_id == "c2"
    # no amount in the memory: the quote, as before
    bread = count_answerer.answer("How often does the bakery sell bread?", now=now, use_model=False)
    assert "amazing bread" in bread.text and bread.citations[0].external_id == "c3"
