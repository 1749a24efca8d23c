"""Reader connections that locking the vault can close from any thread.

Why: SQLite's Python binding finalizes every statement of a connection when it
closes, so closing a reader from the locking thread while another thread is
inside ``execute`` or is stepping a cursor frees memory that thread still uses
(a segfault, seen when the app locked while the graph page loaded an entity).
Every call into SQLite here holds the connection's lock; ``close`` first
interrupts what runs (a long search stops at once), then takes the lock, so it
closes only between two calls.  After that every call raises ``VaultLocked``.

Rows of a cursor are fetched in batches under one lock, so iterating costs a
lock per batch, not per row.

An id mask from RAM can stand in a statement (``masked``): a SQL test asks it,
so a ranking statement keeps to a filter's rows without a list of them in the
SQL (a wide filter's 125,000 ids at 1M) and scores only those.

Threads: one thread uses a reader at a time (``Database`` keeps one per OS
thread); ``close`` may come from any thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from core.errors import VaultLocked

FETCH_BATCH = 256
MASK_FUNCTION = "in_mask"  # SQL: in_mask(id) is the current ``masked`` block's byte at id
_LOCKED = "the vault is locked"


class ReaderConnection:
    """A read-only SQLCipher connection whose ``close`` is safe against a concurrent reader."""

    __slots__ = ("_closed", "_conn", "_lock", "_mask")

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._closed = False
        self._mask: bytearray | None = None  # the current ``masked`` block's mask, once ``in_mask`` is registered

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> ReaderCursor:
        with self._lock:
            self._check()
            try:
                cursor = self._conn.execute(sql, params)
            except Exception as exc:
                raise self._locked_or(exc) from exc
        return ReaderCursor(self, cursor)

    @contextlib.contextmanager
    def masked(self, mask: Any) -> Iterator[Callable[[str], str]]:
        """Inside the block ``test(expression)`` (yielded) is SQL that is 1 where ``mask`` (a bool or byte per id)
        is set at that id, 0 elsewhere and past its end.  The mask is copied in (1 MB at 1M chunks, ~0.1 ms); outside
        any block none is held and a statement still asking fails rather than keep every row."""
        with self._lock:
            self._check()
            if self._mask is None:
                self._mask = bytearray()
                # The SQL function is the bytearray's own C method (no Python frame a row): 0.11 against 0.20 µs a
                # row for a Python function, ~15,000 rows a one-speaker ranking at 1M.  So the mask is copied into
                # that one bytearray, and the test bounds the id first (an index past the end would raise).
                self._conn.create_function(MASK_FUNCTION, 1, self._mask.__getitem__)
            before = bytes(self._mask)  # (a block inside a block gets the outer mask back after it)
            self._mask[:] = memoryview(mask).cast("B")
            last = len(self._mask) - 1

        def test(expression: str) -> str:
            return f"(CASE WHEN {expression} BETWEEN 0 AND {last} THEN {MASK_FUNCTION}({expression}) ELSE 0 END)"

        try:
            yield test
        finally:
            with self._lock:
                self._mask[:] = before

    def interrupt(self) -> None:
        self._conn.interrupt()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop what runs on this connection and close it; callable from any thread, twice."""
        if self._closed:
            return
        self._closed = True  # from now on every call fails fast, and an interrupted one says "locked"
        with contextlib.suppress(Exception):  # already closed underneath: nothing runs to stop
            self._conn.interrupt()
        with self._lock:
            self._conn.close()

    # -- for the cursor ---------------------------------------------------------------------------
    def _check(self) -> None:
        if self._closed:
            raise VaultLocked(_LOCKED)

    def _locked_or(self, exc: Exception) -> Exception:
        """An error caused by the vault locking mid-call reads as the lock, not as a database failure."""
        return VaultLocked(_LOCKED) if self._closed else exc

    def _fetch(self, cursor: Any, size: int | None) -> list[Any]:
        with self._lock:
            self._check()
            try:
                return cursor.fetchall() if size is None else cursor.fetchmany(size)
            except Exception as exc:
                raise self._locked_or(exc) from exc


class ReaderCursor:
    """The rows of one ``ReaderConnection.execute``, read ahead in batches; each fetch holds the connection's lock."""

    __slots__ = ("_ahead", "_cursor", "_exhausted", "_owner")

    def __init__(self, owner: ReaderConnection, cursor: Any) -> None:
        self._owner = owner
        self._cursor = cursor
        self._ahead: deque[Any] = deque()
        self._exhausted = False

    @property
    def description(self) -> Any:
        return self._cursor.description

    def _read_ahead(self, size: int | None) -> None:
        if self._exhausted:
            return
        rows = self._owner._fetch(self._cursor, size)
        if size is None or len(rows) < size:
            self._exhausted = True
        self._ahead.extend(rows)

    def __iter__(self) -> ReaderCursor:
        return self

    def __next__(self) -> Any:
        if not self._ahead:
            self._read_ahead(FETCH_BATCH)
            if not self._ahead:
                raise StopIteration
        return self._ahead.popleft()

    def fetchone(self) -> Any:
        if not self._ahead:
            self._read_ahead(1)  # a single row asked for: do not read a batch of large rows behind it
        return self._ahead.popleft() if self._ahead else None

    def fetchmany(self, size: int = FETCH_BATCH) -> list[Any]:
        if len(self._ahead) < size:
            self._read_ahead(size - len(self._ahead))
        return [self._ahead.popleft() for _ in range(min(size, len(self._ahead)))]

    def fetchall(self) -> list[Any]:
        self._read_ahead(None)
        rows = list(self._ahead)
        self._ahead.clear()
        return rows
