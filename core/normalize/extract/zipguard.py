"""Refusing zip-based documents (DOCX, ODT, EPUB) that would inflate without bound.

Uses ``core.normalize.safezip.SafeZip`` for the per-entry checks (unsafe names,
compression ratio) and adds the per-document budget from ``ExtractLimits``.
Python's ``zipfile`` never inflates an entry past its declared size (it stops
and fails the CRC), so checking declared sizes bounds the real work too; the
sandbox's memory limit is the last line of defence.
"""

from __future__ import annotations

import io

from core.errors import ImportFailed
from core.normalize.extract.base import ExtractionFailed, ExtractLimits, TooLarge


def check_zip(data: bytes, kind: str, limits: ExtractLimits) -> None:
    """Raise ``TooLarge`` (zip bomb) or ``ExtractionFailed`` (not a zip) for a hostile container."""
    from core.normalize.safezip import SafeZip

    try:
        archive = SafeZip(io.BytesIO(data))  # type: ignore[arg-type]  # zipfile accepts file objects
    except ImportFailed as exc:
        message = str(exc).split(": ", 1)[-1]
        if "zip bomb" in message:
            raise TooLarge(f"{kind} refused: {message}") from exc
        raise ExtractionFailed(f"corrupt {kind}: not a readable zip container") from exc
    with archive:
        if archive.rejected:
            name, reason = archive.rejected[0]
            raise TooLarge(f"{kind} refused: entry {name!r}: {reason}")
        total = sum(entry.size for entry in archive.entries())
        if total > limits.max_unpacked_bytes:
            raise TooLarge(
                f"{kind} refused: expands to {total / 2**20:,.0f} MB, over the "
                f"{limits.max_unpacked_bytes / 2**20:,.0f} MB limit (zip bomb?)"
            )
