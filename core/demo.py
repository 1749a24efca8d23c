"""The demo memory: sample chats, screenshots and documents (made up; see ``assets/demo``).

Dates are shifted by whole weeks toward the newest chat message landing on yesterday, but never past a
date the story writes itself (``demo_shift``); the screenshots and documents move with the chats.
Sources are ``chat:demo``, ``screen:demo`` and ``file:demo``, so the demo can
be forgotten by source.  Loading is idempotent: records are keyed by their
external ids, and a screenshot's image is stored only when its item is new.

Threads: any thread (no Qt).  ``load_demo_memory`` takes a few seconds
(embedding); call it from a worker.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
    """How far the demo's dates move: whole weeks, toward its newest chat message landing on yesterday.

    The story writes its own dates ("Grandpa's birthday is on 3 December", "expires on 30 November"), and a
    shift must not carry a memory past a date it speaks of as still to come (or before one it speaks of as
    past): the birthday would then be read as next year's.  So the shift is the largest whole number of weeks
    (the story's weekday names stay true) up to the ideal one for which every day-and-month date the story
    writes stays on its side of the memory that writes it.  With the story's dates close together that is, in
    practice, no shift until most of a year has gone by.
    """
    chats = [r.timestamp for r in chat_records(timedelta(0)) if isinstance(r, Record)]
    if not chats:
        return timedelta(0)
    ideal_weeks = ((now - timedelta(days=1)) - max(chats)).days // 7
    written = [(when, day) for when, text in _dated_texts() for day in _day_month_dates(text, when)]
    for weeks in range(ideal_weeks, ideal_weeks - _MAX_WEEKS_BACK, -1):
        if all(_same_side(when, day, timedelta(weeks=weeks)) for when, day in written):
            return timedelta(weeks=weeks)
    return timedelta(weeks=ideal_weeks)  # not reached with the demo's dates: some whole year back always fits


_MAX_WEEKS_BACK = 60  # more than a year
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _dated_texts() -> Iterator[tuple[datetime, str]]:
    """Every memory of the demo as (when it was written, unshifted; its text)."""
    for result in chat_records(timedelta(0)):
        if isinstance(result, Record):
            yield result.timestamp, result.text
    for record in document_records(timedelta(0)):
        yield record.timestamp, record.text
    for record, _image in screenshot_records(timedelta(0)):
        yield record.timestamp, record.text


def _day_month_dates(text: str, when: datetime) -> list[tuple[int, int]]:
    """(month, day) of each date written without a year ("3 December"); one with a year names its own."""
    from core.memory.extraction.dates import find_dates

    out = []
    for mention in find_dates(text, reference=when):
        if not _YEAR.search(mention.value):
            day = date.fromisoformat(mention.norm)
            out.append((day.month, day.day))
    return out


def _same_side(when: datetime, month_day: tuple[int, int], shift: timedelta) -> bool:
    """Whether a date written at ``when`` is still ahead of it (or behind it) once shifted.  A date without a
    year is the nearest one of that day and month ("I start on 12 January", written in November: next year's)."""
    return _ahead(when, month_day) == _ahead(when + shift, month_day)


def _ahead(when: datetime, month_day: tuple[int, int]) -> bool:
    today = when.date()
    days = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            days.append(date(year, *month_day))
        except ValueError:  # 29 February of a year without one
            continue
    return min(days, key=lambda d: abs((d - today).days)) >= today


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
