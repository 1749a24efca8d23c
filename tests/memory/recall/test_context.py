"""Dialogue context: the reply after a matching question is found, and the match itself stays first."""

from __future__ import annotations

from dataclasses import replace

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.recall.context import ContextWeights, lift_by_context
from core.memory.recall.graph import build_graph
from core.memory.recall.recall import RecallWeights, recall
from core.retrieve.types import SearchRequest
from tests.memory.helpers import at, chat

# Filler turns share no words with the question; only "married" matches, and it is in the question turn.
SESSION = [
    ("t1", "Cleo", "Morning! The garden looks lovely after all that rain."),
    ("t2", "Dan", "It does, the tomatoes finally turned red."),
    ("t3", "Cleo", "What a wonderful photo of the two of you. How long have you been married?"),
    ("t4", "Dan", "Five years already! Feels like yesterday."),
    ("t5", "Cleo", "Time flies. Did you see the match on Saturday?"),
    ("t6", "Dan", "Only the second half, the traffic was terrible."),
    ("t7", "Cleo", "Shame. Anyway, I have to run to the bakery now."),
]
OTHER = [(f"o{n}", "Dan" if n % 2 else "Cleo", f"Notes on bus timetables and parcel number {n}.") for n in range(12)]
OTHER.append(("wife", "Cleo", "My wife collects old bus tickets."))  # a weaker word match elsewhere


def _vault(vault):  # type: ignore[no-untyped-def]
    records = [chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(SESSION)]
    records += [chat(ext, text, who, at(days=20, minutes=n)) for n, (ext, who, text) in enumerate(OTHER)]
    vault.ingest(records, embed=False)
    consolidate(vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    reader = vault.read()
    return reader, {ext: iid for iid, ext in reader.execute("SELECT id, external_id FROM items WHERE kind = 'message'")}


def test_the_reply_to_a_matching_question_joins_the_top_hits(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    _, ids = _vault(lexical_vault)
    request = SearchRequest("How long has Dan been married to his wife?", k=2, parse_time=False)
    # The graph walk and the speaker focus off in both arms: only the dialogue lift differs.  Dan's name is
    # searched as a word here (it matches his messages' "Dan: ..." text weakly), which puts t4 among the candidates.
    shipped = replace(RecallWeights(), graph=0.0, focus=0.0, strip_speakers=False,
                      context=replace(ContextWeights(), named_speaker=0.0))
    off = replace(shipped, context=ContextWeights(0.0, 0.0, 0.0, 0.0, 0.0))
    without = [h.item_id for h in recall(lexical_vault.retriever(), lexical_vault, request, weights=off).hits]
    with_context = [h.item_id for h in recall(lexical_vault.retriever(), lexical_vault, request, weights=shipped).hits]
    assert without == [ids["t3"], ids["wife"]], "no shared words: without context the answer is not found"
    assert with_context[0] == ids["t3"], "the match stays first: a lift never overtakes what lifted it"
    assert with_context[1] == ids["t4"]


def test_lift_closes_part_of_the_gap_to_the_neighbour_and_follows_the_episode(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    reader, ids = _vault(lexical_vault)
    graph = build_graph(reader)
    weights = ContextWeights(previous=0.5, question=0.0, before_previous=0.0, following=0.0, named_speaker=0.0)
    lifted = lift_by_context(graph, {ids["t3"]: 2.0}, (), weights)
    assert lifted[ids["t3"]] == 2.0
    assert lifted[ids["t4"]] == 1.0  # half the gap to the message before it
    assert ids["t2"] not in lifted and ids["o0"] not in lifted  # before the match, other episode: unchanged
    asking = lift_by_context(graph, {ids["t3"]: 2.0}, (), replace(weights, question=0.25))
    assert asking[ids["t4"]] == 1.5  # t3 asks something: its reply gets more
    said_by_dan = lift_by_context(graph, {ids["t3"]: 2.0, ids["t2"]: 1.0}, {_speaker(reader, "Dan")},
                                  replace(weights, named_speaker=0.25))
    assert said_by_dan[ids["t2"]] == 1.5 and said_by_dan[ids["t3"]] == 2.0  # Dan's, Cleo's
    unchanged = lift_by_context(graph, {ids["t3"]: 2.0}, (), ContextWeights(0.0, 0.0, 0.0, 0.0, 0.0))
    assert unchanged == {ids["t3"]: 2.0}


def _speaker(reader, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(reader.execute(
        "SELECT m.entity_id FROM mem_mentions m JOIN items i ON i.id = m.item_id WHERE m.role = 'speaker'"
        " AND i.speaker = ? LIMIT 1", (name,)).fetchone()[0])
