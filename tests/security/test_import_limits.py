"""Hostile exports: a huge single message is cut while reading (with a note), a zip bomb is named as such."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from core.errors import ImportFailed

HEADER = "25/01/2024, 10:{m:02d} - Ana: "


def test_a_huge_message_is_cut_while_reading_with_a_note(lexical_vault: Any, tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Ana.txt"
    with chat.open("w", encoding="utf-8") as fh:
        fh.write(HEADER.format(m=0) + "hello before\n")
        fh.write(HEADER.format(m=1) + "start of a long paste\n")
        for _ in range(60_000):  # 60k continuation lines, 3.6 MB
            fh.write("lorem ipsum dolor sit amet consectetur adipiscing elit sed do\n")
        fh.write(HEADER.format(m=2) + "x" * 3_000_000 + "\n")  # one 3 MB line
        fh.write(HEADER.format(m=3) + "hello after\n")
    report = lexical_vault.import_path(chat)
    assert report.imported == 4 and not report.failed
    assert any("too long" in note for note in report.notes), report.notes
    lengths = [r[0] for r in lexical_vault.read().execute("SELECT length(text) FROM items ORDER BY ts")]
    assert max(lengths) <= 100_000 and lengths[1] > 90_000
    metas = [r[0] for r in lexical_vault.read().execute("SELECT meta FROM items ORDER BY ts")]
    assert "cut while reading" in metas[1] and "cut while reading" in metas[2]


def test_a_zip_bomb_is_named_as_one(lexical_vault: Any, tmp_path: Path) -> None:
    bomb = tmp_path / "WhatsApp Chat with Ana.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("WhatsApp Chat with Ana.txt", HEADER.format(m=0) + "a" * 30_000_000 + "\n")
    with pytest.raises(ImportFailed, match="zip bomb"):
        lexical_vault.import_path(bomb)


def test_a_pptx_given_to_the_docx_reader_is_named_unsupported(tmp_path: Path) -> None:
    import io

    from core.normalize.extract.base import ExtractLimits, Unsupported
    from core.normalize.extract.word import extract as read_docx

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("ppt/presentation.xml", "<p:presentation/>")
        zf.writestr("ppt/slides/slide1.xml", "<p:sld/>")
    with pytest.raises(Unsupported, match="PowerPoint"):
        read_docx(buffer.getvalue(), "deck.docx", ExtractLimits())


@pytest.mark.parametrize("entry", ["ChatExport_2024-01-01/result.json", "conversations.json", "general/2024-01-01.json"])
def test_a_zip_bomb_is_named_as_one_whatever_the_format(lexical_vault: Any, tmp_path: Path, entry: str) -> None:
    bomb = tmp_path / "export.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(entry, "[" + " " * 30_000_000 + "]")
    with pytest.raises(ImportFailed, match="zip bomb"):
        lexical_vault.import_path(bomb)
