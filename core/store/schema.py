"""Schema and migrations of the vault database.

``MIGRATIONS`` is ordered; ``PRAGMA user_version`` records how many ran.  A
migration is SQL (a string) or the name of a module attribute
(``"module:ATTR"``) holding SQL, so an area such as memory can own its tables.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import importlib
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

MIGRATIONS: tuple[str, ...] = (
    BASE_SQL,
    "core.capture.files.schema:MIGRATION_SQL",
    "core.memory.schema:MIGRATION_SQL",
    FILTER_INDEXES_SQL,
)


def _resolve(migration: str) -> str | None:
    """The SQL of a migration, or None when its module is not in this build yet."""
    if ":" in migration and "\n" not in migration:
        module_name, _, attr = migration.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        sql: str = getattr(module, attr)
        return sql
    return migration


def migrate(conn: Any) -> int:
    """Bring the schema up to date inside the caller's transaction; returns the version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for index in range(version, len(MIGRATIONS)):
        sql = _resolve(MIGRATIONS[index])
        if sql is None:
            # Stop here rather than skip: the step must run once its module exists.
            return index
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {index + 1}")
    return len(MIGRATIONS)


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
