"""The listwise fit behind the extractive answer's chooser (bench/answer_choice.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.answer_choice import fit_softmax, top1


def test_the_fit_learns_the_feature_that_marks_the_gold_candidate() -> None:
    rng = np.random.default_rng(7)
    groups = []
    for _ in range(40):
        x = rng.normal(size=(5, 3))
        gold = int(rng.integers(5))
        x[:, 0] = 0.0
        x[gold, 0] = 1.0  # only feature 0 tells the answer; features 1-2 are noise
        groups.append((x, np.eye(5)[gold]))
    w = fit_softmax(groups)
    assert top1(groups, w) == 1.0
    assert abs(w[0]) > 2 * max(abs(w[1]), abs(w[2]))
    assert top1(groups, np.array([0.0, 1.0, 0.0])) < 0.6  # a noise feature does not pick the gold


def test_questions_without_a_gold_candidate_are_left_out_and_none_at_all_is_an_error() -> None:
    x = np.ones((2, 1))
    with pytest.raises(ValueError, match="gold"):
        fit_softmax([(x, np.zeros(2))])
    assert top1([(np.zeros((0, 1)), np.zeros(0))], np.ones(1)) == 0.0
