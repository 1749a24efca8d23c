"""LoCoMo-dev turn-level evidence recall through Cairn's real import and search path.

    python -m bench.locomo [--data ../shared/data/locomo-dev/locomo_dev.json] [--tune]

Each conversation is written as Cairn JSON Lines (one message per turn, the
turn's dia_id as id, the session time as timestamp, the BLIP caption as
image_caption), imported with the real importer into a fresh encrypted vault,
and every question of categories 1–4 is searched restricted to its
conversation.  Reports R@1/5/10/20 and hit@10 per category for the hybrid
retriever and for plain stemmed BM25 (the same vault, lexical only).
The dataset is CC BY-NC: it is read from ../shared and never copied into the repo.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.folds import aggregate, leave_one_conversation_out, mean_of
from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions

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


def cairn_search(vault: Any, weights: Any = None) -> Callable[[str, str, int], list[str]]:
    from core.retrieve.types import SearchRequest

    retriever = vault.retriever(weights)

    def run(question: str, conversation: str, k: int) -> list[str]:
        request = SearchRequest(query=question, k=k, conversations=(conversation,))
        return [h.external_id for h in retriever.search(request).hits]

    return run


def vault_search(vault: Any) -> Callable[[str, str, int], list[str]]:
    """Exactly what `cairn search` runs."""
    from core.retrieve.types import SearchRequest

    def run(question: str, conversation: str, k: int) -> list[str]:
        request = SearchRequest(query=question, k=k, conversations=(conversation,))
        return [h.external_id for h in vault.search(request).hits]

    return run


def recall_search(vault: Any, fusion: Any, weights: Any, cache: Any) -> Callable[[str, str, int], list[str]]:
    """Vault.search's path (hybrid + memory-graph recall) with explicit weights."""
    from core.memory.recall.recall import recall
    from core.retrieve.types import SearchRequest

    retriever = vault.retriever(fusion)

    def run(question: str, conversation: str, k: int) -> list[str]:
        request = SearchRequest(query=question, k=k, conversations=(conversation,))
        return [h.external_id for h in recall(retriever, vault, request, weights=weights, cache=cache).hits]

    return run


def retrieval_grid() -> dict[str, tuple[Any, Any]]:
    """The tunable retrieval choices, shipped default first (ties keep it): name → (fusion, recall weights).

    One axis at a time around the shipped point (fusion, graph) plus the
    two-stage grid (episode score × neighbour lift), to keep the run small.
    """
    from dataclasses import replace

    from core.memory.recall.recall import RecallWeights
    from core.memory.recall.sessions import SessionWeights
    from core.retrieve.hybrid import FusionWeights

    fusion, weights = FusionWeights(), RecallWeights()
    grid = {"shipped": (fusion, weights)}
    for dense in (0.3, 1.0):
        grid[f"dense={dense}"] = (replace(fusion, dense=dense), weights)
    for graph in (0.0, 1.2):
        grid[f"graph={graph}"] = (fusion, replace(weights, graph=graph))
    for session in (0.0, 0.25, 0.5, 1.0):
        for neighbour in (0.0, 0.15, 0.3):
            lever = SessionWeights(session=session, neighbour=neighbour)
            if lever != weights.sessions:
                grid[f"session={session} neighbour={neighbour}"] = (fusion, replace(weights, sessions=lever))
    return grid


def held_out_retrieval(vault: Any, qs: list[dict[str, Any]], grid: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """Every grid configuration scored on every question, then leave-one-conversation-out selection on R@10."""
    from core.memory.recall.recall import GraphCache

    cache = GraphCache()
    rows = {name: question_rows(recall_search(vault, fusion, weights, cache), qs)
            for name, (fusion, weights) in grid.items()}
    folds = leave_one_conversation_out(rows, lambda r: mean_of(r, "R@10"), METRICS)
    in_sample = {name: table_of(r) for name, r in rows.items()}
    best = max(in_sample, key=lambda name: in_sample[name]["all"]["R@10"])
    return {"in_sample": in_sample, "best_in_sample": best, "held_out": folds.table, "chosen": folds.chosen}


def print_held_out(result: dict[str, Any]) -> None:
    shipped, best = result["in_sample"]["shipped"], result["best_in_sample"]
    print_table("In-sample: shipped weights on all three conversations (they were tuned on them)", shipped)
    if best != "shipped":
        print_table(f"In-sample: best grid point ({best}), chosen and scored on all data", result["in_sample"][best])
    print_table("Held-out folds: weights chosen on two conversations, scored on the third (pooled)",
                result["held_out"])
    print("  chosen per held-out conversation: "
          + "; ".join(f"{conv}: {name}" for conv, name in sorted(result["chosen"].items())))


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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true", help="also try fusion weight variants")
    parser.add_argument("--answers", action="store_true",
                        help="also answer metrics (token F1, gold evidence cited, category 5 'not in memory'):"
                             " extractive and the default model side by side")
    parser.add_argument("--no-folds", action="store_true",
                        help="skip the leave-one-conversation-out grid (in-sample figures only)")
    parser.add_argument("--answer-limit", type=int, default=None, help="questions per category for --answers")
    args = parser.parse_args(argv)
    data = load(args.data)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        vault, known, timings = build_vault(data, Path(tmp), embed=True)
        qs = questions(data, known)
        print(f"LoCoMo-dev: {len(data)} conversations, {int(timings['messages'])} messages imported with embeddings "
              f"in {timings['import_s']:.1f} s, {len(qs)} questions (categories 1-4)")
        from core.retrieve.hybrid import FusionWeights

        results["bm25"] = evaluate(cairn_search(vault, FusionWeights(dense=0.0)), qs)
        print_table("Stemmed BM25 (FTS5 porter, same vault)", results["bm25"])
        results["hybrid"] = evaluate(cairn_search(vault), qs)
        print_table("Hybrid: BM25 + MiniLM, score fusion (before consolidation)", results["hybrid"])
        if args.tune:  # fusion variants of the hybrid retriever alone
            for mode, lex, dense in (("rrf", 1.0, 1.0), ("rrf", 1.0, 0.5), ("score", 1.0, 0.3), ("score", 1.0, 0.75),
                                     ("score", 1.0, 1.0)):
                w = FusionWeights(mode=mode, lexical=lex, dense=dense)
                results[f"{mode}:{lex}/{dense}"] = evaluate(cairn_search(vault, w), qs)
                print_table(f"{mode} fusion lexical={lex} dense={dense}", results[f"{mode}:{lex}/{dense}"])
        t0 = time.perf_counter()
        vault.consolidate()
        print(f"\nconsolidation (episodes, entities, facts, graph; extractive summaries): {time.perf_counter() - t0:.1f} s")
        results["cairn"] = evaluate(vault_search(vault), qs)
        print_table("Cairn default search (hybrid + memory graph recall, Vault.search)", results["cairn"])
        if not args.no_folds:
            results["folds"] = held_out_retrieval(vault, qs, retrieval_grid())
            print_held_out(results["folds"])
        if args.answers:
            from bench.llm import answer_metrics, print_answer_metrics
            from core.assistant import open_backend

            backend = open_backend(vault.settings(), vault.paths.models_dir)
            try:
                results["answers"] = answer_metrics(vault, questions(data, known, cats=(1, 2, 3, 4, 5)),
                                                    backend=backend, limit_per_category=args.answer_limit)
            finally:
                backend.close()
            print_answer_metrics(results["answers"])
        vault.close()
    return results


if __name__ == "__main__":
    main()
