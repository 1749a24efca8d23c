"""Plain value types shared by every layer of Cairn.

Times are timezone-aware ``datetime`` objects in the API and UTC epoch seconds
(float) in the store.  Ids are ``NewType`` ints so a chunk id is never passed
where an item id is expected.

One memory takes five shapes, one per stage, none a copy of another:
``Record`` (here: what a source produced, not stored yet: no id, sections and
media to come); ``core.store.browse.ItemView`` (a stored item as views show
it: id, aware time, its media ids); ``core.memory.items.MemItem`` (a stored
item as consolidation computes with it: epoch-float times, end time, content
hash, no media query per item); ``core.retrieve.types.Hit`` (a search
result: the item's fields plus the chunk that matched and its scores); and
``core.answer.types.Snippet`` (a numbered excerpt shown to the model, cited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NewType

ItemId = NewType("ItemId", int)
ChunkId = NewType("ChunkId", int)
MediaId = NewType("MediaId", int)


@dataclass(frozen=True, slots=True)
class Section:
    """A structural piece of a document: a page, a heading's body, a sheet.

    Extractors yield sections so the chunker can split on structure and each
    chunk can say which page it came from.
    """

    text: str
    page: int | None = None
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One thing a source produced, before it is stored.

    ``external_id`` is the source's own id (a chat message id, a file path, a
    frame id).  Together with ``source`` and ``conversation`` it is the
    idempotency key: importing the same record twice stores it once, and a
    changed ``text`` under the same key updates the stored item.

    ``index_text``, when set, is the part of ``text`` that is chunked into the
    search index (``None``: all of it).  A screen frame sets it to the lines not
    on the same window's previous frame: the whole screen text stays the item's
    text, but each line is indexed once, where it first appeared.
    """

    source: str
    external_id: str
    kind: str
    timestamp: datetime
    text: str
    conversation: str | None = None
    speaker: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    media_refs: tuple[str, ...] = ()
    index_text: str | None = None

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError(f"Record {self.external_id!r}: timestamp must be timezone-aware")


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record a reader could not turn into a ``Record``; the import goes on.

    ``where`` names the place in the input (``"chat.jsonl:17"``, ``"zip:foo/bar.json"``).
    """

    where: str
    reason: str
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordSkip:
    """A record deliberately not imported (a system message, an empty line)."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class RecordNote:
    """Something the user should know about a whole import (a guess the reader made).

    Example: the day/month order of an ambiguous WhatsApp export, with how to redo it.
    Notes are shown with the import report; they count as no record.
    """

    where: str
    text: str


ReadResult = Record | RecordError | RecordSkip | RecordNote
"""What a reader yields for each record of its input: the record, or why not (or a note)."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open interval ``[start, end)``; either side may be open."""

    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        if self.start is not None and moment < self.start:
            return False
        return not (self.end is not None and moment >= self.end)
