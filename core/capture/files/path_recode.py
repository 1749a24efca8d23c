"""Keeping stored path keys in step with the codec: ``ensure_path_keys`` at open, ``recode_path_keys`` on rekey.

A vault written before ``core.capture.files.path_codec`` holds raw paths as
keys (a secret in a file or folder name stays readable); rules that changed
judge parts differently; ``cairn rekey`` changes the key.  Each re-encodes
every key that would now be written differently, in the caller's transaction:
the file items' ``external_id``, ``conversation`` and ``source_key``, the
ledger's ``origin``, and the copies consolidation made (a file entity's path
alias, a file episode's conversation and stream).  ``meta.file_path_keys``
records the codec's fingerprint, so a vault already in step costs one read.

File items synced from another device (no ledger row here) are left to that
device, which re-encodes its own and syncs the change.  Threads: run on the writer.  Errors: SQLite errors propagate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.capture.files.path_codec import PathCodec, PathKeyError, codec_for, current_fingerprint

META_KEY = "file_path_keys"
SOURCE = "file"
ORIGIN_PREFIX = "file:"


def ensure_path_keys(conn: Any, derive: Callable[[str], bytes]) -> int:
    """Re-encode the keys if the vault's fingerprint is not the current codec's; how many keys changed."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    if row is not None and row[0] == current_fingerprint(derive):
        return 0
    codec = codec_for(derive)
    return recode_path_keys(conn, codec, codec)


def recode_path_keys(conn: Any, opener: PathCodec, encoder: PathCodec) -> int:
    """Open every stored key with ``opener``, store it as ``encoder`` writes it; how many keys changed."""

    def recode(key: str | None) -> str | None:
        if not key:
            return key
        try:
            return encoder.encode(opener.plain(key))
        except PathKeyError:
            return key  # not this vault's (synced from another device): left alone

    changed = 0
    # Only the files this device indexed (they have a ledger row): a file item synced from another device is that
    # device's to re-encode (it sends the new key and forgets the old); re-keying it here too would duplicate it.
    for item_id, external_id, conversation in conn.execute(
            "SELECT id, external_id, conversation FROM items WHERE source = ? AND id IN"
            " (SELECT item_id FROM ingest_ledger WHERE source = ? AND item_id IS NOT NULL)", (SOURCE, SOURCE)).fetchall():
        new_id, new_conversation = recode(external_id), recode(conversation)
        if (new_id, new_conversation) == (external_id, conversation) or new_id is None:
            continue
        taken = conn.execute("SELECT 1 FROM items WHERE source_key = ? AND id != ?",
                             (_source_key(new_id, new_conversation), item_id)).fetchone()
        if taken:
            continue  # never seen: another item already has the new key; this one keeps the old
        conn.execute("UPDATE items SET external_id = ?, conversation = ?, source_key = ? WHERE id = ?",
                     (new_id, new_conversation, _source_key(new_id, new_conversation), item_id))
        _recode_memory(conn, external_id, new_id, conversation, new_conversation)
        changed += 1
    for (origin,) in conn.execute("SELECT origin FROM ingest_ledger WHERE source = ?", (SOURCE,)).fetchall():
        new_origin = ORIGIN_PREFIX + (recode(origin[len(ORIGIN_PREFIX):]) or "")
        if new_origin != origin:
            conn.execute("DELETE FROM ingest_ledger WHERE origin = ?", (new_origin,))
            conn.execute("UPDATE ingest_ledger SET origin = ? WHERE origin = ?", (new_origin, origin))
            changed += 1
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (META_KEY, encoder.fingerprint))
    return changed


def _source_key(external_id: str, conversation: str | None) -> str:
    from core.store.items import source_key
    from core.types import Record

    return source_key(Record(source=SOURCE, external_id=external_id, kind="document", timestamp=datetime.now(UTC),
                             text="", conversation=conversation))


def _recode_memory(conn: Any, old_id: str | None, new_id: str, old_conversation: str | None,
                   new_conversation: str | None) -> None:
    """Consolidation copied the keys: a file entity's ``path`` alias, a file episode's conversation and stream."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "mem_aliases" in tables and old_id != new_id:
        conn.execute("UPDATE OR IGNORE mem_aliases SET value = ?, norm = ? WHERE alias_kind = 'path' AND value = ?",
                     (new_id, new_id, old_id))
    if "mem_episodes" in tables and old_conversation and old_conversation != new_conversation:
        old_stream, new_stream = f"{SOURCE}|{old_conversation}", f"{SOURCE}|{new_conversation or ''}"
        conn.execute("UPDATE OR IGNORE mem_episodes SET conversation = ?, stream = ?,"
                     " key = ? || substr(key, length(?) + 1) WHERE conversation = ? AND stream = ?",
                     (new_conversation, new_stream, new_stream, old_stream, old_conversation, old_stream))
