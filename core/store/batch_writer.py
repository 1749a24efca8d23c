"""An import's records written in growing transactions, each one in flight while the next batch is prepared.

Why growing: every transaction rewrites the pages it touched (and fsyncs), and
two of the indexes an item lands in (its source key, its chunks' text hashes)
are random-keyed, so at a million items each record of a small transaction
dirties its own page of both: 256 records a transaction wrote 3.9 WAL pages
per record into a 300k vault, 8,192 records 1.3.  The first transaction stays
small, so a short import (a screen capture, one chat) commits as soon as before.

Why one in flight: the writer thread spends most of its time inside SQLite
(which releases the GIL), so redacting, chunking and hashing the next batch on
the caller's thread overlaps it; the transaction itself is a few statements
(``core.store.bulk_rows``).  Only one batch waits at a time (memory stays
bounded by two batches); a failed transaction raises before the next is queued.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from core.normalize.chunking import Chunk
from core.store.bulk_rows import write_rows
from core.store.database import Database
from core.store.items import ItemRow, item_row
from core.types import Record

FIRST_BATCH = 256
MAX_BATCH = 8192
MAX_BATCH_CHARS = 16_000_000  # documents are large: a batch's text is capped too (memory, transaction length)

Prepared = tuple[Record, str, list[Chunk], dict[str, Any]]
Outcomes = list[tuple[str, int]]


class BatchWriter:
    """Collects prepared records; ``add`` writes a batch when it is full, ``finish`` writes the rest and waits.

    ``written(outcomes)`` is called on the caller's thread for every committed batch, in order.
    ``sync=True`` waits for each batch before returning (an embedder reads what was just written).
    """

    def __init__(self, db: Database, written: Callable[[Outcomes], None], sync: bool = False,
                 first: int = FIRST_BATCH, largest: int = MAX_BATCH, max_chars: int = MAX_BATCH_CHARS) -> None:
        self._db = db
        self._written = written
        self._sync = sync
        self._size = first
        self._largest = largest
        self._max_chars = max_chars
        self._batch: list[ItemRow] = []
        self._chars = 0
        self._pending: Future[Outcomes] | None = None

    def add(self, prepared: Prepared) -> None:
        self._batch.append(item_row(*prepared))  # hashes, FTS bodies and JSON here, off the writer thread
        self._chars += len(prepared[1])
        if len(self._batch) >= self._size or self._chars >= self._max_chars:
            self._submit()

    def finish(self) -> None:
        self._submit()
        self._wait()

    def abandon(self) -> None:
        """The import failed: drop the batch not yet written, let the one in flight end (its error is the lesser one)."""
        self._batch, self._chars = [], 0
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):
                self._written(pending.result())

    def _submit(self) -> None:
        if not self._batch:
            return
        todo, self._batch, self._chars = self._batch, [], 0
        self._wait()  # the previous transaction first: its failure stops the import here
        self._pending = self._db.submit(lambda conn: [(o, int(i)) for o, i in write_rows(conn, todo)])
        self._size = min(self._largest, self._size * 2)
        if self._sync:
            self._wait()

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._written(pending.result())
