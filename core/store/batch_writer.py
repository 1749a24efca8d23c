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

Why a larger page cache for a large import: the two random-keyed indexes of a
1M-item vault are ~140 MB, more than the writer's usual cache, so every insert
read (and decrypted) a page evicted a moment before and dirty pages spilled to
the WAL mid-transaction.  From its second batch on, an import's transactions
run with ``IMPORT_CACHE_KIB``; ``finish`` (or ``abandon``) gives the memory
back.  A 100k import into a copy of the 1M bench vault spent 19 % less writer
CPU (cache and 16k batches together; 15.3 → 12.4 s with the cache alone).

Why a later checkpoint: each 16k transaction at 1M items writes ~30k pages
to the WAL, over SQLite's 1,000-page checkpoint threshold, so every commit
also copied all of them into the database file and fsynced it; most are the
same random-index pages again in the next transaction.  With
``IMPORT_WAL_PAGES`` a checkpoint copies the pages of two or three
transactions once (100k into the 1M copy: commit CPU 5.5 → 4.6 s, its wall
40 → 27 s, load 11).  The WAL file shrinks back afterwards
(``database.WAL_SIZE_LIMIT``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from core.normalize.chunking import Chunk
from core.store.bulk_rows import write_rows
from core.store.database import WAL_AUTOCHECKPOINT, WRITER_CACHE_KIB, Database
from core.store.items import ItemRow, item_row
from core.types import Record

FIRST_BATCH = 256
MAX_BATCH = 16_384
IMPORT_CACHE_KIB = 262_144  # the writer's page cache while a large import runs (usual: WRITER_CACHE_KIB)
IMPORT_WAL_PAGES = 65_536  # WAL pages before a checkpoint while a large import runs (usual: WAL_AUTOCHECKPOINT)
MAX_BATCH_CHARS = 16_000_000  # documents are large: a batch's text is capped too (memory, transaction length)

Prepared = tuple[Record, str, list[Chunk], dict[str, Any]]
Outcomes = list[tuple[str, int]]


class BatchWriter:
    """Collects prepared records; ``add`` writes a batch when it is full, ``finish`` writes the rest and waits.

    ``written(outcomes)`` is called on the caller's thread for every committed batch, in order.
    ``sync=True`` waits for each batch before returning (an embedder reads what was just written).
    """

    def __init__(self, db: Database, written: Callable[[Outcomes], None], sync: bool = False,
                 first: int = FIRST_BATCH, largest: int = MAX_BATCH, max_chars: int = MAX_BATCH_CHARS,
                 import_cache_kib: int = IMPORT_CACHE_KIB, import_wal_pages: int = IMPORT_WAL_PAGES) -> None:
        self._db = db
        self._written = written
        self._sync = sync
        self._size = first
        self._largest = largest
        self._max_chars = max_chars
        self._batch: list[ItemRow] = []
        self._chars = 0
        self._pending: Future[Outcomes] | None = None
        self._import_mode = (f"PRAGMA cache_size = -{import_cache_kib}", f"PRAGMA wal_autocheckpoint = {import_wal_pages}")
        self._batches = 0

    def add(self, prepared: Prepared, hashes: tuple[str, str] | None = None) -> None:
        """``hashes``: the record's source key and content hash, when the caller computed them already."""
        # A full batch goes when the next record comes, so the import's last transaction is never
        # an empty one that only gives the cache back.
        if len(self._batch) >= self._size or self._chars >= self._max_chars:
            self._submit()
        self._batch.append(item_row(*prepared, hashes=hashes))  # hashes and JSON here, off the writer thread
        self._chars += len(prepared[1])

    def finish(self) -> None:
        try:
            self._submit(last=True)
            self._wait()
        finally:
            self._restore_cache()

    def abandon(self) -> None:
        """The import failed: drop the batch not yet written, let the one in flight end (its error is the lesser one)."""
        self._batch, self._chars = [], 0
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):
                self._written(pending.result())
        with contextlib.suppress(Exception):
            self._restore_cache()

    def _submit(self, last: bool = False) -> None:
        if not self._batch:
            return
        todo, self._batch, self._chars = self._batch, [], 0
        self._wait()  # the previous transaction first: its failure stops the import here
        self._batches += 1
        large = self._batches > 1  # a short import keeps the usual cache and checkpoints
        restore = last and large
        if restore:
            self._batches = 0  # the last transaction gives the cache back itself

        def write(conn: Any) -> Outcomes:
            for pragma in self._import_mode if large else ():
                conn.execute(pragma)
            outcomes = [(o, int(i)) for o, i in write_rows(conn, todo)]
            if restore:
                _usual_mode(conn)
            return outcomes

        self._pending = self._db.submit(write)
        self._size = min(self._largest, self._size * 2)
        if self._sync:
            self._wait()

    def _restore_cache(self) -> None:
        """The usual cache and checkpoints again when the last transaction did not restore them."""
        if self._batches > 1:
            self._batches = 0
            self._db.write(_usual_mode)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._written(pending.result())


def _usual_mode(conn: Any) -> None:
    """Back from the import mode: SQLite frees the cache pages over the limit; the commit checkpoints."""
    conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
