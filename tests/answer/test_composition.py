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


def test_with_meaning_the_memory_closest_in_meaning_wins_over_one_sharing_a_word() -> None:
    import numpy as np

    from core.answer.meaning import sentence_similarity

    u = understand("How did Ana feel after the accident?", NOW)
    echo = _snippet(1, "The accident was on the highway near the old bridge.", "Ana")
    feeling = _snippet(2, "Since then I've been grateful for my family. The car is at the garage.", "Ana")
    close = {"How did Ana feel after the accident?": [1.0, 0.0], "Since then I've been grateful for my family.": [0.9, 0.44]}

    def embed(texts: list[str]) -> np.ndarray:  # a stand-in for MiniLM: only the feeling is close to the question
        return np.asarray([close.get(t, [0.0, 1.0]) for t in texts], dtype=np.float32)

    similarity = sentence_similarity(u.question, [echo, feeling], embed)
    assert similarity["Since then I've been grateful for my family."] > similarity["The car is at the garage."]
    words = extractive_answer(u, [echo, feeling], composition=Composition(second_quote=0.0))
    assert words is not None and words.cited == (1,)
    meant = extractive_answer(u, [echo, feeling], composition=Composition(second_quote=0.0, meaning=1.0),
                              similarity=similarity)
    assert meant is not None and meant.cited == (2,)
    assert "grateful" in meant.text and "garage" not in meant.text
