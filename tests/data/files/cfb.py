"""A minimal Compound File Binary writer (MS-CFB v3, from Microsoft's open specification) for Office fixtures.

One storage level of streams: small ones live in the mini stream (64-byte mini sectors chained in the mini
FAT), streams of 4096 bytes or more in regular 512-byte sectors (as Word's ``WordDocument`` does); the
directory is the root entry plus the streams as a chain of right siblings (all black); one FAT sector.  Enough for Outlook's .msg layout: ``__substg1.0_<tag><type>`` streams and the property
stream, and Word/PowerPoint 97 (``legacy_office.py``).  No library writes these, so the fixtures are built here.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096  # streams this size or larger live in regular sectors
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


def _entry(name: str, kind: int, child: int = NOSTREAM, right: int = NOSTREAM, start: int = END, size: int = 0,
           left: int = NOSTREAM) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", left, right, child)
            + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<II", start, size) + b"\x00" * 4)


def _order(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def build(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` at its root: under 4096 bytes in the mini stream, larger in sectors."""
    names = sorted(streams, key=_order)
    # mini stream: each small stream padded to 64-byte mini sectors, chained in the mini FAT
    mini_data = b""
    minifat: list[int] = []
    starts: dict[str, int] = {}
    for name in (n for n in names if len(streams[n]) < CUTOFF):
        data = streams[name]
        n = max(1, -(-len(data) // MINI))
        first = len(minifat)
        starts[name] = first
        for i in range(n):
            minifat.append(first + i + 1 if i < n - 1 else END)
        mini_data += data.ljust(n * MINI, b"\x00")
    # regular sectors: [mini stream][large streams][minifat][directory][FAT sector]
    ms_n = -(-len(mini_data) // SECTOR)
    large = b""
    for name in (n for n in names if len(streams[n]) >= CUTOFF):
        starts[name] = ms_n + len(large) // SECTOR
        large += streams[name].ljust(-(-len(streams[name]) // SECTOR) * SECTOR, b"\x00")
    big_n = len(large) // SECTOR
    mf_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    mf_n = -(-len(mf_bytes) // SECTOR)
    entries_count = len(names) + 1
    dir_n = -(-entries_count * 128 // SECTOR)
    fat_n = 1
    fat: list[int] = []
    def chain(first: int, n: int) -> None:
        for i in range(n):
            fat.append(first + i + 1 if i < n - 1 else END)
    chain(0, ms_n)
    for name in (n for n in names if len(streams[n]) >= CUTOFF):
        chain(starts[name], -(-len(streams[name]) // SECTOR))
    chain(ms_n + big_n, mf_n)
    chain(ms_n + big_n + mf_n, dir_n)
    fat.append(FATSECT)
    assert len(fat) <= SECTOR // 4, "one FAT sector: files up to 64 KiB"
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat).ljust(SECTOR, b"\xff")
    # directory: root (child = first stream), streams chained as right siblings
    dir_bytes = _entry("Root Entry", 5, child=1 if names else NOSTREAM, start=0 if ms_n else END, size=len(mini_data))
    for i, name in enumerate(names, 1):
        right = i + 1 if i < len(names) else NOSTREAM
        dir_bytes += _entry(name, 2, right=right, start=starts[name], size=len(streams[name]))
    dir_bytes = dir_bytes.ljust(dir_n * SECTOR, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<I", 0) + struct.pack("<I", fat_n) + struct.pack("<I", ms_n + big_n + mf_n)
              + struct.pack("<I", 0) + struct.pack("<I", CUTOFF) + struct.pack("<I", ms_n + big_n if mf_n else END)
              + struct.pack("<I", mf_n) + struct.pack("<I", END) + struct.pack("<I", 0))
    difat = [ms_n + big_n + mf_n + dir_n] + [FREE] * 108
    header += b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return (header + mini_data.ljust(ms_n * SECTOR, b"\x00") + large + mf_bytes.ljust(mf_n * SECTOR, b"\xff")
            + dir_bytes + fat_bytes)


def make_msg(subject: str, body: str, sender: str, to: str) -> bytes:
    """An Outlook message (IPM.Note) with subject, plain body, sender and recipient display names."""
    def u(text: str) -> bytes:
        return text.encode("utf-16-le")
    props = b"\x00" * 32  # top-level property stream header (no fixed-size properties)
    return build({
        "__substg1.0_001A001F": u("IPM.Note"),
        "__substg1.0_0037001F": u(subject),
        "__substg1.0_1000001F": u(body),
        "__substg1.0_0C1A001F": u(sender),
        "__substg1.0_0E04001F": u(to),
        "__properties_version1.0": props,
    })
