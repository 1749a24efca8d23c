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
from pathlib import Path
from typing import Any

from bench.folds import leave_one_conversation_out, mean_of
from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions
from bench.locomo_retrieval import (
    baseline_weights,
    cairn_search,
    held_out_rerank,
    held_out_retrieval,
    print_held_out,
    print_rerank,
    recall_search,
    retrieval_grid,
    vault_search,
)
from bench.locomo_rows import evaluate, print_table


class MemoRetriever:
    """The vault's search and neighbours, remembered: answer policies differ after retrieval, so the grid
    pays for retrieval once."""

    def __init__(self, vault: Any) -> None:
        self._vault = vault
        self._searches: dict[Any, Any] = {}
        self._around: dict[Any, Any] = {}

    def search(self, request: Any) -> Any:
        if request not in self._searches:
            self._searches[request] = self._vault.search(request)
        return self._searches[request]

    def neighbours(self, item_id: Any, before: int = 3, after: int = 3) -> Any:
        key = (item_id, before, after)
        if key not in self._around:
            self._around[key] = self._vault.neighbours(item_id, before, after)
        return self._around[key]


def answer_grid() -> dict[str, Any]:
    """Abstention policies, shipped first (ties keep it)."""
    from dataclasses import replace

    from core.answer.answerer import DEFAULT_ABSTENTION

    grid = {"shipped": DEFAULT_ABSTENTION}
    variants: list[dict[str, Any]] = [
        {"strict_person": False, "margin": 0.0}, {"margin": 0.0}, {"margin": 0.85},
        {"min_cosine": 0.6}, {"statements_only": False}, {"min_coverage": 0.4},
        {"reactions": False}, {"participants_only": False},
        {"reactions": False, "participants_only": False, "min_coverage": 0.4},
        {"speaker_margin": 0.55}, {"speaker_margin": 0.4}, {"speaker_margin": 0.7},
        {"echoes": False, "min_coverage": 0.25}, {"echoes": False}, {"min_coverage": 0.25}, {"echo_margin": 0.1},
        {"min_coverage": 0.3}, {"min_cosine": 0.5},
    ]
    for change in variants:
        policy = replace(DEFAULT_ABSTENTION, **change)
        if policy != DEFAULT_ABSTENTION:
            grid[" ".join(f"{k}={v}" for k, v in change.items())] = policy
    return grid


def held_out_answers(vault: Any, qs: list[dict[str, Any]], limit: int | None, embed: Any) -> dict[str, Any]:
    """Extractive answers under every abstention policy; leave-one-conversation-out choice on the balance
    between adversarial abstention and false abstention."""
    from bench.llm import abstention_balance, answer_rows, answer_table, pick_questions
    from core.answer import Answerer

    picked = pick_questions(qs, limit)
    memo = MemoRetriever(vault)
    rows = {}
    for name, policy in answer_grid().items():
        answerer = Answerer(memo, neighbours=memo.neighbours, backend=None, abstention=policy, embed=embed)
        rows[name] = answer_rows(vault, picked, answerer, use_model=False)[0]
    folds = leave_one_conversation_out(rows, abstention_balance, ())
    held = [r for conv, name in folds.chosen.items() for r in rows[name] if r["conversation"] == conv]
    return {"in_sample": {name: answer_table(r) for name, r in rows.items()}, "held_out": answer_table(held),
            "chosen": folds.chosen, "balance": {name: abstention_balance(r) for name, r in rows.items()}}


def held_out_composition(vault: Any, qs: list[dict[str, Any]], limit: int | None, embed: Any) -> dict[str, Any]:
    """Extractive answers per composition; leave-one-conversation-out choice on F1 + gold cited."""
    from dataclasses import replace

    from bench.llm import answer_rows, answer_table, pick_questions
    from core.answer import Answerer
    from core.answer.answerer import DEFAULT_COMPOSITION

    picked = [q for q in pick_questions(qs, limit) if int(q["category"]) != 5]
    memo = MemoRetriever(vault)
    grid = {"shipped": DEFAULT_COMPOSITION}
    for field, values in (("second_quote", (0.0, 0.3, 0.5, 0.7, 0.85)), ("meaning", (0.0, 0.5, 1.0, 2.0))):
        for value in values:
            if replace(DEFAULT_COMPOSITION, **{field: value}) != DEFAULT_COMPOSITION:
                grid[f"{field}={value}"] = replace(DEFAULT_COMPOSITION, **{field: value})
    rows = {name: answer_rows(vault, picked, Answerer(memo, neighbours=memo.neighbours, composition=c,
                                                      embed=embed), use_model=False)[0]
            for name, c in grid.items()}
    folds = leave_one_conversation_out(rows, lambda r: mean_of(r, "f1") + mean_of(r, "evidence_cited"), ())
    held = [r for conv, name in folds.chosen.items() for r in rows[name] if r["conversation"] == conv]
    return {"in_sample": {name: answer_table(r) for name, r in rows.items()}, "held_out": answer_table(held),
            "chosen": folds.chosen}


def _embed(vault: Any) -> Any:
    """The vault's sentence vectors for the extractive answer (``None`` without an embedder), remembered:
    every answer policy of the grids embeds the same sentences.  Make one per run and pass it on."""
    embedder = vault.embedder()
    if embedder is None:
        return None
    cache: dict[str, Any] = {}

    def embed(texts: Any) -> Any:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, embedder.embed(missing), strict=True))
        return np.array([cache[t] for t in texts])

    return embed


def print_composition(result: dict[str, Any]) -> None:
    print("\nExtractive answer composition (answerable questions; chosen on two conversations by F1 + cited)")
    print(f"{'composition':<38}{'F1':>7}{'cited':>8}")
    for name, table in {**result["in_sample"], "HELD-OUT FOLDS": result["held_out"]}.items():
        print(f"{name:<38}{table['all']['f1']:>7.3f}{table['all']['evidence_cited']:>8.3f}")
    print("  chosen per held-out conversation: "
          + "; ".join(f"{conv}: {name}" for conv, name in sorted(result["chosen"].items())))


def print_answer_folds(result: dict[str, Any]) -> None:
    print("\nExtractive answers per abstention policy (in-sample) and held-out folds "
          "(policy chosen on two conversations by adversarial minus false abstention, scored on the third)")
    print(f"{'policy':<38}{'F1':>7}{'cited':>8}{'false abst.':>13}{'adv. abst.':>12}{'balance':>9}")
    tables = {**result["in_sample"], "HELD-OUT FOLDS": result["held_out"]}
    for name, table in tables.items():
        balance = result["balance"].get(name, table.get(5, {}).get("not_found", 0.0) - table["all"]["not_found"])
        print(f"{name:<38}{table['all']['f1']:>7.3f}{table['all']['evidence_cited']:>8.3f}"
              f"{table['all']['not_found']:>13.3f}{table.get(5, {}).get('not_found', 0.0):>12.3f}{balance:>9.3f}")
    print("  chosen per held-out conversation: "
          + "; ".join(f"{conv}: {name}" for conv, name in sorted(result["chosen"].items())))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true", help="also try fusion weight variants")
    parser.add_argument("--answers", action="store_true",
                        help="also answer metrics (token F1, gold evidence cited, category 5 'not in memory'):"
                             " extractive and the default model side by side")
    parser.add_argument("--no-folds", action="store_true",
                        help="--answers: skip the abstention policies chosen leave-one-conversation-out")
    parser.add_argument("--answer-limit", type=int, default=None, help="questions per category for --answers")
    parser.add_argument("--rerank", action="store_true",
                        help="also the cross-feature reranker, fitted leave-one-conversation-out")
    parser.add_argument("--grid", action="store_true",
                        help="also the fusion/graph/two-stage weight grid, chosen leave-one-conversation-out")
    parser.add_argument("--write-rerank", type=Path, default=None,
                        help="write the reranker fitted on all of LoCoMo-dev here (JSON)")
    parser.add_argument("--no-model", action="store_true", help="--answers: extractive only (no model load)")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="keep the built, consolidated vault in this folder and reuse it next time "
                             "(development runs; the import and consolidation figures are then skipped)")
    args = parser.parse_args(argv)
    data = load(args.data)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.reuse or Path(tmp)
        if args.reuse is not None and (args.reuse / "vault").exists():
            vault, known = reopen_vault(data, args.reuse)
            qs = questions(data, known)
            print(f"LoCoMo-dev: reusing the vault in {args.reuse}, {len(qs)} questions (categories 1-4)")
            return run_on_consolidated(vault, data, known, qs, args, results)
        vault, known, timings = build_vault(data, workdir, embed=True)
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
        return run_on_consolidated(vault, data, known, qs, args, results)


def reopen_vault(data: list[dict[str, Any]], folder: Path) -> tuple[Any, dict[str, set[str]]]:
    from bench.locomo_data import export_jsonl
    from core.paths import VaultPaths
    from core.vault import Vault

    known = {conv["sample_id"]: export_jsonl(conv, folder / f"{conv['sample_id']}.jsonl") for conv in data}
    return Vault.open(VaultPaths(folder / "vault"), "bench", embedder="default"), known


def run_on_consolidated(vault: Any, data: list[dict[str, Any]], known: dict[str, set[str]], qs: list[dict[str, Any]],
                        args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    """The figures that need the memory graph: Cairn's search, the held-out folds, the answers."""
    embed = _embed(vault)
    try:
        from core.memory.recall.recall import GraphCache
        from core.retrieve.hybrid import FusionWeights

        results["baseline"] = evaluate(recall_search(vault, FusionWeights(), baseline_weights(), GraphCache()), qs)
        print_table("Baseline, same run: recall before issue #15 (speakers' names searched as words, strict time"
                    " filter, no meaning-in-context lift)", results["baseline"])
        results["cairn"] = evaluate(vault_search(vault), qs)
        print_table("Cairn default search (hybrid + memory graph recall + dialogue context, Vault.search)",
                    results["cairn"])
        if args.rerank or args.write_rerank:
            results["rerank"] = held_out_rerank(vault, qs, args.write_rerank)
            print_rerank(results["rerank"])
        if args.grid:
            results["folds"] = held_out_retrieval(vault, qs, retrieval_grid())
            print_held_out(results["folds"])
        if args.answers and not args.no_folds:
            results["answer_folds"] = held_out_answers(vault, questions(data, known, cats=(1, 2, 3, 4, 5)),
                                                       args.answer_limit, embed)
            print_answer_folds(results["answer_folds"])
            results["composition"] = held_out_composition(vault, qs, args.answer_limit, embed)
            print_composition(results["composition"])
            from bench.answer_choice import held_out_chooser, held_out_citing, print_chooser, print_citing

            results["chooser"] = held_out_chooser(vault, qs, args.answer_limit, MemoRetriever(vault), embed)
            print_chooser(results["chooser"])
            results["citing"] = held_out_citing(vault, qs, args.answer_limit, MemoRetriever(vault), embed)
            print_citing(results["citing"])
            from bench.abstention_score import held_out_score, print_score

            results["abstention_score"] = held_out_score(vault, questions(data, known, cats=(1, 2, 3, 4, 5)),
                                                         args.answer_limit, MemoRetriever(vault), embed)
            print_score(results["abstention_score"])
        if args.answers:
            from bench.llm import answer_metrics, print_answer_metrics
            from core.assistant import open_backend

            backend = None if args.no_model else open_backend(vault.settings(), vault.paths.models_dir)
            try:
                results["answers"] = answer_metrics(vault, questions(data, known, cats=(1, 2, 3, 4, 5)),
                                                    backend=backend, limit_per_category=args.answer_limit,
                                                    answerer_options={"embed": embed})
            finally:
                if backend is not None:
                    backend.close()
            print_answer_metrics(results["answers"])
    finally:
        vault.close()
    return results


if __name__ == "__main__":
    main()
