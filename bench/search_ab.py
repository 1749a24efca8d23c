"""Whole searches, this checkout against a baseline checkout, alternating on one built vault (bench.store's plans).

    python -m bench.search_ab DIR --baseline CHECKOUT [--runs 40] [--rounds 2] [--plans hybrid speaker] [--kinds]

DIR is a vault bench.store built and kept (passphrase "bench"; searches only read
it, but open a copy: an unlock may migrate).  Each round runs the baseline then
this checkout, each in a fresh process whose imports come from that checkout, over
the same requests as bench.store: an unfiltered hybrid search, one conversation in
one month, one conversation (2 %), one speaker (12.5 %).  Per plan it prints wall
p50 / p95 and the median process CPU of a search (on a shared machine wall moves
with the load; CPU much less), and how many answers (hits, scores, weak flags, the
nearest match elsewhere) are identical to the baseline's.  With the search lane
it also prints the CPU of each half: the caller thread (full text, fusion, floor,
hits) and the lane (query embedding, faiss, exact re-scoring); on a quiet 2-core
machine a search's wall is about the longer half plus the caller's tail.  ``--plans`` keeps the
plans whose names hold one of the words given.  ``--kinds`` runs instead every filter kind (time range,
source, app, speakers, conversations and one combination) at 0 %, ~50 % and 100 % selectivity.  Where a checkout's search can leave the
nearest match outside the filters for later (``nearest=False``: the app shows the hits first), the hits
are timed alone and that later pass apart.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

PLANS = ("hybrid search", "filtered: one conversation, one month (narrow)", "filtered: one conversation (2 %)",
         "filtered: one speaker (wide, 12.5 %)")
# Every filter kind at its extremes of selectivity (issue 14: <= 50 ms p95 at 1M whatever the selectivity).
KINDS = ("time: one week (0.1 %)", "time: one year (7.5 %)", "time: half (50 %)", "time: all (100 %)",
         "source: chat (100 %)", "source: files (0 %)", "app: none (0 %)", "speakers: 4 of 8 (50 %)",
         "speakers: all 8 (100 %)", "conversations: 25 of 50 (50 %)", "conversation + speaker (0.25 %)")


def _makers() -> dict[str, Any]:
    """Each plan's request maker (from a seeded ``random.Random``), on bench.store's 1M vault."""
    from datetime import timedelta

    from bench.store import NAMES, SPACING, START, _month, zipf_words
    from core.retrieve.types import SearchRequest
    from core.types import TimeRange

    n, month = 1_000_000, timedelta(days=30)
    end = START + SPACING * n

    def span(rnd: Any, fraction: float) -> TimeRange:
        start = START + (end - START) * (1 - fraction) * rnd.random()
        return TimeRange(start, start + (end - START) * fraction)

    def ask(rnd: Any, words: int, **filters: Any) -> SearchRequest:
        return SearchRequest(zipf_words(rnd, words), k=10, parse_time=False, **filters)

    everything = TimeRange(START - timedelta(days=1), end + timedelta(days=1))
    return {
        PLANS[0]: lambda rnd: ask(rnd, rnd.randint(2, 6)),
        PLANS[1]: lambda rnd: ask(rnd, 3, conversations=(f"chat-{rnd.randrange(50)}",),
                                  time_range=_month(rnd, n, month)),
        PLANS[2]: lambda rnd: ask(rnd, 3, conversations=(f"chat-{rnd.randrange(50)}",)),
        PLANS[3]: lambda rnd: ask(rnd, 3, speakers=(rnd.choice(NAMES),)),
        KINDS[0]: lambda rnd: ask(rnd, rnd.randint(2, 5), time_range=span(rnd, 7 / (13.3 * 365))),
        KINDS[1]: lambda rnd: ask(rnd, rnd.randint(2, 5), time_range=span(rnd, 1 / 13.3)),
        KINDS[2]: lambda rnd: ask(rnd, rnd.randint(2, 5), time_range=span(rnd, 0.5)),
        KINDS[3]: lambda rnd: ask(rnd, rnd.randint(2, 5), time_range=everything),
        KINDS[4]: lambda rnd: ask(rnd, rnd.randint(2, 5), sources=("chat:bench",)),
        KINDS[5]: lambda rnd: ask(rnd, rnd.randint(2, 5), sources=("file",)),
        KINDS[6]: lambda rnd: ask(rnd, rnd.randint(2, 5), apps=("Firefox",)),
        KINDS[7]: lambda rnd: ask(rnd, rnd.randint(2, 5), speakers=tuple(rnd.sample(NAMES, 4))),
        KINDS[8]: lambda rnd: ask(rnd, rnd.randint(2, 5), speakers=NAMES),
        KINDS[9]: lambda rnd: ask(rnd, rnd.randint(2, 5),
                                  conversations=tuple(f"chat-{i}" for i in rnd.sample(range(50), 25))),
        KINDS[10]: lambda rnd: ask(rnd, rnd.randint(2, 5), conversations=(f"chat-{rnd.randrange(50)}",),
                                   speakers=(rnd.choice(NAMES),)),
    }


def side(home: Path, runs: int, out: Path, plans: tuple[str, ...] = PLANS) -> None:
    """One process's searches (imports resolve to the current directory's checkout)."""
    import random

    from bench.store import PASSPHRASE
    from core.paths import VaultPaths
    from core.vault import Vault

    v = Vault.open(VaultPaths(home), PASSPHRASE)
    v.ann_min_vectors = min(v.ann_min_vectors, 1_000_000)
    v.embedder()
    v.start_index_load()
    v.vector_index()
    makers = _makers()
    # A checkout whose search can leave the nearest match outside the filters for later (the app shows the hits
    # first, then asks): the hits are timed alone, the later pass in ``later``.
    lazy = "nearest" in inspect.signature(v.search).parameters
    # The search lane (the vector half beside the full-text half): its CPU and the caller thread's, per search.
    lane = getattr(v.vectors, "lane", None) if hasattr(getattr(v.vectors, "lane", None), "cpu_seconds") else None
    filters = getattr(v, "filters", None)  # the facet columns in RAM (the app loads them at unlock)
    if filters is not None:
        filters.start_load()
        filters.wait()
    found: dict[str, Any] = {}
    for name in plans:
        make = makers[name]
        rnd = random.Random(5)
        wall, cpu, answers, later, halves = [], [], [], [], []
        for _ in range(runs):
            request = make(rnd)
            lane0, caller0 = (lane.cpu_seconds if lane is not None else 0.0), time.thread_time()
            c0, t0 = time.process_time(), time.perf_counter()
            result = v.search(request, nearest=False) if lazy else v.search(request)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if lane is not None:
                halves.append(((time.thread_time() - caller0) * 1000, (lane.cpu_seconds - lane0) * 1000))
            if lazy:
                from core.retrieve.elsewhere import nearest_elsewhere

                t0 = time.perf_counter()
                hit = nearest_elsewhere(lambda wider: v.search(wider, nearest=False), request, result)
                later.append((time.perf_counter() - t0) * 1000)
                result = replace(result, nearest=hit)
            answers.append([[int(h.chunk_id), round(h.score, 9), h.weak] for h in result.hits]
                           + [[int(result.nearest.chunk_id)] if result.nearest else []])
        found[name] = {"wall": wall, "cpu": cpu, "answers": answers, "load": os.getloadavg()[0], "later": later,
                       "halves": halves}
    v.close()
    out.write_text(json.dumps(found))


def _run(checkout: Path, home: Path, runs: int, out: Path, plans: tuple[str, ...]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--side", str(home), str(runs), str(out),
                    json.dumps(plans)], cwd=checkout, env=env, check=True)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path, nargs="?")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare against")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--plans", nargs="+", help="only the plans whose names hold one of these words")
    parser.add_argument("--kinds", action="store_true", help="every filter kind at 0 / ~50 / 100 %% instead")
    parser.add_argument("--side", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        sys.path.insert(0, os.getcwd())
        side(Path(args.side[0]), int(args.side[1]), Path(args.side[2]), tuple(json.loads(args.side[3])))
        return
    if args.vault is None or args.baseline is None:
        parser.error("a vault DIR and --baseline CHECKOUT are required")
    from bench.store import percentile
    from bench.table import print_table

    here = Path(__file__).resolve().parents[1]
    plans = tuple(p for p in (KINDS if args.kinds else PLANS) if not args.plans or any(word in p for word in args.plans))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            base = _run(args.baseline.resolve(), args.vault, args.runs, Path(tmp) / "base.json", plans)
            mine = _run(here, args.vault, args.runs, Path(tmp) / "mine.json", plans)
            for name in plans:
                a, b = base[name], mine[name]
                same = sum(x == y for x, y in zip(a["answers"], b["answers"], strict=True))

                def cell(d: dict[str, Any]) -> str:
                    later, halves = d.get("later") or [], d.get("halves") or []
                    return (f"{statistics.median(d['wall']):.0f} / {percentile(d['wall'], 0.95):.0f} ms, "
                            f"CPU {statistics.median(d['cpu']):.0f} ms (load {d['load']:.1f})"
                            + (f"; nearest outside, after the hits: {statistics.median(later):.0f} / "
                               f"{percentile(later, 0.95):.0f} ms" if any(later) else "")
                            + (f"; CPU p50 / p95 caller {_p(halves, 0, 0.5)} / {_p(halves, 0, 0.95)}, search lane "
                               f"{_p(halves, 1, 0.5)} / {_p(halves, 1, 0.95)} ms" if halves else ""))

                rows.append((f"{name}, round {r + 1}", cell(a), cell(b), f"{same}/{len(a['answers'])}"))
    print_table(("plan", "baseline: wall p50 / p95, CPU p50", "this checkout", "answers identical"), rows)


def _p(pairs: list[list[float]], column: int, q: float) -> str:
    from bench.store import percentile

    return f"{percentile([p[column] for p in pairs], q):.0f}"


if __name__ == "__main__":
    main()
