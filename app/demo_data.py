"""Loading the demo memory that ships in ``assets/demo`` (no personal data in it).

The demo chats are dated November 2026; when loaded, every timestamp is shifted
so the newest message is from yesterday, so "last week" means something.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from core.capture.chats.jsonl import JsonLinesReader
from core.capture.chats.reader import ImportOptions, ReadResult
from core.types import Record

DEMO_PASSPHRASE = "demo"


def assets_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "assets" / "demo"


def demo_chat_files() -> list[Path]:
    return sorted((assets_dir() / "chats").glob("*.jsonl"))


def _newest(files: list[Path]) -> datetime:
    reader = JsonLinesReader()
    stamps = [r.timestamp for f in files for r in reader.read(f, ImportOptions()) if isinstance(r, Record)]
    return max(stamps)


def shifted_demo_records(now: datetime) -> Iterator[ReadResult]:
    files = demo_chat_files()
    shift = (now - timedelta(days=1)) - _newest(files)
    shift = timedelta(days=shift.days)  # whole days keep the times of day as written
    reader = JsonLinesReader()
    for path in files:
        for result in reader.read(path, ImportOptions()):
            if isinstance(result, Record):
                yield dataclasses.replace(result, timestamp=result.timestamp + shift, source="chat:demo")
            else:
                yield result


def load_demo(vault: object, now: datetime | None = None, embed: bool = True) -> object:
    """Import the demo chats into ``vault`` (idempotent); returns the ImportReport."""
    now = now or datetime.now().astimezone()
    return vault.ingest(shifted_demo_records(now), embed=embed)  # type: ignore[attr-defined]
