"""What `cairn index` and `cairn watch add|remove|list` call, on a real vault."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.capture.files.service import (
    index_path,
    report_lines,
    start_watcher,
    watch_add,
    watch_list,
    watch_remove,
)
from core.errors import CairnError
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from tests.conftest import TEST_PASSPHRASE
from tests.data.files.corpus import make_pdf


@pytest.fixture()
def vault(vault_paths: VaultPaths) -> Iterator[Any]:
    from core.vault import Vault

    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    yield v
    v.close()


def test_index_a_folder_and_a_single_file(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Docs"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha BITTERN")
    (folder / "broken.pdf").write_bytes(make_pdf(["x"])[:50])
    (folder / ".secret").write_text("hidden")
    progress: list[tuple[int, int | None]] = []
    report = index_path(vault, folder, progress=lambda done, total: progress.append((done, total)))
    assert report.indexed == 1 and len(report.failed) == 1
    assert progress[-1] == (2, 2)
    lines = report_lines(report)
    assert lines[0].startswith("1 indexed")
    assert any("failed:" in line and "broken.pdf" in line and "corrupt PDF" in line for line in lines)
    assert any("hidden file ×1" in line for line in lines)

    single = tmp_path / "loose.md"
    single.write_text("# Loose\n\nWAGTAIL note")
    assert index_path(vault, single).indexed == 1
    hits = vault.search(SearchRequest(query="WAGTAIL", parse_time=False)).hits
    assert hits and hits[0].conversation == str(tmp_path)

    with pytest.raises(CairnError, match="no such file"):
        index_path(vault, tmp_path / "missing")


def test_size_cap_comes_from_settings(tmp_path: Path, vault: Any) -> None:
    vault.update_settings(max_file_mb=0.001)
    (tmp_path / "big.txt").write_text("x" * 5000)
    report = index_path(vault, tmp_path)
    assert report.problems and "size cap" in report.problems[0][1]


def test_watch_add_remove_list(tmp_path: Path, vault: Any) -> None:
    docs, inner, other = tmp_path / "Docs", tmp_path / "Docs" / "inner", tmp_path / "Other"
    inner.mkdir(parents=True)
    other.mkdir()
    assert watch_add(vault, docs).value == docs
    with pytest.raises(CairnError, match="already watched"):
        watch_add(vault, docs)
    with pytest.raises(CairnError, match="inside"):
        watch_add(vault, inner)
    with pytest.raises(CairnError, match="not a folder"):
        watch_add(vault, tmp_path / "nope")
    watch_add(vault, other)
    (docs / "n.txt").write_text("note")
    index_path(vault, docs)
    listed = {w.path: w for w in watch_list(vault)}
    assert listed[docs].indexed == 1 and listed[other].indexed == 0 and listed[docs].exists
    watch_remove(vault, other)
    assert [w.path for w in watch_list(vault)] == [docs]
    with pytest.raises(CairnError, match="not watched"):
        watch_remove(vault, other)


def test_start_watcher_from_settings(tmp_path: Path, vault: Any) -> None:
    folder = tmp_path / "Live"
    folder.mkdir()
    watch_add(vault, folder)
    watcher = start_watcher(vault, embed=False)
    try:
        (folder / "fresh.txt").write_text("the DUNLIN arrived")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if vault.search(SearchRequest(query="DUNLIN", parse_time=False)).hits:
                break
            time.sleep(0.1)
        assert vault.search(SearchRequest(query="DUNLIN", parse_time=False)).hits
    finally:
        watcher.stop()
        watcher.indexer.close()
