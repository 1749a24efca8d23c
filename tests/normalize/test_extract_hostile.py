"""Hostile and broken documents: each gets a clear reason, none takes the process down."""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import pytest

from core.normalize.extract import (
    ExtractionFailed,
    ExtractLimits,
    TooLarge,
    extract_bytes,
    extract_file,
)
from core.normalize.sandbox import ExtractionSandbox
from tests.data.files.corpus import PROSE, make_docx, make_pdf, make_pdf_bomb, make_pdf_cycle, make_zip_bomb

LIMITS = ExtractLimits()


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "invoice.docx"
    make_zip_bomb(path, entry_mb=400)  # 400 MB of zeros in well under 1 MB
    return path


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.7, 0.9, 0.97, 0.999])
def test_truncated_pdf_keeps_what_survives_or_says_why(fraction: float) -> None:
    whole = make_pdf([PROSE, "second page OSPREY", None, "fourth page HERON"])
    cut = whole[: int(len(whole) * fraction)]
    try:
        result = extract_bytes(cut, "cut.pdf", LIMITS)
    except ExtractionFailed as exc:
        assert exc.reason.startswith("corrupt PDF")
    else:
        assert result.sections, "a PDF that opens yields its surviving pages"
        assert any("damaged PDF" in n or "EOF marker" in n for n in result.notes), result.notes


def test_pdf_cut_before_its_trailer_is_repaired() -> None:
    whole = make_pdf([PROSE, "second page OSPREY", "third page HERON"])
    cut = whole[: whole.rindex(b"xref")]
    result = extract_bytes(cut, "cut.pdf", LIMITS)
    assert [s.page for s in result.sections] == [1, 2, 3]
    assert "HERON" in result.text


def test_garbage_after_pdf_header() -> None:
    with pytest.raises(ExtractionFailed, match="corrupt PDF"):
        extract_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40, "junk.pdf", LIMITS)


def test_pdf_bomb_is_refused_fast() -> None:
    bomb = make_pdf_bomb(fanout=1000, depth=3)  # a billion pages in a few KB
    assert len(bomb) < 50_000
    started = time.monotonic()
    with pytest.raises(TooLarge, match="PDF bomb"):
        extract_bytes(bomb, "bomb.pdf", LIMITS)
    assert time.monotonic() - started < 20  # generous: proves it did not expand the tree


def test_pdf_page_tree_cycle() -> None:
    with pytest.raises(ExtractionFailed, match="cycle"):
        extract_bytes(make_pdf_cycle(), "cycle.pdf", LIMITS)


def test_zip_bomb_renamed_docx_is_refused(zip_bomb: Path) -> None:
    with pytest.raises(TooLarge, match="zip bomb"):
        extract_file(zip_bomb, LIMITS)


def test_zip_bomb_in_the_sandbox_is_refused_and_the_worker_lives_on(zip_bomb: Path) -> None:
    with ExtractionSandbox(ExtractLimits(timeout_s=30), workers=1) as box:
        with pytest.raises(TooLarge, match="zip bomb"):
            box.extract(zip_bomb.read_bytes(), zip_bomb.name)
        assert "VERMILION" in box.extract(make_docx("T", ["VERMILION"]), "ok.docx").text


def test_zip_with_many_entries_over_the_unpacked_budget(tmp_path: Path) -> None:
    path = tmp_path / "wide.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(30):
            zf.writestr(f"word/media/{i}.bin", bytes(1024 * 1024))
    with pytest.raises(TooLarge, match="expands to 30 MB"):
        extract_file(path, ExtractLimits(max_unpacked_bytes=20 * 2**20))


def test_zip_entry_that_lies_about_its_size(tmp_path: Path) -> None:
    data = make_docx("Lies", ["text " * 2000])
    # Shrink the declared size of word/document.xml in the central directory:
    # zipfile must stop at the declared size and fail its CRC check.
    name = b"word/document.xml"
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    patched = bytearray(data)
    struct.pack_into("<I", patched, at + 24, 100)
    with pytest.raises(ExtractionFailed, match="corrupt DOCX"):
        extract_bytes(bytes(patched), "lies.docx", LIMITS)


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed, match="corrupt DOCX"):
        extract_bytes(bytes(range(256)) * 100, "fake.docx", LIMITS)


def test_two_gigabyte_sparse_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024**3)
    with pytest.raises(TooLarge, match="size cap"):
        extract_file(path, LIMITS)


def test_vanished_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed, match="vanished"):
        extract_file(tmp_path / "gone.txt", LIMITS)


def test_minified_single_line_is_chunkable() -> None:
    from core.normalize.chunking import chunk_sections

    blob = ("var a=" + "x" * 3_000_000 + ";").encode()
    result = extract_bytes(blob, "app.min.js", LIMITS)
    chunks = chunk_sections(result.sections)
    assert chunks and max(len(c.text) for c in chunks) <= 2000
