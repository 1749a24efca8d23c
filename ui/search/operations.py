"""The search page's reads: a search, the nearest match outside its filters, and the people the person filter suggests.

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
    from core.retrieve.types import Hit, SearchRequest, SearchResult


def search(session: Session, request: SearchRequest) -> QueryOp[SearchResult]:
    """Hybrid search with the request's filters (the memory graph re-ranks once it exists), without the nearest good
    match outside the filters: that is a whole second search, so the page shows the hits first (``nearest``)."""
    return QueryOp(session, lambda v: v.search(request, nearest=False), label="search")


def nearest_wanted(request: SearchRequest, result: SearchResult) -> bool:
    """Does ``result`` lack a good match within filters that ``nearest`` could lift?"""
    from core.retrieve.elsewhere import wanted

    return wanted(request, result)


def nearest(session: Session, request: SearchRequest, result: SearchResult) -> QueryOp[Hit | None]:
    """The best good match outside the request's filters when ``result`` has none within (else ``None``)."""
    from core.retrieve.elsewhere import nearest_elsewhere

    return QueryOp(session, lambda v: nearest_elsewhere(lambda wider: v.search(wider, nearest=False), request, result),
                   label="nearest")


def load_people(session: Session) -> QueryOp[list[tuple[str, str, int]]]:
    """``(source, conversation, count)`` of every conversation: the names the person filter offers."""
    return QueryOp(session, lambda v: v.conversations(), label="people")
