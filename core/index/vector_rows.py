"""Reading vectors and the vector change log from the encrypted store (SQL over a reader connection).

``SqlVectorSource`` gives exact vectors by chunk id (the rerank and narrow
filter path); ``stream_vectors`` yields every vector for a build in text-hash
order (a random sample of the vault, so the first blocks can train the index);
``changes_since`` turns ``vector_log`` rows after a position into vectors to
add and chunk ids to drop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

IN_BATCH = 900  # ids per IN (...) list


def _rows_to_arrays(rows: list[Any], dim: int) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty((0, dim), dtype=np.float32)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), dim)
    return ids, vecs.astype(np.float32)


def vectors_by_id(reader: Any, model: str, dim: int, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored vectors of ``chunk_ids`` that exist (chunk present, vector present)."""
    ids = [int(c) for c in np.asarray(chunk_ids, dtype=np.int64)]
    return _chunk_vectors(reader, model, dim, "c.id", "c.id IN ({})", ids)


def first_chunk_vectors(reader: Any, model: str, dim: int, item_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Item ids and the stored vectors of their first chunks (ordinal 0), for those that have one."""
    # chunks_item (item_id, ordinal) finds each first chunk
    return _chunk_vectors(reader, model, dim, "c.item_id", "c.item_id IN ({}) AND c.ordinal = 0", item_ids)


def _chunk_vectors(reader: Any, model: str, dim: int, key: str, where: str,
                   ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``key`` and the stored vector of each chunk matching ``where`` (its ``{}`` takes a batch of ``ids``)."""
    rows: list[Any] = []
    for start in range(0, len(ids), IN_BATCH):
        part = ids[start : start + IN_BATCH]
        rows += reader.execute(
            # CROSS JOIN keeps chunks outside: with a plain JOIN the planner scanned every vector of the
            # model (8 MB decrypted per search at 10k) to probe chunks by hash (EXPLAIN QUERY PLAN).
            f"SELECT {key}, e.vector FROM chunks c CROSS JOIN embeddings e ON e.model = ? AND e.text_hash = c.text_hash"
            " WHERE " + where.format(",".join("?" * len(part))),
            (model, *part),
        ).fetchall()
    return _rows_to_arrays(rows, dim)


class SqlVectorSource:
    """Exact vectors by chunk id from this thread's reader connection."""

    def __init__(self, reader: Callable[[], Any], model: str, dim: int) -> None:
        self._reader = reader
        self._model = model
        self._dim = dim

    def vectors(self, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return vectors_by_id(self._reader(), self._model, self._dim, chunk_ids)


def log_position(reader: Any) -> int:
    """The newest log position ever handed out (AUTOINCREMENT: never reused, even after pruning)."""
    row = reader.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
    return int(row[0]) if row else 0


def log_floor(reader: Any) -> int:
    """The log was pruned up to here: an index covering less than this cannot catch up from the log."""
    row = reader.execute("SELECT value FROM meta WHERE key = 'vector_log_floor'").fetchone()
    return int(row[0]) if row else 0


def count_vectors(reader: Any, model: str) -> int:
    row = reader.execute(
        "SELECT count(*) FROM chunks c JOIN embeddings e ON e.model = ? AND e.text_hash = c.text_hash", (model,)
    ).fetchone()
    return int(row[0])


def stream_vectors(reader: Any, model: str, dim: int, block_rows: int = 8192) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every (chunk id, vector) of ``model`` in text-hash order: a scan of the vectors, an index probe per chunk."""
    cursor = reader.execute(
        "SELECT c.id, e.vector FROM embeddings e CROSS JOIN chunks c ON c.text_hash = e.text_hash WHERE e.model = ?",
        (model,),
    )
    while True:
        rows = cursor.fetchmany(block_rows)
        if not rows:
            return
        yield _rows_to_arrays(rows, dim)


@dataclass(frozen=True, slots=True)
class LogChanges:
    """What the log says happened after a position, resolved against the store's current state."""

    upto: int
    added: tuple[np.ndarray, np.ndarray, np.ndarray]  # chunk ids, vectors, seqs
    removed: tuple[np.ndarray, np.ndarray]  # chunk ids, seqs


def changes_since(reader: Any, model: str, dim: int, after: int) -> LogChanges:
    """Log rows after ``after``, resolved: a touched chunk with a vector now is added, one without is removed.

    Runs in one read transaction so the log position and the vectors agree.
    """
    reader.execute("BEGIN")
    try:
        rows = reader.execute("SELECT seq, op, chunk_id, text_hash FROM vector_log WHERE seq > ? ORDER BY seq",
                              (after,)).fetchall()
        upto = max([after] + [int(r[0]) for r in rows])
        last_seq: dict[int, int] = {}
        hashes: dict[str, int] = {}
        for seq, op, chunk_id, text_hash in rows:
            if op == 3:
                hashes[text_hash] = int(seq)
            elif op in (1, 2):  # op 4 (a chunk's filter columns changed: core.store.facet_columns) is not ours
                last_seq[int(chunk_id)] = int(seq)
        names = list(hashes)
        for start in range(0, len(names), IN_BATCH):
            part = names[start : start + IN_BATCH]
            for chunk_id, text_hash in reader.execute(
                f"SELECT id, text_hash FROM chunks WHERE text_hash IN ({','.join('?' * len(part))})", part
            ):
                last_seq[int(chunk_id)] = max(last_seq.get(int(chunk_id), 0), hashes[text_hash])
        touched = np.fromiter(last_seq, dtype=np.int64, count=len(last_seq))
        ids, vecs = vectors_by_id(reader, model, dim, touched)
    finally:
        reader.execute("COMMIT")
    seq_of = np.fromiter((last_seq[int(c)] for c in ids), dtype=np.int64, count=len(ids))
    gone = touched[np.isin(touched, ids, invert=True)]
    gone_seq = np.fromiter((last_seq[int(c)] for c in gone), dtype=np.int64, count=len(gone))
    return LogChanges(upto, (ids, vecs, seq_of), (gone, gone_seq))


def prune_log(conn: Any, upto: int) -> None:
    """Inside a write transaction: drop log rows an index blob now covers and raise the floor."""
    conn.execute("DELETE FROM vector_log WHERE seq <= ?", (upto,))
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('vector_log_floor', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
        (str(upto),),
    )
