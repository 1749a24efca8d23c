"""chunk_facets: the narrow filter table stays equal to the chunk/item join through every write, an old vault
gets it filled in the background, and filtered searches over it return what the join plan returns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from core.paths import VaultPaths
from core.retrieve import hybrid
from core.retrieve.types import SearchRequest
from core.store import facets
from core.types import TimeRange
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import BASE_TIME, message

WORDS = ("coffee", "budget", "lawyer", "garden", "invoice", "concert")


def _records(n: int = 240) -> list:
    out = []
    for i in range(n):
        record = message(f"m{i}", f"{WORDS[i % 6]} {WORDS[(i * 5) % 6]} note number {i}", speaker=("Ana", "Ben", "Chen")[i % 3],
                         conversation=f"chat-{i % 4}", minutes=i * 30, source=("chat:jsonl", "chat:slack", "file:pdf")[i % 3])
        out.append(replace(record, meta={"app": "Firefox"} if i % 5 == 0 else {}))
    return out


@pytest.fixture
def lexical(vault_paths: VaultPaths) -> Iterator[Vault]:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records())
    yield v
    v.close()


def _facets(v: Vault) -> list[tuple]:
    return v.read().execute(f"SELECT {facets.COLUMNS} FROM chunk_facets ORDER BY chunk_id").fetchall()


def _joined(v: Vault) -> list[tuple]:
    return v.read().execute(f"{facets._COPY} ORDER BY c.id").fetchall()


def test_the_facets_follow_every_write(lexical: Vault) -> None:
    assert _facets(lexical) and _facets(lexical) == _joined(lexical)
    lexical.mark_deleted("chat:jsonl", "m0", "chat-0")  # an item update
    lexical.ingest([message("m3", "changed words entirely", speaker="Dana", conversation="chat-3", minutes=90,
                            source="chat:jsonl")])  # a re-import that changes an item and its chunks
    lexical.ingest([message("new", "a brand new coffee", speaker="Eli", conversation="chat-9", minutes=9999)])
    lexical.forget(source="chat:slack")  # chunks deleted
    rows = _facets(lexical)
    assert rows == _joined(lexical)
    assert any(r[5] == "Dana" for r in rows) and any(r[8] == 1 for r in rows)
    assert not any(r[3] == "chat:slack" for r in rows)


def _make_old(v: Vault) -> None:
    """Turn ``v`` into a vault that has just run the chunk_facets migration: the table empty, everything pending.

    (Later migrations have run too, so the facets step is re-run here rather than by ``user_version``.)"""
    def undo(conn) -> None:
        for name in ("chunk_facets_chunk_added", "chunk_facets_chunk_moved", "chunk_facets_chunk_deleted",
                     "chunk_facets_item_changed"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE chunk_facets")
        conn.execute("DELETE FROM meta WHERE key = 'chunk_facets_pending'")
        for statement in _statements():
            conn.execute(statement)
    v.write(undo)


def test_an_old_vault_is_filled_in_the_background_and_searched_the_old_way_meanwhile(vault_paths: VaultPaths) -> None:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records())
    _make_old(v)
    v.close()
    stalled = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    stalled._facets.stop()  # the first batch may have run; the rest waits for the next unlock
    request = SearchRequest("coffee budget", k=5, parse_time=False, conversations=("chat-1",))
    if not facets.ready(stalled.read()):
        assert [h.chunk_id for h in stalled.search(request).hits]  # the join plan answers meanwhile
    stalled.close()
    v = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        deadline = time.monotonic() + 60
        while not facets.ready(v.read()):
            assert time.monotonic() < deadline, f"backfill stuck ({v._facets.error!r})"
            time.sleep(0.05)
        assert _facets(v) == _joined(v) and len(_facets(v)) == 240
        assert v._facets.error is None
    finally:
        v.close()


def test_backfill_steps_copy_newest_first_and_stop_at_zero(lexical: Vault) -> None:
    _make_old(lexical)
    lexical.write(lambda conn: [conn.execute(s) for s in _statements()])
    top = facets.pending(lexical.read())
    assert top == 240
    assert lexical.write(lambda conn: facets.backfill_step(conn, 100)) == 140
    assert [r[0] for r in _facets(lexical)] == list(range(141, 241))
    while lexical.write(lambda conn: facets.backfill_step(conn, 100)):
        pass
    assert _facets(lexical) == _joined(lexical) and facets.ready(lexical.read())


def _statements() -> list[str]:
    from core.store.schema import _split_sql

    return _split_sql(facets.FACETS_SQL)


REQUESTS = {
    "nothing (0 %)": dict(conversations=("no-such-chat",)),
    "one chat (25 %)": dict(conversations=("CHAT-1",)),
    "one speaker": dict(speakers=("ben",)),
    "a source family (66 %)": dict(sources=("chat",)),
    "one source": dict(sources=("file:pdf",)),
    "an app": dict(apps=("firefox",)),
    "everything (100 %)": dict(sources=("chat", "file")),
    "a time range": dict(time_range=TimeRange(BASE_TIME + timedelta(hours=20), BASE_TIME + timedelta(hours=60))),
    "one item (1 of 240)": dict(time_range=TimeRange(BASE_TIME + timedelta(minutes=600), BASE_TIME + timedelta(minutes=601))),
    "not deleted, a kind": dict(include_deleted=False, kinds=("message",)),
}


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    """One vault with the real embedder for every filter and plan (building it is most of the cost)."""
    v = Vault.create(VaultPaths(tmp_path_factory.mktemp("facets") / "home"), TEST_PASSPHRASE, use_keyring=False)
    v.ingest(_records())
    v.mark_deleted("chat:jsonl", "m3", "chat-3")
    yield v
    v.close()


def _answer(v: Vault, request: SearchRequest) -> list[tuple[int, float]]:
    return [(int(h.chunk_id), round(h.score, 6)) for h in v.retriever().search(request).hits]


@pytest.mark.parametrize("plan", ["narrow", "listed", "checked", "in RAM, listed", "in RAM, checked"])
@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_filtered_search_over_facets_equals_the_join_plan(searched: Vault, name: str, plan: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    vault = searched
    request = SearchRequest("coffee budget lawyer", k=10, parse_time=False, **REQUESTS[name])
    with monkeypatch.context() as m:
        m.setattr(facets, "ready", lambda reader: False)
        expected = _answer(vault, request)
    if plan.startswith("in RAM"):  # the facet columns (core.store.facet_columns) answer instead of SQL
        vault.filters.start_load()
        assert vault.filters.wait(30) and vault.filters.current(vault.read()) is not None
        monkeypatch.setattr(hybrid, "chunk_ids_where", None)  # no SQL check, no SQL listing: the columns did it
        monkeypatch.setattr(hybrid.HybridRetriever, "_filter_plan", None)
    else:
        monkeypatch.setattr(vault.filters, "current", lambda reader: None)
    if plan != "narrow":  # past the narrow limit: listed and kept to in memory, or checked by id
        monkeypatch.setattr(hybrid, "NARROW_FILTER", 3)
        monkeypatch.setattr(hybrid, "LIST_LIMIT", 10_000 if plan.endswith("listed") else 4)
    got = _answer(vault, request)
    assert got == expected
    if name.startswith("nothing"):
        assert got == []
    else:
        assert got


@pytest.mark.parametrize("ids", [list(range(1, 241)), list(range(1, 241, 61)), [5, 239]], ids=["dense", "sparse", "two"])
def test_checking_candidates_over_facets_equals_the_join(lexical: Vault, ids: list[int]) -> None:
    import numpy as np

    request = SearchRequest("x", speakers=("BEN",), sources=("chat",), include_deleted=False)
    lexical.mark_deleted("chat:slack", "m1", "chat-1")
    reader = lexical.read()
    where_i, params_i = hybrid.build_filter(request, None)
    where_f, params_f = hybrid.build_filter(request, None, facets=True)
    expected = [r[0] for r in reader.execute(  # the join itself, not the function under test
        f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE c.id IN ({','.join(map(str, ids))})"
        f" AND {where_i}", params_i)]
    got = hybrid.chunk_ids_where(reader, np.asarray(ids[::-1]), where_f, params_f, hybrid.FilterRows(facets=True))
    assert sorted(got) == sorted(expected)
    assert expected or len(ids) == 2


class _Recording:
    """A reader that keeps every statement run on it and how many rows each handed back."""

    def __init__(self, reader) -> None:
        self.reader, self.runs = reader, []

    def execute(self, sql: str, params=()):
        rows = self.reader.execute(sql, params).fetchall()
        self.runs.append((sql, tuple(params), len(rows)))
        return _Rows(rows)


class _Rows(list):
    def fetchall(self) -> list:
        return list(self)

    def fetchone(self):
        return self[0] if self else None


def test_checking_candidates_over_facets_seeks_each_candidate_not_the_filter_index(lexical: Vault) -> None:
    """EXPLAIN QUERY PLAN: the check starts from the candidate ids.  With ``cf.chunk_id IN (…) AND speaker IN (?)``
    the planner walked the speaker's covering index (every chunk of that speaker, per statement)."""
    reader = _Recording(lexical.read())
    where, params = hybrid.build_filter(SearchRequest("x", speakers=("BEN",)), None, facets=True)
    got = hybrid.chunk_ids_where(reader, np.arange(1, 241, 7), where, params, hybrid.FilterRows(facets=True))
    assert got == [c for c in range(1, 241, 7) if (c - 1) % 3 == 1]  # Ben wrote every third message
    (sql, args, _), = reader.runs
    plan = [row[3] for row in lexical.read().execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert not any("chunk_facets_speaker" in step for step in plan), plan
    assert any(step.startswith("SEARCH cf USING INTEGER PRIMARY KEY") for step in plan), plan


@pytest.mark.parametrize("limit", [4, 79, 80, 10_000])
def test_a_filter_wider_than_the_list_limit_is_never_listed(lexical: Vault, limit: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """One speaker holds 80 chunks of 240: listed (and equal to the join) up to the limit, else checked by id — and
    then no statement hands more than one row back to find that out."""
    monkeypatch.setattr(hybrid, "LIST_LIMIT", limit)
    reader = _Recording(lexical.read())
    where, params = hybrid.build_filter(SearchRequest("x", speakers=("ben",)), None, facets=True)
    listed, accept = hybrid.HybridRetriever._filter_plan(reader, where, params, hybrid.FilterRows(facets=True))
    ben = [r[0] for r in lexical.read().execute(
        "SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE i.speaker = 'Ben' ORDER BY c.id")]
    assert len(ben) == 80
    if limit < 80:
        assert listed is None and accept is not None
        assert max(n for _, _, n in reader.runs) <= 1
        assert accept(np.asarray([*ben[:5], 1, 3])).tolist() == ben[:5]
    else:
        assert accept is None and sorted(listed.tolist()) == ben
