"""What the vault holds, in numbers: items, chunks, vectors, media, bytes per source.

Threads: any reader connection.  Errors: database errors propagate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.store.items import from_epoch


@dataclass(frozen=True, slots=True)
class VaultStats:
    items: int
    chunks: int
    vectors: int
    media_files: int
    media_bytes: int
    by_source: dict[str, int]
    last_item_at: datetime | None
    database_bytes: int
    # source -> (text bytes, media bytes): what each source costs on disk (before compression/encryption overhead)
    bytes_by_source: dict[str, tuple[int, int]] = field(default_factory=dict)


def vault_stats(conn: Any, database_files: list[Path]) -> VaultStats:
    """The counts over ``conn``; ``database_files`` are the database's files on disk (WAL included)."""
    # Summaries are derived from memories: counted under by_source["summary"], not as memories.
    items, last = conn.execute("SELECT count(*), max(ts) FROM items WHERE source != 'summary'").fetchone()
    chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    vectors = conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    media_files, media_bytes = conn.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM media").fetchone()
    by_source = {r[0]: int(r[1]) for r in conn.execute("SELECT source, count(*) FROM items GROUP BY source")}
    db_bytes = sum(p.stat().st_size for p in database_files if p.is_file())
    sizes = {
        r[0]: (int(r[1] or 0), int(r[2] or 0))
        for r in conn.execute(
            "SELECT i.source, sum(length(CAST(i.text AS BLOB))), sum(coalesce(m.b, 0)) FROM items i"
            " LEFT JOIN (SELECT item_id, sum(bytes) AS b FROM media GROUP BY item_id) m ON m.item_id = i.id"
            " GROUP BY i.source"
        )
    }
    return VaultStats(int(items), int(chunks), int(vectors), int(media_files), int(media_bytes), by_source,
                      from_epoch(last) if last is not None else None, db_bytes, sizes)


def memory_count(conn: Any) -> int:
    """How many memories the vault holds (summaries are derived, not counted): a cheap "anything new?" probe."""
    return int(conn.execute("SELECT count(*) FROM items WHERE source != 'summary'").fetchone()[0])
