"""Cairn's JSON Lines importer: good input, bad input, huge input, and a kill mid-import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from core.capture.chats.jsonl import JsonLinesReader
from core.capture.chats.reader import ImportOptions
from core.retrieve.types import SearchRequest
from core.types import Record, RecordError
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[3]


def test_bad_lines_are_reported_by_line_and_the_rest_imported(lexical_vault, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = [jsonl_line(str(i), f"message number {i}", minutes=i) for i in range(5)]
    with path.open("wb") as fh:
        fh.write((good[0] + "\n").encode())
        fh.write(b'{"conversation": "team", "timestamp": "2026-03-02T09:00:00+00:00", "speaker": "A", "te\n')  # truncated
        fh.write((good[1] + "\n").encode())
        fh.write(b'{"conversation": "team", "speaker": "A", "text": "no time", "id": "x"}\n')  # missing field
        fh.write(b'{"conversation": "t", "timestamp": "2026-03-02T09:00:00", "speaker": "A", "text": "caf\xe9", "id": "y"}\n')
        fh.write((good[2] + "\n" + good[3] + "\n" + good[4]).encode())  # last line without newline
    report = lexical_vault.import_path(path)
    assert report.imported == 5
    reasons = {where: reason for where, reason in report.failed}
    assert set(reasons) == {"mixed.jsonl:2", "mixed.jsonl:4", "mixed.jsonl:5"}
    assert "invalid JSON" in reasons["mixed.jsonl:2"]
    assert "timestamp" in reasons["mixed.jsonl:4"]
    assert "UTF-8" in reasons["mixed.jsonl:5"]


def test_reimport_adds_nothing_and_duplicate_ids_count_once(lexical_vault, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [jsonl_line("a", "hello"), jsonl_line("a", "hello"), jsonl_line("b", "bye")])
    first = lexical_vault.import_path(path)
    assert (first.imported, first.duplicate) == (2, 1)
    second = lexical_vault.import_path(path)
    assert (second.imported, second.duplicate) == (0, 3)


def test_ten_megabyte_message_is_truncated_with_a_note(lexical_vault, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", [jsonl_line("big", "lorem ipsum " * 900_000)])
    assert path.stat().st_size > 10_000_000
    report = lexical_vault.import_path(path)
    assert report.imported == 1
    hit = lexical_vault.search(SearchRequest("lorem", parse_time=False)).hits[0]
    assert "truncated" in lexical_vault.get_item(hit.item_id).meta["truncated"]


def test_image_caption_is_searchable_and_naive_times_use_the_given_zone(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps({
        "conversation": "c", "timestamp": "2023-05-08T13:56:00", "speaker": "Mel", "text": "look!",
        "id": "D1:3", "image_caption": "a photo of a sunset over a lake"})])
    (record,) = list(JsonLinesReader().read(path, ImportOptions(timezone="Europe/Berlin")))
    assert isinstance(record, Record)
    assert "sunset" in record.text
    assert record.timestamp.utcoffset().total_seconds() == 7200


def test_large_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.jsonl"
    line = (jsonl_line("x", "a fairly ordinary chat message about the weekend plans " * 3) + "\n").encode()
    with path.open("wb") as fh:
        for i in range(120_000):
            fh.write(line.replace(b'"id": "x"', f'"id": "{i}"'.encode()))
    assert path.stat().st_size > 30_000_000
    tracemalloc.start()
    count = sum(1 for r in JsonLinesReader().read(path, ImportOptions()) if isinstance(r, Record))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 120_000
    assert peak < 5_000_000, f"peak {peak} bytes: the reader is not streaming"


def test_reader_reports_monster_lines_without_holding_them(tmp_path: Path, monkeypatch) -> None:
    import core.capture.chats.jsonl as jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "m.jsonl"
    path.write_text(jsonl_line("1", "x" * 5000) + "\n" + jsonl_line("2", "fine") + "\n")
    results = list(JsonLinesReader().read(path, ImportOptions()))
    assert isinstance(results[0], RecordError) and "longer than" in results[0].reason
    assert isinstance(results[1], Record) and results[1].external_id == "2"


def _cairn(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_killed_mid_import_resumes_without_duplicates_or_loss(tmp_path: Path) -> None:
    # Large enough that the import is still running long after the first commits are seen (a 30,000-line
    # file once finished before the first look, after the import got faster).
    n = 60_000
    path = write_jsonl(tmp_path / "many.jsonl", [jsonl_line(str(i), f"note {i} about topic {i % 97}", minutes=i) for i in range(n)])
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}
    assert _cairn(env, "init", "--no-keyring").wait(timeout=120) == 0
    proc = _cairn(env, "import", str(path), "--no-embed")
    from core.paths import VaultPaths
    from core.vault import Vault

    deadline = time.monotonic() + 120
    committed = 0
    # One vault opened for the whole wait (opening derives the key from the passphrase: slow under load).
    with Vault.open(VaultPaths(tmp_path / "home"), TEST_PASSPHRASE, embedder=None) as v:
        while time.monotonic() < deadline and committed < 2000:  # wait until some batches are committed
            time.sleep(0.05)
            committed = v.stats().items
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert 0 < committed < n, "the kill must land mid-import for this test to mean anything"
    again = _cairn(env, "import", str(path), "--no-embed", "--json")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    summary = json.loads(out)
    with Vault.open(VaultPaths(tmp_path / "home"), TEST_PASSPHRASE, embedder=None) as v:
        assert v.stats().items == n
        ids = {r[0] for r in v.read().execute("SELECT external_id FROM items WHERE source != 'summary'")}
    assert ids == {str(i) for i in range(n)}
    assert summary["imported"] + summary["duplicate"] == n and summary["duplicate"] >= committed
