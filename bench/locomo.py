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
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions

KS = (1, 5, 10, 20)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


def evaluate(search: Callable[[str, str, int], list[str]], qs: list[dict[str, Any]]) -> dict[str, Any]:
    per: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    latencies = []
    for q in qs:
        t0 = time.perf_counter()
        ranked = search(q["question"], q["conversation"], max(KS))
        latencies.append(time.perf_counter() - t0)
        gold = set(q["evidence"])
        for key in (q["category"], "all"):
            for k in KS:
                found = len(gold & set(ranked[:k]))
                per[key][f"R@{k}"].append(found / len(gold))
            per[key]["hit@10"].append(1.0 if gold & set(ranked[:10]) else 0.0)
    table = {key: {m: sum(v) / len(v) for m, v in metrics.items()} | {"n": len(metrics["R@1"])} for key, metrics in per.items()}
    latencies.sort()
    table["latency_ms"] = {"p50": 1000 * latencies[len(latencies) // 2], "p95": 1000 * latencies[int(len(latencies) * 0.95)]}
    return table


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


def print_table(title: str, table: dict[str, Any]) -> None:
    print(f"\n{title}  (latency p50 {table['latency_ms']['p50']:.1f} ms, p95 {table['latency_ms']['p95']:.1f} ms)")
    print(f"{'category':<14}{'n':>5}" + "".join(f"{m:>8}" for m in ("R@1", "R@5", "R@10", "R@20", "hit@10")))
    for key in (1, 2, 3, 4, "all"):
        if key in table:
            row = table[key]
            name = CATEGORIES.get(key, "overall") if isinstance(key, int) else "overall"
            print(f"{name:<14}{row['n']:>5}" + "".join(f"{row[m]:>8.3f}" for m in ("R@1", "R@5", "R@10", "R@20", "hit@10")))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true", help="also try fusion weight variants")
    parser.add_argument("--answers", action="store_true",
                        help="also answer metrics (token F1, gold evidence cited, category 5 'not in memory'):"
                             " extractive and the default model side by side")
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
