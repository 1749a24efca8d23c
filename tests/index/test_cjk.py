"""Words inside runs of Chinese, Japanese and Korean text are found; other searches are unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.index import cjk
from core.index.cjk import has_cjk, match_expression, split_terms
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from core.schema import MIGRATIONS
from core.store.schema import _split_sql
from core.types import Record
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE


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


# ASCII, Latin with accents, emoji, a lone CJK character amid Latin, kana, hangul, CJK punctuation only (not a CJK
# letter), compatibility ideographs: the cheap pre-check may only skip texts without a single CJK character.
MIXED = ("plain ascii budget", "café crème brûlée", "party 🎉 tonight", "see 東 there", "カタカナ", "한국어",
         "「」、。", "豈 compat", "Ünïcödé ß", "naïve ascii? no")


def _cjk_rows(v: Any) -> set[str]:
    return {r[0] for r in v.read().execute("SELECT c.text FROM chunks_cjk k JOIN chunks c ON c.id = k.rowid")}


def test_the_bigram_table_holds_exactly_the_chunks_with_cjk(lexical_vault: Any) -> None:
    lexical_vault.ingest([_message(n, text) for n, text in enumerate(MIXED)], embed=False)
    assert _cjk_rows(lexical_vault) == {t for t in MIXED if has_cjk(t)} == {"see 東 there", "カタカナ", "한국어", "豈 compat"}


def test_an_older_vault_gets_the_cheap_guard_and_the_same_rows(vault_paths: VaultPaths) -> None:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest([_message(n, text) for n, text in enumerate(MIXED[:5])], embed=False)

    def older(conn: Any) -> None:  # the vault as the step before the guard left it: the GLOB-only trigger
        conn.execute("DROP TRIGGER chunks_cjk_insert")
        conn.execute(next(s for s in _split_sql(cjk.MIGRATION_SQL) if "TRIGGER IF NOT EXISTS chunks_cjk_insert" in s))
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(cjk.GUARD_SQL)}")
    v.write(older)
    assert "octet_length" not in _trigger(v)
    v.close()
    v = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        assert "octet_length" in _trigger(v)
        assert v.read().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        v.ingest([_message(n + 5, text) for n, text in enumerate(MIXED[5:])], embed=False)
        assert _cjk_rows(v) == {t for t in MIXED if has_cjk(t)}
        assert _top(v, "カタカ")[0] == "カタカナ"
    finally:
        v.close()


def _trigger(v: Any) -> str:
    return str(v.read().execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_cjk_insert'").fetchone()[0])


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
