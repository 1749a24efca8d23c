"""Retrieval that uses memory: the hybrid retriever's hits, re-ranked by a walk over the memory graph.

1. The hybrid retriever (BM25 + vectors) returns a deep candidate list (``first_stage.py``:
   the question without the names of people who speak in the vault, a stated time widened
   by a reporting lag).
2. Seeds: the entities named in the question (alias match, weighted by
   specificity) and the retriever's top hits (HippoRAG 2 seeds passages too).
3. Personalized PageRank over the graph of the memories in scope (the
   request's filters), whose edges are mentions, relations, episode
   neighbourhood and summary links — so a memory that shares entities or an
   episode with several strong hits rises (multi-hop), and episode summaries
   pass their weight to the memories they summarise.
4. Weighted reciprocal-rank fusion of the retriever's ranking and the walk's.
5. Dialogue context (``context.py``): each memory's score moves towards its
   episode neighbours' — the reply after a matching question rises.
6. Meaning in context (``meaning.py``): each candidate gains its own and its neighbours'
   cosine to the question, which rank fusion had reduced to an order.
7. Meaning of the passage (``window.py``): the best candidates gain the question's cosine to the
   window of dialogue around them (their stored vectors summed), when the caller gives ``vectors``.
8. The named person's own words (``person.py``): for a vague question about someone, the memories
   that person said are ranked by their own cosine and fused into the order (``vectors`` too).

Summary items take part in the walk but are returned only when the request
asks for kind "summary".  Threads: any thread (uses the store's reader for this thread).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core.memory.recall.context import ContextWeights, lift_by_context
from core.memory.recall.first_stage import FirstStage, first_stage
from core.memory.recall.graph import (
    GraphWeights,
    MemoryGraph,
    build_graph,
    item_ranking,
    personalized_pagerank,
    query_entities,
)
from core.memory.recall.meaning import lift_by_meaning
from core.memory.recall.person import lift_by_person
from core.memory.recall.window import WindowVectors, lift_by_window
from core.ports import Reader, Retriever
from core.retrieve.hybrid import build_filter
from core.retrieve.types import Hit, SearchRequest, SearchResult

DEFAULT_GRAPH_WEIGHTS = GraphWeights(terms=1.0)
DEFAULT_CONTEXT = ContextWeights()


@dataclass(frozen=True, slots=True)
class RecallWeights:
    """Tuned on LoCoMo-dev (``bench/memory.py``)."""

    base: float = 1.0
    graph: float = 0.6
    rrf_k: float = 60.0
    pool: int = 100
    seed_hits: int = 5
    hit_seed: float = 1.0
    entity_seed: float = 0.5
    term_seed: float = 0.5
    max_graph_items: int = 20_000  # larger scopes walk a per-question neighbourhood instead
    focus: float = 0.5  # > 0: memories said by a person the question names get an extra ranking
    # Words and meaning search the question without the names of people who speak in the vault
    # (``speakers.py``): who said a memory is matched by ``focus``, the context lift and the graph.
    strip_speakers: bool = True
    # A time the question states is widened by a reporting lag (``first_stage.py``).
    report_lag: float = 1.0
    report_share: float = 0.7
    # Meaning in context (``meaning.py``): the search's cosine of a memory and of its episode neighbours.
    meaning: float = 0.2
    meaning_neighbours: float = 0.5
    meaning_keeps_top: bool = True  # as the dialogue lift: R@1 0.396 -> 0.421 on LoCoMo-dev, R@10 the same
    # Meaning of the passage (``window.py``): the ``window_depth`` best candidates gain the question's cosine
    # to the sum of their and ±``window_span`` neighbours' stored vectors.
    window: float = 0.2
    window_span: int = 2
    window_depth: int = 20
    # The named person's own words by meaning (``person.py``): the ``person_depth`` best candidates the
    # question's person said, ranked by cosine, fused by rank with weight ``person`` × the question's vagueness
    # (how far the top ten's best cosine is below ``person_ceiling``).
    person: float = 2.0
    person_ceiling: float = 0.6
    person_depth: int = 50
    damping: float = 0.7
    graph_weights: GraphWeights = DEFAULT_GRAPH_WEIGHTS
    context: ContextWeights = DEFAULT_CONTEXT


class GraphCache:
    """One built graph per filter, rebuilt when the database changed (``PRAGMA data_version``)."""

    def __init__(self, capacity: int = 8) -> None:
        self._lock = threading.Lock()
        self._graphs: dict[tuple[Any, ...], tuple[int, MemoryGraph]] = {}
        self._capacity = capacity

    def get(self, conn: Any, where: str, params: Sequence[Any], weights: GraphWeights) -> MemoryGraph:
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        key = (where, tuple(params), weights)
        with self._lock:
            cached = self._graphs.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
        graph = build_graph(conn, item_where=where, params=params, weights=weights)
        with self._lock:
            if len(self._graphs) >= self._capacity:
                self._graphs.pop(next(iter(self._graphs)))
            self._graphs[key] = (version, graph)
        return graph


def recall(
    retriever: Retriever, store: Reader, request: SearchRequest, *, weights: RecallWeights = RecallWeights(),
    now: datetime | None = None, cache: GraphCache | None = None, vectors: WindowVectors | None = None,
) -> SearchResult:
    """Search with the memory graph; same contract as ``Vault.search``.

    ``vectors``: the question's and memories' stored vectors for the window lift (none: no window lift).
    """
    reader = store.read()
    stage = FirstStage(weights.pool, weights.strip_speakers, weights.report_lag, weights.report_share)
    base, words = first_stage(retriever, reader, request, stage, now)  # words: also the window lift's question
    named = query_entities(reader, base.query_text or request.query)
    where, params = build_filter(request, base.applied_range)
    scope_count = reader.execute(
        "SELECT count(*) FROM items i" + (f" WHERE {where}" if where else ""), params
    ).fetchone()[0]
    if scope_count > weights.max_graph_items:
        # A whole vault is too big to walk per question: walk the neighbourhood of the hits
        # (their episodes) and of the named entities (their most recent memories).
        ids = _neighbourhood(reader, [int(h.item_id) for h in base.hits], list(named))
        graph = build_graph(reader, item_where=f"i.id IN ({','.join(map(str, ids))})" if ids else "0",
                            weights=weights.graph_weights)
    else:
        graph = (cache or GraphCache()).get(reader, where, params, weights.graph_weights)
    want_summaries = "summary" in request.kinds
    if graph.size == 0:
        return replace(base, hits=_keep(base.hits, want_summaries)[: request.k])
    seeds: dict[int, float] = {}
    for entity_id, w in named.items():
        node = graph.entity_index.get(entity_id)
        if node is not None:
            seeds[node] = seeds.get(node, 0.0) + weights.entity_seed * w
    if graph.term_index:
        from core.memory.recall.graph import keyword_stems

        for term in set(keyword_stems(base.query_text or request.query)):
            node = graph.term_index.get(term)
            if node is not None:
                seeds[node] = seeds.get(node, 0.0) + weights.term_seed / math.log(1.0 + graph.term_df[term])
    for rank, hit in enumerate(base.hits[: weights.seed_hits]):
        node = graph.item_index.get(int(hit.item_id))
        if node is not None:
            seeds[node] = seeds.get(node, 0.0) + weights.hit_seed / (rank + 1)
    if not seeds:
        return replace(base, hits=_keep(base.hits, want_summaries)[: request.k])
    scores = personalized_pagerank(graph, seeds, damping=weights.damping)
    walk = item_ranking(graph, scores, weights.pool)
    fused: dict[int, float] = {}
    for rank, hit in enumerate(base.hits):
        fused[int(hit.item_id)] = fused.get(int(hit.item_id), 0.0) + weights.base / (weights.rrf_k + rank + 1)
    for rank, (item_id, _) in enumerate(walk):
        fused[item_id] = fused.get(item_id, 0.0) + weights.graph / (weights.rrf_k + rank + 1)
    if weights.focus > 0 and named:
        focused = [int(h.item_id) for h in base.hits if graph.speaker_of.get(int(h.item_id)) in named]
        for rank, item_id in enumerate(focused):
            fused[item_id] = fused.get(item_id, 0.0) + weights.focus / (weights.rrf_k + rank + 1)
    fused = lift_by_context(graph, fused, named, weights.context)
    if weights.meaning > 0:
        cosines = {int(h.item_id): h.signals["cosine"] for h in base.hits if "cosine" in h.signals}
        fused = lift_by_meaning(graph, fused, cosines, weights.meaning, weights.meaning_neighbours,
                                weights.meaning_keeps_top)
    question = vectors.query(words) if vectors is not None and (weights.window > 0 or weights.person > 0) else None
    if question is not None and vectors is not None:
        fused = lift_by_window(graph, fused, question, vectors, weights.window, weights.window_span,
                               weights.window_depth)
        fused = lift_by_person(graph, fused, named, question, vectors, weights.person, weights.person_ceiling,
                               weights.person_depth)
    by_item = {int(h.item_id): h for h in base.hits}
    ranked = sorted(fused.items(), key=lambda kv: -kv[1])
    missing = [iid for iid, _ in ranked[: request.k * 4] if iid not in by_item]
    by_item.update(_hits_for(reader, missing))
    hits: list[Hit] = []
    for item_id, score in ranked:
        hit = by_item.get(item_id)
        if hit is None or (hit.kind == "summary" and not want_summaries):
            continue
        signals = dict(hit.signals)
        signals["graph"] = float(scores[graph.item_index[item_id]]) if item_id in graph.item_index else 0.0
        hits.append(replace(hit, score=score, signals=signals))
        if len(hits) >= request.k:
            break
    diagnostics = (*base.diagnostics, f"memory graph: {len(graph.entity_ids)} entities, {len(seeds)} seeds")
    return replace(base, hits=hits, diagnostics=diagnostics)


def _neighbourhood(reader: Any, hit_ids: Sequence[int], entity_ids: Sequence[int], per_entity: int = 300) -> list[int]:
    ids: set[int] = set(hit_ids)
    for start in range(0, len(hit_ids), 500):
        part = list(hit_ids[start : start + 500])
        if not part:
            continue
        ids.update(int(r[0]) for r in reader.execute(
            "SELECT x.item_id FROM mem_episode_items x WHERE x.episode_id IN (SELECT episode_id FROM"
            f" mem_episode_items WHERE item_id IN ({','.join('?' * len(part))}))", part,
        ))
    for entity_id in entity_ids:
        ids.update(int(r[0]) for r in reader.execute(
            "SELECT item_id FROM mem_mentions WHERE entity_id = ? ORDER BY ts DESC LIMIT ?", (entity_id, per_entity),
        ))
    return sorted(ids)


def _keep(hits: Sequence[Hit], want_summaries: bool) -> list[Hit]:
    return [h for h in hits if want_summaries or h.kind != "summary"]


def _hits_for(reader: Any, item_ids: Sequence[int]) -> dict[int, Hit]:
    """Hits for memories the walk found but the retriever did not (first chunk of each)."""
    from core.retrieve.hit_rows import HIT_COLUMNS, hit_from_row

    out: dict[int, Hit] = {}
    if not item_ids:
        return out
    rows = reader.execute(
        f"SELECT {HIT_COLUMNS} FROM chunks c JOIN items i ON i.id = c.item_id"
        f" WHERE c.item_id IN ({','.join('?' * len(item_ids))}) ORDER BY c.item_id, c.ordinal",
        list(item_ids),
    ).fetchall()
    for r in rows:
        if int(r[1]) not in out:
            out[int(r[1])] = hit_from_row(r)
    return out
