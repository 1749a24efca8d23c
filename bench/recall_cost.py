"""What recall's reranking lifts cost per search on LoCoMo-dev: CPU and wall time of each lift alone.

    python -m bench.recall_cost --reuse DIR   (DIR: a vault kept by ``python -m bench.locomo --reuse DIR``)

Every question is searched twice through recall (the graph and the query
vectors are cached by the first pass, as in a running app); the second pass
times each lift (the window of dialogue, the named person's own words) around
its call.  The lifts read stored vectors of at most their depth of candidates.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LIFTS = ("lift_by_window", "lift_by_person")


def timed(fn: Callable[..., Any], spent: list[tuple[float, float]]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent.append((time.process_time() - cpu, time.perf_counter() - wall))
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    import core.memory.recall.recall as recall_module
    from bench.locomo import reopen_vault
    from bench.locomo_data import DEFAULT_DATA, load, questions
    from bench.locomo_retrieval import window_vectors
    from core.retrieve.types import SearchRequest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--reuse", type=Path, required=True)
    args = parser.parse_args(argv)
    data = load(args.data)
    vault, known = reopen_vault(data, args.reuse)
    qs = questions(data, known)
    spent: dict[str, list[tuple[float, float]]] = {name: [] for name in LIFTS}
    originals = {name: getattr(recall_module, name) for name in LIFTS}
    cache, vectors, retriever = recall_module.GraphCache(), window_vectors(vault), vault.retriever()
    try:
        for name in LIFTS:
            setattr(recall_module, name, timed(originals[name], spent[name]))
        for _ in range(2):
            for times in spent.values():
                times.clear()  # the first pass warms the caches
            for q in qs:
                request = SearchRequest(query=q["question"], k=20, conversations=(q["conversation"],))
                recall_module.recall(retriever, vault, request, cache=cache, vectors=vectors)
    finally:
        for name, fn in originals.items():
            setattr(recall_module, name, fn)
        vault.close()
    table = {}
    print(f"Recall's lifts per search, {len(qs)} LoCoMo-dev questions (ms)")
    print(f"{'lift':<18}{'CPU p50':>9}{'CPU p95':>9}{'wall p50':>10}{'wall p95':>10}")
    for name, times in spent.items():
        cpu, wall = [1000 * c for c, _ in times], [1000 * w for _, w in times]
        row = {"cpu_p50": percentile(cpu, 0.5), "cpu_p95": percentile(cpu, 0.95),
               "wall_p50": percentile(wall, 0.5), "wall_p95": percentile(wall, 0.95)}
        table[name] = row
        print(f"{name:<18}" + "".join(f"{row[k]:>9.2f}" if k.startswith("cpu") else f"{row[k]:>10.2f}"
                                      for k in ("cpu_p50", "cpu_p95", "wall_p50", "wall_p95")))
    return table


if __name__ == "__main__":
    main()
