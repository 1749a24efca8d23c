"""Leave-one-conversation-out scoring: choose a configuration on the other conversations, score it on this one.

A figure tuned on the data it is reported on flatters: LoCoMo-dev has three
conversations, so every tunable choice (fusion weights, graph weight,
abstention thresholds) is made here on two of them and scored on the third,
rotating.  The held-out figure is the pooled score of those three held-out
folds; the in-sample figure is a configuration scored on all of the data.
Pure functions over per-question rows; no vault, no model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]  # one question: "conversation", "category" and numeric metrics


@dataclass(frozen=True, slots=True)
class HeldOut:
    """The pooled held-out table and, per held-out conversation, the configuration chosen without it."""

    table: dict[Any, dict[str, float]]
    chosen: dict[str, str]


def aggregate(rows: Sequence[Row], metrics: Sequence[str]) -> dict[Any, dict[str, float]]:
    """Mean of each metric per category and over all rows ("all"); ``n`` counts rows with the metric."""
    sums: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for key in (row["category"], "all"):
            for metric in metrics:
                if metric in row:
                    sums[key][metric].append(float(row[metric]))
    table: dict[Any, dict[str, float]] = {}
    for key, by_metric in sums.items():
        counts = [len(v) for v in by_metric.values()]
        table[key] = {m: sum(v) / len(v) for m, v in by_metric.items()} | {"n": float(max(counts, default=0))}
    return table


def mean_of(rows: Sequence[Row], metric: str) -> float:
    values = [float(r[metric]) for r in rows if metric in r]
    return sum(values) / len(values) if values else 0.0


def leave_one_conversation_out(
    rows_by_config: Mapping[str, Sequence[Row]],
    objective: Callable[[Sequence[Row]], float],
    metrics: Sequence[str],
) -> HeldOut:
    """For each conversation: pick the config maximising ``objective`` on the others, keep its rows of this one.

    Ties go to the configuration listed first (the shipped default should be
    listed first, so a tie never moves away from it).
    """
    if not rows_by_config:
        raise ValueError("no configurations to choose from")
    conversations = sorted({r["conversation"] for rows in rows_by_config.values() for r in rows})
    if len(conversations) < 2:
        raise ValueError("leave-one-out needs at least two conversations")
    held: list[Row] = []
    chosen: dict[str, str] = {}
    for conversation in conversations:
        best_name, best_score = "", float("-inf")
        for name, rows in rows_by_config.items():
            score = objective([r for r in rows if r["conversation"] != conversation])
            if score > best_score:
                best_name, best_score = name, score
        chosen[conversation] = best_name
        held.extend(r for r in rows_by_config[best_name] if r["conversation"] == conversation)
    return HeldOut(aggregate(held, metrics), chosen)
