"""The fit and threshold behind the calibrated abstention score (bench/abstention_score.py)."""

from __future__ import annotations

import numpy as np

from bench.abstention_score import AIM, fit_score, threshold
from core.answer.abstain_score import FEATURES, AbstentionScore


def test_the_fit_on_raw_features_separates_what_marks_the_unanswerable() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.3).astype(float)
    x = rng.normal(size=(400, len(FEATURES))) * 5 + 10  # raw values far from standardised
    x[:, 2] = y * 3 + rng.normal(size=400) * 0.5 + 40  # only feature 2 tells the unanswerable questions
    weights, bias = fit_score(x, y)
    score = AbstentionScore(weights, bias, 0.5)
    p = np.array([score.probability(row) for row in x])
    assert ((p >= 0.5) == (y == 1)).mean() > 0.95
    assert abs(weights[2]) > 3 * max(abs(w) for i, w in enumerate(weights) if i != 2)


def test_the_threshold_keeps_false_abstention_at_the_aim() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(1000) < 0.25).astype(float)
    p = np.clip(0.35 + 0.3 * y + rng.normal(size=1000) * 0.15, 0, 1)  # overlapping: abstaining more costs answers
    t = threshold(p, y)
    assert (p[y == 0] >= t).mean() <= AIM + 0.01
    assert (p[y == 1] >= t).mean() > 0.4
