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


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits plus what the search understood, so the UI/CLI can say it."""

    hits: list[Hit]
    query_text: str
    applied_range: TimeRange | None
    range_phrase: str | None
    notes: tuple[str, ...] = ()
