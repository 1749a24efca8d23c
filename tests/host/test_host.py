"""The capture host in-process (as the app runs it): inbox and watched folders stay current; settings apply live."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.host.host import CaptureHost, HostOptions
from core.retrieve.types import SearchRequest
from tests.helpers import jsonl_line, write_jsonl


def _wait(predicate: Callable[[], bool], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _found(vault: Any, word: str) -> bool:
    return any(word in h.text for h in vault.search(SearchRequest(query=word, k=5, parse_time=False)).hits)


def test_host_keeps_inbox_and_watched_folders_current(lexical_vault: Any, tmp_path: Path) -> None:
    inbox, docs, later = tmp_path / "inbox", tmp_path / "docs", tmp_path / "later"
    for folder in (inbox, docs, later):
        folder.mkdir()
    settings = lexical_vault.update_settings(chat_inbox=str(inbox), watched_folders=[str(docs)],
                                            screen_enabled=False).value
    said: list[str] = []
    host = CaptureHost(lexical_vault, HostOptions(tick_s=0.2), said.append)
    host.start(settings)
    try:
        assert host.running and not host.screen_running
        write_jsonl(inbox / "export.jsonl", [jsonl_line("1", "the pelicanwharf meeting moved to thursday")])
        (docs / "notes.md").write_text("# Plans\n\nBook the zeppelinhangar tour for March.\n")
        assert _wait(lambda: _found(lexical_vault, "pelicanwharf")), said
        assert _wait(lambda: _found(lexical_vault, "zeppelinhangar")), said
        # a folder added in the settings is watched without a restart
        host.apply(lexical_vault.update_settings(watched_folders=[str(docs), str(later)]).value)
        (later / "todo.txt").write_text("call the quillfeather bakery")
        assert _wait(lambda: _found(lexical_vault, "quillfeather")), said
    finally:
        host.stop()
    assert not host.running
    assert any(line.startswith("inbox: export.jsonl") for line in said)


def test_a_failing_job_is_reported_and_the_host_goes_on(lexical_vault: Any, tmp_path: Path, caplog: Any) -> None:
    calls = {"n": 0}

    def broken(progress: Any = None) -> int:
        calls["n"] += 1
        raise RuntimeError("embedder on fire")

    lexical_vault.embed_pending = broken  # the host embeds pending items at its first tick
    host = CaptureHost(lexical_vault, HostOptions(screen=False, files=False, inbox=False, tick_s=0.1))
    host.start()
    try:
        assert _wait(lambda: calls["n"] >= 1, timeout=30)
        assert _wait(lambda: "embeddings failed" in caplog.text, timeout=10)
        assert host.running
    finally:
        host.stop()


def test_the_watcher_tells_the_host_each_page_it_ocrs(lexical_vault: Any, tmp_path: Path) -> None:
    """What the app's status bar shows while a watched folder's scan is OCR'd: every page, in order, then nothing."""
    from tests.data.files.images import scanned_pdf

    docs = tmp_path / "docs"
    docs.mkdir()
    settings = lexical_vault.update_settings(watched_folders=[str(docs)], screen_enabled=False).value
    host = CaptureHost(lexical_vault, HostOptions(tick_s=0.2, inbox=False, consolidate=False, sync=False))
    heard: list[str] = []
    real_page = host._files.page

    def page(path: Path, number: int, pages: int) -> None:  # a spy on the real holder: records, then passes on
        real_page(path, number, pages)
        heard.append(host.files_activity() or "")

    host._files.page = page  # type: ignore[method-assign]
    host.start(settings)
    try:
        (docs / "scan.pdf").write_bytes(scanned_pdf(("alpha", "bravo", "charlie", "delta", "echo")))
        assert _wait(lambda: _found(lexical_vault, "charlie"))
        assert _wait(lambda: host.files_activity() is None)  # the batch is over: no stale page line
    finally:
        host.stop()
    assert heard == [f"scan.pdf: OCR page {n} of 5" for n in range(1, 6)]
