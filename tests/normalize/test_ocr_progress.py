"""OCR progress: every page of a real image-only PDF is reported, in order, through the real sandbox and tesseract."""

from __future__ import annotations

import io
from pathlib import Path

from core.capture.files.indexer import FileIndexer
from core.normalize.extract import ExtractLimits, extract_bytes
from core.normalize.sandbox import ExtractionSandbox
from tests.data.files.images import scanned_pdf as _scanned_pdf
from tests.data.files.images import text_image
from tests.support.memory_file_sink import MemoryFileSink

PAGE_WORDS = ("alpha", "bravo", "charlie", "delta", "echo")


def scanned_pdf(words: tuple[str, ...] = PAGE_WORDS) -> bytes:
    return _scanned_pdf(words)


def test_every_scanned_page_is_reported_in_order_through_the_indexer(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    (tmp_path / "notes.txt").write_text("plain text: no OCR, no page progress")
    heard: list[tuple[str, int, int]] = []
    sink = MemoryFileSink()
    with FileIndexer(sink, limits=ExtractLimits(timeout_s=30),
                     pages=lambda path, page, pages: heard.append((path.name, page, pages))) as indexer:
        report = indexer.scan(tmp_path)
    assert report.indexed == 2, report.summary()
    assert heard == [("scan.pdf", n, 5) for n in range(1, 6)]
    extraction = sink.items[tmp_path / "scan.pdf"].extraction
    assert [s.page for s in extraction.sections] == [1, 2, 3, 4, 5]
    for page, word in enumerate(PAGE_WORDS, start=1):
        assert word in extraction.sections[page - 1].text


def test_image_frames_are_reported_and_text_only_files_are_silent() -> None:
    from PIL import Image

    frames = [Image.open(io.BytesIO(text_image([f"Fax sheet {w}"], size=(900, 160)))) for w in PAGE_WORDS[:3]]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    heard: list[tuple[int, int]] = []
    extraction = extract_bytes(out.getvalue(), "fax.tiff", progress=lambda page, pages: heard.append((page, pages)))
    assert heard == [(1, 3), (2, 3), (3, 3)]
    assert "charlie" in extraction.text
    silent: list[tuple[int, int]] = []
    extract_bytes(b"just words", "a.txt", progress=lambda page, pages: silent.append((page, pages)))
    assert silent == []


def test_the_page_cap_bounds_what_is_ocrd_and_reported() -> None:
    heard: list[tuple[int, int]] = []
    extraction = extract_bytes(scanned_pdf(), "scan.pdf", ExtractLimits(max_ocr_pages=2),
                               progress=lambda page, pages: heard.append((page, pages)))
    assert heard == [(1, 2), (2, 2)]
    assert extraction.image_only_pages == (3, 4, 5)
    assert any("at most 2 pages are OCR'd per file" in note for note in extraction.notes), extraction.notes


def test_reported_pages_extend_the_file_deadline_in_the_sandbox() -> None:
    """A scan whose OCR takes longer than the file's own limit is OCR'd whole: each reported page gets its
    own time (capped per page by tesseract), so the file's deadline does not cut a long scan short."""
    heard: list[int] = []
    words = tuple(f"{word}{n}" for n in range(6) for word in PAGE_WORDS)  # 30 pages: OCR takes seconds
    # The file's own limit is far below 30 pages' OCR, far above parsing the PDF up to its first scanned page.
    limits = ExtractLimits(timeout_s=0.5, ocr_page_timeout_s=30)
    with ExtractionSandbox(limits) as sandbox:
        # Process start and imports (pypdf, Pillow, tesseract's model) are not the scan's time.
        sandbox.extract(scanned_pdf(PAGE_WORDS[:1]), "warm.pdf", ExtractLimits(timeout_s=120))
        extraction = sandbox.extract(scanned_pdf(words), "scan.pdf", progress=lambda page, pages: heard.append(page))
    assert heard == list(range(1, 31))
    assert [s.page for s in extraction.sections] == list(range(1, 31))
    assert extraction.image_only_pages == ()


def test_a_page_over_its_cap_is_stopped_and_noted_and_the_next_page_is_still_tried() -> None:
    heard: list[int] = []
    extraction = extract_bytes(scanned_pdf(PAGE_WORDS[:2]), "scan.pdf", ExtractLimits(ocr_page_timeout_s=0.001),
                               progress=lambda page, pages: heard.append(page))
    assert heard == [1, 2]  # the first page's stop did not end the file
    assert extraction.image_only_pages == (1, 2)
    stopped = [n for n in extraction.notes if "was stopped" in n]
    assert [n.split(":")[0] for n in stopped] == ["page 1", "page 2"], extraction.notes
