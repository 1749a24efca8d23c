"""A secret in a file or folder name is kept out of the path keys, and the keys still work: lookups by path, a
folder's range (deletions, moves, watched-folder counts), an old vault's raw keys re-encoded at open, `cairn rekey`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE
from tests.security.test_redaction_everywhere import SECRETS, _needles, _scan

ROOT = Path(__file__).resolve().parents[2]
SECRET = SECRETS["aws_key"]


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    box = docs / f"box {SECRET}"
    box.mkdir(parents=True)
    for i in range(3):
        (box / f"{SECRET} n{i}.md").write_text(f"# Note {i}\n\nThe heron count {i} is on Sunday.\n")
    (docs / "plain.md").write_text("# Plain\n\nNothing to hide.\n")
    return docs, box


def _index(vault: Any, docs: Path) -> Any:
    from core.capture.files.service import index_path

    return index_path(vault, docs, embed=False)


def _file_rows(vault: Any) -> list[tuple[Any, ...]]:
    return vault.read().execute(
        "SELECT id, external_id, conversation, source_key FROM items WHERE source = 'file' ORDER BY id").fetchall()


def test_lookups_ranges_moves_and_deletes_work_through_encoded_keys(lexical_vault: Any, tmp_path: Path) -> None:
    from core.capture.files.ledger import LedgerState
    from core.capture.files.service import watch_add, watch_list
    from core.capture.files.sink import VaultFileSink

    docs, box = _tree(tmp_path)
    assert _index(lexical_vault, docs).indexed == 4
    assert _scan(lexical_vault, _needles()) == []
    sink = VaultFileSink(lexical_vault, embed=False)
    assert sorted(e.path for e in sink.ledger_under(box)) == [box / f"{SECRET} n{i}.md" for i in range(3)]
    assert len(list(sink.ledger_under(docs))) == 4
    entry = sink.ledger_get(box / f"{SECRET} n0.md")
    assert entry is not None and entry.state is LedgerState.INDEXED
    plain = [r for r in _file_rows(lexical_vault) if r[1].endswith("/plain.md")]
    assert plain and plain[0][1] == str(docs / "plain.md")  # a path without a secret keeps its readable key
    again = _index(lexical_vault, docs)
    assert (again.indexed, again.unchanged) == (0, 4)

    before = {r[0] for r in _file_rows(lexical_vault)}
    (box / f"{SECRET} n1.md").rename(docs / "moved.md")
    (box / f"{SECRET} n2.md").unlink()
    changed = _index(lexical_vault, docs)
    assert (changed.moved, changed.deleted, changed.indexed) == (1, 1, 0)
    assert {r[0] for r in _file_rows(lexical_vault)} == before  # the moved file kept its item
    hit = lexical_vault.read().execute("SELECT meta FROM items WHERE text LIKE '%heron count 1%'").fetchone()
    assert str(docs / "moved.md") in hit[0]
    gone = lexical_vault.read().execute("SELECT deleted FROM items WHERE text LIKE '%heron count 2%'").fetchone()
    assert gone == (1,)
    assert _scan(lexical_vault, _needles()) == []

    watch_add(lexical_vault, box)  # the settings hold the folder the user named: only the ledger count is checked
    (counted,) = [w for w in watch_list(lexical_vault) if w.path == box]
    assert (counted.indexed, counted.deleted) == (1, 1)


def test_an_old_vaults_raw_keys_are_encoded_at_open_and_nothing_is_indexed_twice(tmp_path: Path) -> None:
    from core.capture.files.path_codec import PathCodec, codec_for
    from core.capture.files.path_recode import META_KEY, recode_path_keys
    from core.vault import Vault

    paths = VaultPaths(tmp_path / "home")
    docs, _ = _tree(tmp_path)
    with Vault.create(paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        _index(vault, docs)
        vault.consolidate()
        current = codec_for(vault.derived_key)
        # What a version before the codec wrote: every key the raw path (a codec that finds no secret).
        raw = PathCodec(b"\0" * 64, lambda part: part, "old")
        vault.write(lambda conn: recode_path_keys(conn, current, raw))
        vault.write(lambda conn: conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,)))
        leaks = _scan(vault, _needles())
        assert any(" in items" in h for h in leaks) and any(" in ingest_ledger" in h for h in leaks), leaks
        ids = [r[0] for r in _file_rows(vault)]
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        assert _scan(vault, _needles()) == []
        again = _index(vault, docs)
        assert (again.indexed, again.updated, again.unchanged) == (0, 0, 4)
        assert [r[0] for r in _file_rows(vault)] == ids


def test_rekey_re_encrypts_the_path_keys(tmp_path: Path) -> None:
    from core.capture.files.path_codec import MARK
    from core.vault import Vault

    paths = VaultPaths(tmp_path / "home")
    docs, _ = _tree(tmp_path)
    with Vault.create(paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        _index(vault, docs)
        before = _file_rows(vault)
    env = {**os.environ, "CAIRN_HOME": str(paths.home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}
    done = subprocess.run([sys.executable, "-m", "app.cli", "rekey"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        after = _file_rows(vault)
        assert [r[0] for r in after] == [r[0] for r in before]
        sealed = [(b[1], a[1]) for b, a in zip(before, after, strict=True) if MARK in b[1]]
        assert len(sealed) == 3 and all(old != new for old, new in sealed)  # sealed again, under the new key
        again = _index(vault, docs)
        assert (again.indexed, again.unchanged) == (0, 4)
        assert _scan(vault, _needles()) == []


def test_a_file_item_synced_from_another_device_is_left_to_that_device(tmp_path: Path) -> None:
    """Both devices re-keying the same synced item would give it two keys, i.e. two items after the next sync."""
    from datetime import UTC, datetime

    from core.capture.files.path_recode import META_KEY
    from core.types import Record
    from core.vault import Vault

    paths = VaultPaths(tmp_path / "home")
    theirs = f"/home/bo/box {SECRET}/list.md"  # as an older version on the other device wrote it
    with Vault.create(paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.ingest([Record(source="file", external_id=theirs, kind="document", timestamp=datetime.now(UTC),
                             text="apples", conversation="/home/bo")], embed=False)
        vault.write(lambda conn: conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,)))
    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        assert [r[1] for r in _file_rows(vault)] == [theirs]


def test_cairn_search_shows_a_secret_folder_redacted_not_sealed(tmp_path: Path) -> None:
    from core.capture.files.path_codec import MARK
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    home = tmp_path / "home"
    folder = tmp_path / f"box {SECRET}"
    folder.mkdir()
    (folder / "notes.md").write_text("# Notes\n\nThe heron count is on Sunday.\n")
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        assert _index(vault, folder).indexed == 1
        (conversation,) = {r[0] for r in vault.read().execute("SELECT conversation FROM items WHERE source = 'file'")}
        assert MARK in conversation  # the folder's key is sealed in the vault
        (hit,) = vault.search(SearchRequest(query="heron", k=1, parse_time=False)).hits
        shown_root = vault.get_item(hit.item_id).meta["root"]
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none",
           "COLUMNS": "400"}
    done = subprocess.run([sys.executable, "-m", "app.cli", "search", "heron", "--no-time-parse"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sealed = conversation.rsplit("/", 1)[1][len(MARK):]
    assert SECRET not in done.stdout and MARK not in done.stdout and sealed not in done.stdout
    assert f"(in {shown_root})" in done.stdout, done.stdout
    assert str(tmp_path) in shown_root and "box " in shown_root
