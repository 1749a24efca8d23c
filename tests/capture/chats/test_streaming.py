"""Readers stream: lazy generators whose memory does not grow with the export.

Speed is measured in ``bench/chat_formats.py``; here only laziness and the
*shape* of memory use are checked: reading an export four times larger must
not need (much) more Python memory.
"""

from __future__ import annotations

import inspect
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from core.capture.chats.formats import detect_format, load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record

from .builders import FORMATS, generate

SMALL, LARGE = 2_000, 8_000


def _peak_while_reading(path: Path, fmt: str) -> tuple[int, int]:
    """(records, peak traced bytes) while streaming ``path``, keeping nothing."""
    reader = load_reader(fmt)
    tracemalloc.start()
    try:
        count = 0
        for result in reader.read(path, ImportOptions(timezone="UTC")):
            count += isinstance(result, Record)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def _uncompressed_size(path: Path) -> int:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist())
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reader_is_a_lazy_generator(fmt: str, tmp_path: Path) -> None:
    path = generate(fmt, tmp_path / fmt, 2_000)
    reader = detect_format(path)
    assert reader.name == fmt
    stream = reader.read(path, ImportOptions(timezone="UTC"))
    assert inspect.isgenerator(stream)
    first = next(stream)
    assert isinstance(first, Record) and "msg" in first.text
    stream.close()  # abandoning an import half-way releases files and connections


@pytest.mark.parametrize("fmt", FORMATS)
def test_memory_does_not_grow_with_the_export(fmt: str, tmp_path: Path) -> None:
    small = generate(fmt, tmp_path / "small", SMALL)
    large = generate(fmt, tmp_path / "large", LARGE)
    small_count, small_peak = _peak_while_reading(small, fmt)
    large_count, large_peak = _peak_while_reading(large, fmt)
    assert (small_count, large_count) == (SMALL, LARGE)
    size = _uncompressed_size(large)
    assert size > 1_000_000  # MBs of export, not a toy
    # 4x the messages, at most 1.5x the memory (plus 256 KB of slack for small absolute numbers).
    assert large_peak < 1.5 * small_peak + 256 * 1024, (small_peak, large_peak)
    assert large_peak < size / 2, (large_peak, size)
