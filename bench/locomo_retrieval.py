"""LoCoMo retrieval variants: Cairn's search paths, the weight grid and the reranker, chosen leave-one-conversation-out.

Every tunable choice is made on two development conversations and scored on
the third (``bench.folds``); the in-sample and held-out tables print side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.folds import leave_one_conversation_out, mean_of
from bench.locomo_rows import CATEGORIES, KS, METRICS, print_table, question_rows, table_of


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


def window_vectors(vault: Any) -> Any:
    """Stored vectors for recall's window lift, as Vault.search gives them (with a query-vector cache of its
    own: share one between the configurations of a run, so each question is embedded once)."""
    from core.index.query_cache import QueryVectors
    from core.memory.recall.window import StoredVectors

    return StoredVectors(vault.read, vault.embedder(), QueryVectors())


def recall_search(vault: Any, fusion: Any, weights: Any, cache: Any, vectors: Any = None
                  ) -> Callable[[str, str, int], list[str]]:
    """Vault.search's path (hybrid + memory-graph recall) with explicit weights."""
    from core.memory.recall.recall import recall
    from core.retrieve.types import SearchRequest

    retriever = vault.retriever(fusion)
    vectors = vectors or window_vectors(vault)

    def run(question: str, conversation: str, k: int) -> list[str]:
        request = SearchRequest(query=question, k=k, conversations=(conversation,))
        return [h.external_id for h in recall(retriever, vault, request, weights=weights, cache=cache,
                                              vectors=vectors).hits]

    return run


def retrieval_grid() -> dict[str, tuple[Any, Any]]:
    """The tunable retrieval choices, shipped default first (ties keep it): name → (fusion, recall weights).

    One axis at a time around the shipped point, to keep the run small.
    """
    from dataclasses import replace

    from core.memory.recall.recall import RecallWeights
    from core.retrieve.hybrid import FusionWeights

    fusion, weights = FusionWeights(), RecallWeights()
    grid = {"shipped": (fusion, weights), "baseline (before #15)": (fusion, baseline_weights())}
    grid["strip_speakers=False"] = (fusion, replace(weights, strip_speakers=False))
    grid["report_lag=0.0"] = (fusion, replace(weights, report_lag=0.0))
    grid["report_share=1.0"] = (fusion, replace(weights, report_share=1.0))
    grid["meaning_keeps_top=False"] = (fusion, replace(weights, meaning_keeps_top=False))
    for window in (0.0, 0.1, 0.3):
        grid[f"window={window}"] = (fusion, replace(weights, window=window))
    for span in (1, 3):
        grid[f"window_span={span}"] = (fusion, replace(weights, window_span=span))
    for person in (0.0, 1.0, 3.0):
        grid[f"person={person}"] = (fusion, replace(weights, person=person))
    for ceiling in (0.5, 0.7):
        grid[f"person_ceiling={ceiling}"] = (fusion, replace(weights, person_ceiling=ceiling))
    for depth in (30, 100):
        grid[f"person_depth={depth}"] = (fusion, replace(weights, person_depth=depth))
    for meaning in (0.0, 0.4):
        grid[f"meaning={meaning}"] = (fusion, replace(weights, meaning=meaning))
    for around in (0.0, 1.0):
        grid[f"meaning_neighbours={around}"] = (fusion, replace(weights, meaning_neighbours=around))
    for dense in (0.3, 1.0):
        grid[f"dense={dense}"] = (replace(fusion, dense=dense), weights)
    for graph in (0.0, 1.0, 1.2):
        grid[f"graph={graph}"] = (fusion, replace(weights, graph=graph))
    for focus in (0.0, 1.0):
        grid[f"focus={focus}"] = (fusion, replace(weights, focus=focus))
    for field, values in (("previous", (0.2,)), ("question", (0.0,)), ("before_previous", (0.2,)),
                          ("following", (0.2,)), ("named_speaker", (0.0, 0.2))):
        for value in values:
            grid[f"context.{field}={value}"] = (fusion, replace(weights, context=replace(weights.context,
                                                                                         **{field: value})))
    return grid


def baseline_weights() -> Any:
    """Today's design before this work on retrieval (issue #15): the question searched with the speakers' names,
    a stated time as a strict filter, no meaning-in-context lift.  Kept in the same run as the baseline."""
    from dataclasses import replace

    from core.memory.recall.recall import RecallWeights

    return replace(RecallWeights(), strip_speakers=False, report_lag=0.0, meaning=0.0, window=0.0, person=0.0)


def held_out_retrieval(vault: Any, qs: list[dict[str, Any]], grid: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """Every grid configuration scored on every question, then leave-one-conversation-out selection on R@10."""
    from core.memory.recall.recall import GraphCache

    cache, vectors = GraphCache(), window_vectors(vault)
    rows = {name: question_rows(recall_search(vault, fusion, weights, cache, vectors), qs)
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
    print("\nIn-sample R@10 of every grid point (same run; each axis moved alone from the shipped point)")
    print(f"{'grid point':<30}" + "".join(f"{CATEGORIES[c]:>13}" for c in (1, 2, 3, 4)) + f"{'overall':>10}")
    for name, table in result["in_sample"].items():
        print(f"{name:<30}" + "".join(f"{table[c]['R@10']:>13.3f}" if c in table else f"{'-':>13}"
                                      for c in (1, 2, 3, 4)) + f"{table['all']['R@10']:>10.3f}")


def rerank_dataset(vault: Any, qs: list[dict[str, Any]], depth: int = 50, seeds: int = 5) -> list[dict[str, Any]]:
    """Per question: the candidates recall returns without the reranker, their features and gold labels."""

    import numpy as np

    from bench.rerank import Candidate, candidate_features
    from core.memory.recall.graph import query_entities
    from core.memory.recall.recall import GraphCache, RecallWeights, recall
    from core.retrieve.types import SearchRequest

    weights = RecallWeights()
    retriever, cache, reader, vectors = vault.retriever(), GraphCache(), vault.read(), window_vectors(vault)
    out = []
    for q in qs:
        request = SearchRequest(query=q["question"], k=depth, conversations=(q["conversation"],))
        result = recall(retriever, vault, request, weights=weights, cache=cache, vectors=vectors)
        question = result.query_text or q["question"]
        candidates = [Candidate(int(h.item_id), h.text, h.score, h.signals) for h in result.hits]
        ids, x = candidate_features(reader, candidates, question, query_entities(reader, question), seeds=seeds)
        external = dict(reader.execute(f"SELECT id, external_id FROM items WHERE id IN ({','.join('?' * len(ids))})",
                                       ids).fetchall()) if ids else {}
        names = [external.get(i) for i in ids]
        gold = set(q["evidence"])
        out.append({"conversation": q["conversation"], "category": q["category"], "gold": gold, "names": names,
                    "x": x, "y": np.asarray([1.0 if n in gold else 0.0 for n in names])})
    return out


def _rank_rows(data: list[dict[str, Any]], scorer: Callable[[Any], Any] | None) -> list[dict[str, Any]]:
    import numpy as np

    rows = []
    for d in data:
        if scorer is None or not len(d["names"]):
            ranked = d["names"][: len(d["names"]) - int(sum(d["x"][:, 1] == 0))] if len(d["names"]) else []
        else:
            ranked = [d["names"][i] for i in np.argsort(-scorer(d["x"]), kind="stable")]
        row: dict[str, Any] = {"conversation": d["conversation"], "category": d["category"]}
        for k in KS:
            row[f"R@{k}"] = len(d["gold"] & set(ranked[:k])) / len(d["gold"])
        row["hit@10"] = 1.0 if d["gold"] & set(ranked[:10]) else 0.0
        rows.append(row)
    return rows


def held_out_rerank(vault: Any, qs: list[dict[str, Any]], write: Path | None = None) -> dict[str, Any]:
    """The cross-feature reranker fitted on two conversations and scored on the third; in-sample fit on all."""
    import numpy as np

    from bench.rerank import fit

    data = rerank_dataset(vault, qs)
    conversations = sorted({d["conversation"] for d in data})
    held: list[dict[str, Any]] = []
    for conversation in conversations:
        train = [d for d in data if d["conversation"] != conversation and len(d["names"])]
        model = fit(np.vstack([d["x"] for d in train]), np.concatenate([d["y"] for d in train]))
        held.extend(_rank_rows([d for d in data if d["conversation"] == conversation], model.score))
    every = [d for d in data if len(d["names"])]
    model = fit(np.vstack([d["x"] for d in every]), np.concatenate([d["y"] for d in every]))
    if write is not None:
        write.write_text(model.to_json() + "\n")
    return {"without": table_of(_rank_rows(data, None)), "in_sample": table_of(_rank_rows(data, model.score)),
            "held_out": table_of(held), "model": model}


def print_rerank(result: dict[str, Any]) -> None:
    from bench.rerank import FEATURES

    print_table("Recall without the reranker (its top 50 candidates + neighbours)", result["without"])
    print_table("Reranker, in-sample (fitted on all three conversations: what ships)", result["in_sample"])
    print_table("Reranker, held-out folds (fitted on two conversations, scored on the third)", result["held_out"])
    model = result["model"]
    print("  weights (standardised): " + ", ".join(f"{f} {w:+.2f}" for f, w in zip(FEATURES, model.weights,
                                                                                      strict=True)))
