"""Full-text search over ``chunks_fts`` (FTS5, Porter stemming, BM25)."""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from core.index import maxscore

T = TypeVar("T")

# Words that carry no topic: questions are full of them and they dilute BM25 OR-queries.
STOPWORDS: frozenset[str] = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "also", "ever", "yet", "get", "got", "would", "like", "one"]
)

_TOKEN = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def query_terms(text: str) -> list[str]:
    """Lower-cased content words of a query, in order, without duplicates."""
    terms: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group(0).strip("'’-").replace("’", "'")
        for part in re.split(r"['-]", word):
            if len(part) < 2 and not part.isdigit():
                continue
            if part in STOPWORDS or part in terms:
                continue
            terms.append(part)
    return terms


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: any of the terms (quoted, so no operator injection)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


# BM25 over a common word's every match costs O(matches): ~1 s for two common words at 170k chunks here.
# Past this many matches, common words are ranked over their newest matches only (rare words still
# reach back over all time): a memory app's "coffee" means recent coffee first.
WINDOW_MATCHES = 20_000
SPAN_PER_LISTED = 20  # a listed filter's rowid span is searched when it is at most this much wider than the list
SPAN_MIN = 50_000  # ... or at most this wide
WIDE_FETCH = 84  # a post-filtered ranking fetches this many times the limit (4 + 16 + 64: three widening checks)


def _bounds(lo: int | None, hi: int | None) -> tuple[str, list[Any]]:
    sql, args = "", []
    if lo is not None:
        sql, args = sql + " AND rowid >= ?", [*args, lo]
    if hi is not None:
        sql, args = sql + " AND rowid <= ?", [*args, hi]
    return sql, args


def _ranked(reader: Any, expression: str, limit: int, lo: int | None = None, hi: int | None = None,
            among: str | None = None, within: str | None = None, kept: str | None = None) -> list[tuple[int, float]]:
    """``among``: a JSON list of the only rowids wanted.  ``+rowid`` keeps that test out of FTS5 (which would run
    the match once per id) and SQLite applies it before the select list, so bm25 scores only the rows kept.
    ``within``: a second MATCH expression; only rows matching it too are scored (a rowid list built once by a
    second FTS5 cursor over the same bounds), still with every phrase of ``expression``.  ``kept``: a SQL test of
    ``rowid`` saying which rows are wanted (the reader's ``masked``), applied the same way."""
    bounds, bound_args = _bounds(lo, hi)
    clauses = ["chunks_fts MATCH ?" + bounds]
    args: list[Any] = [expression, *bound_args]
    if among is not None:
        clauses.append("+rowid IN (SELECT value FROM json_each(?))")
        args.append(among)
    if kept is not None:
        clauses.append(kept)
    if within is not None:
        clauses.append(f"+rowid IN (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?{bounds})")
        args += [within, *bound_args]
    rows = reader.execute(
        f"SELECT rowid, bm25(chunks_fts) AS score FROM chunks_fts WHERE {' AND '.join(clauses)} ORDER BY score LIMIT ?",
        (*args, limit),
    ).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def _rows(reader: Any) -> int:
    """The highest chunk id in the index (about how many chunks there are; ids are not reused)."""
    return int(reader.execute("SELECT coalesce(max(rowid), 0) FROM chunks_fts").fetchone()[0])


def _window_start(reader: Any, expression: str, window: int) -> int | None:
    """The rowid of the ``window``-th newest match, or ``None`` when there are fewer matches (bounded cost)."""
    row = reader.execute(
        "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (expression, window),
    ).fetchone()
    return None if row is None else int(row[0])


# FTS5's bm25 gives a word in half the rows or more an idf of 1e-6 (log((N - n + 0.5) / (n + 0.5)) <= 0 is clamped):
# it cannot move a ranking, yet bm25 counts its every match first (~60 ms for a word in 70 % of 1M chunks).  Such
# words are left out of the ranking query when another word remains.  Decided from the newest SAMPLE matches, with
# a margin for the estimate.
SAMPLE = 2_000
WEIGHTLESS_SHARE = 0.6


class WordFacts:
    """What ranking learnt about single words (weightless? more matches than the window?), kept per vault while the
    index is unchanged: those probes scan up to ``window`` matches of each word again at every search (~7 ms of a
    search at 1M on average, 20+ at p95), and the same words come back.  Valid for one index state: any insert or
    delete changes FTS5's totals record (rows, tokens) or the highest rowid, and that empties the cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[Any, ...] | None = None
        self._facts: dict[tuple[str, str, int], Any] = {}

    def fact(self, reader: Any, kind: str, term: str, size: int, probe: Callable[[], bool]) -> bool:
        return bool(self.value(reader, kind, term, size, probe))

    def count(self, reader: Any, term: str) -> int:
        """How many chunks have ``term`` (what bm25 counts for its idf: the term's whole list of matches)."""
        return int(self.value(reader, "count", term, 0, lambda: reader.execute(
            "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (match_expression([term]),)).fetchone()[0]))

    def value(self, reader: Any, kind: str, term: str, size: int, probe: Callable[[], T]) -> T:
        """``probe()``'s answer for (kind, term, size), computed once per index state (any kind of value)."""
        state = (reader.execute("SELECT coalesce(max(rowid), 0) FROM chunks_fts").fetchone()[0],
                 reader.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone())
        key = (kind, term, size)
        with self._lock:
            if state != self._state:
                self._state, self._facts = state, {}
            known = self._facts.get(key)
        if known is None:
            known = probe()
            with self._lock:
                if state == self._state:
                    self._facts[key] = known
        return known


def _fact(facts: WordFacts | None, reader: Any, kind: str, term: str, size: int, probe: Callable[[], bool]) -> bool:
    return probe() if facts is None else facts.fact(reader, kind, term, size, probe)


def weighted_terms(reader: Any, terms: Sequence[str], facts: WordFacts | None = None) -> list[str]:
    """``terms`` without those in more than ``WEIGHTLESS_SHARE`` of the chunks (all of them if none would remain)."""
    if len(terms) < 2:
        return list(terms)
    total = _rows(reader)
    if total < 2 * SAMPLE:
        return list(terms)

    def weighted(term: str) -> bool:
        row = reader.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                             (match_expression([term]), SAMPLE - 1)).fetchone()
        # SAMPLE matches among the newest (total - rowid + 1) ids: the word's share of the whole, estimated
        return row is None or SAMPLE / max(total - int(row[0]) + 1, 1) <= WEIGHTLESS_SHARE

    kept = [term for term in terms if _fact(facts, reader, "weighted", term, total, lambda t=term: weighted(t))]
    return kept or list(terms)


def ranked_matches(reader: Any, terms: Sequence[str], limit: int, window: int = WINDOW_MATCHES,
                   facts: WordFacts | None = None, among: str | None = None, kept: str | None = None
                   ) -> list[tuple[int, float]]:
    """Best ``limit`` chunks by BM25; over the newest ``window`` matches of common words, all of rare ones.
    ``among`` (a JSON list of chunk ids) or ``kept`` (a SQL test of ``rowid``): the same ranking kept to those
    ids (the window and which words are rare stay those of the whole vault, so it is the unfiltered ranking's
    rows that pass, in its order)."""
    return _ranked_window(reader, terms, limit, window, facts, among, kept)[0]


def _ranked_window(reader: Any, terms: Sequence[str], limit: int, window: int, facts: WordFacts | None,
                   among: str | None, kept: str | None = None, sparse: bool = False
                   ) -> tuple[list[tuple[int, float]], bool]:
    """``ranked_matches`` and whether it ranked every match of its weighted words (no window).  ``sparse``: when
    there is a window, nothing is ranked (``[]``; the caller ranks all time instead)."""
    terms = weighted_terms(reader, terms, facts)

    def is_rare(t: str) -> bool:
        return _fact(facts, reader, "rare", t, window,
                     lambda: _window_start(reader, match_expression([t]), window) is None)

    # One word past the window (a fact kept per vault) puts the words past it: no need to walk the window to know.
    if sparse and facts is not None and not all(is_rare(t) for t in terms):
        return [], False
    start = _window_start(reader, match_expression(terms), window)
    if start is None:
        return _pruned(reader, terms, limit, None, None, among, facts, kept=kept), True
    if sparse:
        return [], False
    rare = [t for t in terms if is_rare(t)]
    # Older chunks with a rare word: scored on the rare words alone (a lower bound of their full score).
    older = _pruned(reader, rare, limit, None, start, among, facts, kept=kept) if rare else []
    # the older ones' limit-th score: window chunks that cannot reach it need not be scored
    found = dict(_pruned(reader, terms, limit, start + 1, None, among, facts, older, rare, window, kept))
    for chunk_id, score in older:
        found.setdefault(chunk_id, score)
    return sorted(found.items(), key=lambda kv: -kv[1])[:limit], False


PRUNE_FROM_ROWS = 100_000  # below this many chunks a ranking scores every match, as it always did


def _pruned(reader: Any, terms: Sequence[str], limit: int, lo: int | None, hi: int | None, among: str | None,
            facts: WordFacts | None, others: Sequence[tuple[int, float]] = (), rare: Sequence[str] = (),
            window: int = 0, kept: str | None = None) -> list[tuple[int, float]]:
    """``_ranked`` over ``terms`` in [lo, hi], scoring only chunks that can be among the best ``limit`` of its
    rows and ``others`` (at least ``limit`` rows ranked elsewhere that join them), by ``maxscore``.  The floor is
    the higher of the others' limit-th score and a guess (chunks with only the commonest word are out), checked
    against the limit-th score found; when it was too high, once more with that score (real chunks reach it, so
    that pass is exact).  Needs the words' chunk counts, so only
    with ``facts`` (kept per vault) and in a vault of at least ``PRUNE_FROM_ROWS`` chunks.  ``rare``: words known
    to have at most ``window`` chunks (counted only when that bound does not settle them).  ``kept``: every statement
    keeps to those rows (``others`` too), so the floor is one ``limit`` kept rows reach: the same pruning, exact."""
    expression = match_expression(terms)
    # ``among`` (a listed filter) already keeps bm25 to ~2 % of the matches: counting the words costs more there.
    # Without ``others`` there is no floor to start from, and a guess (chunks with only the commonest word out)
    # failed its check at 1M for nearly every ranking of older rare matches (a retry = a second statement).
    if facts is None or among is not None or len(terms) < 2 or limit <= 0 or len(others) < limit:
        return _ranked(reader, expression, limit, lo, hi, among, kept=kept)
    row = reader.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    totals = bytes(row[0]) if row is not None and row[0] is not None else None
    if not totals or maxscore.varints(totals)[0] < PRUNE_FROM_ROWS:
        return _ranked(reader, expression, limit, lo, hi, among, kept=kept)
    common = [t for t in terms if t not in rare]
    shares = maxscore.highest_shares(totals, {t: facts.count(reader, t) for t in common or terms})
    if shares is None:
        return _ranked(reader, expression, limit, lo, hi, among, kept=kept)
    known = sorted((score for _, score in others), reverse=True)
    floor = max(min(shares.values()) * (1 + 1e-6), known[limit - 1] if len(known) >= limit else 0.0)
    rare_least = (maxscore.highest_shares(totals, {"": window}) or {}).get("", 0.0)
    if common and rare_least < floor:
        shares = maxscore.highest_shares(totals, {t: facts.count(reader, t) for t in terms}) or {}
    else:  # every rare word has at least ``rare_least``: none can be left out, their counts are not needed
        shares.update({t: rare_least for t in terms if t not in shares})
    rows: list[tuple[int, float]] = []
    for attempt in range(2):
        within = maxscore.candidates(terms, shares, floor) if floor > 0 else None
        if within is None:
            return _ranked(reader, expression, limit, lo, hi, among, kept=kept)
        rows = _ranked(reader, expression, limit, lo, hi, among, within, kept) if within else []
        reached = sorted(known + [score for _, score in rows], reverse=True)
        if len(reached) >= limit and reached[limit - 1] >= floor:
            return rows  # every chunk left out scores below the floor, which ``limit`` chunks reach
        floor = reached[limit - 1] if len(reached) >= limit and attempt == 0 else 0.0
    return _ranked(reader, expression, limit, lo, hi, among, kept=kept)


class Rankings:
    """Unfiltered rankings one search already computed, for its second pass over the same words (the nearest good
    match outside its filters): a shorter ranking is a prefix of a longer one.  Lives for one search, one thread."""

    def __init__(self, facts: WordFacts | None = None) -> None:
        self._found: dict[tuple[tuple[str, ...], int], tuple[int, list[tuple[int, float]]]] = {}
        self.facts = facts

    def ranked(self, reader: Any, terms: Sequence[str], limit: int, window: int = WINDOW_MATCHES
               ) -> list[tuple[int, float]]:
        key = (tuple(terms), window)
        have = self._found.get(key)
        if have is not None and (have[0] < 0 or 0 <= limit <= have[0]):
            return have[1] if limit < 0 else have[1][:limit]
        rows = ranked_matches(reader, terms, limit, window, self.facts)
        self._found[key] = (limit, rows)
        return rows


ITEMS_JOIN = "JOIN chunks c ON c.id = f.rowid JOIN items i ON i.id = c.item_id"
"""How a filter over items ``i`` reaches an FTS row ``f``; a filter over the narrow facets table passes its own."""


def search_fulltext(
    reader: Any, terms: Sequence[str], limit: int, where_sql: str = "", params: Sequence[Any] = (),
    listed: Sequence[int] | None = None, accept: Callable[[list[int]], set[int]] | None = None,
    join: str = ITEMS_JOIN, rankings: Rankings | None = None, mask: Any = None,
) -> list[tuple[int, float]]:
    """``(chunk_id, bm25_score)`` best first; higher is better.  ``where_sql`` filters on ``i`` (items), or on
    whatever ``join`` brings in next to the FTS row ``f``.

    Plans: no filter → ``ranked_matches``.  A narrow filter whose chunk ids are
    ``listed`` → BM25 inside the rowid span of those ids, kept to them (a span is
    a seek in FTS5; ``rowid IN (…)`` re-ran the match per id: 4.7 s for 124 ids);
    when the span is too wide, the unfiltered ranking kept to the list.  A wide
    filter with an ``accept`` check → the unfiltered ranking (``WIDE_FETCH`` × the
    limit), post-filtered.  Otherwise (too few passed) the join.  A wide filter in RAM (``mask``: a bool per
    chunk id, set for the chunks that pass) → the unfiltered ranking's statements keep to its rows themselves.

    CJK runs among the terms are looked up in the bigram table (``core.index.cjk``)
    and merged in; a query without CJK runs exactly as above.
    """
    if not terms:
        return []
    from core.index import cjk

    plain, runs = cjk.split_terms(terms)
    if runs:
        stemmed = search_fulltext(reader, plain, limit, where_sql, params, listed, accept, join,
                                  rankings, mask) if plain else []
        return cjk.merge(stemmed, cjk.search_cjk(reader, runs, limit, where_sql, params, join), limit)
    rank = rankings.ranked if rankings is not None else ranked_matches
    if not where_sql:
        return rank(reader, terms, limit)
    if listed is not None:
        # (a numpy array's tolist: 20,000 ids one by one through int() took ~20 ms at load 12)
        keep = sorted(set(listed.tolist() if hasattr(listed, "tolist") else (int(c) for c in listed)))
        if not keep:
            return []
        lo, hi = keep[0], keep[-1]
        among = json.dumps(keep)  # the matches outside the list are never scored nor fetched
        if hi - lo < max(SPAN_PER_LISTED * len(keep), SPAN_MIN):
            return _ranked(reader, match_expression(terms), limit, lo=lo, hi=hi, among=among)
        # Listed but spread over the vault (one conversation over years): the unfiltered ranking kept to the list.
        # A list too sparse for the window to hold ``limit`` of its rows (one conversation's one speaker at 1M,
        # 0.25 %: ~50 of the window's 20,000 matches, 100 asked) went through the window only to fall back to all
        # time below: it goes there at once (every match of the list ranked: the join plan's exact answer).
        sparse = len(keep) * WINDOW_MATCHES < limit * _rows(reader)
        kept, every = _ranked_window(reader, terms, limit, WINDOW_MATCHES,
                                     rankings.facts if rankings is not None else None, among, sparse=sparse)
        if len(kept) >= limit or every:
            # ``every``: all matches of the weighted words were ranked; what is missing matched only words in
            # most chunks (idf clamped to 1e-6), which the unfiltered ranking leaves out too.  Ranking those
            # here meant bm25 over every match of such a word: 1-3 s at 1M for "meeting" in one conversation.
            return kept[:limit]
        # Short because of the window: every match of the list over all time, exactly what the join below gives,
        # without the per-match join (the list is complete).
        return _ranked(reader, match_expression(terms), limit, among=among)
    masked = getattr(reader, "masked", None) if mask is not None else None
    if masked is not None:
        # The filter inside the ranking's statements (a SQL test asking the mask): bm25 scores only the rows
        # that pass, and the rows kept are the unfiltered ranking's passing rows in its order, however few pass
        # near the top.  Post-filtering a ranking of the ~2 × limit / pass-rate best rows scored every match:
        # one speaker of eight at 1M, 49 → 28 ms CPU p95 (the same rows for 150 searches).
        with masked(mask) as test:
            kept_rows = test("rowid")
            found, every = _ranked_window(reader, terms, limit, WINDOW_MATCHES,
                                          rankings.facts if rankings is not None else None, None, kept_rows)
            if len(found) >= limit or every:
                return found
            # Short because of the window: the rows that pass are older than the newest matches (a past year, a
            # conversation that ended), so every match of theirs over all time is ranked: the join's exact answer.
            # Returning the short window had left a one-year filter with no full-text hits at all.
            return _ranked(reader, match_expression(terms), limit, kept=kept_rows)
    if accept is not None:
        # One ranking, widely fetched (each call scores the whole window again: the idf scans dominate), checked
        # in slices: the check looks up every candidate, so it stops once ``limit`` pass.  After the first slice
        # the next is sized by the share that passed so far (+25 %, at most ×4): one speaker of eight passed 50 of
        # 400 and then checked 1,600 more for the other 50; ~500 now.  The rows kept are the same (rank order).
        rows = rank(reader, terms, WIDE_FETCH * limit)
        kept, checked, size = [], 0, 4 * limit
        while checked < len(rows) and len(kept) < limit:
            part = rows[checked : checked + size]
            passed = accept([r[0] for r in part])
            kept += [r for r in part if r[0] in passed]
            checked += len(part)
            size = min(4 * size, max(limit, math.ceil(1.25 * (limit - len(kept)) * checked / max(len(kept), 1))))
        if len(kept) >= limit or len(rows) < WIDE_FETCH * limit:
            return kept[:limit]
    sql = (
        f"SELECT f.rowid, bm25(chunks_fts) AS score FROM chunks_fts f {join}"
        " WHERE chunks_fts MATCH ?" + (f" AND {where_sql}" if where_sql else "") + " ORDER BY score LIMIT ?"
    )
    rows = reader.execute(sql, (match_expression(terms), *params, limit)).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]
