"""Recognising a file from its first bytes: known formats by magic, text versus binary.

Only the head of a file (a few KB) is looked at, so these are cheap enough to
run on every file of a folder scan.
"""

from __future__ import annotations

from core.normalize.extract.textdecode import bom_encoding, utf16_32_without_bom

HEAD_BYTES = 8192

# Zip-based formats put an uncompressed "mimetype" entry first (ODF and EPUB
# require it), so its content sits at a fixed offset in the file.
_ZIP_MIMETYPES: tuple[tuple[bytes, str], ...] = (
    (b"application/epub+zip", "application/epub+zip"),
    (b"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"),
    (b"application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.presentation"),
    (b"application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
)
# Office Open XML parts by folder: the first local file headers name them.
_OOXML_PARTS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"), (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"),
)

# Control bytes that do not occur in text (tab, newlines, form feed, escape excluded).
_TEXT_CONTROLS = frozenset({8, 9, 10, 12, 13, 27})
_BINARY_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"


def sniff_mime(head: bytes) -> str | None:
    """The MIME type of a format Cairn extracts, recognised by magic bytes; else ``None``."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-") or head[:1024].find(b"%PDF-") >= 0:
        return "application/pdf"
    if stripped.startswith(b"{\\rtf"):
        return "application/rtf"
    if head.startswith(b"PK\x03\x04"):
        window = head[30:120]
        for marker, mime in _ZIP_MIMETYPES:
            if marker in window:
                return mime
        found = [(head.find(marker), mime) for marker, mime in _OOXML_PARTS if marker in head]
        if found:
            return min(found)[1]
        if b"[Content_Types].xml" in head[:200]:
            return "application/x-ooxml"  # parts named past the head: the office extractor looks inside
        return None
    if head.startswith(_OLE_MAGIC):
        return "application/x-ole-storage"
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00" and len(head) > 26:  # BITMAPFILEHEADER
        return "image/bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"heim", b"heis"):
        return "image/heic"
    if b"multipart/related" in head[:2048].lower():  # an MHTML web archive (RFC 2557)
        return "multipart/related"
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (lowered.startswith(b"<?xml") and b"<html" in lowered):
        return "text/html"
    return None


def looks_binary(head: bytes) -> bool:
    """True when ``head`` is not text in any encoding Cairn decodes.

    UTF-16/32 text is full of NULs, so NULs count only when no BOM and no
    wide-character pattern explains them, and then like any other control
    byte: a stray NUL (a log line, a paste) does not make a text file binary.
    """
    if not head:
        return False
    if bom_encoding(head):
        return False
    if b"\x00" in head and utf16_32_without_bom(head) is not None:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return controls / len(head) > 0.05
