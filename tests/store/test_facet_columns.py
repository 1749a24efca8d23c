"""The facet columns in RAM: every filter's mask equals the SQL filter over ``chunk_facets``, every facet write
(import, edit, mark deleted, forget, a moved chunk, another process's write) shows in the very next search without
a reload, a log pruned past them loads them again, and nothing of them reaches the disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from core.index.vector_rows import log_position, prune_log
from core.paths import VaultPaths
from core.retrieve import hybrid
from core.retrieve.types import SearchRequest
from core.store.facet_columns import FacetColumns
from core.store.items import to_epoch
from core.types import TimeRange
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import BASE_TIME, message
from tests.store.test_chunk_facets import REQUESTS, _records

MORE = {
    "mixed case and two speakers": dict(speakers=("ANA", "chen")),
    "a source that is a family and one exact": dict(sources=("file", "chat:slack")),
    "a prefix without its colon matches nothing": dict(sources=("cha",)),
    "deleted ones too": dict(include_deleted=True, conversations=("chat-3",)),
    "open-ended time": dict(time_range=TimeRange(BASE_TIME + timedelta(hours=100), None)),
    "app, kind and time": dict(apps=("FireFox",), kinds=("message",),
                               time_range=TimeRange(None, BASE_TIME + timedelta(hours=80))),
}


@pytest.fixture
def vault(vault_paths: VaultPaths) -> Iterator[Vault]:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records())
    v.mark_deleted("chat:jsonl", "m3", "chat-3")
    yield v
    v.close()


def _loaded(v: Vault) -> FacetColumns:
    v.filters.start_load()
    assert v.filters.wait(30) and v.filters.error is None
    columns = v.filters.current(v.read())
    assert columns is not None
    return columns


def _sql(v: Vault, request: SearchRequest) -> list[int]:
    where, params = hybrid.build_filter(request, request.time_range, facets=True)
    return sorted(r[0] for r in v.read().execute(f"SELECT cf.chunk_id FROM chunk_facets cf WHERE {where}", params))


def _mask(columns: FacetColumns, request: SearchRequest) -> list[int]:
    span = request.time_range or TimeRange()
    mask = columns.mask(to_epoch(span.start) if span.start else None, to_epoch(span.end) if span.end else None,
                        request.sources, request.speakers, request.conversations, request.apps, request.kinds,
                        request.include_deleted)
    return np.flatnonzero(mask).tolist()


def _all_equal(v: Vault) -> None:
    columns = v.filters.current(v.read())
    assert columns is not None, "the columns fell back to SQL"
    for name, spec in {**REQUESTS, **MORE}.items():
        request = SearchRequest("x", **spec)
        assert _mask(columns, request) == _sql(v, request), name


def test_every_filter_masks_the_rows_sql_selects(vault: Vault) -> None:
    _loaded(vault)
    _all_equal(vault)
    assert _sql(vault, SearchRequest("x", speakers=("ben",)))  # not vacuous
    assert not _sql(vault, SearchRequest("x", sources=("cha",)))


def _speaker_hits(v: Vault, speaker: str) -> set[str]:
    result = v.search(SearchRequest("coffee", k=50, parse_time=False, speakers=(speaker,), include_deleted=False),
                      nearest=False)
    return {h.external_id for h in result.hits}


def test_each_facet_write_shows_in_the_very_next_search_without_a_reload(vault: Vault,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _loaded(vault)
    monkeypatch.setattr(hybrid, "chunk_ids_where", None)  # every filtered search below runs on the columns
    monkeypatch.setattr(hybrid.HybridRetriever, "_filter_plan", None)
    vault.ingest([message("z1", "coffee with Zed", speaker="Zed", conversation="chat-9", minutes=5)])  # import
    assert _speaker_hits(vault, "zed") == {"z1"}
    vault.write(lambda conn: conn.execute("UPDATE items SET speaker = 'Yan' WHERE external_id = 'z1'"))  # an edit
    assert _speaker_hits(vault, "zed") == set() and _speaker_hits(vault, "yan") == {"z1"}
    vault.mark_deleted("chat:jsonl", "z1", "chat-9")
    assert _speaker_hits(vault, "yan") == set()
    vault.ingest([message("z2", "coffee again", speaker="Zed", conversation="chat-9", minutes=6)])
    vault.forget(source="chat:jsonl")  # chunks deleted
    assert _speaker_hits(vault, "zed") == set()
    moved = vault.read().execute("SELECT min(c.id) FROM chunks c JOIN items i ON i.id = c.item_id"
                                 " WHERE i.speaker = 'Ben'").fetchone()[0]
    chen = vault.read().execute("SELECT min(id) FROM items WHERE speaker = 'Chen'").fetchone()[0]
    vault.write(lambda conn: conn.execute("UPDATE chunks SET item_id = ? WHERE id = ?", (chen, moved)))  # moved
    columns = vault.filters.current(vault.read())
    assert columns is not None
    assert moved in _mask(columns, SearchRequest("x", speakers=("chen",)))
    _all_equal(vault)
    assert vault.filters.loads == 1  # all of it from the log


def test_a_write_from_another_process_shows_too(vault: Vault, vault_paths: VaultPaths) -> None:
    _loaded(vault)
    other = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        other.ingest([message("o1", "coffee from elsewhere", speaker="Otto", conversation="chat-8", minutes=7)])
        other.write(lambda conn: conn.execute("UPDATE items SET conversation = 'chat-7' WHERE speaker = 'Ana'"))
    finally:
        other.close()
    assert _speaker_hits(vault, "otto") == {"o1"}
    _all_equal(vault)
    assert vault.filters.loads == 1


def test_a_log_pruned_past_the_columns_loads_them_again_and_sql_answers_meanwhile(vault: Vault) -> None:
    _loaded(vault)
    vault.ingest([message("p1", "coffee pruned", speaker="Pia", conversation="chat-6", minutes=8)])
    vault.write(lambda conn: prune_log(conn, log_position(conn)))  # what a compaction does
    assert vault.filters.current(vault.read()) is None
    assert _speaker_hits(vault, "pia") == {"p1"}  # SQL meanwhile
    assert vault.filters.wait(30) and vault.filters.loads == 2
    _all_equal(vault)


def test_nothing_of_the_columns_reaches_the_disk(vault_paths: VaultPaths) -> None:
    marker = "Quokkaspeaker"
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    try:
        v.ingest([message(f"q{i}", "coffee", speaker=marker, conversation=f"{marker}-chat", minutes=i)
                  for i in range(50)])
        _loaded(v)
        assert _speaker_hits(v, marker.lower())
    finally:
        v.close()
    found = [p for p in Path(vault_paths.home).rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    assert found == []


def test_a_wide_filter_in_ram_ranks_words_with_its_mask_and_finds_what_the_sql_filter_finds(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every filter is wide here (``LIST_LIMIT`` 0): the words are ranked with the mask inside the statements (no SQL
    check of candidates), and the hits are the ones the filter as SQL gives."""
    from core.store.reader import ReaderConnection

    _loaded(vault)
    monkeypatch.setattr(hybrid, "LIST_LIMIT", 0)
    requests = [SearchRequest(words, k=50, parse_time=False, **spec) for words in ("coffee lawyer", "budget garden")
                for spec in ({"speakers": ("ana",)}, {"speakers": ("BEN", "chen")}, {"sources": ("chat",)})]
    by_sql = []
    with monkeypatch.context() as sql_only:
        sql_only.setattr(vault.filters, "current", lambda reader: None)
        by_sql = [[h.chunk_id for h in vault.search(r, nearest=False).hits] for r in requests]
    masks: list[int] = []
    real = ReaderConnection.masked

    def masked(self: ReaderConnection, mask: np.ndarray):  # type: ignore[no-untyped-def]
        masks.append(int(np.count_nonzero(mask)))
        return real(self, mask)

    monkeypatch.setattr(ReaderConnection, "masked", masked)
    monkeypatch.setattr(hybrid, "chunk_ids_where", None)
    monkeypatch.setattr(hybrid.HybridRetriever, "_filter_plan", None)
    in_ram = [[h.chunk_id for h in vault.search(r, nearest=False).hits] for r in requests]
    assert in_ram == by_sql and all(by_sql)
    assert len(masks) == len(requests) and all(masks)


def test_a_repeated_filter_reuses_its_mask_until_a_write_changes_the_columns(vault: Vault) -> None:
    """As one types, the filter stays: its mask is built once (1.5-2 ms at 1M) and shared read-only; any facet write
    moves the log position and the next search gets a mask built afresh that shows it."""
    columns = _loaded(vault)
    first = columns.mask(speakers=("ben",))
    assert columns.mask(speakers=["ben"]) is first and not first.flags.writeable
    assert columns.mask(speakers=("chen",)) is not first
    vault.ingest([message("b1", "coffee with Ben", speaker="Ben", conversation="chat-9", minutes=5)])
    columns = vault.filters.current(vault.read())
    assert columns is not None
    again = columns.mask(speakers=("ben",))
    assert again is not first and np.count_nonzero(again) == np.count_nonzero(first) + 1
    assert _mask(columns, SearchRequest("x", speakers=("ben",))) == _sql(vault, SearchRequest("x", speakers=("ben",)))


def test_a_combined_filter_too_sparse_for_the_window_finds_exactly_what_the_sql_filter_finds(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """One conversation's one speaker (1 in 12 chunks here, 0.25 % in bench.store's 1M vault): a list from the
    columns' mask, spread over the vault and too sparse for the words' window, so the words are ranked over all time
    at once; the hits are the ones the same filter as SQL over the facets gives."""
    import core.index.fulltext as fulltext

    _loaded(vault)
    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", 20)  # ~2 of the list's matches in a 20-match window
    monkeypatch.setattr(fulltext, "SPAN_MIN", 10)
    monkeypatch.setattr(fulltext, "SPAN_PER_LISTED", 1)
    requests = [SearchRequest(words, k=50, parse_time=False, conversations=(chat,), speakers=(speaker,))
                for words in ("budget invoice", "concert lawyer") for chat, speaker in (("chat-1", "ben"),
                                                                                       ("CHAT-2", "Chen"))]
    with monkeypatch.context() as sql_only:
        sql_only.setattr(vault.filters, "current", lambda reader: None)
        by_sql = [[h.chunk_id for h in vault.search(r, nearest=False).hits] for r in requests]
    sparse: list[bool] = []
    real = fulltext._ranked_window

    def window(*args, **kwargs):  # type: ignore[no-untyped-def]
        sparse.append(kwargs.get("sparse", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(fulltext, "_ranked_window", window)
    in_ram = [[h.chunk_id for h in vault.search(r, nearest=False).hits] for r in requests]
    assert in_ram == by_sql and all(by_sql)
    assert sparse and all(sparse)
