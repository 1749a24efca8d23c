"""FTS5 ``secure-delete`` on every full-text table: a deleted row's tokens leave the index segments at once.

Without it FTS5 only marks a deleted row with a "delete" record and the
forgotten tokens stay in ``*_data`` segments until a merge, so a forgotten
memory stays readable in the decrypted database.  The option is stored in each
table's ``*_config``; it is set on every open, so a table a later migration
rebuilds gets it too.  Runs inside the writer's transaction; raises what SQLite raises.
"""

from __future__ import annotations

from typing import Any


def fts5_tables(conn: Any) -> list[str]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    return [name for name, sql in rows if "fts5" in sql.lower()]


def enable_fts_secure_delete(conn: Any) -> None:
    for name in fts5_tables(conn):
        quoted = '"' + name.replace('"', '""') + '"'
        current = conn.execute(f"SELECT v FROM \"{name}_config\" WHERE k = 'secure-delete'").fetchone()
        if not current or int(current[0]) != 1:
            conn.execute(f"INSERT INTO {quoted}({quoted}, rank) VALUES ('secure-delete', 1)")
