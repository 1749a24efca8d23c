"""The vault at rest: 0600/0700 whatever the umask, forgotten words gone from the FTS segments, re-import settles."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl


@pytest.fixture()
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(home: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_every_vault_file_is_private_whatever_the_umask(tmp_path: Path, loose_umask: None) -> None:
    from core.capture.screen.health import HealthSnapshot, status_path, write_status
    from core.capture.screen.privacy import PauseControl
    from core.vault import Vault

    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "run").mkdir(mode=0o755)
    (home / "run" / "old.json").write_text("{}")  # left 0644 by an older version
    paths = VaultPaths(home)
    with Vault.create(paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.ingest([])
        write_status(status_path(paths.runtime_dir), HealthSnapshot(state="running"))
        PauseControl(paths.runtime_dir).pause()
    os.chmod(home, 0o755)  # as a user's `chmod` or an old version may leave it
    os.chmod(home / "vault.db", 0o644)
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        vault.ingest([])
        modes = _modes(home)
    assert any(name.endswith("-wal") for name in modes), modes  # WAL files were there to check
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (home / name).is_dir() else 0o600)}
    assert wrong == {}


def test_forgotten_words_leave_the_full_text_segments(lexical_vault: Any, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "chat.jsonl", [
        jsonl_line("1", "the courier code is xqjvzkorbit for the night shift"),
        jsonl_line("2", "lunch at noon with the marketing team", minutes=3),
    ])
    lexical_vault.import_path(export)
    segments = lambda: b"".join(bytes(r[0]) for r in lexical_vault.read().execute(  # noqa: E731
        "SELECT block FROM chunks_fts_data WHERE block IS NOT NULL"))
    assert b"qjvzkorbit" in segments()  # the index holds the word (stemmed or not, this part survives)
    forgotten = lexical_vault.read().execute("SELECT id FROM items WHERE text LIKE '%xqjvzkorbit%'").fetchall()
    gone = lexical_vault.forget(item_ids=[r[0] for r in forgotten])
    assert getattr(gone, "value", gone) == 1
    assert b"qjvzkorbit" not in segments()
    assert not lexical_vault.search(SearchRequest(query="xqjvzkorbit", k=5, parse_time=False)).hits
    assert lexical_vault.search(SearchRequest(query="marketing", k=5, parse_time=False)).hits


def test_a_repeated_id_is_stored_once_each_and_reimport_changes_nothing(lexical_vault: Any, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "chat.jsonl", [
        jsonl_line("7", "first message under id seven"),
        jsonl_line("7", "a different message reusing id seven", minutes=1),
        jsonl_line("8", "an ordinary message", minutes=2),
    ])
    first = lexical_vault.import_path(export)
    assert (first.imported, first.updated) == (3, 0)
    before = lexical_vault.read().execute("SELECT id, updated_at, meta FROM items ORDER BY id").fetchall()
    for _ in range(2):
        again = lexical_vault.import_path(export)
        assert (again.imported, again.updated, again.duplicate) == (0, 0, 3)
    assert lexical_vault.read().execute("SELECT id, updated_at, meta FROM items ORDER BY id").fetchall() == before


def test_a_stray_nul_byte_does_not_make_a_text_file_binary(lexical_vault: Any, tmp_path: Path) -> None:
    from core.capture.files.service import index_path
    from core.normalize.extract.sniff import looks_binary

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "log.txt").write_bytes(b"server started\n\x00\nthe walrusgate deploy finished at noon\n" * 3)
    (docs / "notes").write_bytes(b"no suffix, one NUL\x00 and the pangolinpass word\n")
    assert looks_binary(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)  # real binaries still are
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    index_path(lexical_vault, docs)
    for word in ("walrusgate", "pangolinpass"):
        assert lexical_vault.search(SearchRequest(query=word, k=5, parse_time=False)).hits, word
    stored = lexical_vault.read().execute("SELECT text FROM items WHERE text LIKE '%walrusgate%'").fetchone()[0]
    assert "\x00" not in stored
