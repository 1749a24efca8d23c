"""Dialogue context: a memory said right after a strong match is lifted towards it (the reply holds the answer).

In a conversation the words of a question often match one message while the
answer is the reply ("How long have you been married?" → "5 years already!"),
or the same speaker's next message after the other's reaction.  So each
memory's score moves towards its neighbours' in its episode: the message just
before it (more so when that one asks something), the one before that (the
same speaker, in a two-person chat), and the one after it.  A lift only closes
part of the gap to the neighbour's score (``s + w·max(0, s_neighbour − s)``),
so a memory never overtakes the match that lifted it and the top hit stays.
Memories said by a person the question names get a small bonus too: questions
about someone are answered by what that person says.

No names, topics or phrases: only the order of an episode, who speaks and "?".
Pure over a built ``MemoryGraph``; thread-safe.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from core.memory.recall.graph import MemoryGraph


@dataclass(frozen=True, slots=True)
class ContextWeights:
    """Chosen leave-one-conversation-out on LoCoMo-dev (``python -m bench.locomo --grid``)."""

    previous: float = 0.4  # the message just before
    question: float = 0.4  # extra when the message just before asks something
    before_previous: float = 0.4  # two before: the same speaker's previous message in a two-person chat
    following: float = 0.0  # the message just after
    named_speaker: float = 0.1  # said by a person the question names (share of the best score)

    @property
    def active(self) -> bool:
        return any(w > 0 for w in (self.previous, self.question, self.before_previous, self.following,
                                   self.named_speaker))


def lift_by_context(graph: MemoryGraph, scores: Mapping[int, float], named: Collection[int],
                    weights: ContextWeights) -> dict[int, float]:
    """``scores`` (item id → fused score) moved towards the scores of each memory's neighbours.

    Memories outside the graph keep their score; memories the ranking missed
    but sitting next to a strong one join with a lifted score.
    """
    best = max(scores.values(), default=0.0)
    if not weights.active or best <= 0 or graph.previous is None or not graph.item_ids:
        return dict(scores)
    s = np.zeros(len(graph.item_ids))
    for item_id, score in scores.items():
        node = graph.item_index.get(item_id)
        if node is not None:
            s[node] = max(score, 0.0) / best

    def around(link: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.where(link >= 0, values[np.maximum(link, 0)], 0.0)

    before = around(graph.previous, s)
    two_before = np.where(graph.previous >= 0, around(graph.previous[np.maximum(graph.previous, 0)], s), 0.0)
    asked = around(graph.previous, s * graph.asks)
    after = around(graph.following, s)
    lifted = (s + weights.previous * np.maximum(0.0, before - s) + weights.question * np.maximum(0.0, asked - s)
              + weights.before_previous * np.maximum(0.0, two_before - s)
              + weights.following * np.maximum(0.0, after - s))
    if weights.named_speaker > 0 and named:
        spoken = np.fromiter((graph.speaker_of.get(item_id) in named for item_id in graph.item_ids), dtype=bool,
                             count=len(graph.item_ids))
        lifted = lifted + weights.named_speaker * (spoken & (lifted > 0))
    out = {item_id: score for item_id, score in scores.items() if item_id not in graph.item_index}
    for node in np.flatnonzero(lifted > 0):
        out[graph.item_ids[int(node)]] = float(lifted[node]) * best
    return out
