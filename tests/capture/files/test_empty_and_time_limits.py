"""Empty files are recorded as skipped, not items; big files and a busy machine get longer time limits."""

from __future__ import annotations

from pathlib import Path

from core.capture.files.indexer import EMPTY, FileIndexer
from core.capture.files.ledger import LedgerState
from core.normalize.extract import ExtractLimits
from core.normalize.extract.base import MIB
from tests.support.memory_file_sink import MemoryFileSink


def test_empty_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "note.txt").write_text("kept", encoding="utf-8")
    sink = MemoryFileSink()
    with FileIndexer(sink, limits=ExtractLimits(timeout_s=20)) as indexer:
        report = indexer.scan(tmp_path)
        assert report.indexed == 1
        assert sorted((p.name, r) for p, r in report.problems) == [("blank.md", EMPTY), ("empty.txt", EMPTY)]
        assert set(sink.items) == {tmp_path / "note.txt"}
        assert sink.ledger_get(tmp_path / "empty.txt").state is LedgerState.SKIPPED  # type: ignore[union-attr]
        (tmp_path / "note.txt").write_text("", encoding="utf-8")  # emptied later: the old item goes
        indexer.scan(tmp_path)
        assert tmp_path / "note.txt" not in {p for p, e in sink.items.items() if not e.deleted}


def test_time_limit_scales_with_size_and_load() -> None:
    base = ExtractLimits(timeout_s=30)
    assert base.for_file(100_000, load=0.2).timeout_s == 30  # small file, idle machine: as configured
    big = base.for_file(40 * MIB, load=0.2).timeout_s
    assert 600 < big <= 1800  # a 619-page PDF gets minutes, not 30 s
    assert base.for_file(40 * MIB, load=3.0).timeout_s > big  # a busy machine gets more
    assert base.for_file(10**12, load=100).timeout_s == 1800  # never unbounded
