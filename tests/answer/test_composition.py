"""Extractive composition: a second memory is quoted only when it matches nearly as well as the best."""

from __future__ import annotations

from datetime import UTC, datetime

from core.answer.extractive import Composition, extractive_answer
from core.answer.types import Snippet
from core.answer.understand import understand
from core.types import ItemId

NOW = datetime(2023, 7, 1, 12, tzinfo=UTC)


def _snippet(number: int, text: str, speaker: str) -> Snippet:
    return Snippet(number=number, item_id=ItemId(number), timestamp=NOW, source="chat", text=text, speaker=speaker,
                   rank=number - 1)


SNIPPETS = [
    _snippet(1, "For the garden party I'm bringing a lemon cake.", "Ana"),
    _snippet(2, "And for the garden party I'll bring lemonade too.", "Ana"),
    _snippet(3, "The weather was nice.", "Ben"),
]


def test_one_quote_when_off_two_when_the_runner_up_is_close() -> None:
    u = understand("What is Ana bringing to the garden party?", NOW)
    single = extractive_answer(u, SNIPPETS, composition=Composition(second_quote=0.0))
    assert single is not None and single.cited == (1,)
    double = extractive_answer(u, SNIPPETS, composition=Composition(second_quote=0.7))
    assert double is not None and double.cited == (1, 2)
    assert "lemon cake" in double.text and "lemonade" in double.text and "weather" not in double.text


def test_a_weak_runner_up_is_not_quoted() -> None:
    u = understand("What is Ana bringing to the garden party?", NOW)
    weak = [SNIPPETS[0], _snippet(2, "Ben said the party starts at noon.", "Ben")]
    answer = extractive_answer(u, weak, composition=Composition(second_quote=0.85))
    assert answer is not None and answer.cited == (1,)
