"""Force-directed layout for the graph view (Fruchterman–Reingold in numpy; deterministic).

Pure: node count and weighted edges in, positions in the unit square out.
~150 nodes take a few milliseconds per iteration; call from a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# How far out, relative to the farthest connected dot, a dot without edges may sit.
LONER_REACH = 1.15


def spring_layout(
    count: int, edges: Sequence[tuple[int, int, float]], *, iterations: int = 150, seed: int = 7,
    sizes: Sequence[float] | None = None,
) -> np.ndarray:
    """``(count, 2)`` positions in [0, 1]; heavier edges pull harder, bigger nodes sit nearer the centre."""
    if count == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((count, 2))
    if count == 1:
        return np.full((1, 2), 0.5)
    k = 1.0 / np.sqrt(count)
    weight = np.zeros((count, count))
    for a, b, w in edges:
        if a != b and 0 <= a < count and 0 <= b < count:
            weight[a, b] += w
            weight[b, a] += w
    if weight.max() > 0:
        weight = np.log1p(weight) / np.log1p(weight.max())
    gravity = np.asarray(sizes, dtype=float) if sizes is not None else np.zeros(count)
    temperature = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        np.fill_diagonal(dist, 1.0)
        dist = np.maximum(dist, 1e-3)
        repulse = (k * k / dist**2)[:, :, None] * delta
        attract = (weight * dist / k)[:, :, None] * delta
        force = repulse.sum(axis=1) - attract.sum(axis=1)
        force += (0.5 - pos) * (0.05 + 0.1 * gravity[:, None])
        length = np.maximum(np.linalg.norm(force, axis=1), 1e-9)
        pos += force / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.97
    _keep_loners_near(pos, weight.sum(axis=1) > 0)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    return (pos - lo) / span


def _keep_loners_near(pos: np.ndarray, connected: np.ndarray) -> None:
    """Pull dots without any edge in to just outside the connected cluster, in place.

    Only repulsion acts on a dot with no edges, so it drifts far off; once the layout is scaled to the unit
    square, that one dot would squeeze every connected dot into a corner of the view."""
    if connected.all() or not connected.any():
        return
    centre = pos[connected].mean(axis=0)
    reach = float(np.linalg.norm(pos[connected] - centre, axis=1).max())
    offset = pos[~connected] - centre
    dist = np.maximum(np.linalg.norm(offset, axis=1, keepdims=True), 1e-9)
    pos[~connected] = centre + offset / dist * np.minimum(dist, reach * LONER_REACH + 1e-3)
