"""The store's own tables and the runner that applies every area's migrations in order.

``BASE_SQL`` (items, chunks, FTS, vectors, media, ledger, settings) and
``FILTER_INDEXES_SQL`` are the store's steps; the other areas own theirs
(``core.capture.files.schema``, ``core.memory.schema``) and the list of all
steps is assembled above the store (``core.schema.MIGRATIONS``), so the store
imports no higher floor.  ``PRAGMA user_version`` records how many ran.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BASE_SQL = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    kind TEXT NOT NULL,
    ts REAL NOT NULL,
    ts_end REAL,
    conversation TEXT,
    speaker TEXT,
    title TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_ts ON items(ts);
CREATE INDEX IF NOT EXISTS items_conversation_ts ON items(conversation, ts);
CREATE INDEX IF NOT EXISTS items_source_ts ON items(source, ts);

CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    heading TEXT,
    start INTEGER NOT NULL DEFAULT 0,
    end INTEGER NOT NULL DEFAULT 0,
    text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_item ON chunks(item_id, ordinal);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);

-- One vector per distinct chunk text and model: identical chunks share it.
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;

-- Full-text index; rowid = chunks.id.  The body holds speaker/title + text.
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    body, tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    bytes INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS media_item ON media(item_id);

-- Files (and other sources with a physical origin): what was seen, so re-ingest is idempotent.
CREATE TABLE IF NOT EXISTS ingest_ledger (
    origin TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    size INTEGER,
    mtime REAL,
    content_hash TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    item_id INTEGER,
    updated_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Case-insensitive filters ("--conversation family") must use an index, not scan every item.
FILTER_INDEXES_SQL = """
CREATE INDEX IF NOT EXISTS items_conversation_nocase ON items(conversation COLLATE NOCASE, ts);
CREATE INDEX IF NOT EXISTS items_speaker_nocase ON items(speaker COLLATE NOCASE, ts);
"""

# Every change that concerns the vector index, in commit order: a process whose index
# (a sealed blob) covers the log up to ``seq`` catches up by reading what came after it,
# so no process ever has to reload every vector to see another's imports or forgets.
# op 1: chunk added, 2: chunk deleted, 3: a vector arrived for ``text_hash``, 4: a chunk's filter columns
# changed (``core.store.facet_columns``; the vector index skips it).
# The log is pruned up to the seq of the newest blob written (``meta.vector_log_floor``).
VECTOR_LOG_SQL = """
CREATE TABLE IF NOT EXISTS vector_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op INTEGER NOT NULL,
    chunk_id INTEGER,
    text_hash TEXT
);
CREATE TRIGGER IF NOT EXISTS vector_log_chunk_added AFTER INSERT ON chunks BEGIN
    INSERT INTO vector_log (op, chunk_id) VALUES (1, new.id);
END;
CREATE TRIGGER IF NOT EXISTS vector_log_chunk_deleted AFTER DELETE ON chunks BEGIN
    INSERT INTO vector_log (op, chunk_id) VALUES (2, old.id);
END;
CREATE TRIGGER IF NOT EXISTS vector_log_vector_added AFTER INSERT ON embeddings BEGIN
    INSERT INTO vector_log (op, text_hash) VALUES (3, new.text_hash);
END;
"""


def migrate(conn: Any, migrations: Sequence[str]) -> int:
    """Bring the schema up to date inside the caller's transaction; returns the version.

    ``migrations`` is every area's SQL in the order the steps were first
    applied (``core.schema.MIGRATIONS``): step ``i`` runs once, when
    ``user_version`` is ``i``.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for index in range(version, len(migrations)):
        for statement in _split_sql(migrations[index]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {index + 1}")
    return len(migrations)


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3's execute runs one at a time)."""
    import sqlcipher3

    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
