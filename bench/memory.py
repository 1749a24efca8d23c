"""LoCoMo-dev turn-level evidence recall before/after memory (episodes, entities, graph walk).

    .venv/bin/python -m bench.memory [--data PATH] [--lexical] [--conversations N]

Uses ``bench.locomo_data`` to import each conversation through Cairn's real JSON
Lines importer into a fresh encrypted vault and to score the questions.
"before": the foundation's retriever (``bench.locomo.cairn_search``: hybrid
BM25 + MiniLM, or BM25 alone with ``--lexical``) on the raw import.  Then
``consolidate`` builds episodes, entities, relations, facts and extractive
summaries (no model), and "after" asks the same questions through
``core.memory.recall.recall.recall`` (graph walk + episode context + person focus).
Prints R@k per category, overall and hit@10.  Never run in CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions
from bench.locomo_retrieval import cairn_search
from bench.locomo_rows import evaluate, print_table


def memory_search(vault: Any) -> Any:
    from bench.locomo_retrieval import window_vectors
    from core.memory.recall.recall import GraphCache, recall
    from core.retrieve.types import SearchRequest

    cache, vectors = GraphCache(), window_vectors(vault)

    def run(question: str, conversation: str, k: int) -> list[str]:
        request = SearchRequest(query=question, k=k, conversations=(conversation,))
        return [h.external_id for h in recall(vault.retriever(), vault, request, cache=cache,
                                              vectors=vectors).hits]

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--lexical", action="store_true", help="no embedder: BM25 only, before and after")
    parser.add_argument("--conversations", type=int, default=0, help="only the first N conversations")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no LoCoMo data at {args.data}", file=sys.stderr)
        return 2

    from core.memory.consolidation.consolidate import consolidate
    from core.memory.consolidation.types import ConsolidationOptions

    data = load(args.data)
    if args.conversations:
        data = data[: args.conversations]
    with tempfile.TemporaryDirectory(prefix="cairn-bench-memory-") as tmp:
        vault, known, timings = build_vault(data, Path(tmp), embed=not args.lexical)
        try:
            qs = questions(data, known)
            before = evaluate(cairn_search(vault), qs)
            t0 = time.perf_counter()
            report = consolidate(vault, options=ConsolidationOptions(phone_region="US"))
            t_consolidate = time.perf_counter() - t0
            conn = vault.read()
            counts = {t.removeprefix("mem_"): conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("mem_episodes", "mem_entities", "mem_mentions", "mem_relations", "mem_facts")}
            after = evaluate(memory_search(vault), qs)
        finally:
            vault.close()
    retriever = "BM25" if args.lexical else "hybrid BM25 + MiniLM"
    print(f"LoCoMo-dev: {len(data)} conversations, {int(timings['messages'])} turns, {len(qs)} questions (cat 1-4)")
    print(f"import {timings['import_s']:.1f} s; consolidate {t_consolidate:.1f} s ({report.items_processed} items,"
          f" {report.summaries_written} episode + {report.day_summaries_written} day summaries"
          f" {report.summaries_by_method}); {counts}")
    print_table(f"before: {retriever} (foundation retriever)", before)
    print_table(f"after: {retriever} + memory (graph walk, episodes, person focus)", after)
    print("\nR@10 change per category: " + ", ".join(
        f"{name} {before[c]['R@10']:.3f} -> {after[c]['R@10']:.3f}"
        for c, name in ((1, "multi-hop"), (2, "temporal"), (3, "open-domain"), (4, "single-hop"), ("all", "all"))
        if c in before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
