"""Opening zip files from untrusted sources without being hurt by them.

Guards against path traversal (``../`` or absolute entry names), zip bombs
(declared sizes and compression ratios, and a hard cap on bytes actually read,
since declared sizes can lie) and entries read without bound.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import ImportFailed

MAX_ENTRY_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 200_000


@dataclass(frozen=True, slots=True)
class SafeEntry:
    name: str
    size: int
    info: zipfile.ZipInfo


def _is_unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


class SafeZip:
    """A read-only view of a zip archive that refuses hostile entries.

    ``entries()`` lists the safe entries; unsafe ones are reported through
    ``rejected`` (name, reason) so importers can tell the user.
    """

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFailed(f"{path}: not a readable zip archive ({exc})") from exc
        self.path = path
        self.rejected: list[tuple[str, str]] = []
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ImportFailed(f"{path}: {len(infos)} entries is more than {MAX_ENTRIES}; refusing (zip bomb?)")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise ImportFailed(f"{path}: expands to {total} bytes, over the {MAX_TOTAL_BYTES} limit (zip bomb?)")
        self._entries: dict[str, SafeEntry] = {}
        for info in infos:
            if info.is_dir():
                continue
            reason = self._check(info)
            if reason:
                self.rejected.append((info.filename, reason))
            else:
                self._entries[info.filename] = SafeEntry(info.filename, info.file_size, info)

    @staticmethod
    def _check(info: zipfile.ZipInfo) -> str | None:
        if _is_unsafe_name(info.filename):
            return "unsafe path (absolute or contains ..)"
        if info.file_size > MAX_ENTRY_BYTES:
            return f"entry expands to {info.file_size} bytes, over the {MAX_ENTRY_BYTES} limit"
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 1_000_000:
            return f"compression ratio {info.file_size // max(info.compress_size, 1)}:1 (zip bomb?)"
        return None

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> Iterator[SafeEntry]:
        yield from self._entries.values()

    def open(self, name: str) -> io.BufferedIOBase:
        """A stream over one entry that stops with ``ImportFailed`` past its declared size."""
        entry = self._entries.get(name)
        if entry is None:
            raise KeyError(name)
        raw = _BoundedReader(self._zip.open(entry.info), limit=min(entry.size, MAX_ENTRY_BYTES), name=name)
        return io.BufferedReader(raw)

    def read(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()


class _BoundedReader(io.RawIOBase):
    """Reads at most ``limit`` bytes: a lying header cannot make us inflate more."""

    def __init__(self, raw: io.BufferedIOBase, limit: int, name: str) -> None:
        super().__init__()
        self._raw = raw
        self._left = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            if self._raw.read(1):
                raise ImportFailed(f"zip entry {self._name} is larger than it declares (zip bomb?)")
            return 0
        want = min(len(buffer), self._left)
        data = self._raw.read(want)
        n = len(data)
        buffer[:n] = data
        self._left -= n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def bomb_reason(path: Path) -> str | None:
    """Why ``path`` looks like a zip bomb (an entry or the whole too large, a ratio too high), else ``None``.

    Lets an importer that found nothing to read say *why*: "no chat in this zip" would mislead.
    """
    if not zipfile.is_zipfile(path):
        return None
    try:
        with SafeZip(path) as archive:
            reasons = [f"{name}: {reason}" for name, reason in archive.rejected if not reason.startswith("unsafe path")]
    except ImportFailed as exc:
        return str(exc).split(": ", 1)[-1] if "zip bomb" in str(exc) else None
    return "; ".join(reasons[:3]) or None
