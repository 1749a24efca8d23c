"""The relevance floor: which hits are good matches and which are only the nearest weak ones.

Ranking says which memory is *best*; it cannot say whether the best is any
good ("xylophone quartz" still has a nearest family chat).  A hit is good when
its meaning is close to the question (cosine of the passage and the query), or
when it contains most of the question's informative words (words weighted by
how rare they are in the vault, so "recipe" matters less than "quartz") and
its meaning is at least related.  Everything else is kept, in rank order, but
flagged ``weak``: the order of hits never changes, so recall is untouched.

The thresholds are calibrated on LoCoMo-dev leave-one-conversation-out and
checked on the demo memory (``python -m bench.relevance``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from core.index.fulltext import WordFacts, match_expression, query_terms
from core.retrieve.snippets import highlight_spans
from core.retrieve.types import Hit, SearchResult

# A word's document count is read exactly up to this many matches; past it, from where its DF_SAMPLE-th newest match
# lies (its newest matches over the ids they span, times all ids).  Counting up to 100,000 matches cost 40 ms of a
# search at 1M (cProfile, bench.store); the estimate walks 2,000.  Small vaults (LoCoMo) always count exactly.
DF_SAMPLE = 2_000
COUNT_SQL = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT ?"


@dataclass(frozen=True, slots=True)
class RelevanceFloor:
    """Calibrated by ``bench/relevance.py`` (LoCoMo-dev, leave one conversation out)."""

    # Each leave-one-conversation-out fold chose cosine 0.45 and coverage 0.40; support 0.30 in two of three
    # (held-out TPR 0.83-0.89 at FPR 0.19-0.25 over top-10 hits; R@10 unchanged, 0.758).
    cosine: float = 0.45  # a passage this close in meaning is a good match on its own
    coverage: float = 0.4  # share of the question's informative words (rarity-weighted) the passage has
    support_cosine: float = 0.30  # ... together with at least this much closeness in meaning
    coverage_alone: float = 0.75  # a vault without vectors judges by the words only


@dataclass(frozen=True, slots=True)
class HitEvidence:
    """What the floor looks at for one hit (``--explain`` shows it); ``cosine`` None: no vectors."""

    cosine: float | None
    coverage: float


def is_good(evidence: HitEvidence, floor: RelevanceFloor) -> bool:
    if evidence.cosine is None:
        return evidence.coverage >= floor.coverage_alone
    if evidence.cosine >= floor.cosine:
        return True
    return evidence.coverage >= floor.coverage and evidence.cosine >= floor.support_cosine


def term_weights(reader: Any, terms: Sequence[str], facts: WordFacts | None = None) -> dict[str, float]:
    """IDF-like weight of each query word in this vault; a word the vault has never seen weighs most.
    ``facts``: the vault's per-index-state cache of word probes (each count walks up to ``DF_SAMPLE`` matches)."""
    if not terms:
        return {}
    # The highest chunk id stands for the vault's size: count(*) scanned every chunk (86 ms of a 240 ms search at
    # 1M), max(id) is one index probe. Forgotten chunks make it a slight overestimate, which moves every word's
    # weight alike and leaves their shares (what coverage uses) almost unchanged.
    total = int(reader.execute("SELECT max(id) FROM chunks").fetchone()[0] or 0) or 1
    weights: dict[str, float] = {}
    for term in terms:
        count = (document_count(reader, term, total) if facts is None else
                 facts.value(reader, "documents", term, total, lambda t=term: document_count(reader, t, total)))
        weights[term] = math.log(1.0 + total / (count + 1.0))
    return weights


def document_count(reader: Any, term: str, total: int) -> float:
    """How many chunks hold ``term``: exact up to ``DF_SAMPLE``, else extrapolated from the newest ``DF_SAMPLE``."""
    rows = reader.execute(COUNT_SQL, (match_expression([term]), DF_SAMPLE)).fetchall()
    if len(rows) < DF_SAMPLE:
        return float(len(rows))
    span = max(total - int(rows[-1][0]) + 1, DF_SAMPLE)
    return min(float(total), DF_SAMPLE * total / span)


def coverage(text: str, weights: dict[str, float]) -> float:
    """Rarity-weighted share of the query words that occur in ``text`` (prefix-stem match, as highlighted)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    found = sum(w for term, w in weights.items() if highlight_spans(lowered, [term]) or _holds_kind(term, text))
    return found / total


# Words that ask for a kind of value rather than name one: "the staging url", "Lukas's email", "her phone". A
# passage holding such a value answers the word though it never writes it ("…is up: https://staging…").
_KIND_WORDS = MappingProxyType({
    **dict.fromkeys(("url", "urls", "link", "links", "website", "websites", "web"), "url"),
    **dict.fromkeys(("email", "emails", "e-mail", "mail"), "email"),  # not "address": a street has one too
    **dict.fromkeys(("phone", "mobile", "telephone", "tel", "cell"), "phone"),
})
_KIND_VALUES = MappingProxyType({
    "url": re.compile(r"\bhttps?://\S|\bwww\.\S", re.I),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone": re.compile(r"(?<![\w.])\+?\d[\d ()/-]{6,}\d\b"),
})


def _holds_kind(term: str, text: str) -> bool:
    kind = _KIND_WORDS.get(term.lower())
    return kind is not None and _KIND_VALUES[kind].search(text) is not None


def hit_cosines(hits: Sequence[Hit], index: Any, embed_query: Callable[[str], np.ndarray] | None,
                query: str) -> dict[int, float]:
    """Exact cosine of each hit's passage to the query (hits the walk added have none from the retriever)."""
    out = {int(h.chunk_id): float(h.signals["cosine"]) for h in hits if "cosine" in h.signals}
    missing = [int(h.chunk_id) for h in hits if int(h.chunk_id) not in out]
    if missing and index is not None and embed_query is not None and len(index) and query.strip():
        ids, scores = index.search(embed_query(query), len(missing), np.asarray(missing, dtype=np.int64))
        out.update(zip(ids.tolist(), scores.tolist(), strict=True))
    return out


def evidence_for(result: SearchResult, reader: Any, index: Any,
                 embed_query: Callable[[str], np.ndarray] | None, facts: WordFacts | None = None) -> list[HitEvidence]:
    """The floor's inputs for each hit of ``result``, in order."""
    if not result.hits:
        return []
    weights = term_weights(reader, query_terms(result.query_text), facts)
    has_vectors = index is not None and embed_query is not None and len(index) > 0
    cosines = hit_cosines(result.hits, index, embed_query, result.query_text) if has_vectors else {}
    return [HitEvidence(cosines.get(int(h.chunk_id), 0.0) if has_vectors else None, coverage(h.text, weights))
            for h in result.hits]


def judge(result: SearchResult, reader: Any, index: Any, embed_query: Callable[[str], np.ndarray] | None,
          floor: RelevanceFloor = RelevanceFloor(), facts: WordFacts | None = None) -> SearchResult:
    """``result`` with each hit flagged weak or not; the order of hits is kept.

    A pure time query ("yesterday") has no words to judge: its hits are the
    period's memories and all count as good.
    """
    if not result.hits or not query_terms(result.query_text):
        return result
    evidence = evidence_for(result, reader, index, embed_query, facts)
    hits = [replace(h, weak=not is_good(e, floor), signals={**h.signals, "coverage": round(e.coverage, 4)}
                    | ({"match_cosine": round(e.cosine, 4)} if e.cosine is not None else {}))
            for h, e in zip(result.hits, evidence, strict=True)]
    return replace(result, hits=hits)
