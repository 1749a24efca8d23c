"""``chunks_fts`` without a second copy of every chunk: a contentless FTS5 table kept by triggers.

Why: the first ``chunks_fts`` stored each chunk's body (speaker/title + text)
again next to ``chunks.text``; nothing reads it back (searches need only rowids
and bm25), so it was a full duplicate of the text, ~1/3 of the vault at 1M.

Why ``content=''`` and not ``contentless_delete=1``: a contentless-delete table
deletes by tombstone, so a forgotten chunk's tokens stay in the index segments
until a merge rewrites them (measured: the marker stays in ``*_data``) and
FTS5's ``secure-delete`` cannot help it.  A plain contentless table deletes
with the ``'delete'`` command given the row's body, and with ``secure-delete``
that removes every token in place.  The body is exactly what was indexed
because the database computes it: the triggers below derive it from the
chunk's text and its item's speaker/title (``BODY``, the SQL twin of
``items.fts_body``), and re-index a chunk whenever either changes (a renamed
file, a moved chunk), so the body a delete rebuilds is always the one indexed.
No Python writes ``chunks_fts`` any more; a plain ``DELETE`` on it fails loudly.

Old vaults: the migration creates the new table as ``chunks_fts_next`` (empty)
with transitional triggers that keep both tables current, and
``meta.chunks_fts_pending`` = the highest chunk id still to copy.
``fill_step`` copies batches of ids below it (newest first, on a background
thread after unlock: ``core.store.background_steps``); searches keep reading the
old ``chunks_fts`` meanwhile.  When nothing is pending, ``swap`` drops the old
table (``secure_delete`` zeroes its pages), renames the new one to
``chunks_fts`` and installs the final triggers, in one transaction.  A small
vault does all of it at unlock (``finish_if_small``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.store.background_steps import BackgroundSteps

TOKENIZE = "porter unicode61 remove_diacritics 2"
NEXT = "chunks_fts_next"
PENDING_KEY = "chunks_fts_pending"
BATCH = 20_000  # chunk ids a fill transaction copies (tokenizing dominates: ~0.5-1 s at 1M on 2 busy cores)
SMALL = 20_000  # a vault with at most this many chunks to copy is migrated at unlock, in one transaction


def _prefix(item: str) -> str:
    return f"coalesce(nullif({item}.speaker, ''), nullif({item}.title, ''))"


def body(item: str, text: str) -> str:
    """SQL for the indexed body of chunk text ``text`` in item row ``item`` (what ``items.fts_body`` returns)."""
    return f"CASE WHEN {_prefix(item)} IS NULL THEN {text} ELSE {_prefix(item)} || ': ' || {text} END"


_MARK = f"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{PENDING_KEY}')"


def _add(table: str, when: str = "") -> str:
    return f"INSERT INTO {table}(rowid, body) SELECT new.id, {body('i', 'new.text')} FROM items i WHERE i.id = new.item_id{when};"


def _remove(table: str, when: str = "") -> str:
    return (f"INSERT INTO {table}({table}, rowid, body) SELECT 'delete', old.id, {body('i', 'old.text')}"
            f" FROM items i WHERE i.id = old.item_id{when};")


def _reindex_item(table: str, when: str = "") -> str:
    return (f"INSERT INTO {table}({table}, rowid, body) SELECT 'delete', c.id, {body('old', 'c.text')}"
            f" FROM chunks c WHERE c.item_id = new.id{when};\n"
            f"    INSERT INTO {table}(rowid, body) SELECT c.id, {body('new', 'c.text')}"
            f" FROM chunks c WHERE c.item_id = new.id{when};")


_RENAMED = f"AFTER UPDATE OF speaker, title ON items WHEN {_prefix('old')} IS NOT {_prefix('new')}"

# Deleting an item deletes its chunks first, while the item (and so each body) can still be read.
ITEM_DELETED_SQL = """
CREATE TRIGGER IF NOT EXISTS chunks_fts_item_deleted BEFORE DELETE ON items BEGIN
    DELETE FROM chunks WHERE item_id = old.id;
END;
"""

FINAL_TRIGGERS = (
    ("chunks_fts_chunk_added", f"AFTER INSERT ON chunks BEGIN\n    {_add('chunks_fts')}\nEND"),
    ("chunks_fts_chunk_deleted", f"AFTER DELETE ON chunks BEGIN\n    {_remove('chunks_fts')}\nEND"),
    ("chunks_fts_chunk_changed",
     f"AFTER UPDATE OF item_id, text ON chunks BEGIN\n    {_remove('chunks_fts')}\n    {_add('chunks_fts')}\nEND"),
    ("chunks_fts_item_renamed", f"{_RENAMED} BEGIN\n    {_reindex_item('chunks_fts')}\nEND"),
)

# While migrating: the old table (it has content, so a plain DELETE works) and the new one for the ids
# already copied or written since (above the mark; the fill copies the rest from the chunks as they are then).
_OLD_ADD = f"INSERT INTO chunks_fts(rowid, body) SELECT new.id, {body('i', 'new.text')} FROM items i WHERE i.id = new.item_id;"
_OLD_REMOVE = "DELETE FROM chunks_fts WHERE rowid = old.id;"
_NEW_ABOVE = f" AND new.id > {_MARK}"
_OLD_ABOVE = f" AND old.id > {_MARK}"
MIGRATING_TRIGGERS = (
    ("chunks_fts_migrating_added", f"AFTER INSERT ON chunks BEGIN\n    {_OLD_ADD}\n    {_add(NEXT, _NEW_ABOVE)}\nEND"),
    ("chunks_fts_migrating_deleted",
     f"AFTER DELETE ON chunks BEGIN\n    {_OLD_REMOVE}\n    {_remove(NEXT, _OLD_ABOVE)}\nEND"),
    ("chunks_fts_migrating_changed",
     f"AFTER UPDATE OF item_id, text ON chunks BEGIN\n    {_OLD_REMOVE}\n    {_OLD_ADD}\n"
     f"    {_remove(NEXT, _OLD_ABOVE)}\n    {_add(NEXT, _NEW_ABOVE)}\nEND"),
    ("chunks_fts_migrating_renamed",
     f"{_RENAMED} BEGIN\n    DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE item_id = new.id);\n"
     f"    INSERT INTO chunks_fts(rowid, body) SELECT c.id, {body('new', 'c.text')} FROM chunks c WHERE c.item_id = new.id;\n"
     f"    {_reindex_item(NEXT, f' AND c.id > {_MARK}')}\nEND"),
)


def _create(triggers: tuple[tuple[str, str], ...]) -> str:
    return "\n".join(f"CREATE TRIGGER IF NOT EXISTS {name} {sql};" for name, sql in triggers)


MIGRATION_SQL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {NEXT} USING fts5(body, content = '', tokenize = '{TOKENIZE}');
INSERT INTO {NEXT}({NEXT}, rank) VALUES ('secure-delete', 1);
INSERT OR REPLACE INTO meta (key, value) SELECT '{PENDING_KEY}', CAST(coalesce(max(id), 0) AS TEXT) FROM chunks;
{ITEM_DELETED_SQL}
{_create(MIGRATING_TRIGGERS)}
"""


def migrating(conn: Any) -> bool:
    """The new table exists and is not swapped in yet (searches read the old one)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (NEXT,)).fetchone() is not None


def pending(conn: Any) -> int:
    """The highest chunk id not yet copied into the new table (0: all copied)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (PENDING_KEY,)).fetchone()
    return int(row[0]) if row else 0


def fill_step(conn: Any, batch: int | None = None) -> bool:
    """Inside a write transaction: copy the next ``batch`` ids (newest first), or swap once all are; more to do?"""
    batch = batch or BATCH
    if not migrating(conn):
        return False
    high = pending(conn)
    if high <= 0:
        swap(conn)
        return False
    low = max(0, high - batch)
    conn.execute(f"INSERT INTO {NEXT}(rowid, body) SELECT c.id, {body('i', 'c.text')}"
                 " FROM chunks c JOIN items i ON i.id = c.item_id WHERE c.id > ? AND c.id <= ?", (low, high))
    conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(low), PENDING_KEY))
    return True


def swap(conn: Any) -> None:
    """Inside a write transaction, all ids copied: the new table becomes ``chunks_fts``, the old one is dropped."""
    for name, _ in MIGRATING_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DROP TABLE chunks_fts")  # PRAGMA secure_delete: its freed pages are overwritten
    conn.execute(f"ALTER TABLE {NEXT} RENAME TO chunks_fts")
    for name, sql in FINAL_TRIGGERS:
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {sql}")
    conn.execute("DELETE FROM meta WHERE key = ?", (PENDING_KEY,))


def finish_if_small(conn: Any, small: int | None = None) -> bool:
    """Inside a write transaction: migrate at once when few chunks remain to copy; whether it is done."""
    small = SMALL if small is None else small
    if not migrating(conn):
        return True
    high = pending(conn)
    if high > small:  # ids bound the count (counting would read every chunk page)
        return False
    while fill_step(conn, max(high, 1)):
        pass
    return True


def migrate_in_background(write: Callable[[Callable[[Any], bool]], bool]) -> BackgroundSteps:
    """After unlock: finish a small vault's migration now, start a big one's on a thread (stop it at lock)."""
    fill = BackgroundSteps(write, fill_step, "cairn-fts-contentless")
    if not write(finish_if_small):
        fill.start()
    return fill
