"""Word 97–2003 ``.doc`` and PowerPoint 97–2003 ``.ppt`` text, read in Python from the compound file's streams.

``olefile`` opens the OLE2 container in memory; the text layout follows Microsoft's open specifications:
[MS-DOC] (the File Information Block points to the piece table, whose pieces are 8-bit or UTF-16 runs of
the ``WordDocument`` stream; Word 6/95 files keep their text between fcMin and fcMac) and [MS-PPT] (text
atoms inside the ``PowerPoint Document`` record tree, one page per slide).  No helper program: Debian's
``catdoc`` copies a piped document to a temporary file (plaintext on disk, and refused by the sandbox's
no-file-writes limit) and ``catppt`` crashes on piped input.  ``.xls`` is read by ``sheets.extract_xls``.
"""

from __future__ import annotations

import re
import struct

from core.normalize.extract.base import (
    EncryptedDocument,
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.types import Section

DOC_MIME = "application/msword"
PPT_MIME = "application/vnd.ms-powerpoint"

_WORD_MAGIC = 0xA5EC
_NFIB_WORD97 = 0x00C1
_F_COMPLEX, _F_ENCRYPTED, _F_WHICH_TABLE = 0x0004, 0x0100, 0x0200
_CLX_PAIR = 33  # fcClx/lcbClx in FibRgFcLcb97
_MAX_PIECES = 1 << 16
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
# Word's marks: paragraph/line/page/column breaks end lines, a cell mark separates cells; hyphen marks
_MARKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x07": "\t", "\x1e": "-", "\x1f": ""})


def _streams(data: bytes, kind: str, *names: str) -> list[bytes | None]:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return [ole.openstream(n).read() if ole.exists(n) else None for n in names]
    except Exception as exc:  # olefile raises many types on damaged containers
        raise ExtractionFailed(f"damaged {kind}: {type(exc).__name__}") from exc


def _u16(buf: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", buf, at)[0])


def _u32(buf: bytes, at: int) -> int:
    return int(struct.unpack_from("<I", buf, at)[0])


def _pieces(clx: bytes, word: bytes) -> list[str]:
    """Decode the text pieces the Clx's PlcPcd lists, in character-position order."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: a grpprl (formatting), skipped
        size = struct.unpack_from("<h", clx, at + 1)[0]
        if size < 0:
            raise ExtractionFailed("damaged Word document: bad formatting record in the piece table")
        at += 3 + size
    if at + 5 > len(clx) or clx[at] != 0x02:
        raise ExtractionFailed("damaged Word document: no piece table")
    lcb = _u32(clx, at + 1)
    plc = clx[at + 5 : at + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0 or count > _MAX_PIECES:
        raise ExtractionFailed("damaged Word document: piece table of no pieces")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    out: list[str] = []
    for i in range(count):
        chars = max(0, cps[i + 1] - cps[i])
        fc = _u32(plc, 4 * (count + 1) + 8 * i + 2)
        if fc & 0x40000000:  # compressed: one byte per character (cp1252) at fc / 2
            start = (fc & 0x3FFFFFFF) // 2
            out.append(word[start : start + chars].decode("cp1252", errors="replace"))
        else:
            start = fc & 0x3FFFFFFF
            out.append(word[start : start + 2 * chars].decode("utf-16-le", errors="replace"))
    return out


def _visible(text: str) -> str:
    """Field codes dropped (their results kept), Word's marks turned into lines and tabs, controls removed."""
    out: list[str] = []
    depth_in_code: list[bool] = []  # per open field: still in its code part
    for part in re.split(r"([\x13\x14\x15])", text):
        if part == _FIELD_BEGIN:
            depth_in_code.append(True)
        elif part == _FIELD_SEPARATOR:
            if depth_in_code:
                depth_in_code[-1] = False
        elif part == _FIELD_END:
            if depth_in_code:
                depth_in_code.pop()
        elif not any(depth_in_code):
            out.append(part)
    lines = _CONTROL.sub("", "".join(out).translate(_MARKS)).split("\n")
    return "\n".join(line.rstrip("\t ") for line in lines).strip()


def word_text(data: bytes) -> str:
    word, table0, table1 = _streams(data, "Word document", "WordDocument", "0Table", "1Table")
    if word is None or len(word) < 0x20 or _u16(word, 0) != _WORD_MAGIC:
        raise ExtractionFailed("not a Word document (no WordDocument stream with a Word header)")
    nfib, flags = _u16(word, 2), _u16(word, 0x0A)
    if flags & _F_ENCRYPTED:
        raise EncryptedDocument("password-protected Word document: not indexed")
    try:
        if nfib < _NFIB_WORD97:  # Word 6/95: the text is one run between fcMin and fcMac
            return _visible(word[_u32(word, 0x18) : _u32(word, 0x1C)].decode("cp1252", errors="replace"))
        table = table1 if flags & _F_WHICH_TABLE else table0
        at = 32
        at += 2 + 2 * _u16(word, at)  # csw + fibRgW
        at += 2 + 4 * _u16(word, at)  # cslw + fibRgLw
        if _u16(word, at) <= _CLX_PAIR or table is None:
            raise ExtractionFailed("damaged Word document: no piece table")
        fc_clx, lcb_clx = struct.unpack_from("<II", word, at + 2 + 8 * _CLX_PAIR)
        return _visible("".join(_pieces(table[fc_clx : fc_clx + lcb_clx], word)))
    except struct.error as exc:
        raise ExtractionFailed("damaged Word document: truncated header or piece table") from exc


# PowerPoint records: containers have recVer 0xF; the atoms that hold text, and where slides begin
_SLIDE_PERSIST, _SLIDE, _NOTES, _MAIN_MASTER = 0x03F3, 0x03EE, 0x03F0, 0x03F8
_TEXT_HEADER, _TEXT_CHARS, _TEXT_BYTES = 0x0F9F, 0x0FA0, 0x0FA8
_TITLE_TYPES = (0, 6)  # Tx_TYPE_TITLE, Tx_TYPE_CENTERTITLE


class _Deck:
    """Texts per slide.  Slide k's texts come from the k-th SlidePersistAtom of the slide list (placeholder text)
    and from the k-th Slide container's drawing (free text boxes), whichever the file uses."""

    def __init__(self) -> None:
        self.slides: list[list[str]] = []
        self.titles: list[str | None] = []
        self.notes: list[str] = []
        self.current = -1
        self.listed = 0  # SlidePersistAtoms seen
        self.drawn = 0  # Slide containers seen
        self.text_type = -1

    def go_to(self, index: int) -> None:
        while len(self.slides) <= index:
            self.slides.append([])
            self.titles.append(None)
        self.current = index

    def add(self, text: str, in_notes: bool) -> None:
        text = _CONTROL.sub("", text.replace("\r", "\n").replace("\x0b", "\n")).strip()
        if not text:
            return
        if in_notes:
            self.notes.append(text)
            return
        if self.current < 0:
            self.go_to(0)
        if self.text_type in _TITLE_TYPES and self.titles[self.current] is None:
            self.titles[self.current] = text
        self.slides[self.current].append(text)


def _walk(buf: bytes, start: int, end: int, deck: _Deck, in_notes: bool, depth: int) -> None:
    at = start
    while at + 8 <= end and depth < 32:
        ver_inst, rec_type, length = struct.unpack_from("<HHI", buf, at)
        body, at = at + 8, min(end, at + 8 + length)
        if rec_type == _MAIN_MASTER:
            continue  # the master's placeholder text ("Click to edit…") is no one's content
        if (ver_inst & 0xF) == 0xF:
            if rec_type == _SLIDE:
                deck.go_to(deck.drawn)
                deck.drawn += 1
            _walk(buf, body, at, deck, in_notes or rec_type == _NOTES, depth + 1)
        elif rec_type == _SLIDE_PERSIST and not in_notes:
            deck.go_to(deck.listed)
            deck.listed += 1
        elif rec_type == _TEXT_HEADER and at - body >= 4:
            deck.text_type = _u32(buf, body)
        elif rec_type == _TEXT_CHARS:
            deck.add(buf[body:at].decode("utf-16-le", errors="replace"), in_notes)
        elif rec_type == _TEXT_BYTES:
            deck.add(buf[body:at].decode("latin-1"), in_notes)


def ppt_sections(data: bytes) -> list[Section]:
    (stream,) = _streams(data, "PowerPoint file", "PowerPoint Document")
    if stream is None:
        raise ExtractionFailed("not a PowerPoint file (no 'PowerPoint Document' stream)")
    deck = _Deck()
    _walk(stream, 0, len(stream), deck, False, 0)
    sections = [Section("\n".join(texts), page, title)
                for page, (texts, title) in enumerate(zip(deck.slides, deck.titles, strict=True), 1) if texts]
    if deck.notes:
        sections.append(Section("Notes: " + "\n".join(deck.notes), None, "Notes"))
    return sections


def _extraction(sections: list[Section], mime: str, limits: ExtractLimits) -> Extraction:
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=mime, notes=budget.notes())


def extract_doc(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    return _extraction([Section(word_text(data))], DOC_MIME, limits)


def extract_ppt(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    return _extraction(ppt_sections(data), PPT_MIME, limits)
