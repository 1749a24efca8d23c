"""The named person's own words by meaning: a vague question about someone gathers what they said elsewhere.

On a real vault with the real embedder: Nora mentions her pastimes one at a
time in separate chats, while one long chat with Ravi about his own hobbies
matches the question's words best.  Asked "What hobbies does Nora have?", the
top of the ranking fills from Ravi's chat without the lift, and with it Nora's
own scattered messages come up.
"""

from __future__ import annotations

from dataclasses import replace

from core.memory.recall.person import lift_by_person
from core.memory.recall.recall import GraphCache, RecallWeights, recall
from core.retrieve.types import SearchRequest
from tests.memory.helpers import at, chat, consolidated_graph, stored_vectors

QUESTION = "What hobbies does Nora have?"
RAVI_HOBBIES = [  # Ravi's hobbies: his messages match the question's words best
    ("r1", "Ravi", "Model trains are my favourite hobby, I build the tracks myself."),
    ("r2", "Nora", "Wow, nice!"),
    ("r3", "Ravi", "Chess is my other hobby, I play online every night."),
    ("r4", "Nora", "Haha, cool."),
    ("r5", "Ravi", "Birdwatching is a hobby I picked up last spring."),
    ("r6", "Nora", "Oh really?"),
    ("r7", "Ravi", "And on weekends I restore old radios as a hobby."),
    ("r8", "Nora", "Busy man!"),
]
NORA_PASTIMES = [  # each in its own chat, weeks apart: one thing Nora does
    ("n1", "Nora", "I spent the whole Saturday at the climbing wall, my arms are jelly."),
    ("n2", "Nora", "Went to my first pottery class tonight and made a wonky bowl."),
    ("n3", "Nora", "Finally finished knitting the scarf I started in winter."),
]
FILLER = [
    ("f1", "Ravi", "Ok, see you then."),
    ("f2", "Nora", "Sure, bye!"),
]


def _vault(vault):  # type: ignore[no-untyped-def]
    records = [chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(RAVI_HOBBIES)]
    for week, (ext, who, text) in enumerate(NORA_PASTIMES, start=1):
        records.append(chat(ext, text, who, at(days=7 * week)))
        records += [chat(f"{fx}-{week}", t, w, at(days=7 * week, minutes=1 + m)) for m, (fx, w, t) in enumerate(FILLER)]
    return consolidated_graph(vault, records)


def _top(vault, weights: RecallWeights, k: int = 6) -> list[int]:  # type: ignore[no-untyped-def]
    request = SearchRequest(query=QUESTION, k=k)
    return [int(h.item_id) for h in recall(vault.retriever(), vault, request, weights=weights, cache=GraphCache(),
                                          vectors=stored_vectors(vault)).hits]


def test_a_vague_question_about_a_person_brings_up_what_they_said_in_other_chats(vault) -> None:  # type: ignore[no-untyped-def]
    _, ids = _vault(vault)
    pastimes = {ids[ext] for ext, _, _ in NORA_PASTIMES}
    on = _top(vault, RecallWeights())
    off = _top(vault, replace(RecallWeights(), person=0.0))
    assert len(pastimes & set(on)) > len(pastimes & set(off)), (on, off)
    assert len(pastimes & set(on)) >= 2, "Nora's own pastimes, told in separate chats, are in the top six"
    assert on[0] == off[0], "the best match stays first"


def test_the_lift_reorders_only_the_persons_memories_and_keeps_the_scores(vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _vault(vault)
    vectors = stored_vectors(vault)
    question = vectors.query("What hobbies does have?")
    nora = graph.speaker_of[ids["n1"]]
    assert nora == graph.speaker_of[ids["r2"]] != graph.speaker_of[ids["r1"]]
    order = ["r1", "r3", "r5", "r7", "r2", "r4", "n3", "n1", "n2"]
    scores = {ids[ext]: float(len(order) - n) for n, ext in enumerate(order)}
    lifted = lift_by_person(graph, scores, {nora}, question, vectors, weight=2.0, ceiling=0.9, depth=20)
    assert sorted(lifted.values()) == sorted(scores.values()), "only the order changes, not the scale"
    new = sorted(lifted, key=lambda i: -lifted[i])
    assert new[0] == ids["r1"], "the best match stays first"
    assert new.index(ids["n1"]) < order.index("n1"), "Nora's own messages move up"
    ravi = [i for i in new if graph.speaker_of[i] != nora]
    assert ravi == [ids[e] for e in order if graph.speaker_of[ids[e]] != nora], "the others keep their order"
    assert lift_by_person(graph, scores, {nora}, question, vectors, weight=0.0, ceiling=0.9, depth=20) == scores
    assert lift_by_person(graph, scores, set(), question, vectors, weight=2.0, ceiling=0.9, depth=20) == scores
    assert lift_by_person(graph, scores, {nora}, question, vectors, weight=2.0, ceiling=0.9, depth=0) == scores


def test_a_question_a_memory_answers_well_keeps_its_order(vault) -> None:  # type: ignore[no-untyped-def]
    graph, ids = _vault(vault)
    vectors = stored_vectors(vault)
    question = vectors.query("What hobbies does have?")
    stored = vectors.items(list(ids.values()))
    best = max(float(v @ question) for v in stored.values())
    nora = graph.speaker_of[ids["n1"]]
    scores = {ids["r1"]: 4.0, ids["r3"]: 3.0, ids["r5"]: 2.0, ids["n1"]: 1.0}
    below = lift_by_person(graph, scores, {nora}, question, vectors, weight=2.0, ceiling=best - 0.01, depth=20)
    assert below == scores, "the best cosine is above the ceiling: the question is not vague, nothing moves"
    above = lift_by_person(graph, scores, {nora}, question, vectors, weight=2.0, ceiling=best + 0.3, depth=20)
    assert sorted(above, key=lambda i: -above[i]).index(ids["n1"]) < 3
