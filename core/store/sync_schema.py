"""The sync engine's bookkeeping tables (one step of ``core.schema.MIGRATIONS``), kept in the encrypted vault.

The SQL lives in the store (which owns every table) because the migration
list sits below the sync engine; ``core.sync`` reads and writes these tables.

* ``sync_meta``: this device's id, its X25519 private key, the target, the clock, counters.
* ``sync_keys``: the vault's sync keys by epoch (a removal rotates to a new epoch).
* ``sync_items`` / ``sync_state``: the version (digest, hybrid-logical-clock stamp) of each
  item, user-edited fact and synced setting this device holds, so exporting is a diff and
  applying is last-writer-wins by stamp; ``objects`` lists an item's media objects.
* ``sync_tombstones``: forgotten items (an older upsert arriving late is ignored).
* ``sync_outbox``: sealed segments written in the same transaction as the diff, until uploaded.
* ``sync_applied``: segments applied (by name) and their device and sequence number.
* ``sync_media``: media objects on the target and the local media row they match.
* ``sync_log``: recent sync errors shown by `cairn sync status` (reasons only, never content).
* ``sync_authored`` (``SYNC_AUTHORED_SQL``, a later step): which of this device's segments carry a version
  of which item, so a forgotten item's text is cut out of them on the target (compaction).
"""

from __future__ import annotations

SYNC_SQL = """
CREATE TABLE IF NOT EXISTS sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_keys (epoch INTEGER PRIMARY KEY, key BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sync_items (
    source_key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    hlc TEXT NOT NULL,
    objects TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, digest TEXT NOT NULL, hlc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_tombstones (source_key TEXT PRIMARY KEY, hlc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_outbox (
    seq INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    blob BLOB NOT NULL,
    ops INTEGER NOT NULL,
    deletes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS sync_applied (
    name TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    applied_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_applied_device ON sync_applied(device, seq);
CREATE TABLE IF NOT EXISTS sync_media (obj TEXT PRIMARY KEY, media_id INTEGER, uploaded INTEGER NOT NULL DEFAULT 0)
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_media_local ON sync_media(media_id);
CREATE TABLE IF NOT EXISTS sync_log (id INTEGER PRIMARY KEY, ts REAL NOT NULL, message TEXT NOT NULL);
"""

SYNC_AUTHORED_SQL = """
CREATE TABLE IF NOT EXISTS sync_authored (
    source_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (source_key, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_authored_seq ON sync_authored(seq);
"""
