"""The empty state's pointer: when nothing within the filters is a good match, the best one outside them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from core.retrieve.types import Hit, SearchRequest, SearchResult


def narrowed(request: SearchRequest, result: SearchResult) -> bool:
    """Did filters (a time, a source, an app, a person, a conversation) narrow this search?"""
    return bool(result.applied_range is not None or request.sources or request.apps or request.speakers
                or request.conversations)


def wanted(request: SearchRequest, result: SearchResult) -> bool:
    """Would ``nearest_elsewhere`` search: a narrowed search of some words without a good match?"""
    return not result.good_hits and narrowed(request, result) and bool(result.query_text.strip())


def nearest_elsewhere(search: Callable[[SearchRequest], SearchResult], request: SearchRequest,
                      result: SearchResult) -> Hit | None:
    """The best good match for the same words with every filter lifted; None when the search was not
    narrowed, already has a good match, or there is none anywhere."""
    if not wanted(request, result):
        return None
    wider = SearchRequest(query=result.query_text, k=10, kinds=request.kinds, parse_time=False,
                          include_deleted=request.include_deleted)
    found = search(wider).good_hits
    return found[0] if found else None


def with_nearest(search: Callable[[SearchRequest], SearchResult], request: SearchRequest,
                 result: SearchResult) -> SearchResult:
    nearest = nearest_elsewhere(search, request, result)
    return replace(result, nearest=nearest) if nearest is not None else result
