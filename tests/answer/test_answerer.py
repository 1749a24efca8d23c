"""The answering pipeline with an in-memory retriever and scripted models."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.answer import NOT_FOUND_TEXT, Answer, Answerer, StageEvent, TokenEvent
from core.answer.citations import citation_numbers
from core.errors import ModelUnavailable
from tests.answer.fakes import FakeRetriever, Memo, ScriptedBackend

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2023, 6, 20, 12, 0, tzinfo=TZ)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


MEMOS = [
    Memo("Hey Mel! Good to see you! How have you been?", at(2023, 5, 8, 13, 56), "Caroline", conversation="c1"),
    Memo("I went to a LGBTQ support group yesterday and it was so powerful.", at(2023, 5, 8, 13, 56), "Caroline",
         conversation="c1"),
    Memo("Wow, that sounds great. I painted a lake sunrise last year.", at(2023, 5, 8, 13, 57), "Melanie",
         conversation="c1"),
    Memo("The wifi code for the office is falcon-77, don't share it.", at(2023, 6, 2, 9, 0), "Priya",
         conversation="work", source="chat:slack"),
    Memo("Lunch at the Thai place on Friday?", at(2023, 6, 2, 11, 0), "Sam", conversation="work",
         source="chat:slack"),
    Memo("Standup moved to 10:30 from tomorrow.", at(2023, 6, 19, 9, 0), "Priya", conversation="work",
         source="chat:slack"),
    Memo("Slack: Priya — the deploy key rotates on Monday", at(2023, 6, 19, 16, 0), None, conversation=None,
         source="screen", app="slack"),
]


def answerer(backend: object = None, **kwargs: object) -> tuple[Answerer, FakeRetriever]:
    retriever = FakeRetriever(list(MEMOS))
    return Answerer(retriever, neighbours=retriever.neighbours, backend=backend, **kwargs), retriever  # type: ignore[arg-type]


def test_extractive_when_answer_is_the_events_date_with_a_citation() -> None:
    ans, _ = answerer()
    a = ans.answer("When did Caroline go to the support group?", now=NOW)
    assert a.mode == "extractive"
    assert a.text.startswith("7 May 2023 [")
    (cited,) = a.citations
    assert "support group" in cited.text and f"[{cited.number}]" in a.text


def test_extractive_what_answer_quotes_the_best_sentence() -> None:
    ans, _ = answerer()
    a = ans.answer("What is the wifi code for the office?", now=NOW)
    assert a.mode == "extractive" and "falcon-77" in a.text
    assert a.citations[0].external_id == "m4"


def test_nothing_relevant_says_so_and_shows_best_matches() -> None:
    ans, _ = answerer()
    a = ans.answer("What is Priya's favourite colour?", now=NOW)
    assert a.mode == "not_found" and a.text == NOT_FOUND_TEXT and a.citations == ()


def test_evidence_about_someone_else_is_not_an_answer() -> None:
    ans, _ = answerer()
    a = ans.answer("When did Melanie go to the support group?", now=NOW)
    assert a.mode == "not_found"
    assert any("not about Melanie" in n for n in a.notes)
    assert a.best_matches and "support group" in a.best_matches[0].text


def test_neighbours_come_with_their_hit_in_conversation_order() -> None:
    ans, _ = answerer()
    a = ans.answer("When did Caroline go to the support group?", now=NOW)
    texts = [s.text for s in a.snippets]
    i = next(i for i, t in enumerate(texts) if "support group" in t)
    assert texts[i - 1].startswith("Hey Mel") and texts[i + 1].startswith("Wow")
    assert [s.number for s in a.snippets] == list(range(1, len(a.snippets) + 1))


def test_filters_reach_the_retriever_and_in_slack_searches_chats_and_screen() -> None:
    ans, retriever = answerer()
    a = ans.answer("What did Priya say in Slack yesterday about the standup?", now=NOW)
    sent = retriever.requests
    assert all(r.time_range is not None and r.time_range.start == at(2023, 6, 19) for r in sent)
    assert {r.sources for r in sent} == {("chat:slack",), ("screen",)}
    assert any(r.apps == ("slack",) for r in sent)
    assert a.mode == "extractive" and "10:30" in a.text


def test_an_empty_time_range_is_widened_and_said() -> None:
    ans, _ = answerer()
    a = ans.answer("What is the wifi code for the office? (in 2019)", now=NOW)
    assert "falcon-77" in a.text
    assert any("searched all time" in n for n in a.notes)
    assert a.applied_range is None


def test_context_budget_is_respected() -> None:
    ans, _ = answerer(context_budget=40)
    a = ans.answer("When did Caroline go to the support group?", now=NOW)
    assert 1 <= len(a.snippets) <= 2


def test_model_answer_streams_then_validates() -> None:
    backend = ScriptedBackend("The wifi code is falcon-77 [{n}].")
    ans, _ = answerer(backend, prompt_style="chat")
    # find the number the snippet will get
    first = ans.answer("What is the wifi code for the office?", now=NOW, use_model=False)
    number = first.citations[0].number
    backend.text = f"The wifi code is falcon-77 [{number}]."
    events = list(ans.ask("What is the wifi code for the office?", now=NOW))
    assert isinstance(events[0], StageEvent) and events[0].snippets
    tokens = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert tokens == backend.text
    final = events[-1]
    assert isinstance(final, Answer) and final.mode == "llm"
    assert final.text == backend.text and final.citations[0].number == number
    assert final.model == "scripted" and final.prompt_version == 1


def test_model_not_found_is_overruled_by_strong_evidence() -> None:
    ans, _ = answerer(ScriptedBackend("NOT FOUND"), prompt_style="completion")
    strong = ans.answer("What is the wifi code for the office?", now=NOW)
    assert strong.mode == "extractive" and "falcon-77" in strong.text


def test_a_model_that_cannot_load_degrades_to_extractive() -> None:
    class Broken(ScriptedBackend):
        def count_tokens(self, prompt: object) -> int:
            raise ModelUnavailable("no model file")

    ans, _ = answerer(Broken("x"))
    a = ans.answer("What is the wifi code for the office?", now=NOW)
    assert a.mode == "extractive" and any("model unavailable" in n for n in a.notes)


def test_closing_the_stream_early_cancels_the_model() -> None:
    backend = ScriptedBackend("word " * 200)
    ans, _ = answerer(backend)
    stream = ans.ask("What is the wifi code for the office?", now=NOW)
    for event in stream:
        if isinstance(event, TokenEvent):
            break
    stream.close()
    assert backend.cancelled


SENTENCE_PARTS = [
    "The wifi code is falcon-77", "Lunch at the Thai place", "Priya went to Paris", "the standup moved to 10:30",
    "I painted a lake sunrise", "Nobody knows",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(SENTENCE_PARTS), st.lists(st.integers(min_value=-3, max_value=40), max_size=3)),
        min_size=1, max_size=4,
    ),
    st.sampled_from([
        "What is the wifi code for the office?", "What did Sam suggest for lunch?", "When did the standup move?",
    ]),
)
def test_citations_are_always_valid_whatever_the_model_writes(
    sentences: list[tuple[str, list[int]]], question: str
) -> None:
    text = " ".join(f"{s} {''.join(f'[{n}]' for n in nums)}." for s, nums in sentences)
    ans, _ = answerer(ScriptedBackend(text), prompt_style="chat")
    a = ans.answer(question, now=NOW)
    numbers = {s.number for s in a.snippets}
    assert a.mode in ("llm", "extractive", "not_found")
    assert {c.number for c in a.citations} <= numbers
    assert set(citation_numbers(a.text)) <= numbers
    if a.mode == "not_found":
        assert a.text == NOT_FOUND_TEXT and not a.citations
        return
    assert a.citations, "a found answer always cites"
    # No sentence of the answer stands without a citation.
    for sentence in re.split(r"(?<=[.”\]])\s+(?=[A-Z“])", a.text):
        assert citation_numbers(sentence), sentence
    if not any(0 < n <= len(numbers) for _, nums in sentences for n in nums):
        assert a.mode == "extractive"  # no valid number at all: degrade, never trust the text
