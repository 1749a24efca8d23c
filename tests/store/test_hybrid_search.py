"""Hybrid retrieval with the real embedder: meaning found where words differ."""

from __future__ import annotations

from core.retrieve.types import SearchRequest
from tests.helpers import message


def test_dense_side_finds_a_paraphrase_bm25_cannot(vault) -> None:
    vault.ingest([
        message("1", "I adopted a puppy from the shelter last weekend, she is a beagle"),
        message("2", "The quarterly budget spreadsheet needs two more columns"),
        message("3", "Our train to Vienna leaves at 7:40 from platform 9"),
    ])
    hits = vault.search(SearchRequest("new dog", k=1, parse_time=False)).hits
    assert hits[0].external_id == "1"
    assert "cosine" in hits[0].signals and "bm25" not in hits[0].signals


def test_pure_time_query_lists_that_period(vault) -> None:
    from datetime import timedelta

    from tests.helpers import BASE_TIME

    vault.ingest([message("a", "old news", minutes=0), message("b", "fresh news", minutes=60 * 24 * 3)])
    result = vault.search(SearchRequest("yesterday", k=5), now=BASE_TIME + timedelta(days=4, hours=1))
    assert result.applied_range is not None
    assert [h.external_id for h in result.hits] == ["b"]
