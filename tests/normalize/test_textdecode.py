"""Encoding detection: what real files on desktops are written in."""

from __future__ import annotations

import pytest

from core.normalize.extract.sniff import looks_binary, sniff_mime
from core.normalize.extract.textdecode import decode_text

GERMAN = "Grüße aus Köln: die Straße, 5 € für „Brötchen“ und Äpfel.\n"
FRENCH = "La crème brûlée était très bonne, à côté du café — « parfait ».\n"
POLISH = "Zażółć gęślą jaźń. Łódź jest pięknym miastem, świeże powietrze.\n"
RUSSIAN = "Привет, как дела? Это тест кодировки: съешь ещё этих мягких булок.\n"
JAPANESE = "これは日本語のテキストです。東京は大きな都市です。\n"
CHINESE = "这是一个中文文本。北京是中国的首都。\n"
GREEK = "Καλημέρα κόσμε, τι κάνεις σήμερα;\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (GERMAN, "utf-8", "utf-8"),
        (GERMAN, "utf-8-sig", "utf-8"),
        (GERMAN, "utf-16", "utf-16-le"),
        (GERMAN, "utf-16-be", "utf-16-be"),
        (GERMAN, "utf-16-le", "utf-16-le"),
        (GERMAN, "utf-32", "utf-32-le"),
        (GERMAN, "utf-32-le", "utf-32-le"),
        (GERMAN, "utf-32-be", "utf-32-be"),
        (GERMAN, "cp1252", "cp1252"),
        (FRENCH, "cp1252", "cp1252"),
        (FRENCH.replace("—", "-"), "latin-1", "cp1252"),
        (POLISH, "cp1250", "cp1250"),
        (GREEK, "cp1253", "cp1253"),
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8_r"),
        (JAPANESE, "shift_jis", "cp932"),
        (CHINESE, "gb18030", "gb18030"),
    ],
)
def test_decodes_exactly(text: str, encoding: str, expected: str) -> None:
    decoded = decode_text((text * 3).encode(encoding))
    assert decoded.text == text * 3
    assert decoded.encoding == expected
    if expected != "utf-8" or encoding == "utf-8-sig":
        assert decoded.notes, "a guessed or marked encoding is reported"


def test_short_western_snippet_is_not_read_as_chinese() -> None:
    # charset-normalizer alone calls these bytes big5.
    data = "Name;City\nAnn;Köln\n".encode("cp1252")
    assert decode_text(data).text == "Name;City\nAnn;Köln\n"


def test_stray_bytes_in_utf8_are_replaced_and_counted() -> None:
    data = ("Grüße aus Köln, schöne Tage überall. " * 5).encode() + b"\xff" + " und zurück.".encode()
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8"
    assert "\ufffd" in decoded.text and "zurück" in decoded.text
    assert any("1 byte sequence" in n for n in decoded.notes)


def test_file_cut_inside_a_character_stays_utf8() -> None:
    data = "Ünïcödé text ends in ä".encode()[:-1]
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith("Ünïcödé")


def test_declared_charset_wins_when_it_is_true_and_loses_when_it_lies() -> None:
    data = FRENCH.encode("cp1252")
    assert decode_text(data, declared="windows-1252").encoding == "cp1252"
    assert decode_text(GERMAN.encode(), declared="iso-8859-7").text == GERMAN  # valid UTF-8 beats a bad label
    assert decode_text(data, declared="no-such-charset").text == FRENCH


def test_any_bytes_decode_without_error() -> None:
    import os

    for _ in range(20):
        decode_text(os.urandom(300))


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"plain ascii text\nwith lines\n", False),
        ("Grüße".encode("utf-16"), False),
        ("Grüße und mehr Text".encode("utf-16-le"), False),
        ("wide text here".encode("utf-32-be"), False),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)), True),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(300), True),
        (b"\x00\x01\x02\x03" * 200, True),
        (bytes(range(1, 32)) * 20, True),
        ("café".encode("cp1252") * 50, False),
    ],
)
def test_binary_sniffing(head: bytes, binary: bool) -> None:
    assert looks_binary(head) is binary


def test_magic_bytes() -> None:
    assert sniff_mime(b"%PDF-1.7\n") == "application/pdf"
    assert sniff_mime(b"{\\rtf1\\ansi") == "application/rtf"
    assert sniff_mime(b"<!DOCTYPE html><html>") == "text/html"
    assert sniff_mime(b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/epub+zip") == "application/epub+zip"
    assert sniff_mime(b"just text") is None
