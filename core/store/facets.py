"""``chunk_facets``: every chunk's filter columns in a narrow table, so filters never read text pages.

Why: filters over ``chunks JOIN items`` decrypt the wide rows (chunk and item
text) of every candidate: at 1M chunks listing one conversation's 20,000 chunk
ids took 1.2 s and checking 9,000 candidates ~0.5 s (bench.store, cProfile).
Here one row is ~50 bytes and each filter has a covering index that ends in
``deleted`` (the rowid, the chunk id, comes free), so listing one
conversation reads ~150 index pages.

Kept in step by triggers inside the writer's transaction (any writer: import,
capture, sync, forget), so nothing can forget to fill it.  An existing vault
gets the table empty from its migration plus ``meta.chunk_facets_pending``,
the highest chunk id still to copy; ``backfill_step`` copies the ids below it
in batches (the vault runs them on a background thread after unlock) and
search uses the table only once that reaches 0 (``ready``).  The copy runs
after the triggers exist, reads the current item in the same transaction and
replaces what it finds, so a chunk changed meanwhile is never stale.
"""

from __future__ import annotations

from typing import Any

from core.store.background_steps import BackgroundSteps, Write

# The app's name, as the old filter read it from item meta (lower-cased there too).
_APP = "CASE WHEN json_valid({m}) THEN lower(json_extract({m}, '$.app')) END"
_COPY = ("SELECT c.id, i.id, i.ts, i.source, i.conversation, i.speaker, " + _APP.format(m="i.meta")
         + ", i.kind, i.deleted FROM chunks c JOIN items i ON i.id = c.item_id")
# The inserted chunk's row is ``new``: only its item is looked up.
_FROM_NEW = ("SELECT new.id, i.id, i.ts, i.source, i.conversation, i.speaker, " + _APP.format(m="i.meta")
             + ", i.kind, i.deleted FROM items i WHERE i.id = new.item_id")
COLUMNS = "chunk_id, item_id, ts, source, conversation, speaker, app, kind, deleted"

FACETS_SQL = f"""
CREATE TABLE IF NOT EXISTS chunk_facets (
    chunk_id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    source TEXT NOT NULL,
    conversation TEXT,
    speaker TEXT,
    app TEXT,
    kind TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunk_facets_conversation ON chunk_facets(conversation COLLATE NOCASE, ts, deleted);
CREATE INDEX IF NOT EXISTS chunk_facets_speaker ON chunk_facets(speaker COLLATE NOCASE, ts, deleted);
CREATE INDEX IF NOT EXISTS chunk_facets_source ON chunk_facets(source, ts, deleted);
CREATE INDEX IF NOT EXISTS chunk_facets_ts ON chunk_facets(ts, deleted);
CREATE TRIGGER IF NOT EXISTS chunk_facets_chunk_added AFTER INSERT ON chunks BEGIN
    INSERT OR REPLACE INTO chunk_facets ({COLUMNS}) {_FROM_NEW};
END;
CREATE TRIGGER IF NOT EXISTS chunk_facets_chunk_moved AFTER UPDATE OF item_id ON chunks BEGIN
    INSERT OR REPLACE INTO chunk_facets ({COLUMNS}) {_COPY} WHERE c.id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS chunk_facets_chunk_deleted AFTER DELETE ON chunks BEGIN
    DELETE FROM chunk_facets WHERE chunk_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS chunk_facets_item_changed
AFTER UPDATE OF ts, source, conversation, speaker, meta, kind, deleted ON items BEGIN
    UPDATE chunk_facets SET ts = new.ts, source = new.source, conversation = new.conversation,
        speaker = new.speaker, app = {_APP.format(m="new.meta")}, kind = new.kind, deleted = new.deleted
    WHERE chunk_id IN (SELECT id FROM chunks WHERE item_id = new.id);
END;
INSERT OR REPLACE INTO meta (key, value) SELECT 'chunk_facets_pending', CAST(coalesce(max(id), 0) AS TEXT) FROM chunks;
"""

BATCH = 25_000  # chunk ids a backfill transaction copies: ~0.2-0.5 s of the writer at 1M on 2 busy cores


def pending(reader: Any) -> int:
    """The highest chunk id not yet copied (0: the table is complete)."""
    row = reader.execute("SELECT value FROM meta WHERE key = 'chunk_facets_pending'").fetchone()
    return int(row[0]) if row else 0


def ready(reader: Any) -> bool:
    return pending(reader) == 0


def backfill_step(conn: Any, batch: int = BATCH) -> int:
    """Inside a write transaction: copy the next ``batch`` chunk ids (newest first); the ids still pending."""
    high = pending(conn)
    if high <= 0:
        return 0
    low = max(0, high - batch)
    conn.execute(f"INSERT OR REPLACE INTO chunk_facets ({COLUMNS}) {_COPY} WHERE c.id > ? AND c.id <= ?", (low, high))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chunk_facets_pending'", (str(low),))
    return low


class Backfill(BackgroundSteps):
    """Runs ``backfill_step`` batches on its own thread until done or ``stop``; errors kept in ``error``."""

    def __init__(self, write: Write, batch: int = BATCH) -> None:
        super().__init__(write, lambda conn: backfill_step(conn, batch) > 0, "cairn-facets-backfill")

    @classmethod
    def if_pending(cls, write: Write, reader: Any) -> Backfill:
        """A backfill, already running when the table is not complete yet."""
        backfill = cls(write)
        if pending(reader):
            backfill.start()
        return backfill
