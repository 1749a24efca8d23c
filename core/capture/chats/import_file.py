"""``cairn import FILE``: detect the export's format, read it with its reader, ingest it; failures said plainly.

A reader that finds nothing in a zip bomb would say "no chat here": the bomb
is named as one instead.  A full disk says how many messages of how many
were stored (``DiskFull``).

Threads: runs on the calling thread.  Errors: ``ImportFailed``, ``DiskFull``.
"""

from __future__ import annotations

from pathlib import Path

from core.capture.chats.reader import ImportOptions
from core.errors import DiskFull, ImportFailed
from core.ports import Ingest, ProgressCallback
from core.store.ingest import ImportReport


def import_export(store: Ingest, path: Path, fmt: str, options: ImportOptions,
                  progress: ProgressCallback | None, embed: bool) -> ImportReport:
    from core.capture.chats.formats import detect_format, load_reader  # late: the table of readers

    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    try:
        reader = detect_format(path) if fmt == "auto" else load_reader(fmt)
        if fmt != "auto" and not reader.sniff(path):
            raise ImportFailed(f"{path}: does not look like a {reader.name} export ({reader.description})")
        report = store.ingest(reader.read(path, options), progress=progress, embed=embed)
    except ImportFailed as exc:
        from core.normalize.safezip import bomb_reason

        bomb = bomb_reason(path)
        if bomb and "zip bomb" not in str(exc):
            raise ImportFailed(f"{path}: refused as a possible zip bomb ({bomb}); nothing was imported") from exc
        raise
    except DiskFull as full:
        raise full.named("messages", str(path)) from full.__cause__
    report.format = reader.name
    return report
