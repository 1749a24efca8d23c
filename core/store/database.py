"""The SQLCipher database: one writer thread, one reader connection per thread.

Every write runs on the single writer thread inside ``BEGIN IMMEDIATE`` …
``COMMIT`` (rolled back on any exception), so callers never interleave partial
transactions.  Readers get their own connection per thread and see committed
data (WAL).  ``close()`` stops the writer, closes every connection (a reader
in use on another thread is interrupted and closed between two calls,
``core.store.reader``) and drops the key reference; using the object
afterwards raises ``VaultLocked``.

Pragmas: WAL + ``synchronous=FULL`` (survives kill -9 mid-commit, measured),
``secure_delete=ON`` (deleted content is overwritten), ``temp_store=MEMORY``
(no temp files that could hold plaintext), ``foreign_keys=ON``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from core.errors import CairnError, VaultDamaged, VaultLocked
from core.store.reader import ReaderConnection

T = TypeVar("T")

_STOP = object()
WRITER_CACHE_KIB = 65_536
WAL_AUTOCHECKPOINT = 1000  # pages (SQLite's default); a large import raises it for a while (core.store.batch_writer)
WAL_SIZE_LIMIT = 64 * 2**20  # bytes the WAL file keeps after a checkpoint: an import's large WAL shrinks back
# A search at 1M reads a few hundred random pages (vectors to re-score, filter rows, FTS doclists); the default cache
# kept few of the b-tree's inner pages, so most lookups decrypted 2-3 pages.  Per reader thread.
READER_CACHE_KIB = 32_768


def connect_encrypted(path: Path, key: bytes) -> Any:
    """Open ``path`` with the raw 256-bit ``key``; raises ``VaultDamaged`` when it cannot be read with it."""
    import sqlcipher3

    # SQLite gives the -wal and -shm files the database file's mode: create it 0600 whatever the umask.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30.0)
    # SQLCipher writes its own error lines to stderr (a damaged page): Cairn reports damage itself, once.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        # The key was unwrapped from keys.json by AES-GCM, which proves it is this vault's key:
        # a database it cannot read is damaged (or was replaced), not locked with another key.
        raise VaultDamaged(f"the vault database {path} is damaged and cannot be read ({exc}); restore vault.db"
                           " from a backup (your passphrase and key file are fine)") from exc
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


class Database:
    """Owns the connections to one encrypted database file."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key: bytes | None = key
        self._writer_conn = connect_encrypted(path, key)
        # Inserts into large random-keyed indexes (source keys, text hashes, FTS segments) thrash a small
        # page cache: the default 8 MB made a 1M-item import ~4x slower than a 10k one.  64 MB, writer only.
        self._writer_conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        self._writer_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        self._writer_conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        # One reader per OS thread, not per ``threading.local``: a Qt pool thread gets a fresh Python thread
        # state for every task, so a thread-local reader leaked one open connection per task.
        self._readers: dict[int, ReaderConnection] = {}
        self._readers_lock = threading.Lock()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run_writer, name="cairn-db-writer", daemon=True)
        self._closed = False
        self._thread.start()

    # -- writing -----------------------------------------------------------------
    def _run_writer(self) -> None:
        conn = self._writer_conn
        while True:
            job = self._queue.get()
            if job is _STOP:
                break
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                conn.execute("BEGIN IMMEDIATE")
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                future.set_exception(exc)
            else:
                future.set_result(result)

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        """Queue ``fn(conn)`` to run in its own transaction on the writer thread."""
        if self._closed:
            raise VaultLocked("the vault is locked")
        future: Future[T] = Future()
        self._queue.put((fn, future))
        return future

    def write(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(conn)`` in a transaction on the writer thread and wait for it."""
        if threading.current_thread() is self._thread:
            raise CairnError("nested write: call the function directly inside the running transaction")
        return self.submit(fn).result()

    def execute_outside_transaction(self, sql: str) -> None:
        """For statements that cannot run in a transaction (VACUUM, wal_checkpoint)."""

        def job(conn: Any) -> None:
            conn.execute("COMMIT")
            try:
                conn.execute(sql)
            finally:
                conn.execute("BEGIN IMMEDIATE")

        self.write(job)

    # -- reading -----------------------------------------------------------------
    def reader(self) -> ReaderConnection:
        """This thread's reader connection (created on first use); ``close`` may close it from any thread."""
        thread = threading.get_ident()
        with self._readers_lock:
            key = self._key
            if self._closed or key is None:
                raise VaultLocked("the vault is locked")
            conn = self._readers.get(thread)
        if conn is None:
            raw = connect_encrypted(self.path, key)
            raw.execute("PRAGMA query_only = ON")
            raw.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
            conn = ReaderConnection(raw)
            with self._readers_lock:
                if self._closed:  # locked while this one opened
                    conn.close()
                    raise VaultLocked("the vault is locked")
                self._readers[thread] = conn
        return conn

    # -- closing -----------------------------------------------------------------
    def close(self) -> None:
        with self._readers_lock:  # no reader opens after this
            if self._closed:
                return
            self._closed = True
            readers, self._readers = list(self._readers.values()), {}
        self._queue.put(_STOP)
        for conn in readers:  # each interrupts the call running on it and closes once that returned
            with contextlib.suppress(Exception):
                conn.close()
        self._thread.join(timeout=30)
        with contextlib.suppress(Exception):
            self._writer_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._writer_conn.close()
        self._key = None

    @property
    def closed(self) -> bool:
        return self._closed
