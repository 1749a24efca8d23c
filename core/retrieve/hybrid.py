"""Hybrid retrieval: FTS5 BM25 + vector similarity, fused by weighted reciprocal rank.

Filters (time, source, speaker, conversation, app, kind) are applied inside
both retrievers, not after them, so a narrow filter still returns k hits.
When a time range parsed from the query matches nothing, the search runs
again without it and says so in ``notes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.index.fulltext import ITEMS_JOIN, Rankings, query_terms, search_fulltext
from core.index.vectors import VectorSearch
from core.retrieve.hit_rows import HIT_COLUMNS, hit_from_row
from core.retrieve.types import Hit, SearchRequest, SearchResult
from core.store import facets as chunk_facets
from core.store.facet_columns import FacetColumns
from core.store.items import to_epoch
from core.types import TimeRange

FACETS_JOIN = "JOIN chunk_facets cf ON cf.chunk_id = f.rowid"
NARROW_FILTER = 4096  # without the facets table (an old vault still filling it) a filter is listed up to this many
# A filter over the facets table is listed up to this many chunk ids (an index-only scan, ~1 µs an id): the
# searches then keep to the list in memory.  Wider ones (one speaker of eight) check candidates by id instead.
LIST_LIMIT = 32_768


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """How lexical and vector evidence combine; tuned on LoCoMo-dev (bench/locomo.py), not assumed.

    ``mode="rrf"``: weighted reciprocal rank fusion.  ``mode="score"``: BM25
    scores divided by the best BM25 score of the query plus cosine rescaled
    above ``min_cosine``, weighted; it keeps how much better the best match is,
    which rank fusion throws away.
    """

    mode: str = "score"
    lexical: float = 1.0
    dense: float = 0.5
    rrf_k: float = 60.0
    depth: int = 100
    # Below this cosine a vector neighbour is noise, not a match: without a floor a
    # search for something absent would always "find" the nearest unrelated memory.
    min_cosine: float = 0.2


def build_filter(request: SearchRequest, time_range: TimeRange | None, facets: bool = False) -> tuple[str, list[Any]]:
    """SQL over the items alias ``i`` for the request's filters, or with ``facets`` over ``chunk_facets cf``."""
    t = "cf" if facets else "i"
    clauses: list[str] = []
    params: list[Any] = []
    if time_range is not None:
        if time_range.start is not None:
            clauses.append(f"{t}.ts >= ?")
            params.append(to_epoch(time_range.start))
        if time_range.end is not None:
            clauses.append(f"{t}.ts < ?")
            params.append(to_epoch(time_range.end))
    if request.sources:
        parts = []
        for source in request.sources:
            if ":" in source:
                parts.append(f"{t}.source = ?")
                params.append(source)
            elif facets:  # "chat" matches every chat format: a range the source index can seek (LIKE cannot)
                parts.append(f"({t}.source = ? OR ({t}.source >= ? AND {t}.source < ?))")
                params.extend([source, f"{source}:", f"{source};"])
            else:  # "chat" matches every chat format, "file" the files
                parts.append(f"({t}.source = ? OR {t}.source LIKE ?)")
                params.extend([source, f"{source}:%"])
        clauses.append("(" + " OR ".join(parts) + ")")
    for column, values in ((f"{t}.speaker", request.speakers), (f"{t}.conversation", request.conversations)):
        if values:
            clauses.append(f"{column} COLLATE NOCASE IN ({','.join('?' * len(values))})")
            params.extend(values)
    if request.apps:
        app = "cf.app" if facets else "lower(json_extract(i.meta, '$.app'))"
        clauses.append(f"{app} IN ({','.join('?' * len(request.apps))})")
        params.extend(a.lower() for a in request.apps)
    if request.kinds:
        clauses.append(f"{t}.kind IN ({','.join('?' * len(request.kinds))})")
        params.extend(request.kinds)
    if not request.include_deleted:
        clauses.append(f"{t}.deleted = 0")
    return " AND ".join(clauses), params


@dataclass(frozen=True, slots=True)
class FilterRows:
    """Where a filter's SQL reads its rows: the narrow ``chunk_facets cf`` or the wide ``chunks c``/``items i``."""

    facets: bool

    @property
    def rows(self) -> str:
        return "chunk_facets cf" if self.facets else "chunks c JOIN items i ON i.id = c.item_id"

    @property
    def checked(self) -> str:
        # CROSS JOIN keeps the planner on the listed ids (see chunk_ids_where)
        return "chunk_facets cf" if self.facets else "chunks c CROSS JOIN items i ON i.id = c.item_id"

    @property
    def chunk_id(self) -> str:
        return "cf.chunk_id" if self.facets else "c.id"

    @property
    def fts_join(self) -> str:
        return FACETS_JOIN if self.facets else ITEMS_JOIN


ITEM_ROWS = FilterRows(facets=False)


def chunk_ids_where(reader: Any, chunk_ids: np.ndarray, where: str, params: Sequence[Any],
                    rows: FilterRows = ITEM_ROWS) -> list[int]:
    """Which of ``chunk_ids`` pass the filter ``where`` (over items ``i``, or ``cf`` with the facets ``rows``).

    CROSS JOIN keeps the planner on the listed ids: with a plain JOIN it walked the filter's own index
    (every item of one speaker, 12.5 % of the vault) for each 900 ids, 1.27 s at 300k items against 0.1 s.
    """
    ids = sorted({int(c) for c in chunk_ids})  # in rowid order: neighbouring ids share pages
    if rows.facets:
        # One statement that starts from the candidates (json_each, then one primary-key seek each; CROSS JOIN
        # keeps that order).  ``cf.chunk_id IN (…) AND cf.speaker IN (?)`` let the planner walk the speaker's
        # covering index instead (every chunk of one speaker per statement): 18.5 → 7.9 ms CPU a check at 1M.
        return [r[0] for r in reader.execute(
            f"SELECT cf.chunk_id FROM json_each(?) j CROSS JOIN chunk_facets cf ON cf.chunk_id = j.value WHERE {where}",
            (json.dumps(ids), *params)).fetchall()]
    passed: list[int] = []
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        passed += [r[0] for r in reader.execute(
            f"SELECT {rows.chunk_id} FROM {rows.checked} WHERE {rows.chunk_id} IN ({','.join('?' * len(part))})"
            f" AND {where}", (*part, *params))]
    return passed


class HybridRetriever:
    """Runs searches against one vault's reader connection and vector index.

    ``reader`` returns this thread's connection; ``vectors`` returns the
    up-to-date index or None (no embedder: lexical only) — possibly one still
    loading after unlock, which the result's notes then say; ``embed_query``
    embeds a query string.  ``beside`` (the vault's ``SearchLane.submit``) runs
    an unfiltered search's vector side on another thread while this one runs
    the full-text statement; without it the two run one after the other.
    """

    def __init__(
        self,
        reader: Callable[[], Any],
        vectors: Callable[[], VectorSearch | None],
        embed_query: Callable[[str], np.ndarray] | None,
        weights: FusionWeights | None = None,
        rankings: Rankings | None = None,
        beside: Callable[[Callable[[], Any]], Future[Any]] | None = None,
        columns: FacetColumns | None = None,
    ) -> None:
        self._reader = reader
        self._beside = beside
        self._rankings = rankings
        self._columns = columns
        self._vectors = vectors
        self._embed_query = embed_query
        self.weights = weights or FusionWeights()

    def search(self, request: SearchRequest, now: datetime | None = None) -> SearchResult:
        now = now or datetime.now(UTC).astimezone()
        text, applied, phrase = request.query, request.time_range, None
        if applied is None and request.parse_time:
            from core.retrieve.timeparse import parse_time_expression

            parsed = parse_time_expression(request.query, now)
            if parsed.range is not None:
                text, applied, phrase = parsed.remainder, parsed.range, parsed.phrase
        notes: list[str] = []
        # One index for the whole search: the note below describes what was actually searched.
        index = self._vectors() if self._embed_query is not None else None
        rebuilding = getattr(index, "note", None)
        if rebuilding:
            notes.append(rebuilding)
        if index is not None and index.expected is not None and len(index) < index.expected:
            notes.append(f"still loading: meaning search covered the newest {len(index):,} of "
                         f"{index.expected:,} passages (words matched everywhere)")
        hits = self._search(request, text, applied, index)
        if not hits and applied is not None and phrase is not None:
            notes.append(f"nothing found {phrase!r}; showing matches from any time")
            hits = self._search(request, request.query, None, index)
            applied = None
        return SearchResult(hits=hits, query_text=text, applied_range=applied, range_phrase=phrase, notes=tuple(notes))

    def _search(
        self, request: SearchRequest, text: str, time_range: TimeRange | None, index: VectorSearch | None
    ) -> list[Hit]:
        reader = self._reader()
        where, params = build_filter(request, time_range)
        rows = ITEM_ROWS
        if where and chunk_facets.ready(reader):
            rows = FilterRows(facets=True)
            where, params = build_filter(request, time_range, facets=True)
        terms = query_terms(text)
        depth = max(self.weights.depth, request.k * 3)
        w = self.weights
        fused: dict[int, float] = {}
        signals: dict[int, dict[str, float]] = {}
        mask = self._in_ram_mask(reader, request, time_range) if where and rows.facets else None
        listed, accept = _mask_plan(mask) if mask is not None else self._filter_plan(reader, where, params, rows)
        vectors: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
        pending: Future[Any] | None = None
        embed = self._embed_query
        if index is not None and embed is not None and len(index) and text.strip():
            def vectors() -> tuple[np.ndarray, np.ndarray]:
                # ``self._reader()`` on the thread this runs on: the lane reads through its own connection
                return self._vector_search(self._reader(), index, embed(text), depth, where, params, listed, accept,
                                           rows, mask)

            # A filter's SQL checks (``accept``) use this thread's reader; one in RAM (``mask``) uses no SQL at all.
            if self._beside is not None and (not where or mask is not None):
                pending = self._beside(vectors)
        lexical = search_fulltext(reader, terms, depth, where, params, listed=listed,
                                  accept=(lambda ids: set(accept(np.asarray(ids, dtype=np.int64)).tolist()))
                                  if accept is not None else None, join=rows.fts_join, rankings=self._rankings,
                                  mask=mask)
        best_bm25 = max((score for _, score in lexical), default=1.0) or 1.0
        for rank, (chunk_id, score) in enumerate(lexical):
            part = score / best_bm25 if w.mode == "score" else 1.0 / (w.rrf_k + rank + 1)
            fused[chunk_id] = fused.get(chunk_id, 0.0) + w.lexical * part
            signals.setdefault(chunk_id, {})["bm25"] = score
        if vectors is not None:
            ids, scores = pending.result() if pending is not None else vectors()
            keep = scores >= w.min_cosine
            top = float(scores[0]) if len(scores) else 1.0
            for rank, (chunk_id, score) in enumerate(zip(ids[keep].tolist(), scores[keep].tolist(), strict=True)):
                if w.mode == "score":
                    part = (score - w.min_cosine) / max(top - w.min_cosine, 1e-6)
                else:
                    part = 1.0 / (w.rrf_k + rank + 1)
                fused[chunk_id] = fused.get(chunk_id, 0.0) + w.dense * part
                signals.setdefault(chunk_id, {})["cosine"] = score
        if not fused and not terms and time_range is not None:
            # A pure time query ("yesterday"): the most recent items of that range.
            return self._recent(reader, where, params, request.k, rows)
        return self._hits(reader, fused, signals, terms, request.k)

    def _in_ram_mask(self, reader: Any, request: SearchRequest, time_range: TimeRange | None) -> np.ndarray | None:
        """The filter as a mask by chunk id from the facet columns in RAM (the rows ``build_filter`` selects over
        facets), or ``None`` while they are not loaded.  At 1M: one speaker's candidate checks 30-40 ms → µs."""
        columns = self._columns.current(reader) if self._columns is not None else None
        if columns is None:
            return None
        span = time_range or TimeRange(None, None)
        return columns.mask(to_epoch(span.start) if span.start is not None else None,
                            to_epoch(span.end) if span.end is not None else None, request.sources, request.speakers,
                            request.conversations, request.apps, request.kinds, request.include_deleted)

    @staticmethod
    def _filter_plan(reader: Any, where: str, params: Sequence[Any], rows: FilterRows = ITEM_ROWS
                     ) -> tuple[np.ndarray | None, Callable[[np.ndarray], np.ndarray] | None]:
        """A filter's plan: its chunk ids when it is narrow (one bounded query), else a check for candidates.

        A narrow filter is searched exactly over its ids (vectors) or inside their
        rowid span (words); a wide one through the unfiltered rankings with a
        post-filter that widens until enough pass, so a filter matching half a
        million chunks never lists them all.  Over the facets table listing is
        cheap (a covering index), so filters up to ``LIST_LIMIT`` chunks are listed
        and kept to in memory (vectors through the index with an id selector).
        """
        if not where:
            return None, None
        limit = LIST_LIMIT if rows.facets else NARROW_FILTER

        def accept(ids: np.ndarray) -> np.ndarray:
            return np.asarray(chunk_ids_where(reader, ids, where, params, rows), dtype=np.int64)

        # Is there a row past the limit?  The covering index answers without handing a row to Python; listing
        # the limit's 32,769 ids to find out cost 12.8 ms CPU against 0.8 for the probe (one speaker at 1M).
        if rows.facets and reader.execute(f"SELECT 1 FROM {rows.rows} WHERE {where} LIMIT 1 OFFSET ?",
                                          (*params, limit)).fetchone() is not None:
            return None, accept
        # fetchall, not row by row: 20,000 ids through the reader's per-row iterator took 30 ms of the 40
        found = reader.execute(f"SELECT {rows.chunk_id} FROM {rows.rows} WHERE {where} LIMIT ?",
                               (*params, limit + 1)).fetchall()
        listed = np.array([r[0] for r in found], dtype=np.int64)
        return (listed, None) if len(listed) <= limit else (None, accept)

    @staticmethod
    def _vector_search(reader: Any, index: VectorSearch, query: np.ndarray, depth: int, where: str,
                       params: Sequence[Any], listed: np.ndarray | None,
                       accept: Callable[[np.ndarray], np.ndarray] | None, rows: FilterRows = ITEM_ROWS,
                       mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if not where:
            return index.search(query, depth)
        search_mask = getattr(index, "search_mask", None)
        if mask is not None and search_mask is not None:
            # Through the index with a bitmap selector, whatever the width: the same answer as ``search`` over the
            # listed ids (narrow: exact over them), and for a wide filter what bench.store's filtered recall
            # measures, where the post-filter below widened nprobe ×4 (one speaker: faiss 18 ms → ~5).
            return search_mask(query, depth, mask)  # type: ignore[no-any-return]
        if mask is not None and listed is None:
            listed = np.flatnonzero(mask)  # an exact index (a small vault): its ids
        search_where = getattr(index, "search_where", None)
        if listed is None and accept is not None and search_where is not None:
            found = search_where(query, depth, accept)
            if found is not None:
                return found  # type: ignore[no-any-return]
        if listed is None:  # wide, and an exact index (small vault) or a filter narrower than it looked
            found = reader.execute(f"SELECT {rows.chunk_id} FROM {rows.rows} WHERE {where}", params).fetchall()
            listed = np.array([r[0] for r in found], dtype=np.int64)
        return index.search(query, depth, listed)

    def _recent(self, reader: Any, where: str, params: Sequence[Any], k: int, rows: FilterRows = ITEM_ROWS
                ) -> list[Hit]:
        if rows.facets:
            sql = (f"SELECT min(cf.chunk_id) FROM chunk_facets cf WHERE {where}"
                   " GROUP BY cf.item_id ORDER BY max(cf.ts) DESC LIMIT ?")
        else:
            sql = ("SELECT min(c.id) FROM items i JOIN chunks c ON c.item_id = i.id"
                   + (f" WHERE {where}" if where else "") + " GROUP BY i.id ORDER BY i.ts DESC LIMIT ?")
        found = reader.execute(sql, (*params, k)).fetchall()
        fused = {int(r[0]): 1.0 / (n + 1) for n, r in enumerate(found)}
        return self._hits(reader, fused, {}, [], k)

    def _hits(
        self, reader: Any, fused: dict[int, float], signals: dict[int, dict[str, float]], terms: list[str], k: int
    ) -> list[Hit]:
        if not fused:
            return []
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        by_chunk: dict[int, Any] = {}
        # Wide rows (chunk and item text) cost a page each at 1M: read 2k first, more only when items repeat.
        for start, end in ((0, 2 * k), (2 * k, max(k * 8, 50))):
            candidates = [cid for cid, _ in ranked[start:end]]
            if not candidates or (start and _distinct_items(by_chunk) >= k):
                continue
            rows = reader.execute(
                f"SELECT {HIT_COLUMNS} FROM chunks c JOIN items i ON i.id = c.item_id"
                f" WHERE c.id IN ({','.join('?' * len(candidates))})",
                candidates,
            ).fetchall()
            by_chunk.update((r[0], r) for r in rows)
        hits: list[Hit] = []
        seen_items: set[int] = set()
        for chunk_id, score in ranked:
            row = by_chunk.get(chunk_id)
            if row is None or row[1] in seen_items:
                continue
            seen_items.add(row[1])
            hits.append(hit_from_row(row, score=score, terms=terms, signals=signals.get(chunk_id, {})))
            if len(hits) >= k:
                break
        return hits


def _mask_plan(mask: np.ndarray) -> tuple[np.ndarray | None, Callable[[np.ndarray], np.ndarray] | None]:
    """``_filter_plan``'s contract from a mask: the ids when at most ``LIST_LIMIT``, else a check of candidates."""
    if np.count_nonzero(mask) <= LIST_LIMIT:
        return np.flatnonzero(mask).astype(np.int64), None

    def accept(ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < len(mask))]
        return ids[mask[ids]]

    return None, accept


def _distinct_items(rows: dict[int, Any]) -> int:
    return len({r[1] for r in rows.values()})
