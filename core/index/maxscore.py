"""Which chunks a BM25 ranking must score to stay exact (MaxScore over FTS5's own ``bm25()``).

FTS5 scores every match of a ranking statement (~3-8 µs a row at 1M, most of it reading each row's size), and at
1M a window's 20,000 matches or the older matches of rare words took 40-160 ms to score while most of them
matched only one common word.  A word's share of a chunk's score is ``idf * tf (k1 + 1) / (tf + k1 (1 - b +
b D / avgdl))``; a chunk has at least ``tf`` tokens (D >= tf), so that share is below ``idf (k1 + 1) / (1 + k1 b /
avgdl)`` whatever tf and D are.  A chunk whose words' highest shares add up to less than a floor — a score that
``limit`` chunks are known to reach — cannot be in the best ``limit``, so the statement scores only chunks that
match an expression covering every other set of words.  The scores stay bm25's own (every word is still in the
scored expression), so the ranking is the unpruned one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations

K1, B = 1.2, 0.75  # FTS5's bm25() defaults
MAX_SPLIT_WORDS = 8  # more words than this: subsets are not enumerated, nothing is pruned


def varints(blob: bytes) -> list[int]:
    """SQLite varints (FTS5's totals record: rows, then the tokens of each column)."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def highest_shares(totals: bytes | None, counts: Mapping[str, int]) -> dict[str, float] | None:
    """Each word's highest possible share of a chunk's bm25, from FTS5's totals record and the words' chunk counts
    (idf exactly as bm25 computes it, clamped to 1e-6 as it is); ``None`` if the record cannot be read."""
    numbers = varints(totals) if totals else []
    if len(numbers) < 2 or numbers[0] <= 0 or sum(numbers[1:]) <= 0:
        return None
    rows, avgdl = numbers[0], sum(numbers[1:]) / numbers[0]
    most = (K1 + 1.0) / (1.0 + K1 * B / avgdl) * (1 + 1e-9)  # a margin for rounding

    def share(n: int) -> float:
        idf = math.log((rows - n + 0.5) / (n + 0.5))
        return (idf if idf > 0 else 1e-6) * most

    return {term: share(n) for term, n in counts.items()}


def quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def candidates(terms: Sequence[str], shares: Mapping[str, float], floor: float) -> str | None:
    """An FTS5 expression matched by every chunk that could reach ``floor``: the words that can alone, and for the
    others each smallest set of them whose highest shares add up to ``floor`` (ANDed).  ``None``: nothing would be
    left out (or too many words to enumerate); ``""``: no chunk can reach the floor."""
    high = [t for t in terms if shares[t] >= floor]
    low = [t for t in terms if shares[t] < floor]
    if not low or len(low) > MAX_SPLIT_WORDS:
        return None
    sets: list[tuple[str, ...]] = []
    for size in range(2, len(low) + 1):
        for group in combinations(low, size):
            if sum(shares[t] for t in group) >= floor and not any(set(s) <= set(group) for s in sets):
                sets.append(group)
    parts = [quoted(t) for t in high] + ["(" + " AND ".join(quoted(t) for t in group) + ")" for group in sets]
    return " OR ".join(parts)
