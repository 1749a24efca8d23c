"""Which snippet an extractive answer quotes and cites: the fitted chooser (core/answer/choose.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.answer.abstain import Abstention
from core.answer.choose import DEFAULT_CHOOSER, FEATURES, Chooser, choose
from core.answer.extractive import extractive_answer, rank_snippets
from core.answer.types import Snippet
from core.answer.understand import understand
from core.types import ItemId

NOW = datetime(2023, 7, 1, 12, tzinfo=UTC)


def _said(number: int, speaker: str, text: str, rank: int) -> Snippet:
    return Snippet(number=number, item_id=ItemId(number), timestamp=NOW, source="chat:jsonl", text=text,
                   speaker=speaker, conversation="walks", rank=rank, is_hit=True)


ASKED = _said(1, "Ana", "What trail do you like best, Ben?", 2)
REPLY = _said(2, "Ben", "The ridge trail, no doubt.", 1)
ASIDE = _said(3, "Ben", "I like every trail when the weather is nice.", 0)


def _without(*names: str) -> Chooser:
    return Chooser(tuple(0.0 if f in names else w for f, w in zip(FEATURES, DEFAULT_CHOOSER.weights, strict=True)))


def test_the_reply_to_a_matching_question_is_quoted_not_the_aside_that_ranked_higher() -> None:
    u = understand("What trail does Ben like?", NOW)
    snippets = [ASKED, REPLY, ASIDE]
    ranked = choose(u, [REPLY, ASIDE], snippets, None, DEFAULT_CHOOSER, Abstention())
    assert ranked[0][1] is REPLY and abs(sum(p for p, _ in ranked) - 1.0) < 1e-9
    answer = extractive_answer(u, [REPLY, ASIDE], ranked=ranked)
    assert answer is not None and answer.cited[0] == 2 and "ridge trail" in answer.text
    # shared words alone (the scorer before) and a chooser blind to replies both take the aside
    assert rank_snippets(u, [REPLY, ASIDE])[0][1] is ASIDE
    assert choose(u, [REPLY, ASIDE], snippets, None, _without("reply", "reply_coverage"), Abstention())[0][1] is ASIDE


def test_a_statement_is_chosen_over_a_question_with_the_same_words() -> None:
    u = understand("Where does Ana buy the blue bowls?", NOW)
    question = _said(5, "Ana", "Where do I buy the blue bowls again, the ones with the little white dots on the rim?", 1)
    statement = _said(8, "Ana", "I buy the blue bowls at the market.", 1)
    policy = replace(Abstention(), statements_only=False)
    assert choose(u, [question, statement], [question, statement], None, DEFAULT_CHOOSER, policy)[0][1] is statement
    assert choose(u, [question, statement], [question, statement], None, _without("question"), policy
                  )[0][1] is question


def test_a_chooser_needs_one_weight_per_feature() -> None:
    with pytest.raises(ValueError, match="weights"):
        Chooser((1.0, 2.0))
