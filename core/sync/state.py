"""This device's sync bookkeeping in the vault (tables in ``core.store.sync_schema``).

Functions taking ``conn`` run on a reader or inside the writer's transaction.
"""

from __future__ import annotations

import json
import time
from typing import Any

from core.sync.membership import KeyRing

LOG_KEEP = 200


def get_meta(conn: Any, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Any, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (key,))
    else:
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (key, value))


def load_ring(conn: Any) -> KeyRing | None:
    vault = get_meta(conn, "vault")
    if vault is None:
        return None
    keys = {int(r[0]): bytes(r[1]) for r in conn.execute("SELECT epoch, key FROM sync_keys")}
    return KeyRing(vault, keys) if keys else None


def save_ring(conn: Any, ring: KeyRing) -> None:
    set_meta(conn, "vault", ring.vault_id)
    for epoch, key in ring.keys.items():
        conn.execute("INSERT OR REPLACE INTO sync_keys (epoch, key) VALUES (?, ?)", (epoch, key))


def log_error(conn: Any, message: str) -> None:
    conn.execute("INSERT INTO sync_log (ts, message) VALUES (?, ?)", (time.time(), message[:500]))
    conn.execute("DELETE FROM sync_log WHERE id <= (SELECT max(id) FROM sync_log) - ?", (LOG_KEEP,))


def recent_errors(conn: Any, limit: int = 5) -> list[tuple[float, str]]:
    return [(float(r[0]), str(r[1])) for r in
            conn.execute("SELECT ts, message FROM sync_log ORDER BY id DESC LIMIT ?", (limit,))]


def forget_everything(conn: Any) -> None:
    """Leave the synced vault: drop keys, target and versions (the memories stay)."""
    for table in ("sync_meta", "sync_keys", "sync_items", "sync_state", "sync_tombstones", "sync_outbox",
                  "sync_applied", "sync_media", "sync_log", "sync_authored"):
        conn.execute(f"DELETE FROM {table}")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
