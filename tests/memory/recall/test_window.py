"""Meaning of the passage: the best candidates gain the question's cosine to the window of dialogue around them.

On a real vault with the real embedder: two identical short replies, one after
a message about the question's subject and one in an unrelated chat, are told
apart by the window; the search path uses it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.memory.recall.recall import GraphCache, RecallWeights, recall
from core.memory.recall.window import lift_by_window, window_nodes
from core.retrieve.types import SearchRequest
from tests.memory.helpers import at, chat, consolidated_graph, stored_vectors

QUESTION = "How often does Dan go sailing on the lake?"
SAILING = [
    ("s1", "Cleo", "Do you still take the boat out sailing on the lake?"),
    ("s2", "Dan", "Yes, every weekend since May!"),
    ("s3", "Cleo", "The wind on the water must be lovely."),
]
TAXES = [
    ("t1", "Cleo", "Did you finish the tax forms for the accountant?"),
    ("t2", "Dan", "Yes, every weekend since May!"),
    ("t3", "Cleo", "Paperwork never ends."),
]


def _vault(vault):  # type: ignore[no-untyped-def]
    records = [chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(SAILING)]
    records += [chat(ext, text, who, at(days=20, minutes=n)) for n, (ext, who, text) in enumerate(TAXES)]
    return consolidated_graph(vault, records)


def test_the_reply_whose_dialogue_is_about_the_question_rises_above_the_same_reply_elsewhere(vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _vault(vault)
    vectors = stored_vectors(vault)
    question = vectors.query("How often does go sailing on the lake?")
    scores = {ids["s2"]: 1.0, ids["t2"]: 1.0, ids["t1"]: 2.0}  # the fusion could not tell the replies apart
    lifted = lift_by_window(graph, scores, question, vectors, weight=0.5, span=1, depth=3, keep_top=False)
    assert lifted[ids["s2"]] > lifted[ids["t2"]] + 0.05, "the sailing dialogue around s2 is closer to the question"
    assert set(lifted) == set(scores), "only candidates move: the work is bounded by them"
    assert lift_by_window(graph, scores, question, vectors, weight=0.0, span=1, depth=3) == scores
    only_top = lift_by_window(graph, scores, question, vectors, weight=0.5, span=1, depth=1, keep_top=False)
    assert only_top[ids["s2"]] == only_top[ids["t2"]] == 1.0, "only the depth best are read"
    kept = lift_by_window(graph, scores, question, vectors, weight=0.5, span=1, depth=3)
    assert max(kept, key=lambda i: kept[i]) == ids["t1"], "with keep_top the best match stays first"


def test_a_window_is_the_memory_and_its_episode_neighbours_only(vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _vault(vault)
    node = graph.item_index[ids["s2"]]
    assert {graph.item_ids[n] for n in window_nodes(graph, node, 2)} == {ids["s1"], ids["s2"], ids["s3"]}
    first = graph.item_index[ids["t1"]]
    assert {graph.item_ids[n] for n in window_nodes(graph, first, 1)} == {ids["t1"], ids["t2"]}
    stored = stored_vectors(vault).items([ids["s1"], ids["s2"], 10**9])
    assert set(stored) == {ids["s1"], ids["s2"]}, "a missing memory has no vector and no error"
    assert all(v.shape == (384,) and abs(float(v @ v) - 1.0) < 1e-3 for v in stored.values())


def test_search_reads_the_window_and_ranks_the_sailing_reply_first_of_the_two(vault) -> None:  # type: ignore[no-untyped-def]
    _, ids = _vault(vault)
    request = SearchRequest(query=QUESTION, k=6)
    on = recall(vault.retriever(), vault, request, cache=GraphCache(), vectors=stored_vectors(vault))
    off = recall(vault.retriever(), vault, request, weights=replace(RecallWeights(), window=0.0), cache=GraphCache(),
                 vectors=stored_vectors(vault))
    order = [int(h.item_id) for h in on.hits]
    assert order.index(ids["s2"]) < order.index(ids["t2"])
    on_score = {int(h.item_id): h.score for h in on.hits}
    off_score = {int(h.item_id): h.score for h in off.hits}
    gap_on = on_score[ids["s2"]] - on_score[ids["t2"]]
    gap_off = off_score[ids["s2"]] - off_score[ids["t2"]]
    assert gap_on > gap_off + 1e-6, "the window widens the gap between the two identical replies"
    searched = [int(h.item_id) for h in vault.search(request).hits]
    assert searched.index(ids["s2"]) < searched.index(ids["t2"])
    assert on.hits[0].score == pytest.approx(max(h.score for h in on.hits))
