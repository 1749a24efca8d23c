"""The named person's own words, by meaning: a question about someone, decomposed into the person and the rest.

"What activities does Melanie partake in?" is answered by several things
Melanie said in different conversations ("I just signed up for a pottery
class", "we went camping with my fam"), each matching only a piece of the
question.  The fused ranking favours the one episode that matches it best and
fills the top ten from there.  Here the ``depth`` best candidates that the
person the question names said themselves are ranked again by their own
cosine to the question (the words without the name: the person is matched by
who said it), and that ranking is fused into the order by reciprocal rank
(``1 / (k + rank)``), weighted by how vague the question is: ``weight ·
max(0, ceiling − c) / ceiling`` with ``c`` the best cosine among the top ten.
A question one memory answers well (a high cosine) keeps its order; a
vague or list question brings the person's other matching memories up.
With ``keep_top`` the best match stays first, as with the other lifts.

Only the order changes: the scores are the same values, handed out in the new
order, so thresholds downstream read the same scale.

No names, topics or phrases: who said a memory comes from the memory graph
(``MemoryGraph.speaker_of``), the persons from the question's entities.
Bounded work: one look-up of at most ``depth`` stored vectors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from core.memory.recall.graph import MemoryGraph
from core.memory.recall.window import WindowVectors

TOP = 10  # the vagueness gate reads the best cosine among the top ten


def lift_by_person(graph: MemoryGraph, scores: Mapping[int, float], persons: Collection[int], question: np.ndarray,
                   vectors: WindowVectors, weight: float, ceiling: float, depth: int, k: float = 10.0,
                   keep_top: bool = True) -> dict[int, float]:
    """``scores`` (item id → fused score) reordered with the persons' own memories ranked by meaning."""
    if weight <= 0 or ceiling <= 0 or depth <= 0 or not persons or not scores:
        return dict(scores)
    order = sorted(scores, key=lambda i: -scores[i])
    top = order[:depth]
    stored = vectors.items(top)
    cosines = {i: float(stored[i] @ question) for i in top if i in stored}
    best = max((cosines.get(i, 0.0) for i in order[:TOP]), default=0.0)
    gate = weight * max(0.0, ceiling - best) / ceiling
    said = sorted((i for i in cosines if graph.speaker_of.get(i) in persons), key=lambda i: -cosines[i])
    if gate <= 0 or not said:
        return dict(scores)
    fused = {i: 1.0 / (k + rank + 1) for rank, i in enumerate(order)}
    for rank, item_id in enumerate(said):
        fused[item_id] += gate / (k + rank + 1)
    reordered = sorted(order, key=lambda i: -fused[i])
    if keep_top:
        reordered.remove(order[0])
        reordered.insert(0, order[0])
    return dict(zip(reordered, (scores[i] for i in order), strict=True))
