"""Files into a real encrypted vault: search with path and page, moves, deletions, crashes, no plaintext."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.capture.files.indexer import FileIndexer
from core.capture.files.paths import path_key
from core.capture.files.sink import VaultFileSink
from core.capture.files.watcher import FolderWatcher
from core.normalize.extract import ExtractLimits
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from tests.conftest import TEST_PASSPHRASE
from tests.data.files.corpus import MARKERS, build_corpus, make_pdf, make_pdf_bomb, make_zip_bomb

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def vault(vault_paths: VaultPaths) -> Iterator[Any]:
    from core.vault import Vault

    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    yield v
    if not v.locked:
        v.close()


def _hits(vault: Any, query: str, **kw: Any) -> list[Any]:
    return vault.search(SearchRequest(query=query, k=5, parse_time=False, **kw)).hits


def test_folder_into_the_vault_searchable_with_path_and_page(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Documents"
    docs = build_corpus(folder)
    (folder / "bad").mkdir()
    (folder / "bad/truncated.pdf").write_bytes(make_pdf(["x"])[:60])
    (folder / "bad/bomb.pdf").write_bytes(make_pdf_bomb())
    make_zip_bomb(folder / "bad/bomb.docx", entry_mb=30)
    with FileIndexer(VaultFileSink(vault), limits=ExtractLimits(timeout_s=30)) as ix:
        report = ix.scan(folder)
    assert report.indexed == len(docs)
    assert {p.name for p, _ in report.failed} == {"truncated.pdf", "bomb.pdf", "bomb.docx"}

    for doc in docs:
        hits = _hits(vault, doc.marker)
        assert hits, doc.name
        top = hits[0]
        assert top.source == "file" and top.kind == "document"
        assert top.external_id == str(folder / doc.name)
        assert top.conversation == str(folder)
        assert top.title == Path(doc.name).name
        if doc.page is not None:
            assert top.page == doc.page
        item = vault.get_item(top.item_id)
        assert item.meta["path"] == str(folder / doc.name)

    rows = dict(vault.read().execute(
        "SELECT origin, reason FROM ingest_ledger WHERE state = 'failed'").fetchall())
    assert rows["file:" + str(folder / "bad/bomb.pdf")].startswith("PDF has more than")
    assert "zip bomb" in rows["file:" + str(folder / "bad/bomb.docx")]

    with FileIndexer(VaultFileSink(vault)) as ix:
        again = ix.scan(folder)
    assert again.changed == 0 and again.unchanged == len(docs)
    assert {p.name for p, _ in again.failed} == {"truncated.pdf", "bomb.pdf", "bomb.docx"}  # still reported
    count = vault.read().execute("SELECT COUNT(*) FROM items WHERE source = 'file'").fetchone()[0]
    assert count == len(docs)


def test_nothing_plain_on_disk_after_indexing_files(tmp_path: Path, vault_paths: VaultPaths, vault: Any) -> None:
    folder = tmp_path / "Documents"
    build_corpus(folder)
    with FileIndexer(VaultFileSink(vault)) as ix:
        ix.scan(folder)
    assert _hits(vault, MARKERS["docx"])
    vault.close()
    needles = {m: m.encode() for m in MARKERS.values()}
    needles.update({m + " (utf-16)": m.encode("utf-16-le") for m in MARKERS.values()})
    found = [f"{name} in {p}" for p in vault_paths.home.rglob("*") if p.is_file()
             for name, needle in needles.items() if needle in p.read_bytes()]
    assert found == []


def test_move_keeps_the_item_and_delete_keeps_it_findable(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Notes"
    folder.mkdir()
    (folder / "plan.txt").write_text("the PELICAN harbour plan")
    sink = VaultFileSink(vault)
    with FileIndexer(sink) as ix:
        ix.scan(folder)
        item_id = _hits(vault, "PELICAN")[0].item_id
        (folder / "2024").mkdir()
        os.rename(folder / "plan.txt", folder / "2024" / "harbourplan.txt")
        report = ix.scan(folder)
        assert report.moved == 1
        hit = _hits(vault, "PELICAN")[0]
        assert hit.item_id == item_id and hit.external_id == str(folder / "2024" / "harbourplan.txt")
        assert _hits(vault, "harbourplan")[0].item_id == item_id  # the file name is searchable under its new name
        (folder / "2024" / "harbourplan.txt").unlink()
        assert ix.scan(folder).deleted == 1
    hit = _hits(vault, "PELICAN")[0]
    assert hit.item_id == item_id and hit.deleted
    assert not _hits(vault, "PELICAN", include_deleted=False)


def test_undecodable_file_name_in_the_vault(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/r\xe9sum\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"curriculum GANNET vitae")
    with FileIndexer(VaultFileSink(vault)) as ix:
        assert ix.scan(folder).indexed == 1
        assert ix.scan(folder).unchanged == 1
    hit = _hits(vault, "GANNET")[0]
    assert hit.external_id == path_key(Path(os.fsdecode(raw)))
    assert hit.title == "r\ufffdsum\ufffd.txt"


def test_watcher_on_the_vault(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Live"
    folder.mkdir()
    with FileIndexer(VaultFileSink(vault)) as ix, FolderWatcher(ix, quiet_s=0.2) as watcher:
        watcher.start([folder])
        (folder / "todo.md").write_text("# Todo\n\nbuy CORMORANT food")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _hits(vault, "CORMORANT"):
            time.sleep(0.1)
        assert _hits(vault, "CORMORANT")


_CHILD = """
import sys, time
from pathlib import Path
from core.capture.files.indexer import FileIndexer
from core.capture.files.sink import VaultFileSink
from core.paths import VaultPaths
from core.vault import Vault

vault = Vault.open(VaultPaths(Path(sys.argv[1])), sys.argv[3], embedder=None)

def acknowledge(paths):
    for _ in paths:
        print("indexed", flush=True)
    time.sleep(0.05)

with FileIndexer(VaultFileSink(vault, batch_size=4, on_commit=acknowledge)) as ix:
    ix.scan(Path(sys.argv[2]))
print("finished", flush=True)
"""


def test_killed_during_bulk_index_resumes_without_duplicates(tmp_path: Path, vault_paths: VaultPaths,
                                                            vault: Any) -> None:
    folder = tmp_path / "Bulk"
    folder.mkdir()
    for i in range(60):
        (folder / f"note-{i:02}.txt").write_text(f"note number {i} about topic{i}")
    vault.close()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(vault_paths.home), str(folder), TEST_PASSPHRASE],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acknowledged = 0
    for line in child.stdout:
        acknowledged += line.startswith("indexed")
        if acknowledged == 20:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    from core.vault import Vault

    reopened = Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None)
    try:
        stored = reopened.read().execute("SELECT COUNT(*) FROM items WHERE source = 'file'").fetchone()[0]
        assert stored >= 20, "nothing acknowledged is lost"
        with FileIndexer(VaultFileSink(reopened)) as ix:
            report = ix.scan(folder)
        rows = reopened.read().execute(
            "SELECT external_id, COUNT(*) FROM items WHERE source = 'file' GROUP BY external_id").fetchall()
        assert len(rows) == 60 and all(n == 1 for _, n in rows), "nothing duplicated"
        assert report.indexed + report.unchanged == 60
        assert report.unchanged >= 20
    finally:
        reopened.close()


def test_file_restored_after_deletion_is_live_again(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Restore"
    folder.mkdir()
    note = folder / "keep.txt"
    note.write_text("the SANDPIPER list")
    stat = note.stat()
    with FileIndexer(VaultFileSink(vault)) as ix:
        ix.scan(folder)
        saved = note.read_bytes()
        note.unlink()
        assert ix.scan(folder).deleted == 1
        assert not _hits(vault, "SANDPIPER", include_deleted=False)
        note.write_bytes(saved)  # back from the trash: same bytes, same times
        os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert ix.scan(folder).indexed == 1
    assert _hits(vault, "SANDPIPER", include_deleted=False)
