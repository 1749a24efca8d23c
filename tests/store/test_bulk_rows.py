"""A batch written with ``write_rows`` leaves the database exactly as upserting its records one by one does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.normalize.chunking import Chunk
from core.schema import MIGRATIONS
from core.store import bulk_rows
from core.store.bulk_rows import write_rows
from core.store.database import Database
from core.store.ingest import RepeatedIds, ingest, prepare
from core.store.items import delete_chunks, item_row, upsert_item
from core.store.schema import migrate
from core.types import Record

START = datetime(2025, 3, 1, tzinfo=UTC)
TABLES = {
    "items": "SELECT id, source, source_key, external_id, kind, ts, ts_end, conversation, speaker, title, text,"
             " content_hash, meta, deleted FROM items ORDER BY id",
    "chunks": "SELECT id, item_id, ordinal, text, page, heading, start, end, text_hash FROM chunks ORDER BY id",
    "fts": "SELECT rowid, body FROM chunks_fts ORDER BY rowid",
    "vector_log": "SELECT seq, op, chunk_id, text_hash FROM vector_log ORDER BY seq",
}


@pytest.fixture()
def databases(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    pair = []
    for name in ("one-by-one.db", "bulk.db"):
        db = Database(tmp_path / name, os.urandom(32))
        db.write(lambda conn: migrate(conn, MIGRATIONS))
        pair.append(db)
    yield pair[0], pair[1]
    for db in pair:
        db.close()


def record(n: int, text: str, speaker: str | None = "Ana", **extra: Any) -> Record:
    return Record(source="chat:test", external_id=str(n), kind="message", timestamp=START + timedelta(minutes=n),
                  text=text, conversation="family", speaker=speaker, **extra)


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    reader = db.reader()
    return {name: reader.execute(sql).fetchall() for name, sql in TABLES.items()}


def both(databases: tuple[Database, Database], fn: Callable[[Any], Any]) -> None:
    for db in databases:
        db.write(fn)


@pytest.mark.parametrize("staged", [bulk_rows.STAGED_CHUNKS, 2])  # 2: chunks moved over several statements
def test_a_mixed_batch_matches_upserting_one_by_one(databases: tuple[Database, Database], staged: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_rows, "STAGED_CHUNKS", staged)
    first = [record(n, f"first import, message {n} about the garden") for n in range(6)]
    both(databases, lambda conn: [upsert_item(conn, *prepare(r, None)[:4]) for r in first])
    # The newest item is forgotten (its ids sit at the top: the next ones reuse them, as SQLite's rowids do).
    both(databases, lambda conn: (delete_chunks(conn, [6]), conn.execute("DELETE FROM items WHERE id = 6")))
    batch = [
        record(10, "a new message about the budget"),
        record(2, "first import, message 2 about the garden"),      # duplicate
        record(3, "message 3, edited after the first import"),      # update
        record(11, "another new one", speaker=None, title="Notes"),  # no speaker: the title prefixes the FTS body
        record(10, "a new message about the budget"),               # repeated inside the batch: duplicate
        record(12, "one two"),                                        # two chunks (set below)
        record(13, "a message with an end time"),
        # Values as the batch's JSON carries them: a timestamp with microseconds (a float that must come back
        # bit for bit), text outside ASCII and the BMP, quotes, a backslash, a NUL and JSON's own words.
        Record(source="chat:test", external_id="14", kind="message", conversation="family", speaker="Zoë 🌱",
               timestamp=START + timedelta(minutes=14, microseconds=123_457),
               text='Grüße 🌱 "null" true \\ {"a": [1]} tab\there \x00 end 1e308 0.1'),
    ]
    prepared = [prepare(r, None)[:4] for r in batch]
    prepared[5] = (prepared[5][0], "one two", [Chunk("one", 0, start=0, end=3), Chunk("two", 1, start=4, end=7)], {})
    prepared[6] = (prepared[6][0], prepared[6][1], prepared[6][2], {"ts_end": 1.7e9, "tag": "x"})
    one_by_one, bulk = databases
    expected = one_by_one.write(lambda conn: [upsert_item(conn, *p) for p in prepared])
    got = bulk.write(lambda conn: write_rows(conn, [item_row(*p) for p in prepared]))
    assert [(o, int(i)) for o, i in expected] == got
    assert [o for o, _ in got] == ["imported", "duplicate", "updated", "imported", "duplicate", "imported", "imported",
                                   "imported"]
    a, b = dump(one_by_one), dump(bulk)
    for table in TABLES:
        if table == "items":  # the update's history carries its own clock: compare without it
            a[table] = [row[:12] for row in a[table]]
            b[table] = [row[:12] for row in b[table]]
        assert a[table] == b[table], table
    assert len(b["chunks"]) == 5 + 1 + 1 + 2 + 1 + 1  # 5 left of the first import (the update replaced its own), new ones


def test_an_empty_vault_starts_at_id_one(databases: tuple[Database, Database]) -> None:
    _, bulk = databases
    got = bulk.write(lambda conn: write_rows(conn, [item_row(*prepare(record(n, f"m {n}"), None)[:4])
                                                   for n in range(3)]))
    assert got == [("imported", 1), ("imported", 2), ("imported", 3)]
    assert [r[0] for r in dump(bulk)["fts"]] == [1, 2, 3]


def test_an_import_writes_its_full_text_rows_a_batch_at_a_time(lexical_vault: Any) -> None:
    """FTS5 writes its pending rows out as a new segment at every statement savepoint, and every INSERT into
    ``chunks`` (it has triggers) opens one: inserted one statement per chunk, 300 messages left ~300 segments
    for automerge to merge again and again (a quarter of the writer's time at 1M items)."""
    def no_merges(conn: Any) -> int:  # so the count below is what was written, not what merging left of it
        conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('automerge', 0)")
        conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('crisismerge', 1000)")
        return int(conn.execute("SELECT count(*) FROM chunks_fts_data").fetchone()[0])

    before = lexical_vault.write(no_merges)
    report = lexical_vault.ingest([record(n, f"message {n} about the garden and the budget") for n in range(300)],
                                  embed=False)
    assert report.imported == 300  # two transactions: 256 and 44
    blocks = lexical_vault.read().execute("SELECT count(*) FROM chunks_fts_data").fetchone()[0] - before
    assert blocks <= 10, blocks
    hits = lexical_vault.read().execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'garden'")
    assert hits.fetchone()[0] == 300


def test_an_import_stores_the_rows_upserting_each_message_stores(databases: tuple[Database, Database]) -> None:
    """``ingest`` hands the writer the hashes it computed for repeated ids (not recomputed): the same rows."""
    records = [record(n % 7, f"message {n} about the garden") for n in range(20)]  # ids 0-6 repeated, new content
    records += [record(30, "a message with meta", meta={"app": "Mail"}), record(31, "", speaker="Ben")]
    one_by_one, bulk = databases
    occurrences = RepeatedIds()

    def each(conn: Any) -> None:
        for r in records:
            clean, text, chunks, meta, _ = prepare(r, None)
            upsert_item(conn, occurrences.distinct(clean, text)[0], text, chunks, meta)

    one_by_one.write(each)
    report = ingest(bulk, records, redactor=None, embedder_factory=None)
    assert report.imported == len(records)
    a, b = dump(one_by_one), dump(bulk)
    assert a == b
    assert len({row[2] for row in b["items"]}) == len(records)  # every repeated id got its own source key
