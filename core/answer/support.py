"""Which memories an extractive answer cites besides the one it quotes.

The snippet that shares most of the question's words is often the question
side of an exchange ("Where is the internship?") or a first mention, while the
memory that completes the answer is a reply or a later turn.  An honest answer
cites every memory it draws on: here, beside what the quote cites, the
snippets the chooser (``core.answer.choose``, probabilities over all
snippets) finds nearly as likely to hold the answer — at least ``share`` of
the most likely one's probability, up to ``max_citations`` in all.  The count
and share are chosen leave-one-conversation-out in ``bench.locomo --answers``
on the gold evidence cited, charged for every citation added (no padding).
Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.answer.extractive import is_screen
from core.answer.types import Snippet


@dataclass(frozen=True, slots=True)
class Citing:
    """``max_citations``: the most an answer cites (what the quote cites is always kept, even beyond);
    ``share``: a further snippet is cited when its probability is at least this share of the best one's."""

    # Best on all three LoCoMo-dev conversations by gold cited - 0.1 x citations; the folds chose it or a
    # neighbour of it (3/0.2, 4/0.3).  bench.locomo --answers, 8 Dec: gold cited 0.514 -> 0.632 with 1.41 -> 2.00
    # citations per answer in-sample; held out 0.632 with 2.19.
    max_citations: int = 3
    share: float = 0.3


def supporting(cited: Sequence[int], ranked: Sequence[tuple[float, Snippet]], policy: Citing) -> tuple[int, ...]:
    """``cited`` (the quote's snippet numbers) and, after them, the likely snippets of ``ranked``
    (probability, snippet; best first) under ``policy``."""
    numbers = list(dict.fromkeys(cited))
    if not ranked:
        return tuple(numbers)
    top = ranked[0][0]
    # A screen capture does not support a message's answer (as for the quote's runner-up: its words match
    # through menus and folder names); it supports a screen's.
    screens = any(is_screen(s) for _, s in ranked if s.number in numbers)
    for probability, snippet in ranked:
        if len(numbers) >= policy.max_citations or probability < policy.share * top:
            break
        if snippet.number not in numbers and (screens or not is_screen(snippet)):
            numbers.append(snippet.number)
    return tuple(numbers)


def with_citations(text: str, cited: Sequence[int], numbers: Sequence[int]) -> str:
    """``text`` with the numbers not yet ``cited`` appended as marks after its last one ("… [2]" → "… [2][5]")."""
    extra = "".join(f"[{n}]" for n in numbers if n not in cited)
    return f"{text}{extra}" if extra else text
