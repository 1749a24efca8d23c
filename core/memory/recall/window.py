"""Meaning of the passage: a memory's closeness to the question, read as one window of the dialogue around it.

A message alone often means little ("Yes, every weekend since May!"), and
the meaning lift (``meaning.py``) adds its neighbours' cosines one by one, only
for neighbours the vector search happened to return.  Here the few best
candidates are read as passages: the normalised sum of the vectors of the
memory and the ``span`` messages on either side of it in its episode (the
stored vectors, no new embedding), and the question's cosine to that window
is added to the score: ``s + weight · best · max(0, cos(question, window))``.
With ``keep_top`` the best match stays first, as with the other lifts: the
window reorders what follows it (without it R@1 fell 0.421 → 0.383 on
LoCoMo-dev, R@10 the same).
Only the ``depth`` best candidates are read, so the work is bounded (one SQL
look-up of at most ``depth · (2·span + 1)`` vectors) whatever the vault's size.

On LoCoMo-dev (``python -m bench.locomo --grid``: chosen leave-one-conversation-out)
weight 0.2 over ±2 messages moved R@10 0.829 → 0.837; see the notes of issue #15.

No names, topics or phrases: only the episode order and the stored vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from core.memory.recall.graph import MemoryGraph


class WindowVectors(Protocol):
    """The question's vector and memories' stored vectors (unit length), for the window lift."""

    def query(self, text: str) -> np.ndarray | None: ...

    def items(self, item_ids: Sequence[int]) -> dict[int, np.ndarray]: ...


class StoredVectors:
    """``WindowVectors`` over a vault's reader: each memory's first chunk's stored vector; the question's
    through the vault's query-vector cache (the first stage embedded the same words already)."""

    def __init__(self, reader: Callable[[], Any], embedder: Any | None, queries: Any) -> None:
        self._reader = reader
        self._embedder = embedder
        self._queries = queries  # core.index.query_cache.QueryVectors

    def query(self, text: str) -> np.ndarray | None:
        if self._embedder is None:
            return None
        vector = np.asarray(self._queries.get(self._embedder.model_id, text, self._embedder.embed_query),
                            dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def items(self, item_ids: Sequence[int]) -> dict[int, np.ndarray]:
        from core.index.vector_rows import first_chunk_vectors

        if self._embedder is None:
            return {}
        found, vectors = first_chunk_vectors(self._reader(), self._embedder.model_id, self._embedder.dim,
                                             sorted({int(i) for i in item_ids}))
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return dict(zip((int(i) for i in found), vectors / norms, strict=True))


def window_nodes(graph: MemoryGraph, node: int, span: int) -> list[int]:
    """The node and up to ``span`` turns before and after it in its episode."""
    out = [node]
    for link in (graph.previous, graph.following):
        at = node
        for _ in range(span):
            at = int(link[at])
            if at < 0:
                break
            out.append(at)
    return out


def lift_by_window(graph: MemoryGraph, scores: Mapping[int, float], question: np.ndarray, vectors: WindowVectors,
                   weight: float, span: int, depth: int, keep_top: bool = True) -> dict[int, float]:
    """``scores`` (item id → fused score) with the window term added to the ``depth`` best memories."""
    best = max(scores.values(), default=0.0)
    if weight <= 0 or best <= 0 or depth <= 0 or graph.previous is None:
        return dict(scores)
    top = [i for i in sorted(scores, key=lambda i: -scores[i]) if i in graph.item_index][:depth]
    windows = {i: [graph.item_ids[n] for n in window_nodes(graph, graph.item_index[i], span)] for i in top}
    stored = vectors.items([m for members in windows.values() for m in members])
    out = dict(scores)
    for item_id, members in windows.items():
        present = [stored[m] for m in members if m in stored]
        if not present:
            continue
        window = np.sum(present, axis=0)
        norm = float(np.linalg.norm(window))
        if norm > 0:
            out[item_id] = scores[item_id] + weight * best * max(0.0, float(window @ question) / norm)
    if keep_top:
        first = max(scores, key=lambda i: scores[i])
        out[first] = max(out.values()) + 1e-9 * best
    return out
