"""The importer API every source uses: readers stream records, errors are values.

A reader never raises for one bad record: it yields a ``RecordError`` naming
the place (file and line, or zip entry) and goes on.  It raises
``core.errors.ImportFailed`` only when the input cannot be read at all.
Readers must stream: memory use may not grow with the size of the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.types import ReadResult


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What a user may tell an importer.

    ``date_order`` is ``"DMY"``, ``"MDY"`` or ``"YMD"`` for exports whose dates
    are ambiguous (WhatsApp); ``timezone`` is an IANA name applied to exports
    that store local times without an offset (default: the machine's zone).
    """

    date_order: str | None = None
    timezone: str | None = None


class RecordReader(Protocol):
    """One import format."""

    name: str
    description: str

    def sniff(self, path: Path) -> bool:
        """Cheap check (reads a few KB at most) whether ``path`` is in this format."""
        ...

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        """Stream the records of ``path``.  Raises ``ImportFailed`` if unreadable."""
        ...
