"""Meaning in context: a memory's closeness to the question, read with the messages on either side of it.

Rank fusion keeps only the order of the vector search; how close a memory's
meaning is to the question is lost, and a short reply ("Yes, every weekend
since May!") means little alone.  So each candidate's fused score gains
``weight · (cos(memory) + neighbours · mean cos(the messages before and after it in its episode))``,
with the fused scores scaled to the best one.  Cosines come from the vector
search already run for the question (a neighbour it did not return counts 0),
so the work is bounded by the candidates, whatever the size of the vault.
With ``keep_top`` the fusion's best match stays first, as with the dialogue
lift: the lift reorders what follows it (on LoCoMo-dev it moved R@1 from
0.396 back to 0.421, with R@10 unchanged).

No names, topics or phrases: only the episode order and the search's cosines.
Pure over a built ``MemoryGraph``; thread-safe.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.memory.recall.graph import MemoryGraph


def lift_by_meaning(graph: MemoryGraph, scores: Mapping[int, float], cosines: Mapping[int, float],
                    weight: float, neighbours: float, keep_top: bool = False) -> dict[int, float]:
    """``scores`` (item id → fused score) plus the meaning term above, in units of the best score."""
    best = max(scores.values(), default=0.0)
    if weight <= 0 or best <= 0 or not cosines:
        return dict(scores)
    out: dict[int, float] = {}
    for item_id, score in scores.items():
        closeness = cosines.get(item_id, 0.0)
        node = graph.item_index.get(item_id)
        if node is not None and neighbours > 0 and graph.previous is not None:
            around = [graph.item_ids[int(n)] for n in (graph.previous[node], graph.following[node]) if n >= 0]
            if around:
                closeness += neighbours * sum(cosines.get(i, 0.0) for i in around) / len(around)
        out[item_id] = score + weight * closeness * best
    if keep_top:  # the fusion's best match stays first: the lift reorders what follows it
        first = max(scores, key=lambda i: scores[i])
        out[first] = max(out.values()) + 1e-9 * best
    return out
