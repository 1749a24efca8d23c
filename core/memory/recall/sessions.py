"""Two-stage recall: find the right episodes (chat sessions) first, then rank the memories inside them.

The right session is found far more often than the right turn (on LoCoMo the
session is in the top 10 for ~0.9 of questions, the turn for ~0.7): the
turns of one session share a topic, so several moderately matching turns
point at it even when the answer turn itself matches only weakly.  So:

1. each episode scores the sum of its ``top`` best candidate scores;
2. every candidate gains ``session`` × its episode's score (normalised);
3. the neighbours (±``span`` in the episode's order) of the strongest
   candidates gain ``neighbour`` × that candidate's score — an answer is
   often the reply right after the matching question.

Weights are chosen on LoCoMo-dev folds (``bench.locomo``), never by hand.
Pure given a reader; any thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionWeights:
    session: float = 0.0
    neighbour: float = 0.0
    top: int = 3  # candidates per episode that count towards its score
    seeds: int = 10  # strongest candidates whose neighbours are lifted
    span: int = 1

    @property
    def active(self) -> bool:
        return self.session > 0 or self.neighbour > 0


def two_stage(reader: Any, fused: Mapping[int, float], weights: SessionWeights) -> dict[int, float]:
    """``fused`` (item id → score, higher is better) re-scored by episode and neighbourhood."""
    if not fused or not weights.active:
        return dict(fused)
    best = max(fused.values()) or 1.0
    score = {item: value / best for item, value in fused.items()}
    episode_of = _episodes(reader, list(score))
    out = dict(score)
    if weights.session > 0:
        members: dict[int, list[float]] = defaultdict(list)
        for item, value in score.items():
            if item in episode_of:
                members[episode_of[item]].append(value)
        totals = {ep: sum(sorted(values, reverse=True)[: weights.top]) for ep, values in members.items()}
        top_total = max(totals.values(), default=0.0) or 1.0
        for item in score:
            episode = episode_of.get(item)
            if episode is not None:
                out[item] += weights.session * totals[episode] / top_total
    if weights.neighbour > 0:
        seeds = sorted(score.items(), key=lambda kv: -kv[1])[: weights.seeds]
        order = _episode_order(reader, {episode_of[i] for i, _ in seeds if i in episode_of})
        for item, value in seeds:
            episode = episode_of.get(item)
            if episode is None:
                continue
            sequence = order[episode]
            at = sequence.index(item)
            for other in sequence[max(0, at - weights.span): at + weights.span + 1]:
                if other != item:
                    out[other] = out.get(other, 0.0) + weights.neighbour * value
    return out


def _episodes(reader: Any, item_ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for start in range(0, len(item_ids), 900):
        part = list(item_ids[start : start + 900])
        out.update((int(r[0]), int(r[1])) for r in reader.execute(
            f"SELECT item_id, episode_id FROM mem_episode_items WHERE item_id IN ({','.join('?' * len(part))})", part))
    return out


def _episode_order(reader: Any, episode_ids: set[int]) -> dict[int, list[int]]:
    """Each episode's items in time order (ties by id: one chat session often shares one timestamp)."""
    order: dict[int, list[int]] = defaultdict(list)
    if not episode_ids:
        return order
    ids = sorted(episode_ids)
    for r in reader.execute(
        "SELECT x.episode_id, i.id FROM mem_episode_items x JOIN items i ON i.id = x.item_id"
        f" WHERE x.episode_id IN ({','.join('?' * len(ids))}) AND i.kind != 'summary' ORDER BY i.ts, i.id", ids,
    ):
        order[int(r[0])].append(int(r[1]))
    return order
