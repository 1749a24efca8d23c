"""A measured lever that did not carry over: reranking recall's top 50 with cross features learned on folds.

Kept in bench (not shipped) so the figure can be re-measured: on LoCoMo-dev
the weights fitted on two conversations and scored on the third move R@10
from 0.758 to 0.752–0.764 (noise), in-sample 0.773 — see
``python -m bench.locomo --rerank`` and the notes of issue #15.

No new model weights: a logistic regression over a handful of features that
say *why* a memory fits a question, whatever the conversation is about:

* ``score``/``inv_rank``: what hybrid retrieval and the graph walk thought;
* ``bm25``, ``cosine``, ``graph``: the separate signals, normalised per question;
* ``terms``: share of the question's content-word stems in the memory;
* ``speaker_named``: the memory was said by someone the question names;
* ``session``: how strongly the memory's episode (chat session) matches as a
  whole (two stages: find the session, then the turn);
* ``neighbour``: the memory sits right next to a strong candidate, so it
  joins the candidates even when retrieval missed it; ``reply``: it comes
  right *after* one (an answer is often the reply to the matching question);
* ``asks``: the memory is itself a question (it matches the words but
  rarely holds the answer); ``length``: how much it says.

The features name no person, topic or phrase.  Pure given a reader.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.memory.recall.graph import keyword_stems

FEATURES = ("score", "inv_rank", "bm25", "cosine", "graph", "terms", "speaker_named", "session", "neighbour",
            "reply", "asks", "length")


@dataclass(frozen=True, slots=True)
class RerankModel:
    """Standardise (``mean``, ``scale``), then ``bias + weights · x``; higher ranks first."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    depth: int = 50
    seeds: int = 5

    def score(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias

    def to_json(self) -> str:
        return json.dumps({"features": FEATURES, "weights": self.weights, "bias": self.bias, "mean": self.mean,
                           "scale": self.scale, "depth": self.depth, "seeds": self.seeds}, indent=1)


def load_model(text: str) -> RerankModel | None:
    """Weights saved by ``to_json``; ``None`` when unreadable or made for other features."""
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if tuple(raw.get("features", ())) != FEATURES:
        return None
    return RerankModel(weights=tuple(raw["weights"]), bias=float(raw["bias"]), mean=tuple(raw["mean"]),
                       scale=tuple(raw["scale"]), depth=int(raw.get("depth", 50)), seeds=int(raw.get("seeds", 5)))


@dataclass(frozen=True, slots=True)
class Candidate:
    item_id: int
    text: str
    score: float
    signals: Mapping[str, float]


def candidate_features(
    reader: Any, candidates: Sequence[Candidate], question: str, named: Mapping[int, float], seeds: int = 5,
) -> tuple[list[int], np.ndarray]:
    """The feature matrix for ``candidates`` (best first) plus the neighbours of the top ``seeds``.

    Returns the item ids in row order (candidates, then added neighbours) and the matrix.
    """
    ids = [c.item_id for c in candidates]
    episode_of = _episodes(reader, ids)

    best = max((c.score for c in candidates), default=1.0) or 1.0
    norm = {c.item_id: c.score / best for c in candidates}
    order = _episode_order(reader, {episode_of[i] for i in ids[:seeds] if i in episode_of})
    lifted: dict[int, float] = defaultdict(float)
    replies: dict[int, float] = defaultdict(float)
    for item in ids[:seeds]:
        sequence = order.get(episode_of.get(item, -1), [])
        if item in sequence:
            at = sequence.index(item)
            for other in (sequence[at - 1] if at else None, sequence[at + 1] if at + 1 < len(sequence) else None):
                if other is not None and other != item:
                    lifted[other] = max(lifted[other], norm[item])
            if at + 1 < len(sequence):
                replies[sequence[at + 1]] = max(replies[sequence[at + 1]], norm[item])
    extra = [i for i in lifted if i not in norm]
    extra_text = _texts(reader, extra)
    everyone = list(candidates) + [Candidate(i, extra_text[i], 0.0, {}) for i in extra if i in extra_text]
    episode_of.update(_episodes(reader, [c.item_id for c in everyone[len(candidates):]]))
    speaker_of = _speakers(reader, [c.item_id for c in everyone])
    members: dict[int, list[float]] = defaultdict(list)
    for c in candidates:
        if c.item_id in episode_of:
            members[episode_of[c.item_id]].append(norm[c.item_id])
    session = {ep: sum(sorted(v, reverse=True)[:3]) for ep, v in members.items()}
    top_session = max(session.values(), default=0.0) or 1.0
    stems = set(keyword_stems(question))
    maxima = {key: max((float(c.signals.get(key, 0.0)) for c in candidates), default=0.0) or 1.0
              for key in ("bm25", "cosine", "graph")}
    rows = []
    for rank, c in enumerate(everyone):
        in_candidates = rank < len(candidates)
        text_stems = set(keyword_stems(c.text)) if stems else set()
        rows.append([
            norm.get(c.item_id, 0.0),
            1.0 / (1 + rank) if in_candidates else 0.0,
            float(c.signals.get("bm25", 0.0)) / maxima["bm25"],
            float(c.signals.get("cosine", 0.0)) / maxima["cosine"],
            float(c.signals.get("graph", 0.0)) / maxima["graph"],
            len(stems & text_stems) / len(stems) if stems else 0.0,
            1.0 if speaker_of.get(c.item_id) in named else 0.0,
            session.get(episode_of.get(c.item_id, -1), 0.0) / top_session,
            lifted.get(c.item_id, 0.0),
            replies.get(c.item_id, 0.0),
            1.0 if c.text.rstrip().endswith("?") else 0.0,
            min(1.0, math.log1p(len(c.text.split())) / math.log(100)),
        ])
    return [c.item_id for c in everyone], np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50, depth: int = 50, seeds: int = 5
        ) -> RerankModel:
    """Logistic regression by Newton's method on standardised features (L2 on the weights)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    ridge = np.eye(z.shape[1]) * l2
    ridge[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + ridge @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return RerankModel(weights=tuple(float(v) for v in w[:-1]), bias=float(w[-1]),
                       mean=tuple(float(v) for v in mean), scale=tuple(float(v) for v in scale),
                       depth=depth, seeds=seeds)


def _episodes(reader: Any, item_ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for start in range(0, len(item_ids), 900):
        part = list(item_ids[start : start + 900])
        if part:
            out.update((int(r[0]), int(r[1])) for r in reader.execute(
                "SELECT item_id, episode_id FROM mem_episode_items"
                f" WHERE item_id IN ({','.join('?' * len(part))})", part))
    return out


def _episode_order(reader: Any, episode_ids: set[int]) -> dict[int, list[int]]:
    """Each episode's items in time order (ties by id: a chat session often shares one timestamp)."""
    order: dict[int, list[int]] = defaultdict(list)
    ids = sorted(episode_ids)
    if ids:
        for r in reader.execute(
            "SELECT x.episode_id, i.id FROM mem_episode_items x JOIN items i ON i.id = x.item_id"
            f" WHERE x.episode_id IN ({','.join('?' * len(ids))}) AND i.kind != 'summary' ORDER BY i.ts, i.id", ids,
        ):
            order[int(r[0])].append(int(r[1]))
    return order


def _texts(reader: Any, item_ids: Sequence[int]) -> dict[int, str]:
    """Text of items that retrieval did not return."""
    if not item_ids:
        return {}
    rows = reader.execute(f"SELECT id, text FROM items WHERE id IN ({','.join('?' * len(item_ids))})", list(item_ids))
    return {int(r[0]): r[1] or "" for r in rows}


def _speakers(reader: Any, item_ids: Sequence[int]) -> dict[int, int]:
    """Item id → the entity who said or wrote it (the memory graph's speaker mentions)."""
    out: dict[int, int] = {}
    for start in range(0, len(item_ids), 900):
        part = list(item_ids[start : start + 900])
        if part:
            out.update((int(r[0]), int(r[1])) for r in reader.execute(
                "SELECT item_id, entity_id FROM mem_mentions WHERE role = 'speaker'"
                f" AND item_id IN ({','.join('?' * len(part))})", part))
    return out
