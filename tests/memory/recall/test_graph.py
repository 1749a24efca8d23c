"""The graph walk finds the memory that bridges a question's entity to its answer (multi-hop)."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.recall.graph import build_graph, item_ranking, personalized_pagerank, query_entities
from core.memory.recall.recall import recall
from core.retrieve.types import SearchRequest
from tests.memory.helpers import at, doc

NOTES = [
    ("a", "Lukas Meyer joined Project Falcon last spring as the lead for payments."),
    ("b", "Project Falcon is run out of the Zurich site, second floor, next to the cafeteria."),
    ("c", "The Zurich weather was lovely during the marathon weekend."),
    ("d", "Grocery list: oat milk, lentils, basil, lemons."),
    ("e", "Dentist appointment moved to the Tuesday after next."),
    ("f", "Read an article about the history of Swiss railways and their timetables."),
    ("g", "Quarterly report draft is due before the board meeting."),
]
QUESTION = "Where does Lukas Meyer work from?"


def _vault_with_notes(vault):
    vault.ingest([doc(f"/notes/{k}.txt", text, at(days=3 * n)) for n, (k, text) in enumerate(NOTES)], embed=False)
    consolidate(vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    conn = vault.read()
    ids = {r[1].rsplit("/", 1)[-1][0]: r[0] for r in conn.execute("SELECT id, external_id FROM items")}
    return conn, ids


def test_personalized_pagerank_ranks_the_bridge_above_distractors(lexical_vault) -> None:
    conn, ids = _vault_with_notes(lexical_vault)
    graph = build_graph(conn)
    named = query_entities(conn, QUESTION)
    assert named, "the question's person must be recognised"
    seeds = {graph.entity_index[e]: w for e, w in named.items()}
    ranking = [item for item, _ in item_ranking(graph, personalized_pagerank(graph, seeds), 7)]
    assert ranking[:2] == [ids["a"], ids["b"]]  # the mention, then the bridge via Project Falcon
    assert ranking.index(ids["b"]) < ranking.index(ids["c"]) if ids["c"] in ranking else True
    for unrelated in ("d", "e", "f", "g"):
        assert ids[unrelated] not in ranking


def test_recall_brings_the_bridge_into_the_top_hits(lexical_vault) -> None:
    vault = lexical_vault
    _, ids = _vault_with_notes(vault)
    request = SearchRequest(QUESTION, k=3, parse_time=False)
    plain = [h.item_id for h in vault.retriever().search(request).hits]
    with_memory = [h.item_id for h in recall(vault.retriever(), vault, request).hits]
    assert ids["b"] not in plain  # no shared words: lexical search cannot find it
    assert with_memory[0] == ids["a"] and ids["b"] in with_memory
    # After consolidation the vault's own search is the memory-aware one.
    assert [h.item_id for h in vault.search(request).hits] == with_memory
