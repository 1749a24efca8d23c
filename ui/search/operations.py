"""The search page's reads: a search, and the people the person filter suggests.

Each function returns a ``ui.operations.QueryOp``; the page adds what to do
with the value and runs it.  The preview of a hit uses the shared
``ui.widgets.operations.load_item``.

Threads: build on the GUI thread; the read runs on a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.operations import QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.retrieve.types import SearchRequest, SearchResult


def search(session: Session, request: SearchRequest) -> QueryOp[SearchResult]:
    """Hybrid search with the request's filters (the memory graph re-ranks once it exists)."""
    return QueryOp(session, lambda v: v.search(request), label="search")


def load_people(session: Session) -> QueryOp[list[tuple[str, str, int]]]:
    """``(source, conversation, count)`` of every conversation: the names the person filter offers."""
    return QueryOp(session, lambda v: v.conversations(), label="people")
