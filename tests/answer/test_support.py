"""Which snippets an extractive answer cites besides its quote (core.answer.support)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.answer.support import Citing, supporting, with_citations
from core.answer.types import Snippet
from core.types import ItemId


def _snippet(number: int, source: str = "chat:jsonl") -> Snippet:
    return Snippet(number=number, item_id=ItemId(number), timestamp=datetime(2026, 1, 5, tzinfo=UTC), source=source,
                   text=f"memory {number}")


def test_likely_snippets_are_cited_up_to_the_count_and_share() -> None:
    ranked = [(0.5, _snippet(4)), (0.3, _snippet(2)), (0.12, _snippet(7)), (0.08, _snippet(1))]
    assert supporting([2], ranked, Citing(max_citations=3, share=0.2)) == (2, 4, 7)  # 0.08 < 0.2 x 0.5
    assert supporting([2], ranked, Citing(max_citations=2, share=0.1)) == (2, 4)
    assert supporting([2, 9], ranked, Citing(max_citations=1, share=0.1)) == (2, 9)  # the quote's stay
    assert supporting([2], [], Citing()) == (2,)


def test_a_screen_capture_does_not_support_a_messages_answer() -> None:
    ranked = [(0.5, _snippet(4, "screen")), (0.4, _snippet(3))]
    assert supporting([3], ranked, Citing(max_citations=3, share=0.1)) == (3,)
    assert supporting([5], [(0.5, _snippet(5, "screen")), *ranked], Citing(max_citations=3, share=0.1)) == (5, 4, 3)


def test_the_added_citations_are_marks_after_the_last_one() -> None:
    assert with_citations("20 May 2023 [2]", (2,), (2, 4, 7)) == "20 May 2023 [2][4][7]"
    assert with_citations("quote [2]", (2,), (2,)) == "quote [2]"
