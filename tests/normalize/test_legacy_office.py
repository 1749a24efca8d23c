"""Word 97 ``.doc`` and PowerPoint 97 ``.ppt`` files written from the open specifications, read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.capture.files.indexer import FileIndexer
from core.normalize.extract import EncryptedDocument, ExtractionFailed, ExtractLimits, extract_bytes
from tests.data.files.legacy_office import make_doc, make_ppt
from tests.support.memory_file_sink import MemoryFileSink

PARAGRAPHS = ["Quarterly report for the Zanzibar office.", "Herr Müller approved budget 4711 — café included."]
SLIDES = [("Roadmap MARIMBA", "Ship the pangolin release"), ("Risks", "Späte Lieferung der Ölpumpe")]


def test_word_97_text_with_paragraphs_and_accents() -> None:
    extraction = extract_bytes(make_doc(PARAGRAPHS), "report.doc")
    assert extraction.mime == "application/msword"
    assert extraction.text.split("\n") == PARAGRAPHS


def test_word_6_95_text_run() -> None:
    from tests.data.files.legacy_office import make_word6_doc

    assert extract_bytes(make_word6_doc(PARAGRAPHS), "old95.doc").text.split("\n") == PARAGRAPHS


def test_word_97_unicode_piece_and_fields() -> None:
    # a field's code (between 0x13 and 0x14) is not text; its result (up to 0x15) is
    body = "See \x13 HYPERLINK \"http://x\" \x14the ledger\x15 in 東京.\rCell A\x07Cell B\x07\x07"
    text = extract_bytes(make_doc([body], unicode=True), "report.doc").text
    assert "See the ledger in 東京." in text and "HYPERLINK" not in text
    assert "Cell A\tCell B" in text


def test_powerpoint_97_slides_are_pages() -> None:
    deck = make_ppt([*SLIDES, ("Кириллица", "東京 office ✓")], notes="Speaker: QUOKKA", boxes={2: "Free box WALRUS"})
    extraction = extract_bytes(deck, "deck.ppt")
    assert extraction.mime == "application/vnd.ms-powerpoint"
    pages = [(s.page, s.heading) for s in extraction.sections]
    assert pages == [(1, "Roadmap MARIMBA"), (2, "Risks"), (3, "Кириллица"), (None, "Notes")]
    assert "Späte Lieferung der Ölpumpe" in extraction.sections[1].text
    assert "Free box WALRUS" in extraction.sections[1].text  # a text box drawn on slide 2 is on page 2
    assert "東京 office ✓" in extraction.sections[2].text and "QUOKKA" in extraction.sections[3].text
    assert "Master title" not in extraction.text


def test_found_by_content_under_any_name() -> None:
    assert "Zanzibar" in extract_bytes(make_doc(PARAGRAPHS), "attachment.bin").text
    assert "pangolin" in extract_bytes(make_ppt(SLIDES), "attachment").text


def test_encrypted_and_damaged_word_files_say_so() -> None:
    with pytest.raises(EncryptedDocument):
        extract_bytes(make_doc(PARAGRAPHS, encrypted=True), "secret.doc")
    data = make_doc(PARAGRAPHS)
    with pytest.raises(ExtractionFailed, match="Word"):
        extract_bytes(data[:1536], "cut.doc")


def test_folder_index_reads_legacy_office_in_the_sandbox(tmp_path: Path) -> None:
    """The sandbox forbids file writes (RLIMIT_FSIZE 0): the reader must not need a temp file."""
    (tmp_path / "report.doc").write_bytes(make_doc(PARAGRAPHS))
    (tmp_path / "deck.ppt").write_bytes(make_ppt(SLIDES))
    sink = MemoryFileSink()
    with FileIndexer(sink, limits=ExtractLimits(timeout_s=30)) as indexer:
        report = indexer.scan(tmp_path)
    assert report.indexed == 2, report.summary()
    assert "budget 4711" in sink.items[tmp_path / "report.doc"].extraction.text
    assert "pangolin release" in sink.items[tmp_path / "deck.ppt"].extraction.text
