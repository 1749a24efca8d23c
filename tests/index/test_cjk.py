"""Words inside runs of Chinese, Japanese and Korean text are found; other searches are unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.index.cjk import match_expression, split_terms
from core.retrieve.types import SearchRequest
from core.types import Record


def _message(n: int, text: str) -> Record:
    return Record(source="chat:jsonl", external_id=str(n), kind="message", text=text, conversation="c",
                  speaker="Aki", timestamp=datetime(2024, 3, 14, 18, n, tzinfo=UTC))


def _top(vault: Any, query: str) -> list[str]:
    found = vault.search(SearchRequest(query=query, k=5, parse_time=False))
    return [h.text for h in found.hits]


def test_cjk_words_inside_longer_runs_are_found(lexical_vault: Any) -> None:
    lexical_vault.ingest([
        _message(1, "明日は東京で会議があります"),
        _message(2, "大阪の天気は晴れです"),
        _message(3, "서울특별시에서 회의가 있습니다"),
        _message(4, "我们下周在北京开会讨论预算"),
        _message(5, "The harbour committee met on Thursday"),
    ], embed=False)
    assert _top(lexical_vault, "会議")[0] == "明日は東京で会議があります"
    assert _top(lexical_vault, "天気")[0] == "大阪の天気は晴れです"
    assert _top(lexical_vault, "회의")[0] == "서울특별시에서 회의가 있습니다"
    assert _top(lexical_vault, "北京 预算")[0] == "我们下周在北京开会讨论预算"
    assert _top(lexical_vault, "committees")[0] == "The harbour committee met on Thursday"  # stemming as before


def test_forgetting_removes_the_cjk_rows(lexical_vault: Any) -> None:
    lexical_vault.ingest([_message(1, "明日は東京で会議があります")], embed=False)
    assert lexical_vault.read().execute("SELECT count(*) FROM chunks_cjk").fetchone()[0] == 1
    lexical_vault.forget(source="chat:jsonl")
    assert lexical_vault.read().execute("SELECT count(*) FROM chunks_cjk").fetchone()[0] == 0
    assert _top(lexical_vault, "会議") == []


def test_query_splitting() -> None:
    assert split_terms(["東京で会議", "budget"]) == (["budget"], ["東京で会議"])
    assert split_terms(["会議room"]) == (["room"], ["会議"])
    assert match_expression(["会議"]) == '"会議"'
    assert match_expression(["東"]) == '"東"*'
    assert match_expression(["東京都"]) == '"東京 京都" OR "東京" OR "京都"'
