"""Minimal Word 97 ``.doc`` and PowerPoint 97 ``.ppt`` files, written from Microsoft's open specifications.

[MS-DOC]: a ``WordDocument`` stream opening with the File Information Block (FibBase with fcMin/fcMac, the
FibRgLw97 character counts, the FibRgFcLcb97 pointer to the piece table) and the text as one compressed
(8-bit) piece, plus a ``1Table`` stream holding the Clx/PlcPcd piece table.  [MS-PPT]: a ``PowerPoint
Document`` stream of records (DocumentContainer → SlideListWithTextContainer → TextHeaderAtom + TextCharsAtom
per slide, notes as a second text).  Both wrapped by ``cfb.build``.  No library writes either format.
"""

from __future__ import annotations

import struct

from tests.data.files.cfb import build

_TEXT_AT = 0x800  # where Word puts the text in the WordDocument stream (after the FIB)
_FC_LCB_PAIRS = 93  # FibRgFcLcb97
_CLX_PAIR = 33  # fcClx/lcbClx in FibRgFcLcb97


def make_doc(paragraphs: list[str], *, unicode: bool = False, encrypted: bool = False) -> bytes:
    """A Word 97 document whose body is ``paragraphs`` (one paragraph mark each): one cp1252 piece, or UTF-16."""
    chars = "".join(p + "\r" for p in paragraphs)
    text = chars.encode("utf-16-le" if unicode else "cp1252")
    fc_min, fc_mac = _TEXT_AT, _TEXT_AT + len(text)
    # Clx: a Prc (formatting, to be skipped) then the Pcdt (0x02, lcb, PlcPcd = two CPs + one Pcd); a
    # compressed piece's fc has fCompressed set and holds the byte offset * 2
    fc = fc_min if unicode else (fc_min * 2) | 0x40000000
    plc = struct.pack("<II", 0, len(chars)) + struct.pack("<HIH", 0, fc, 0)
    clx = b"\x01" + struct.pack("<h", 3) + b"\x00\x00\x00" + b"\x02" + struct.pack("<I", len(plc)) + plc
    table = clx
    # fExtChar (set by Word 97+) | fWhichTblStm (1Table) | fEncrypted; fComplex clear (not fast-saved): Word 97+
    # reads the text through the piece table either way
    flags = 0x1000 | 0x0200 | (0x0100 if encrypted else 0)
    base = struct.pack("<HHHHHHHIBBHHII", 0xA5EC, 0x00C1, 0, 0x0409, 0, flags, 0x00BF, 0, 0, 0, 0, 0,
                       fc_min, fc_mac)
    rg_w = struct.pack("<H", 14) + b"\x00" * 28
    lw = [0] * 22
    lw[0] = fc_mac  # cbMac
    lw[3] = len(chars)  # ccpText
    rg_lw = struct.pack("<H", 22) + b"".join(struct.pack("<I", v) for v in lw)
    pairs = [(0, 0)] * _FC_LCB_PAIRS
    pairs[_CLX_PAIR] = (0, len(clx))
    rg_fc = struct.pack("<H", _FC_LCB_PAIRS) + b"".join(struct.pack("<II", fc, lcb) for fc, lcb in pairs)
    fib = base + rg_w + rg_lw + rg_fc + struct.pack("<H", 0)  # cswNew = 0
    assert len(fib) <= _TEXT_AT
    word = (fib.ljust(_TEXT_AT, b"\x00") + text).ljust(4096, b"\x00")  # Word pads the stream to whole sectors
    return build({"WordDocument": word, "1Table": table})


def make_word6_doc(paragraphs: list[str]) -> bytes:
    """A Word 6/95 document (nFib 101, no table stream): the text is one cp1252 run between fcMin and fcMac."""
    text = "".join(p + "\r" for p in paragraphs).encode("cp1252")
    base = struct.pack("<HHHHHHHIBBHHII", 0xA5EC, 0x0065, 0, 0x0407, 0, 0, 0x0065, 0, 0, 0, 0, 0,
                       _TEXT_AT, _TEXT_AT + len(text))
    return build({"WordDocument": (base.ljust(_TEXT_AT, b"\x00") + text).ljust(4096, b"\x00")})


def _record(rec_type: int, body: bytes, *, instance: int = 0, container: bool = False) -> bytes:
    ver_inst = (instance << 4) | (0xF if container else 0)
    return struct.pack("<HHI", ver_inst, rec_type, len(body)) + body


def _text_atom(text: str) -> bytes:
    """TextBytesAtom (8-bit, Latin-1) when the text fits, else TextCharsAtom (UTF-16)."""
    try:
        return _record(0x0FA8, text.encode("latin-1"))
    except UnicodeEncodeError:
        return _record(0x0FA0, text.encode("utf-16-le"))


def make_ppt(slides: list[tuple[str, str]], notes: str = "", boxes: dict[int, str] | None = None) -> bytes:
    """A PowerPoint 97 presentation: one (title, body) text pair per slide in the slide list, optionally speaker
    notes and free text boxes (slide number → text) drawn on the slides themselves (Slide → PPDrawing →
    OfficeArt DgContainer → SpgrContainer → SpContainer → ClientTextbox, as PowerPoint 2000+ writes them)."""
    texts = b""
    for number, (title, body) in enumerate(slides, 1):
        # SlidePersistAtom (persistIdRef, flags, cTexts, slideId, reserved) opens each slide's texts
        texts += _record(0x03F3, struct.pack("<IIiII", number, 0, 2, 255 + number, 0))
        texts += _record(0x0F9F, struct.pack("<I", 0)) + _record(0x0FA0, title.encode("utf-16-le"))  # title
        texts += _record(0x0F9F, struct.pack("<I", 1)) + _text_atom(body)  # body
    slide_list = _record(0x0FF0, texts, container=True)
    master = _record(0x03F8, _record(0x0FA0, "Click to edit Master title style".encode("utf-16-le")), container=True)
    parts = _record(0x03E9, b"\x00" * 40) + slide_list
    if notes:
        parts += _record(0x03F0, _record(0x0F9F, struct.pack("<I", 2)) + _record(0x0FA0, notes.encode("utf-16-le")),
                         container=True)
    document = _record(0x03E8, parts, container=True) + master
    for number in range(1, len(slides) + 1):
        box = (boxes or {}).get(number)
        textbox = _record(0xF00D, _record(0x0F9F, struct.pack("<I", 4)) + _text_atom(box), container=True) if box else b""
        drawing = _record(0x040C, _record(0xF002, _record(0xF003, _record(0xF004, textbox, container=True),
                                                              container=True), container=True), container=True)
        document += _record(0x03EE, _record(0x03EF, b"\x00" * 24) + drawing, container=True)
    return build({"PowerPoint Document": document, "Current User": b""})
