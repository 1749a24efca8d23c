"""The contentless ``chunks_fts``: no second copy of the text, an index equal to the old one through every write,
forget leaves no token in any page, and an old vault moves over in the background (kill -9 included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from core.crypto.keys import unlock_data_key
from core.index.fulltext import query_terms, ranked_matches
from core.paths import VaultPaths
from core.schema import MIGRATIONS
from core.store import fts_contentless
from core.store.items import fts_body
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message

MARKER = "xqjvzkorbit"
WORDS = ("coffee", "budget", "lawyer", "garden", "invoice", "concert", "running", "generalization")
QUERIES = ("coffee budget", "running lawyer", "garden", "generalization invoice concert", "note")


def _records(n: int = 300, prefix: str = "m") -> list:
    return [message(f"{prefix}{i}", f"{WORDS[i % 8]} {WORDS[(i * 3) % 8]} note {i} é café", minutes=i,
                    speaker=("Ana", "Ben", "")[i % 3], conversation=f"chat-{i % 4}") for i in range(n)]


def _vocab(conn: Any, table: str) -> list[tuple]:
    """Every (term, rowid, column, offset) the FTS index holds: the index itself, content or not."""
    conn.execute(f"CREATE VIRTUAL TABLE temp.probe USING fts5vocab(main, {table}, instance)")
    try:
        return conn.execute("SELECT term, doc, col, offset FROM temp.probe ORDER BY term, doc, offset").fetchall()
    finally:
        conn.execute("DROP TABLE temp.probe")


def _expected(conn: Any) -> list[tuple]:
    """What an FTS5 table of today's chunks with the Python bodies (items.fts_body) holds."""
    rows = conn.execute("SELECT c.id, i.speaker, i.title, c.text FROM chunks c JOIN items i ON i.id = c.item_id")
    ref = sqlcipher3.connect(":memory:")
    ref.execute(f"CREATE VIRTUAL TABLE ref USING fts5(body, tokenize = '{fts_contentless.TOKENIZE}')")
    ref.executemany("INSERT INTO ref(rowid, body) VALUES (?, ?)", [(r[0], fts_body(r[1], r[2], r[3])) for r in rows])
    ref.execute("CREATE VIRTUAL TABLE temp.probe USING fts5vocab(main, ref, instance)")
    return ref.execute("SELECT term, doc, col, offset FROM temp.probe ORDER BY term, doc, offset").fetchall()


def _index_matches_chunks(v: Vault, table: str = "chunks_fts") -> None:
    found, expected = v.write(lambda conn: (_vocab(conn, table), _expected(conn)))
    assert expected and found == expected
    rows = v.read().execute(f"SELECT count(*) FROM {table}_docsize").fetchone()[0]
    assert rows == v.read().execute("SELECT count(*) FROM chunks").fetchone()[0]


def _contentless(v: Vault) -> bool:
    sql = v.read().execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()[0]
    return "content = ''" in sql and not fts_contentless.migrating(v.read())


def _rankings(v: Vault) -> list[list[tuple[int, float]]]:
    return [ranked_matches(v.read(), query_terms(q), 50) for q in QUERIES]


def test_a_new_vault_indexes_without_a_copy_of_the_text(lexical_vault: Vault) -> None:
    lexical_vault.ingest(_records())
    assert _contentless(lexical_vault)
    tables = {r[0] for r in lexical_vault.read().execute("SELECT name FROM sqlite_master")}
    assert "chunks_fts_content" not in tables and fts_contentless.NEXT not in tables
    assert {r[0] for r in lexical_vault.read().execute("SELECT body FROM chunks_fts")} == {None}
    _index_matches_chunks(lexical_vault)
    assert all(_rankings(lexical_vault))


def test_the_index_follows_every_write(lexical_vault: Vault) -> None:
    v = lexical_vault
    v.ingest(_records(60))
    v.ingest([message("m4", "a changed text entirely", speaker="Dana", minutes=4)])  # re-import: new speaker + chunks
    v.mark_deleted("chat:test", "m5", "team")
    item = v.read().execute("SELECT item_id FROM chunks ORDER BY id LIMIT 1").fetchone()[0]
    v.write(lambda conn: conn.execute("UPDATE items SET speaker = NULL, title = 'renamed report.pdf' WHERE id = ?",
                                      (item,)))  # a moved file: its title changes
    v.write(lambda conn: conn.execute("UPDATE items SET title = 'ignored, the speaker wins' WHERE id = ?", (item + 1,)))
    v.write(lambda conn: conn.execute("UPDATE chunks SET item_id = ? WHERE item_id = ?", (item + 2, item + 3)))
    v.write(lambda conn: conn.execute("DELETE FROM items WHERE id = ?", (item + 4,)))  # chunks go first, by trigger
    v.forget(item_ids=[item + 5, item + 6])
    _index_matches_chunks(v)
    assert v.read().execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH 'renamed'").fetchall()
    with pytest.raises(sqlcipher3.DatabaseError):  # a plain delete would leave the tokens: it cannot happen
        v.write(lambda conn: conn.execute("DELETE FROM chunks_fts WHERE rowid = 1"))


def _pages(home: Path) -> bytes:
    """Every page of the database file and its WAL, decrypted (SQLCipher 4: AES-256-CBC, IV in the reserve)."""
    key = unlock_data_key(VaultPaths(home), TEST_PASSPHRASE)
    size, reserve = 4096, 80
    raw = (home / "vault.db").read_bytes()
    wal = home / "vault.db-wal"
    frames = wal.read_bytes()[32:] if wal.exists() else b""
    pages = [raw[i:i + size] for i in range(0, len(raw), size)]
    pages += [frames[i + 24:i + 24 + size] for i in range(0, len(frames), size + 24)]
    out = []
    for number, page in enumerate(pages):
        if len(page) < size:
            continue
        start = 16 if number == 0 else 0  # page 1 begins with the salt
        iv = page[size - reserve:size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(decryptor.update(page[start:size - reserve]) + decryptor.finalize())
    return b"".join(out)


def test_forget_leaves_no_token_in_any_page(vault_paths: VaultPaths) -> None:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records(200))
    v.ingest([message("secret", f"the courier code is {MARKER} tonight", minutes=500)])
    v.close()
    assert MARKER.encode() in _pages(vault_paths.home)  # the scan sees plaintext pages
    v = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    item = v.read().execute("SELECT id FROM items WHERE text LIKE ?", (f"%{MARKER}%",)).fetchone()[0]
    v.forget(item_ids=[item])
    v.close()
    pages = _pages(vault_paths.home)
    assert MARKER[1:].encode() not in pages and b"courier" not in pages
    assert b"budget" in pages  # what was kept is still there
    scanned = [p for p in vault_paths.home.rglob("*") if p.is_file()]
    assert scanned and not any(MARKER.encode() in p.read_bytes() for p in scanned)


def _make_old(v: Vault) -> None:
    """Turn ``v`` into a vault from before this migration: the content-storing table, filled as the old code did."""
    def undo(conn: Any) -> None:
        for name, _ in fts_contentless.FINAL_TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TRIGGER chunks_fts_item_deleted")
        conn.execute("DROP TABLE chunks_fts")
        conn.execute(f"CREATE VIRTUAL TABLE chunks_fts USING fts5(body, tokenize = '{fts_contentless.TOKENIZE}')")
        conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('secure-delete', 1)")
        rows = conn.execute("SELECT c.id, i.speaker, i.title, c.text FROM chunks c JOIN items i ON i.id = c.item_id")
        conn.executemany("INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)",
                         [(r[0], fts_body(r[1], r[2], r[3])) for r in rows.fetchall()])
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(fts_contentless.MIGRATION_SQL)}")
    v.write(undo)


def _wait_contentless(v: Vault) -> None:
    deadline = time.monotonic() + 120
    while not _contentless(v):
        assert time.monotonic() < deadline, f"migration stuck ({v._fts_fill.error!r})"
        time.sleep(0.05)


def test_an_old_vault_moves_over_in_the_background_and_searches_the_same(
        vault_paths: VaultPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records())
    before = _rankings(v)
    _make_old(v)
    assert _rankings(v) == before  # the rebuilt old table ranks as the new one did
    v.close()
    monkeypatch.setattr(fts_contentless, "SMALL", 0)
    monkeypatch.setattr(fts_contentless, "BATCH", 40)
    stalled = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    stalled._fts_fill.stop()  # a batch or two may have run; the rest waits for the next unlock
    assert fts_contentless.migrating(stalled.read()) and fts_contentless.pending(stalled.read()) > 0
    assert _rankings(stalled) == before  # the old table answers meanwhile
    # Writes while migrating reach both tables: new chunks (above the mark), a forget below it and above it.
    stalled.ingest(_records(30, prefix="late"))
    low, high = stalled.read().execute("SELECT min(item_id), max(item_id) FROM chunks").fetchone()
    stalled.forget(item_ids=[low, high - 40])
    stalled.write(lambda conn: conn.execute("UPDATE items SET speaker = 'Zed' WHERE id IN (?, ?)", (low + 1, high)))
    during = _rankings(stalled)
    stalled.close()
    v = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        _wait_contentless(v)
        assert v._fts_fill.error is None
        _index_matches_chunks(v)
        assert _rankings(v) == during
        assert v.read().execute("SELECT value FROM meta WHERE key = ?", (fts_contentless.PENDING_KEY,)).fetchone() is None
    finally:
        v.close()


_CHILD = """
import sys
from pathlib import Path
from core.paths import VaultPaths
from core.store import fts_contentless
from core.vault import Vault
fts_contentless.SMALL = 0
fts_contentless.BATCH = 25
v = Vault.open(VaultPaths(Path(sys.argv[1])), sys.argv[2], embedder=None)
v._fts_fill.stop()
while v.write(fts_contentless.fill_step):  # step by step, saying where it is; the parent kills it mid-way
    print(fts_contentless.pending(v.read()), flush=True)
"""


def test_a_kill_during_the_background_fill_leaves_a_vault_that_finishes(
        vault_paths: VaultPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.ingest(_records())
    before = _rankings(v)
    _make_old(v)
    v.close()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(vault_paths.home), TEST_PASSPHRASE],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        assert child.stdout is not None
        seen = [int(child.stdout.readline()) for _ in range(3)]
        assert seen[-1] > 0, seen  # killed while ids were still pending
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    monkeypatch.setattr(fts_contentless, "SMALL", 0)
    v = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        assert _rankings(v) == before  # the old table, consistent, answers until the new one is complete
        _wait_contentless(v)
        _index_matches_chunks(v)
        assert _rankings(v) == before
    finally:
        v.close()
