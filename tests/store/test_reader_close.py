"""Locking while other threads read: the readers stop with ``VaultLocked``, nothing crashes, no connection leaks.

Before, ``Database.close`` closed every reader from the locking thread while a
worker was still stepping a cursor on it, and SQLite's binding finalized the
statement under that worker: the app crashed (segfault) when it locked while the
graph page loaded an entity.  A fresh Python thread state per Qt pool task also
gave every task a new reader connection that stayed open until lock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import VaultLocked
from core.store.database import Database

ROWS = 20_000
DEADLINE_S = 60.0


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "vault.db", os.urandom(32))

    def fill(conn: object) -> None:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")  # type: ignore[attr-defined]
        conn.executemany("INSERT INTO t (body) VALUES (?)",  # type: ignore[attr-defined]
                         ((f"row {i} " * 20,) for i in range(ROWS)))

    db.write(fill)
    yield db
    db.close()


def _read_until_locked(db: Database, started: threading.Event, outcome: list[BaseException | str]) -> None:
    """Read the table over and over, as a page refreshing does, until the vault locks under it."""
    try:
        while True:
            conn = db.reader()
            for n, _row in enumerate(conn.execute("SELECT t1.body FROM t t1 JOIN t t2 ON t2.id = t1.id")):
                if n == 1000:
                    started.set()
            # A long statement too: locking interrupts it instead of waiting for it.
            conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
                         " WHERE x < 10000000000").fetchone()
    except BaseException as exc:  # the outcome is what the test checks
        outcome.append(exc)
    else:
        outcome.append("finished without the lock being noticed")


def test_close_while_readers_run_stops_them_with_vault_locked(database: Database) -> None:
    outcomes: list[BaseException | str] = []
    started = [threading.Event() for _ in range(3)]
    threads = [threading.Thread(target=_read_until_locked, args=(database, s, outcomes), daemon=True)
               for s in started]
    for thread in threads:
        thread.start()
    for event in started:
        assert event.wait(DEADLINE_S), "a reader never got going"

    database.close()

    for thread in threads:
        thread.join(DEADLINE_S)
        assert not thread.is_alive(), "a reader kept running after the vault locked"
    assert len(outcomes) == 3
    assert all(isinstance(o, VaultLocked) for o in outcomes), outcomes


def test_a_cursor_left_half_read_fails_cleanly_after_lock(database: Database) -> None:
    rows = database.reader().execute("SELECT id FROM t ORDER BY id")
    first = [next(rows) for _ in range(300)]  # past the first read-ahead batch
    assert [r[0] for r in first] == list(range(1, 301))

    database.close()

    with pytest.raises(VaultLocked):
        list(rows)
    with pytest.raises(VaultLocked):
        database.reader()


def test_cursor_reads_like_sqlite(database: Database) -> None:
    conn = database.reader()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (ROWS,)
    assert conn.execute("SELECT id FROM t WHERE id > ?", (ROWS + 5,)).fetchone() is None
    rows = conn.execute("SELECT id FROM t ORDER BY id LIMIT 600")
    assert rows.fetchone() == (1,)
    assert [r[0] for r in rows.fetchmany(3)] == [2, 3, 4]
    assert [r[0] for r in rows.fetchall()] == list(range(5, 601))
    assert rows.fetchall() == []
    assert [d[0] for d in conn.execute("SELECT id, body FROM t LIMIT 1").description] == ["id", "body"]


def test_one_reader_per_os_thread_however_many_tasks_it_runs(database: Database) -> None:
    """Qt's pool gives each task a new Python thread state on the same OS thread: one connection, not one per task."""
    from PySide6.QtCore import QRunnable, QThreadPool

    seen: list[int] = []

    class Read(QRunnable):
        def run(self) -> None:
            conn = database.reader()
            conn.execute("SELECT 1").fetchone()
            seen.append(id(conn))

    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    for _ in range(20):
        pool.start(Read())
    assert pool.waitForDone(int(DEADLINE_S * 1000))
    assert len(seen) == 20
    assert len(set(seen)) == 1
