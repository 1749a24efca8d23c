"""Hits read from the store: the chunk and item columns a ``Hit`` needs, and the one function that builds it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.normalize.markdown_plain import is_markdown
from core.retrieve.snippets import lines_around, make_snippet, readable_text
from core.retrieve.types import Hit
from core.store.items import from_epoch
from core.types import ChunkId, ItemId

SNIPPET_CHARS = 240
HIT_COLUMNS = ("c.id, c.item_id, c.text, c.page, i.source, i.kind, i.external_id, i.conversation, i.speaker,"
               " i.title, i.ts, i.meta, i.deleted")
"""Select these ``FROM chunks c JOIN items i ON i.id = c.item_id``; rows start (chunk id, item id, ...)."""


def hit_from_row(row: Sequence[Any], *, score: float = 0.0, terms: Sequence[str] = (),
                 signals: dict[str, float] | None = None) -> Hit:
    """The ``Hit`` of one ``HIT_COLUMNS`` row; its ``reading`` is the chunk as a person reads it (a screenshot's
    without the screen's chrome and side rail, a note without its Markdown), and the snippet, cut from that,
    marks ``terms`` (line breaks are gone from a snippet, so the chrome cannot be dropped later)."""
    meta = json.loads(row[11] or "{}")
    if is_markdown(row[6], row[9], meta=meta):  # parsed only around the match: a whole chunk per hit is too slow
        reading = None
        shown = readable_text(lines_around(row[2], terms, SNIPPET_CHARS + SNIPPET_CHARS // 4), row[5], title=row[9],
                              external_id=row[6], meta=meta)
    else:
        reading = shown = readable_text(row[2], row[5], title=row[9], external_id=row[6], meta=meta)
    return Hit(
        item_id=ItemId(row[1]), chunk_id=ChunkId(row[0]), score=score, source=row[4], kind=row[5],
        external_id=row[6], conversation=row[7], speaker=row[8], title=row[9], timestamp=from_epoch(row[10]),
        text=row[2], snippet=make_snippet(shown, list(terms), SNIPPET_CHARS), page=row[3], app=meta.get("app"),
        deleted=bool(row[12]), signals=signals or {}, reading=reading,
    )
