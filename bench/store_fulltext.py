"""bench.store's "full text alone" rows (the words side of a search, the issue's BM25 / filtered FTS target).

``bench.store`` passes its own timing helpers (``latencies``, ``percentile``, ``load``), so the two modules do not
import each other."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any


def fulltext_alone(v: Any, plans: list[tuple[str, Any]], runs: int, tag: str, rows: list[tuple[str, str]],
                   latencies: Callable[..., tuple[float, float]], percentile: Callable[[list[float], float], float],
                   load: Callable[[], str]) -> None:
    """The words side alone (the issue's BM25 / filtered FTS target): the retriever without vectors, hits read.
    Then as ``Vault.search`` runs it (the vault's word facts kept across searches, warmed by one pass, filters from
    the facet columns in RAM): the MaxScore
    pruning of the rankings on, and off (today's baseline), alternating per request; wall and CPU time of this
    process (steadier under load); how many of the ten hits agree."""
    from core.index import fulltext
    from core.index.fulltext import Rankings, WordFacts
    from core.retrieve.hybrid import HybridRetriever

    words = HybridRetriever(v.read, lambda: None, None)
    facts = WordFacts()
    on = fulltext.PRUNE_FROM_ROWS
    columns = getattr(v, "filters", None)  # the facet columns in RAM, which Vault.search filters with
    if columns is not None:
        columns.start_load()
        columns.wait()

    def kept(request: Any, prune: bool) -> tuple[list[int], float, float]:
        fulltext.PRUNE_FROM_ROWS = on if prune else 1 << 62
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            found = HybridRetriever(v.read, lambda: None, None, rankings=Rankings(facts), columns=columns).search(request)
            return ([h.chunk_id for h in found.hits], (time.perf_counter() - wall) * 1000,
                    (time.process_time() - cpu) * 1000)
        finally:
            fulltext.PRUNE_FROM_ROWS = on

    for name, make in plans:
        label = name.replace("hybrid search", "unfiltered")
        p50, p95 = latencies(words.search, make, runs)
        rows.append((f"full text alone, {label} {tag} p50 / p95", f"{p50:.0f} / {p95:.0f} ms ({load()})"))
        rnd = random.Random(5)
        requests = [make(rnd) for _ in range(runs)]
        for request in requests:  # the word facts a running app has
            kept(request, True)
        got: dict[bool, list[tuple[list[int], float, float]]] = {True: [], False: []}
        for i, request in enumerate(requests):
            for prune in ((True, False) if i % 2 else (False, True)):
                got[prune].append(kept(request, prune))
        agree = [1.0 if not b[0] else len(set(a[0]) & set(b[0])) / len(b[0])
                 for a, b in zip(got[True], got[False], strict=True)]

        def times(results: list[tuple[list[int], float, float]]) -> str:
            wall, cpu = [r[1] for r in results], [r[2] for r in results]
            return (f"{statistics.median(wall):.0f} / {percentile(wall, 0.95):.0f} ms "
                    f"(CPU {statistics.median(cpu):.0f} / {percentile(cpu, 0.95):.0f})")

        rows.append((f"full text alone, {label}, word facts kept: pruned vs unpruned {tag} p50 / p95",
                     f"{times(got[True])} vs {times(got[False])}; top-10 agreement mean "
                     f"{statistics.mean(agree):.3f}, worst {min(agree):.2f} ({load()})"))
