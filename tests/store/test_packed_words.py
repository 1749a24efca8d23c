"""OCR word boxes are stored compressed in item meta and come back whole, after redaction ran on them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.store import packed_words
from core.types import Record


def test_pack_and_expand_round_trip() -> None:
    words = [[f"word{i}", i * 10, 5, 40, 12, 91.5] for i in range(200)]
    packed = packed_words.pack_meta({"app": "x", "words": words})
    assert "words" not in packed and len(packed[packed_words.COLUMNS_KEY]) < len(str(words)) / 2
    assert packed_words.expand(packed) == {"app": "x", "words": words}
    assert packed_words.pack_meta({"words": words[:3]}) == {"words": words[:3]}  # short lists stay plain
    assert packed_words.expand({"words_z": "not base85 zlib"}) == {"words_z": "not base85 zlib"}
    assert packed_words.expand({"words_c": "not base85 zlib"}) == {"words_c": "not base85 zlib"}


def test_rows_written_by_earlier_versions_still_expand() -> None:
    words = [[f"word{i}", i * 10, 5, 40, 12, 91.5] for i in range(30)]
    assert packed_words.expand({"app": "x", "words_z": packed_words.pack(words)}) == {"app": "x", "words": words}


def test_lists_that_are_not_uniform_whole_number_boxes_are_packed_row_by_row() -> None:
    fractional = [["w", 1.5, 2, 3, 4, 90.0]] * 30
    ragged = [["w", 1, 2, 3, 4, 90.0]] * 29 + [["w", 1, 2, 3, 4, 90.0, 2]]
    for words in (fractional, ragged):
        packed = packed_words.pack_meta({"words": words})
        assert list(packed) == [packed_words.KEY] and packed_words.expand(packed) == {"words": words}


def test_a_real_ocr_page_packs_column_by_column_smaller_than_row_by_row() -> None:
    """The 442 words of a rendered 1080p page (real tesseract): exact round trip, a fifth fewer bytes."""
    import pytest

    from bench.screen_script import scripted_session
    from core.normalize.ocr import TesseractOcr

    ocr = TesseractOcr()
    if not ocr.available():
        pytest.skip("tesseract not installed")
    session = scripted_session(1.0)
    session.run_until(1.0)
    words = [w.to_json() for w in ocr.recognize(session.current.image()).words]
    assert len(words) > 300
    packed = packed_words.pack_meta({"words": words})
    assert packed_words.expand(packed) == {"words": [list(w) for w in words]}
    assert len(packed[packed_words.COLUMNS_KEY]) < 0.85 * len(packed_words.pack(words))  # measured 0.79


def test_vault_stores_words_packed_redacted_and_reads_them_whole(lexical_vault: Any) -> None:
    card = "4539 1488 0343 6467"
    words = [[w, 10 * i, 10, 9, 9, 90.0] for i, w in enumerate(("Invoice " * 30 + f"card {card} end").split())]
    record = Record(source="screen", external_id="f1", kind="screenshot", timestamp=datetime(2026, 1, 1, tzinfo=UTC),
                    text="Invoice review", meta={"words": words})
    report = lexical_vault.ingest([record], embed=False)
    raw = lexical_vault.read().execute("SELECT meta FROM items WHERE id = ?", (report.item_ids[0],)).fetchone()[0]
    assert "words_c" in raw and "Invoice" not in raw
    stored = lexical_vault.get_item(report.item_ids[0]).meta["words"]
    assert len(stored) == len(words) and stored[0] == words[0]
    texts = " ".join(w[0] for w in stored)
    assert "1488" not in texts and "Invoice" in texts  # redacted before packing
