"""OCR word boxes are stored compressed in item meta and come back whole, after redaction ran on them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.store import packed_words
from core.types import Record


def test_pack_and_expand_round_trip() -> None:
    words = [[f"word{i}", i * 10, 5, 40, 12, 91.5] for i in range(200)]
    packed = packed_words.pack_meta({"app": "x", "words": words})
    assert "words" not in packed and len(packed[packed_words.KEY]) < len(str(words)) / 2
    assert packed_words.expand(packed) == {"app": "x", "words": words}
    assert packed_words.pack_meta({"words": words[:3]}) == {"words": words[:3]}  # short lists stay plain
    assert packed_words.expand({"words_z": "not base85 zlib"}) == {"words_z": "not base85 zlib"}


def test_vault_stores_words_packed_redacted_and_reads_them_whole(lexical_vault: Any) -> None:
    card = "4539 1488 0343 6467"
    words = [[w, 10 * i, 10, 9, 9, 90.0] for i, w in enumerate(("Invoice " * 30 + f"card {card} end").split())]
    record = Record(source="screen", external_id="f1", kind="screenshot", timestamp=datetime(2026, 1, 1, tzinfo=UTC),
                    text="Invoice review", meta={"words": words})
    report = lexical_vault.ingest([record], embed=False)
    raw = lexical_vault.read().execute("SELECT meta FROM items WHERE id = ?", (report.item_ids[0],)).fetchone()[0]
    assert "words_z" in raw and "Invoice" not in raw
    stored = lexical_vault.get_item(report.item_ids[0]).meta["words"]
    assert len(stored) == len(words) and stored[0] == words[0]
    texts = " ".join(w[0] for w in stored)
    assert "1488" not in texts and "Invoice" in texts  # redacted before packing
