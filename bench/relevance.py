"""Calibrates and checks the relevance floor (``core.retrieve.relevance``) leave-one-conversation-out.

    python -m bench.relevance [--data ../shared/data/locomo-dev/locomo_dev.json]

For every LoCoMo-dev question (categories 1–4) the default search runs in its
own conversation (its gold evidence in the top 10 are the positives) and in
each other conversation (nothing there is about it: every hit is a negative,
as for a question about something the user never saw).  The floor's
thresholds are chosen on two conversations (best Youden J = TPR − FPR over
hits) and scored on the third; the table shows each held-out fold, the shipped
default's figures and R@10 with and without the floor (the floor only flags
hits, so R@10 must be identical).  The demo memory is checked too: questions
it can answer must keep a good match, made-up ones must have none.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions

COSINES = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60)
COVERAGES = (0.4, 0.5, 0.6, 0.7, 0.8)
SUPPORTS = (0.15, 0.20, 0.25, 0.30)
DEMO_ANSWERABLE = ("when does Priya start her new job", "apple crumble for Sunday lunch", "red cabbage recipe",
                   "load test p95 latency", "release review room", "staging environment credentials",
                   "book recommendation from Priya", "plumber appointment")
DEMO_ABSENT = ("xylophone quartz", "submarine periscope maintenance", "volcano eruption in Iceland",
               "tax return for the boat", "chess tournament results", "knitting pattern for socks")


@dataclass(frozen=True, slots=True)
class Sample:
    conversation: str  # the conversation whose question it is (the fold key)
    positive: bool
    cosine: float | None
    coverage: float


def collect(vault: Any, qs: Sequence[dict[str, Any]], conversations: Sequence[str]) -> tuple[list[Sample], float]:
    from core.retrieve.relevance import evidence_for
    from core.retrieve.types import SearchRequest

    embedder = vault.embedder()
    embed = embedder.embed_query if embedder is not None else None
    samples: list[Sample] = []
    recall: list[float] = []
    for q in qs:
        for conv in conversations:
            result = vault.search(SearchRequest(query=q["question"], k=10, conversations=(conv,)))
            evidence = evidence_for(result, vault.read(), vault.vector_index(), embed)
            own = conv == q["conversation"]
            gold = set(q["evidence"]) if own else set()
            if own:
                recall.append(len(gold & {h.external_id for h in result.hits}) / len(gold))
            samples.extend(Sample(q["conversation"], h.external_id in gold, e.cosine, e.coverage)
                           for h, e in zip(result.hits, evidence, strict=True))
    return samples, sum(recall) / max(len(recall), 1)


def rates(samples: Sequence[Sample], floor: Any) -> tuple[float, float]:
    from core.retrieve.relevance import HitEvidence, is_good

    pos = [s for s in samples if s.positive]
    neg = [s for s in samples if not s.positive]
    tpr = sum(is_good(HitEvidence(s.cosine, s.coverage), floor) for s in pos) / max(len(pos), 1)
    fpr = sum(is_good(HitEvidence(s.cosine, s.coverage), floor) for s in neg) / max(len(neg), 1)
    return tpr, fpr


def best_floor(samples: Sequence[Sample]) -> Any:
    from core.retrieve.relevance import RelevanceFloor

    best, best_j = RelevanceFloor(), -1.0
    for cos, cov, sup in itertools.product(COSINES, COVERAGES, SUPPORTS):
        if sup >= cos:
            continue
        floor = RelevanceFloor(cosine=cos, coverage=cov, support_cosine=sup)
        tpr, fpr = rates(samples, floor)
        if tpr - fpr > best_j:
            best, best_j = floor, tpr - fpr
    return best


def demo_check(workdir: Path) -> list[tuple[str, bool, int]]:
    from core.demo import load_demo_memory
    from core.paths import VaultPaths
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    vault = Vault.create(VaultPaths(workdir / "demo"), "bench", use_keyring=False)
    try:
        load_demo_memory(vault)
        rows = []
        for query, answerable in [(q, True) for q in DEMO_ANSWERABLE] + [(q, False) for q in DEMO_ABSENT]:
            result = vault.search(SearchRequest(query=query, k=10, parse_time=False))
            rows.append((query, answerable, len(result.good_hits)))
        return rows
    finally:
        vault.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from core.retrieve.relevance import RelevanceFloor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="questions per conversation (quick runs)")
    args = parser.parse_args(argv)
    data = load(args.data)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        vault, known, _ = build_vault(data, Path(tmp), embed=True)
        vault.consolidate()
        qs = questions(data, known)
        conversations = [c["sample_id"] for c in data]
        if args.limit:
            qs = [q for c in conversations for q in [q for q in qs if q["conversation"] == c][: args.limit]]
        samples, r10 = collect(vault, qs, conversations)
        vault.close()
        print(f"LoCoMo-dev: {len(qs)} questions, {len(samples)} judged hits "
              f"({sum(s.positive for s in samples)} gold); default search R@10 {r10:.3f} (the floor only flags hits)")
        print(f"\n{'held out':<12}{'cosine':>8}{'coverage':>10}{'support':>9}{'TPR':>8}{'FPR':>8}")
        for held in conversations:
            floor = best_floor([s for s in samples if s.conversation != held])
            tpr, fpr = rates([s for s in samples if s.conversation == held], floor)
            out[held] = (floor, tpr, fpr)
            print(f"{held:<12}{floor.cosine:>8.2f}{floor.coverage:>10.2f}{floor.support_cosine:>9.2f}{tpr:>8.3f}{fpr:>8.3f}")
        everything = best_floor(samples)
        print(f"{'all three':<12}{everything.cosine:>8.2f}{everything.coverage:>10.2f}"
              f"{everything.support_cosine:>9.2f}   (chosen on every conversation; in-sample)")
        shipped = RelevanceFloor()
        tpr, fpr = rates(samples, shipped)
        print(f"{'shipped':<12}{shipped.cosine:>8.2f}{shipped.coverage:>10.2f}{shipped.support_cosine:>9.2f}"
              f"{tpr:>8.3f}{fpr:>8.3f}   (all three conversations)")
        out["shipped"] = (shipped, tpr, fpr)
        print("\nDemo memory with the shipped floor: good matches in the top 10")
        for query, answerable, good in demo_check(Path(tmp)):
            verdict = "ok" if (good > 0) == answerable else "WRONG"
            print(f"  {'answerable' if answerable else 'absent':<11}{good:>3}  {verdict:<6}{query}")
            out.setdefault("demo", []).append((query, answerable, good))
    return out


if __name__ == "__main__":
    main()
