"""Recall's first stage: the retriever's deep candidate list for a question.

Two things differ from a plain search:

* the words and meaning searches run without the names of people who speak
  in the vault (``speakers.py``): who said a memory is matched later, by the
  speaker focus, the dialogue lift and the graph, which read the whole question;
* a time the question states ("in March 2023", "the week before 3 August")
  is widened by a reporting lag: people tell of an event after it happened
  ("last week we went to the memorial"), so a message sent a little after
  the range may be the one about it.  The lag is a share of the range's
  length (at least a day, at most a month), and a memory from the lag period
  keeps only ``report_share`` of its score, so one from the range itself
  stays ahead of an equal match told later.

The result says the whole question (less a parsed time phrase): that is what
the caller, the graph seeds and the relevance judge read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from core.memory.recall.graph import query_entities
from core.memory.recall.speakers import speaker_aliases, without_names
from core.ports import Retriever
from core.retrieve.types import SearchRequest, SearchResult
from core.types import TimeRange

MIN_LAG = timedelta(days=1)
MAX_LAG = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class FirstStage:
    pool: int = 100
    strip_speakers: bool = True
    report_lag: float = 1.0  # share of a stated range's length searched after it (0: the range only)
    report_share: float = 0.7  # score kept by a memory from that lag period


def widened(span: TimeRange, lag: float) -> TimeRange:
    """``span`` with its end moved later by ``lag`` × its length, clamped to [1 day, 31 days]."""
    if span.end is None or lag <= 0:
        return span
    length = span.end - span.start if span.start is not None else MAX_LAG
    return TimeRange(span.start, span.end + min(MAX_LAG, max(MIN_LAG, length * lag)))


def searched_words(reader: Any, query: str, stage: FirstStage) -> str:
    """The question as the words and meaning searches read it: without the names of people who speak."""
    if not stage.strip_speakers:
        return query
    return without_names(query, speaker_aliases(reader, query_entities(reader, query)))


def first_stage(retriever: Retriever, reader: Any, request: SearchRequest, stage: FirstStage,
                now: datetime | None = None) -> tuple[SearchResult, str]:
    """The deep candidate list, and the words its meaning search embedded (the window lift reads them again)."""
    from core.retrieve.timeparse import parse_time_expression

    now = now or datetime.now(UTC).astimezone()
    deep = replace(request, k=max(stage.pool, request.k))
    text = searched_words(reader, request.query, stage)
    parsed = None
    if request.time_range is None and request.parse_time and stage.report_lag > 0:
        parsed = parse_time_expression(text, now)
    if parsed is None or parsed.range is None or parsed.range.end is None:
        if parsed is not None and parsed.range is None:
            deep = replace(deep, parse_time=False)  # parsed already: found no time (parsing costs ~20 ms at p95)
        if text == request.query:
            base = retriever.search(deep, now)
            return base, base.query_text or text
        base = retriever.search(replace(deep, query=text), now)
        return replace(base, query_text=_question_text(request, base, now)), base.query_text or text
    said = parse_time_expression(request.query, now).remainder
    wide = widened(parsed.range, stage.report_lag)
    base = retriever.search(replace(deep, query=parsed.remainder, time_range=wide, parse_time=False), now)
    if not base.hits:  # as the retriever does when a parsed time matches nothing
        base = retriever.search(replace(deep, query=text, parse_time=False), now)
        note = f"nothing found {parsed.phrase!r}; showing matches from any time"
        return replace(base, query_text=request.query, applied_range=None, range_phrase=parsed.phrase,
                       notes=(*base.notes, note)), text
    end = parsed.range.end
    hits = sorted((replace(h, score=h.score * stage.report_share) if h.timestamp >= end else h for h in base.hits),
                  key=lambda h: -h.score)
    return replace(base, hits=hits, query_text=said, applied_range=wide, range_phrase=parsed.phrase), parsed.remainder


def _question_text(request: SearchRequest, base: SearchResult, now: datetime) -> str:
    if base.applied_range is not None and base.range_phrase and request.time_range is None:
        from core.retrieve.timeparse import parse_time_expression

        return parse_time_expression(request.query, now).remainder
    return request.query
