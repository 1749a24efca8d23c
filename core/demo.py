"""The demo memory: sample chats, screenshots and documents (made up; see ``assets/demo``).

Dates are shifted by whole days so the newest chat message lands on yesterday
("last week" means something) and the screenshots and documents line up with the chats.
Sources are ``chat:demo``, ``screen:demo`` and ``file:demo``, so the demo can
be forgotten by source.  Loading is idempotent: records are keyed by their
external ids, and a screenshot's image is stored only when its item is new.

Threads: any thread (no Qt).  ``load_demo_memory`` takes a few seconds
(embedding); call it from a worker.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core.capture.chats.jsonl import JsonLinesReader
from core.capture.chats.reader import ImportOptions
from core.changes import Outcome
from core.types import ReadResult, Record, Section

DEMO_DIR = Path(__file__).resolve().parents[1] / "assets" / "demo"
CHAT_SOURCE = "chat:demo"
SCREEN_SOURCE = "screen:demo"
FILE_SOURCE = "file:demo"
DEMO_SOURCES = (CHAT_SOURCE, SCREEN_SOURCE, FILE_SOURCE)
# The demo's user: "Me" in its chats, "Sam Keller" in its documents and screenshots.  Only a vault of its own
# (``make run``, the screenshot tool) takes these as its self names; a user's vault never does.
DEMO_SELF_NAMES = ("Sam Keller", "Sam")

if TYPE_CHECKING:
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class DemoReport:
    chats: int
    screenshots: int
    documents: int

    def __str__(self) -> str:
        return f"{self.chats} chat messages, {self.screenshots} screenshots, {self.documents} documents"


def demo_chat_files() -> list[Path]:
    return sorted((DEMO_DIR / "chats").glob("*.jsonl"))


def demo_shift(now: datetime) -> timedelta:
    """The whole-day shift that puts the newest demo chat message on yesterday."""
    reader = JsonLinesReader()
    stamps = [r.timestamp for f in demo_chat_files() for r in reader.read(f, ImportOptions()) if isinstance(r, Record)]
    if not stamps:
        return timedelta(0)
    shift = (now - timedelta(days=1)) - max(stamps)
    return timedelta(days=shift.days)  # whole days keep the times of day as written


def chat_records(shift: timedelta) -> Iterator[ReadResult]:
    reader = JsonLinesReader()
    for path in demo_chat_files():
        for result in reader.read(path, ImportOptions()):
            if isinstance(result, Record):
                yield dataclasses.replace(result, timestamp=result.timestamp + shift, source=CHAT_SOURCE)
            else:
                yield result


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


def load_demo_memory(vault: Vault, now: datetime | None = None, embed: bool = True) -> DemoReport:
    """Load chats, screenshots and documents of the demo into ``vault``."""
    shift = demo_shift(now or datetime.now().astimezone())
    chats = vault.ingest(chat_records(shift), embed=False)
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
    return DemoReport(chats=chats.imported, screenshots=shots, documents=docs.imported)


def count_demo_memory(vault: Vault) -> int:
    """How many memories of the demo are still in ``vault`` (the 'Remove demo' preview)."""
    return sum(vault.count_forget(source=source) for source in DEMO_SOURCES)


def remove_demo_memory(vault: Vault) -> Outcome[int]:
    """Forget every memory of the demo for real (its own sources only: the user's memories stay)."""
    from core.changes import NOTHING

    total, changed = 0, NOTHING
    for source in DEMO_SOURCES:
        outcome = vault.forget(source=source)
        total += outcome.value
        changed = changed | outcome.changes
    return Outcome(total, changed)
