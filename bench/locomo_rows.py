"""LoCoMo retrieval rows and tables: R@k and hit@10 per question, per category, with latency; printed as a table."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.folds import aggregate

KS = (1, 5, 10, 20)
METRICS = (*(f"R@{k}" for k in KS), "hit@10")
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


def question_rows(search: Callable[[str, str, int], list[str]], qs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per question: its conversation, category, R@k, hit@10 and search latency."""
    rows = []
    for q in qs:
        t0 = time.perf_counter()
        ranked = search(q["question"], q["conversation"], max(KS))
        row: dict[str, Any] = {"conversation": q["conversation"], "category": q["category"],
                               "latency": time.perf_counter() - t0}
        gold = set(q["evidence"])
        for k in KS:
            row[f"R@{k}"] = len(gold & set(ranked[:k])) / len(gold)
        row["hit@10"] = 1.0 if gold & set(ranked[:10]) else 0.0
        rows.append(row)
    return rows


def table_of(rows: list[dict[str, Any]]) -> dict[Any, Any]:
    table: dict[Any, Any] = aggregate(rows, METRICS)
    latencies = sorted(r["latency"] for r in rows if "latency" in r)
    if latencies:
        table["latency_ms"] = {"p50": 1000 * latencies[len(latencies) // 2],
                               "p95": 1000 * latencies[int(len(latencies) * 0.95)]}
    return table


def evaluate(search: Callable[[str, str, int], list[str]], qs: list[dict[str, Any]]) -> dict[str, Any]:
    return table_of(question_rows(search, qs))


def print_table(title: str, table: dict[str, Any]) -> None:
    latency = table.get("latency_ms")
    timing = f"  (latency p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms)" if latency else ""
    print(f"\n{title}{timing}")
    print(f"{'category':<14}{'n':>5}" + "".join(f"{m:>8}" for m in ("R@1", "R@5", "R@10", "R@20", "hit@10")))
    for key in (1, 2, 3, 4, "all"):
        if key in table:
            row = table[key]
            name = CATEGORIES.get(key, "overall") if isinstance(key, int) else "overall"
            print(f"{name:<14}{int(row['n']):>5}" + "".join(f"{row[m]:>8.3f}" for m in ("R@1", "R@5", "R@10", "R@20", "hit@10")))
