"""Imports write growing transactions, one in flight while the next batch is prepared; a failed one stops the import."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from core.schema import MIGRATIONS
from core.store.batch_writer import BatchWriter
from core.store.database import WAL_AUTOCHECKPOINT, WAL_SIZE_LIMIT, WRITER_CACHE_KIB, Database
from core.store.ingest import ingest, prepare
from core.store.schema import migrate
from core.types import Record

T = TypeVar("T")
START = datetime(2025, 3, 1, tzinfo=UTC)


class CountingDatabase(Database):
    """The real encrypted database; remembers how many records each transaction wrote."""

    def __init__(self, path: Path, key: bytes) -> None:
        super().__init__(path, key)
        self.sizes: list[int] = []

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        def counted(conn: Any) -> T:
            before = conn.execute("SELECT count(*) FROM items").fetchone()[0]
            result = fn(conn)
            self.sizes.append(conn.execute("SELECT count(*) FROM items").fetchone()[0] - before)
            return result

        return super().submit(counted)


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[CountingDatabase]:
    key = os.urandom(32)
    plain = Database(tmp_path / "vault.db", key)
    plain.write(lambda conn: migrate(conn, MIGRATIONS))
    plain.close()
    database = CountingDatabase(tmp_path / "vault.db", key)
    yield database
    database.close()


def message(n: int, text: str | None = None) -> Record:
    return Record(source="chat:test", external_id=str(n), kind="message", timestamp=START + timedelta(minutes=n),
                  text=text or f"message number {n} about the garden", conversation="family", speaker="Ana")


def test_transactions_grow_from_small_to_the_cap_and_every_record_is_stored(db: CountingDatabase) -> None:
    outcomes: list[tuple[str, int]] = []
    writer = BatchWriter(db, outcomes.extend, first=4, largest=32)
    for n in range(150):
        writer.add(prepare(message(n), None)[:4])
    writer.finish()
    assert db.sizes == [4, 8, 16, 32, 32, 32, 26]
    assert [o for o, _ in outcomes] == ["imported"] * 150
    stored = db.reader().execute("SELECT external_id FROM items ORDER BY id").fetchall()
    assert [r[0] for r in stored] == [str(n) for n in range(150)]


def test_large_texts_close_a_batch_early(db: CountingDatabase) -> None:
    writer = BatchWriter(db, lambda _: None, first=100, largest=100, max_chars=10_000)
    for n in range(6):
        writer.add(prepare(message(n, "word " * 1000), None)[:4])  # 5,000 characters each
    writer.finish()
    assert db.sizes == [2, 2, 2]


def test_the_next_batch_is_prepared_while_the_previous_one_is_written(db: CountingDatabase) -> None:
    """The first transaction waits until the caller has handed over a record of the next batch (deadline, no sleeps).

    A writer that waited for each transaction before returning would never get that record: red.
    """
    next_handed_over = threading.Event()
    original = db.submit

    def gated(fn: Callable[[Any], T]) -> Future[T]:
        def wait_then_write(conn: Any) -> T:
            if not db.sizes:
                assert next_handed_over.wait(timeout=10), "the caller waited for the transaction instead of preparing"
            return fn(conn)

        return original(wait_then_write)

    db.submit = gated  # type: ignore[method-assign]
    writer = BatchWriter(db, lambda _: None, first=4, largest=4)
    for n in range(8):
        writer.add(prepare(message(n), None)[:4])
        if n == 4:
            next_handed_over.set()
    writer.finish()
    assert db.sizes == [4, 4]


def test_a_failed_transaction_stops_the_import_and_later_batches_are_not_written(db: CountingDatabase) -> None:
    original = db.submit
    calls = 0

    def failing_second(fn: Callable[[Any], T]) -> Future[T]:
        nonlocal calls
        calls += 1
        if calls == 2:
            def fail(conn: Any) -> T:
                fn(conn)
                raise OSError("disk full")
            return original(fail)
        return original(fn)

    db.submit = failing_second  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        ingest(db, (message(n) for n in range(2000)), redactor=None, embedder_factory=None)
    # 256 committed, the failed 512 rolled back, and nothing after it was queued.
    assert calls <= 3
    assert db.reader().execute("SELECT count(*) FROM items").fetchone()[0] == 256


def test_a_reader_error_mid_import_keeps_what_was_written_and_raises(db: CountingDatabase) -> None:
    def broken() -> Iterator[Record]:
        for n in range(300):
            yield message(n)
        raise ValueError("export truncated")

    with pytest.raises(ValueError, match="export truncated"):
        ingest(db, broken(), redactor=None, embedder_factory=None)
    assert db.reader().execute("SELECT count(*) FROM items").fetchone()[0] == 256  # the first batch, whole


def _mode(conn: Any) -> tuple[int, int]:
    return (conn.execute("PRAGMA cache_size").fetchone()[0], conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


USUAL = (-WRITER_CACHE_KIB, WAL_AUTOCHECKPOINT)


def test_a_large_import_writes_in_import_mode_and_gives_it_back(db: CountingDatabase) -> None:
    """From its second transaction on, an import runs with the larger page cache and later checkpoints;
    its last transaction restores the usual ones.

    Without the switch a 1M vault's random-keyed indexes thrash the usual cache and every commit
    checkpoints (batch_writer's docstring): red.
    """
    modes: list[tuple[int, int]] = []
    original = db.submit

    def recording(fn: Callable[[Any], T]) -> Future[T]:
        def write(conn: Any) -> T:
            result = fn(conn)
            modes.append(_mode(conn))
            return result

        return original(write)

    db.submit = recording  # type: ignore[method-assign]
    writer = BatchWriter(db, lambda _: None, first=4, largest=8, import_cache_kib=123_456, import_wal_pages=7_777)
    for n in range(20):
        writer.add(prepare(message(n), None)[:4])
    writer.finish()
    db.submit = original  # type: ignore[method-assign]
    assert db.sizes == [4, 8, 8]
    assert modes == [USUAL, (-123_456, 7_777), USUAL]  # the last transaction gave the import mode back
    assert db.write(_mode) == USUAL
    # The WAL an import grew shrinks back to this after a checkpoint (SQLite keeps it whole otherwise).
    assert db.write(lambda conn: conn.execute("PRAGMA journal_size_limit").fetchone()[0]) == WAL_SIZE_LIMIT


def test_a_short_import_keeps_the_usual_mode(db: CountingDatabase) -> None:
    ingest(db, (message(n) for n in range(10)), redactor=None, embedder_factory=None)
    assert db.sizes == [10]  # one transaction, no switch around it
    assert db.write(_mode) == USUAL


def test_a_failed_large_import_gives_the_usual_mode_back(db: CountingDatabase) -> None:
    def broken() -> Iterator[Record]:
        for n in range(800):
            yield message(n)
        raise ValueError("export truncated")

    with pytest.raises(ValueError, match="export truncated"):
        ingest(db, broken(), redactor=None, embedder_factory=None)
    assert db.sizes == [256, 512, 0]  # the second ran in import mode, the third gave it back
    assert db.write(_mode) == USUAL
