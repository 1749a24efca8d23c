"""An answer quoting a Markdown note quotes prose, never its marks ("## Numbers - Staging load test …").

On a real encrypted vault holding the demo memory: the release review's notes (release-2.4-review-notes.md)
have a "## Numbers" heading over a list whose first item gives the p95 latency.
"""

from __future__ import annotations

import re

import pytest

from core.normalize.markdown_plain import plain_markdown
from tests.answer.demo_memory import ask, with_demo

MARKS = re.compile(r"(?:^|\s)(?:#{1,6}|[-*+]|\d+\.)\s|\*\*|`|\]\(")


@pytest.fixture()
def demo(lexical_vault):  # type: ignore[no-untyped-def]
    return with_demo(lexical_vault)


def test_the_p95_answer_quotes_the_notes_as_prose_and_cites_them(demo) -> None:  # type: ignore[no-untyped-def]
    answer = ask(demo, "What are the p95 latency numbers?")
    assert "Numbers: Staging load test (Monday): 200 requests per second" in answer.text, answer.text
    assert not MARKS.search(answer.text), answer.text
    notes = [c for c in answer.citations if c.source.startswith("file")]
    assert notes, answer.citations
    item = demo.get_item(notes[0].item_id)
    assert item.external_id.endswith("release-2.4-review-notes.md") and "p95 latency 340 ms" in item.text


def test_every_note_given_as_context_is_without_markdown_marks(demo) -> None:  # type: ignore[no-untyped-def]
    answer = ask(demo, "What did I order for Grandpa and the reading list?")
    notes = [s for s in answer.snippets if s.source.startswith("file")]
    assert len(notes) >= 2, [s.source for s in answer.snippets]
    for snippet in notes:
        assert not MARKS.search(snippet.text), snippet.text


def test_a_notes_links_emphasis_and_code_read_as_their_text() -> None:
    text = "# Plan\n\n- See **the** [docs](https://x.dev/a) and `sync_v2`\n1. *Two*\n\nPlain line"
    assert plain_markdown(text) == "Plan: See the docs (https://x.dev/a) and sync_v2.\nTwo.\nPlain line."
