"""Images and scanned PDF pages are OCR'd with the screen recipe (real tesseract); hostile images are refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest

from core.capture.files.indexer import FileIndexer
from core.normalize.extract import ExtractionFailed, ExtractLimits, TooLarge, extract_bytes
from tests.data.files.images import text_image
from tests.support.memory_file_sink import MemoryFileSink

WORDS = ("Harbour", "invoice", "LIGHTHOUSE", "7429")


LINES = ["Harbour invoice for the LIGHTHOUSE repair", "Reference number 7429, due in May"]


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "scan.png"), ("JPEG", "photo.jpg"), ("WEBP", "shot.webp"),
                                           ("TIFF", "fax.tiff"), ("HEIF", "IMG_0042.HEIC")])
def test_image_text_and_word_boxes(fmt: str, name: str) -> None:
    extraction = extract_bytes(text_image(LINES, fmt=fmt), name)
    for word in WORDS:
        assert word in extraction.text, (fmt, extraction.text)
    boxes = {w[0]: w[1:5] for w in extraction.words}
    left, top, width, height = boxes["LIGHTHOUSE"]
    assert 300 < left < 1000 and 20 < top < 120 and width > 100 and 15 < height < 60  # first line, in image pixels


def test_scanned_pdf_pages_are_ocrd_with_page_numbers() -> None:
    from PIL import Image

    first = Image.open(io.BytesIO(text_image(["Cover page of the harbour report"], size=(2000, 600), font_px=60)))
    second = Image.open(io.BytesIO(text_image(LINES, size=(2000, 600), font_px=60)))
    out = io.BytesIO()
    first.save(out, "PDF", save_all=True, append_images=[second], resolution=200)
    extraction = extract_bytes(out.getvalue(), "scan.pdf")
    assert [s.page for s in extraction.sections] == [1, 2]
    assert "LIGHTHOUSE" in extraction.sections[1].text
    assert extraction.image_only_pages == ()
    assert {w[6] for w in extraction.words} == {1, 2}


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png(width: int, height: int, extra: bytes = b"") -> bytes:
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff" * min(width, 64)))
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + _png_chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(TooLarge, match="decompression bomb"):
        extract_bytes(_png(100_000, 100_000), "bomb.png")


def test_oversized_text_chunk_is_refused() -> None:
    huge = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000))
    with pytest.raises(ExtractionFailed, match="refused"):
        extract_bytes(_png(64, 64, huge), "chunky.png")


def test_truncated_image_is_refused() -> None:
    data = text_image(LINES)
    with pytest.raises(ExtractionFailed, match=r"truncated|damaged|refused"):
        extract_bytes(data[: len(data) // 2], "cut.png")


def test_folder_index_ocrs_images_in_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "receipt.png").write_bytes(text_image(LINES))
    sink = MemoryFileSink()
    with FileIndexer(sink, limits=ExtractLimits(timeout_s=30)) as indexer:
        report = indexer.scan(tmp_path)
    assert report.indexed == 1, report.summary()
    item = sink.items[tmp_path / "receipt.png"]
    assert "LIGHTHOUSE" in item.extraction.text and item.extraction.words


def test_indexed_image_is_searchable_in_the_vault_with_its_word_boxes(tmp_path: Path, lexical_vault: object) -> None:
    from typing import Any

    from core.capture.files.sink import VaultFileSink
    from core.retrieve.types import SearchRequest

    vault: Any = lexical_vault
    folder = tmp_path / "Pictures"
    folder.mkdir()
    (folder / "receipt.png").write_bytes(text_image(LINES))
    with FileIndexer(VaultFileSink(vault), limits=ExtractLimits(timeout_s=30)) as indexer:
        assert indexer.scan(folder).indexed == 1
    (hit,) = vault.search(SearchRequest(query="lighthouse invoice", k=3, parse_time=False)).hits
    assert hit.source == "file" and hit.external_id == str(folder / "receipt.png")
    words = vault.get_item(hit.item_id).meta["words"]
    assert any(w[0] == "LIGHTHOUSE" and w[3] > 100 for w in words)


def test_a_missing_ocr_language_is_named_with_its_package() -> None:
    with pytest.raises(ExtractionFailed, match="tesseract-ocr-zzz"):
        extract_bytes(text_image(LINES), "scan.png", ExtractLimits(ocr_lang="eng+zzz"))
