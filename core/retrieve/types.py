"""What a search asks for and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.types import ChunkId, ItemId, TimeRange


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search as the user or a tool states it.

    ``parse_time`` lets time expressions in ``query`` ("last week") become a
    filter; explicit ``time_range`` wins over a parsed one.
    """

    query: str
    k: int = 10
    time_range: TimeRange | None = None
    sources: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    conversations: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    parse_time: bool = True
    include_deleted: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved memory: an item and the chunk of it that matched best."""

    item_id: ItemId
    chunk_id: ChunkId
    score: float
    source: str
    kind: str
    external_id: str | None
    conversation: str | None
    speaker: str | None
    title: str | None
    timestamp: datetime
    text: str
    snippet: str
    page: int | None = None
    app: str | None = None
    deleted: bool = False
    signals: dict[str, float] = field(default_factory=dict)
    weak: bool = False  # below the relevance floor: shown as a weaker match, never as a good one
    # The chunk as a person reads it (``core.retrieve.snippets.readable_text``); ``None``: not made yet (a
    # Markdown note's is parsed only where a reader needs it), make it from ``text``.
    reading: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits plus what the search understood, so the UI/CLI can say it.

    ``notes`` are for the user ("nothing found 'in April'; showing any time");
    ``diagnostics`` are for a developer (graph sizes, seeds) and are shown only
    when asked (``cairn search --explain``).
    """

    hits: list[Hit]
    query_text: str
    applied_range: TimeRange | None
    range_phrase: str | None
    notes: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()
    # No good match within the filters: the best good match without them (another time or source), if any.
    nearest: Hit | None = None

    @property
    def good_hits(self) -> list[Hit]:
        return [h for h in self.hits if not h.weak]

    @property
    def weak_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.weak]
