"""The calibrated abstention score on a real encrypted vault with the real embedder: questions about what the other
person said, or about something never said, are answered "not in memory"; the right person's are answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.answer import NOT_FOUND_TEXT, Answerer
from core.answer.abstain_score import question_features
from core.answer.answerer import DEFAULT_ABSTENTION_SCORE
from core.answer.extractive import query_terms
from core.answer.meaning import Embed, sentence_similarity
from core.types import Record

START = datetime(2023, 5, 8, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
NOW = START + timedelta(days=2)
TURNS = [
    ("Nora", "Hey Sam! Guess what, I signed up for a pottery class last week."),
    ("Sam", "That's awesome! What made you want to try pottery?"),
    ("Nora", "I needed something calming after work, and shaping clay really clears my head."),
    ("Sam", "Nice. I've been training for a half marathon, running every morning before work."),
    ("Nora", "Wow, how far do you run now?"),
    ("Sam", "About twelve kilometres on weekdays, and longer on Sundays."),
    ("Nora", "My sister gave me a blue ceramic vase for my birthday, it's on my desk now."),
    ("Sam", "Happy belated birthday! I adopted a rescue dog named Pepper on Saturday."),
    ("Nora", "Pepper is such a cute name! What breed is she?"),
    ("Sam", "She's a beagle mix, three years old and full of energy."),
]
# (asked of the person who said it, the same asked of the other one)
PAIRS = [
    ("Why did Nora sign up for a pottery class?", "Why did Sam sign up for a pottery class?"),
    ("What is Sam training for?", "What is Nora training for?"),
    ("What did Nora's sister give her for her birthday?", "What did Sam's sister give him for his birthday?"),
    ("When did Sam adopt a rescue dog?", "When did Nora adopt a rescue dog?"),
]
NEVER_SAID = "What is Sam's favourite restaurant?"


@pytest.fixture()
def answerer(vault):  # type: ignore[no-untyped-def]
    vault.ingest([
        Record(source="chat:jsonl", external_id=f"t{i}", kind="message", conversation="catch-up",
               timestamp=START + timedelta(minutes=3 * i), text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(TURNS, 1)
    ], embed=True)
    return Answerer(vault, neighbours=vault.neighbours, embed=vault.embedder().embed)


def _probability(answerer: Answerer, embed: Embed, question: str) -> float:
    """The shipped score's probability that the memories do not answer, from the context the answerer retrieves."""
    assert DEFAULT_ABSTENTION_SCORE is not None
    answer = answerer.answer(question, now=NOW, use_model=False)
    similarity = sentence_similarity(question, answer.snippets, embed)
    relevant = answerer.relevant(answer.understanding, answer.snippets, None, similarity)
    return DEFAULT_ABSTENTION_SCORE.probability(question_features(
        query_terms(answer.understanding), answer.understanding.persons, answer.snippets, relevant, similarity,
        answerer.abstention))


def test_the_score_separates_the_right_person_from_the_swapped_one(vault, answerer: Answerer) -> None:  # type: ignore[no-untyped-def]
    assert DEFAULT_ABSTENTION_SCORE is not None
    embed = vault.embedder().embed
    for right, swapped in PAIRS:
        p_right, p_swapped = _probability(answerer, embed, right), _probability(answerer, embed, swapped)
        assert p_right < DEFAULT_ABSTENTION_SCORE.threshold <= p_swapped, (right, p_right, swapped, p_swapped)
    assert _probability(answerer, embed, NEVER_SAID) >= DEFAULT_ABSTENTION_SCORE.threshold


def test_swapped_and_absent_questions_are_not_in_memory_and_the_right_ones_are_answered(answerer: Answerer) -> None:
    for right, swapped in PAIRS:
        assert answerer.answer(right, now=NOW, use_model=False).mode == "extractive", right
        answer = answerer.answer(swapped, now=NOW, use_model=False)
        assert answer.mode == "not_found" and answer.text == NOT_FOUND_TEXT and not answer.citations, swapped
    assert answerer.answer(NEVER_SAID, now=NOW, use_model=False).mode == "not_found"


def test_the_answerer_follows_the_score(vault, answerer: Answerer) -> None:  # type: ignore[no-untyped-def]
    assert DEFAULT_ABSTENTION_SCORE is not None
    doubting = Answerer(vault, neighbours=vault.neighbours, embed=vault.embedder().embed,
                        abstention_score=replace(DEFAULT_ABSTENTION_SCORE, threshold=0.0))
    assert doubting.answer(PAIRS[0][0], now=NOW, use_model=False).mode == "not_found"
