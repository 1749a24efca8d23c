"""Exports arrive as a single file, a folder, or a zip: one view over all three.

``ExportTree`` lists entries by relative POSIX name and opens them as binary
streams.  Zips always go through ``core.normalize.safezip.SafeZip``, so hostile
entries (``../``, absolute paths, bombs) are refused and listed in
``rejected`` for the reader to report; the rest of the archive stays usable.

Sniffing only needs names: ``zip_names`` reads the zip's central directory
(no entry is inflated), so a bomb is still *detected* as its format and then
refused with a clear message when read.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from core.capture.chats.reader import ReadResult
from core.errors import ImportFailed
from core.normalize.safezip import SafeZip
from core.types import RecordError

SNIFF_BYTES = 16 * 1024
_MAX_SNIFF_WALK = 5000


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file ('' for anything else)."""
    if not path.is_file():
        return b""
    with path.open("rb") as fh:
        return fh.read(size)


def is_zip(path: Path) -> bool:
    return path.is_file() and zipfile.is_zipfile(path)


def zip_names(path: Path) -> list[str] | None:
    """Entry names of a zip (central directory only), or None if not a zip."""
    if not is_zip(path):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            return [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def dir_names(path: Path, limit: int = _MAX_SNIFF_WALK) -> list[str]:
    """Relative POSIX names of files under a folder (at most ``limit`` for sniffing)."""
    names: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        rel_root = Path(root).relative_to(path)
        for name in sorted(files):
            names.append((rel_root / name).as_posix())
            if len(names) >= limit:
                return names
    return names


def tree_names(path: Path, limit: int = _MAX_SNIFF_WALK) -> list[str] | None:
    """Names inside a zip or folder, or None for a plain file (for sniffers)."""
    if path.is_dir():
        return dir_names(path, limit)
    return zip_names(path)


class ExportTree:
    """A folder or a zip seen as relative names -> binary streams.

    Raises ``ImportFailed`` when the path is neither a readable folder nor a
    readable, safe-enough zip (``SafeZip`` refuses whole-archive bombs).
    Not thread-safe; use one per reader call.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: SafeZip | None = None
        if path.is_dir():
            self._names = dir_names(path, limit=10**9)
            self.rejected: list[tuple[str, str]] = []
        elif is_zip(path):
            self._zip = SafeZip(path)
            self._names = sorted(self._zip.names())
            self.rejected = list(self._zip.rejected)
        else:
            raise ImportFailed(f"{path}: expected a folder or a .zip archive")

    def __enter__(self) -> ExportTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    def names(self) -> list[str]:
        return list(self._names)

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(name)
        return (self.path / PurePosixPath(name)).open("rb")

    def head(self, name: str, size: int = SNIFF_BYTES) -> bytes:
        with self.open(name) as fh:
            return fh.read(size)

    def read_each(self, entries: Iterable[str],
                  read: Callable[[str, IO[bytes]], Iterable[ReadResult]]) -> Iterator[ReadResult]:
        """``read(entry, stream)`` of each entry in turn; an entry that fails to read is one ``RecordError``
        (what came before the failure stays) and the next entry is read."""
        from ._jsonstream import ENTRY_READ_ERRORS

        for entry in entries:
            try:
                with self.open(entry) as fh:
                    yield from read(entry, fh)
            except ENTRY_READ_ERRORS as exc:
                yield RecordError(where=entry, reason=f"cannot read: {exc}")

    def rejected_errors(self) -> Iterator[RecordError]:
        """One ``RecordError`` per refused zip entry (path traversal, bomb)."""
        for name, reason in self.rejected:
            yield RecordError(where=f"{self.path.name}!{name}", reason=f"zip entry refused: {reason}")


def find_root_prefix(names: list[str], marker: str) -> str | None:
    """The folder prefix ('' or 'Export/') under which ``marker`` sits, shallowest first."""
    best: str | None = None
    for name in names:
        if name == marker or name.endswith("/" + marker):
            prefix = name[: -len(marker)]
            if best is None or prefix.count("/") < best.count("/"):
                best = prefix
    return best
