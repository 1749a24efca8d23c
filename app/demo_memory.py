"""The demo memory: the sample chats (``app.demo_data``) plus sample screenshots and documents.

Everything is made up (see ``assets/demo``).  Dates are shifted by whole days
exactly as ``app.demo_data`` shifts the chats (the newest chat message lands
on yesterday), so the screenshots and documents line up with the chats.
Sources are ``chat:demo``, ``screen:demo`` and ``file:demo``, so the demo can
be forgotten by source.  Loading is idempotent: records are keyed by their
external ids, and a screenshot's image is stored only when its item is new.

Threads: any thread (no Qt).  ``load_demo_memory`` takes a few seconds
(embedding); call it from a worker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.types import Record, Section

DEMO_DIR = Path(__file__).resolve().parents[1] / "assets" / "demo"
SCREEN_SOURCE = "screen:demo"
FILE_SOURCE = "file:demo"


@dataclass(frozen=True, slots=True)
class DemoReport:
    chats: int
    screenshots: int
    documents: int

    def __str__(self) -> str:
        return f"{self.chats} chat messages, {self.screenshots} screenshots, {self.documents} documents"


def demo_shift(now: datetime) -> timedelta:
    """The whole-day shift that puts the newest demo chat message on yesterday."""
    from core.capture.chats.jsonl import JsonLinesReader
    from core.capture.chats.reader import ImportOptions

    reader = JsonLinesReader()
    stamps = [r.timestamp for f in sorted((DEMO_DIR / "chats").glob("*.jsonl"))
              for r in reader.read(f, ImportOptions()) if isinstance(r, Record)]
    if not stamps:
        return timedelta(0)
    shift = (now - timedelta(days=1)) - max(stamps)
    return timedelta(days=shift.days)


def screenshot_records(shift: timedelta) -> Iterator[tuple[Record, Path]]:
    manifest = json.loads((DEMO_DIR / "screens" / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        when = datetime.fromisoformat(entry["when"]) + shift
        meta = {k: entry[k] for k in ("app", "window_title", "url", "monitor", "width", "height", "words")
                if entry.get(k) is not None}
        meta["demo"] = True
        record = Record(source=SCREEN_SOURCE, external_id=f"demo-frame:{entry['file']}", kind="screenshot",
                        timestamp=when, text=entry["text"], title=entry["window_title"], meta=meta)
        yield record, DEMO_DIR / "screens" / entry["file"]


def document_records(shift: timedelta) -> Iterator[Record]:
    manifest = json.loads((DEMO_DIR / "docs" / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        path = DEMO_DIR / "docs" / entry["file"]
        text = path.read_text("utf-8")
        yield Record(source=FILE_SOURCE, external_id=str(path), kind="document",
                     timestamp=datetime.fromisoformat(entry["when"]) + shift, text=text, title=entry["title"],
                     meta={"path": str(path), "demo": True, "mime": "text/markdown"},
                     sections=(Section(text=text),))


def load_demo_memory(vault: Any, now: datetime | None = None, embed: bool = True) -> DemoReport:
    """Load chats, screenshots and documents of the demo into ``vault``."""
    from app.demo_data import load_demo

    now = now or datetime.now().astimezone()
    chats = load_demo(vault, now, embed=False)
    shift = demo_shift(now)
    docs = vault.ingest(document_records(shift), embed=False)
    shots = 0
    for record, image_path in screenshot_records(shift):
        report = vault.ingest([record], embed=False)
        if report.item_ids:  # new (or changed): store its image, encrypted
            vault.put_media(image_path.read_bytes(), "screenshot", report.item_ids[0])
            shots += 1
    # Episodes, entities and the graph, so the Memory page and graph recall work at once (about 1 s).
    vault.consolidate()
    if embed:
        vault.embed_pending()
    return DemoReport(chats=getattr(chats, "imported", 0), screenshots=shots,
                      documents=getattr(docs, "imported", 0))
