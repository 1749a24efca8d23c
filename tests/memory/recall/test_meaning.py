"""Meaning in context: a candidate gains its own and its episode neighbours' closeness to the question."""

from __future__ import annotations

import pytest

from core.memory.recall.meaning import lift_by_meaning
from tests.memory.helpers import at, chat, consolidated_graph

SESSION = [
    ("a1", "Cleo", "We finally booked the ferry to the islands."),
    ("a2", "Dan", "Yes!"),
    ("a3", "Cleo", "Two weeks of beaches and boats."),
    ("b1", "Dan", "Yes!"),
]


def _graph(vault):  # type: ignore[no-untyped-def]
    records = [chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(SESSION[:3])]
    records.append(chat("b1", SESSION[3][2], SESSION[3][1], at(days=30)))  # another episode, alone
    return consolidated_graph(vault, records, embed=False)


def test_a_short_reply_between_close_messages_rises_above_the_same_reply_alone(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _graph(lexical_vault)
    scores = {ids["a2"]: 1.0, ids["b1"]: 1.0}  # the fusion could not tell them apart
    cosines = {ids["a1"]: 0.6, ids["a3"]: 0.4, ids["a2"]: 0.1, ids["b1"]: 0.1}
    lifted = lift_by_meaning(graph, scores, cosines, weight=0.5, neighbours=1.0)
    assert lifted[ids["a2"]] == pytest.approx(1.0 + 0.5 * (0.1 + 0.5))  # its own cosine + the mean of its two
    assert lifted[ids["b1"]] == pytest.approx(1.0 + 0.5 * 0.1)  # no neighbours in its episode
    assert set(lifted) == set(scores), "only candidates move: the work is bounded by them"
    alone = lift_by_meaning(graph, scores, cosines, weight=0.5, neighbours=0.0)
    assert alone[ids["a2"]] == alone[ids["b1"]]
    assert lift_by_meaning(graph, scores, cosines, weight=0.0, neighbours=1.0) == scores


def test_with_keep_top_the_best_match_stays_first_and_the_rest_is_reordered(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _graph(lexical_vault)
    scores = {ids["a1"]: 1.0, ids["a2"]: 0.9, ids["b1"]: 0.95}
    cosines = {ids["a1"]: 0.0, ids["a2"]: 0.5, ids["a3"]: 0.9, ids["b1"]: 0.0}
    free = lift_by_meaning(graph, scores, cosines, weight=0.5, neighbours=1.0)
    assert max(free, key=lambda i: free[i]) == ids["a2"], "without keep_top the lift overtakes the best match"
    kept = lift_by_meaning(graph, scores, cosines, weight=0.5, neighbours=1.0, keep_top=True)
    order = sorted(kept, key=lambda i: -kept[i])
    assert order == [ids["a1"], ids["a2"], ids["b1"]]
