"""The settings row: one JSON document in the ``settings`` table, read and replaced whole.

Threads: ``load_settings`` on any reader connection, ``save_settings`` inside
the writer's transaction.  Errors: database errors propagate; unknown keys in
the stored JSON are kept by ``Settings.from_dict``'s own rules.
"""

from __future__ import annotations

import json
from typing import Any

from core.settings import Settings


def load_settings(conn: Any) -> Settings:
    row = conn.execute("SELECT value FROM settings WHERE key = 'settings'").fetchone()
    return Settings.from_dict(json.loads(row[0])) if row else Settings()


def save_settings(conn: Any, settings: Settings) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('settings', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (json.dumps(settings.to_dict()),),
    )
