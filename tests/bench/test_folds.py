"""Leave-one-conversation-out selection: a choice is made without the conversation it is scored on."""

from __future__ import annotations

import pytest

from bench.folds import aggregate, leave_one_conversation_out, mean_of


def _rows(scores: dict[str, float]) -> list[dict[str, object]]:
    return [{"conversation": conv, "category": 1, "R@10": value} for conv, value in scores.items()]


def test_each_fold_is_scored_with_the_config_chosen_on_the_other_conversations() -> None:
    # "fits_a" is best in-sample only because it is perfect on conversation a.
    rows = {
        "shipped": _rows({"a": 0.5, "b": 0.6, "c": 0.6}),
        "fits_a": _rows({"a": 1.0, "b": 0.5, "c": 0.5}),
    }
    held = leave_one_conversation_out(rows, lambda r: mean_of(r, "R@10"), ["R@10"])
    assert held.chosen == {"a": "shipped", "b": "fits_a", "c": "fits_a"}
    assert held.table["all"]["R@10"] == pytest.approx((0.5 + 0.5 + 0.5) / 3)
    assert aggregate(rows["fits_a"], ["R@10"])["all"]["R@10"] > held.table["all"]["R@10"]


def test_ties_keep_the_first_listed_config() -> None:
    rows = {"shipped": _rows({"a": 0.5, "b": 0.5}), "other": _rows({"a": 0.5, "b": 0.5})}
    held = leave_one_conversation_out(rows, lambda r: mean_of(r, "R@10"), ["R@10"])
    assert set(held.chosen.values()) == {"shipped"}


def test_aggregate_counts_only_rows_that_carry_the_metric() -> None:
    rows = [{"conversation": "a", "category": 5, "not_found": 1.0},
            {"conversation": "a", "category": 1, "not_found": 0.0, "f1": 0.5}]
    table = aggregate(rows, ["not_found", "f1"])
    assert table[5] == {"not_found": 1.0, "n": 1.0}
    assert table["all"]["f1"] == 0.5 and table["all"]["not_found"] == 0.5


def test_one_conversation_cannot_be_left_out() -> None:
    with pytest.raises(ValueError):
        leave_one_conversation_out({"x": _rows({"a": 1.0})}, lambda r: 0.0, ["R@10"])
