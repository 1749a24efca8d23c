"""What an extractive answer cites besides its quote, on a hand-written vault (real encrypted store)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.answer import Answerer
from core.answer.citations import citation_numbers
from core.answer.support import Citing
from core.types import Record

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, 19, 0, tzinfo=TZ)
NOW = START + timedelta(days=2)
# The question's words are in the news and in the friend's question; the answer is the reply after it.
TURNS = [
    ("Gina", "Big news, I just got accepted for a fashion internship!"),
    ("Jon", "Congrats Gina, so stoked for you! Where is the internship?"),
    ("Gina", "Part-time, in the design department of an international company downtown."),
    ("Jon", "My studio floor got new mirrors this week."),
]


@pytest.fixture()
def vault(lexical_vault):  # type: ignore[no-untyped-def]
    lexical_vault.ingest([
        Record(source="chat:jsonl", external_id=f"m{n}", kind="message", conversation="Gina and Jon",
               timestamp=START + timedelta(minutes=3 * n), text=text, speaker=speaker)
        for n, (speaker, text) in enumerate(TURNS, start=1)
    ], embed=False)
    return lexical_vault


def test_the_reply_that_completes_the_answer_is_cited_beside_the_quote(vault) -> None:  # type: ignore[no-untyped-def]
    answer = Answerer(vault, neighbours=vault.neighbours).answer("Where is Gina's fashion internship?", now=NOW)
    cited = [c.external_id for c in answer.citations]
    assert "m3" in cited, (answer.text, cited)
    assert len(cited) <= Citing().max_citations
    # every citation is a mark in the text, and the text names no snippet it does not cite
    assert sorted(citation_numbers(answer.text)) == sorted(c.number for c in answer.citations)
    assert "m4" not in cited  # the unrelated message is not cited to pad


def test_without_the_supporting_citations_only_the_quote_is_cited(vault) -> None:  # type: ignore[no-untyped-def]
    quote_only = Answerer(vault, neighbours=vault.neighbours, citer=None)
    answer = quote_only.answer("Where is Gina's fashion internship?", now=NOW)
    assert "m3" not in [c.external_id for c in answer.citations], answer.text
