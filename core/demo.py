"""The demo memory: sample chats, screenshots and documents (made up; see ``assets/demo``).

Dates move by whole weeks so that the newest chat message lies within the past week (``demo_shift``); the
screenshots (their pictures too: ``core.demo_frames``) and documents move with the chats, and so do the dates the story writes.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

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
    """How far the demo moves: whole weeks, so that its newest chat message lies within the week before ``now``.

    Whole weeks keep every weekday of the story true ("Thursday 5 November" stays a Thursday), and the dates
    the story writes in its own words ("Grandpa's birthday is on 3 December") move with it (``shift_text``),
    so the demo looks as recent on any day of the year as on the day it was written.
    """
    chats = [r.timestamp for r in _chat_records_as_written() if isinstance(r, Record)]
    if not chats:
        return timedelta(0)
    yesterday = now.astimezone(STORY_ZONE).date() - timedelta(days=1)
    return timedelta(weeks=(yesterday - max(chats).astimezone(STORY_ZONE).date()).days // 7)


# The story is told in Berlin's time: a move keeps its wall-clock times ("the review at 15:00") across DST.
STORY_ZONE = ZoneInfo("Europe/Berlin")
_ORDINAL_DAY = re.compile(r"\b(?P<lead>the |on )(?P<d>[12]\d|3[01]|0?[1-9])(?P<suffix>st|nd|rd|th)\b(?!\s+(?:of\b|[A-Z]))")


def moved(when: datetime, shift: timedelta) -> datetime:
    """``when`` moved by ``shift`` on the story's wall clock (15:00 stays 15:00 in summer time)."""
    if not shift:
        return when
    local = when.astimezone(STORY_ZONE).replace(tzinfo=None) + shift
    return local.replace(tzinfo=STORY_ZONE)


def shift_text(text: str, when: datetime, shift: timedelta) -> str:
    """``text`` (written at ``when``, unshifted) with every calendar date it writes moved by ``shift``, each in
    its own form: "3 December" → "10 December", "Thursday 5 November 2026" → "Thursday 12 November 2026",
    "9 Nov 2026", "2026-11-05", "on the 16th".  A date without a year is the nearest of that day and month."""
    if not shift or not text:
        return text
    from core.memory.extraction.dates import find_dates

    pieces: list[str] = []
    last = 0
    for mention in find_dates(text, reference=when):
        written = date.fromisoformat(mention.norm)
        has_year = bool(_YEAR.search(mention.value))
        meant = written if has_year else _nearest(when.date(), written.month, written.day)
        if meant is None:
            continue
        pieces += [text[last:mention.start], _rewrite_date(mention.value, meant + shift, has_year)]
        last = mention.end
    pieces.append(text[last:])
    out = "".join(pieces)

    def ordinal(m: re.Match[str]) -> str:
        meant = _nearest_day_of_month(when.date(), int(m["d"]))
        return f"{m['lead']}{_with_suffix((meant + shift).day)}" if meant is not None else m.group(0)

    def month_alone(m: re.Match[str]) -> str:
        written = _MONTHS.index(m["month"].lower()) + 1
        meant = _nearest(when.date(), written, 15)  # "in January": the middle of the nearest January
        return m["lead"] + (_MONTH_NAMES[(meant + shift).month - 1] if meant is not None else m["month"])

    out = _MONTH_ALONE.sub(month_alone, out)
    return _ORDINAL_DAY.sub(ordinal, out)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
# A month named alone ("moving to Leipzig in January"); one with a day or year beside it is a date above.
_MONTH_ALONE = re.compile(r"\b(?P<lead>(?:in|from|since|until|till|by|before|after|early|late|mid|end of)[ -])"
                          r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
                          r"December)\b(?![ \t]+(?:\d|of\b))")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_MONTH_TOKEN = re.compile(r"[A-Za-z]+\.?")


def _nearest(today: date, month: int, day: int) -> date | None:
    days = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            days.append(date(year, month, day))
        except ValueError:  # 29 February of a year without one
            continue
    return min(days, key=lambda d: abs((d - today).days)) if days else None


def _nearest_day_of_month(today: date, day: int) -> date | None:
    """"the 16th" written on ``today``: the 16th of this month, or of the month before or after if nearer."""
    found = []
    for months in (-1, 0, 1):
        month_index = today.year * 12 + today.month - 1 + months
        try:
            found.append(date(month_index // 12, month_index % 12 + 1, day))
        except ValueError:
            continue
    return min(found, key=lambda d: abs((d - today).days)) if found else None


def _with_suffix(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _rewrite_date(value: str, new: date, has_year: bool) -> str:
    """``value`` ("3 December", "9 Nov 2026", "2026-11-05", "December 3rd") written for the date ``new``."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return new.isoformat()
    numeric = re.fullmatch(r"(\d{1,2})([./])(\d{1,2})\2(\d{4})", value)
    if numeric:  # day first, as the demo writes them
        sep = numeric[2]
        return f"{new.day:0{len(numeric[1])}d}{sep}{new.month:0{len(numeric[3])}d}{sep}{new.year}"

    def month(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.rstrip(".").lower() == "of":
            return token
        name = _MONTH_NAMES[new.month - 1]
        short = len(token.rstrip(".")) <= 4 and token.rstrip(".").lower() != name.lower()
        word = (name[:4] if short and name.startswith("Sept") and token.lower().startswith("sept") else
                name[:3] if short else name)
        word = word.lower() if token.islower() else word.upper() if token.isupper() and len(token) > 1 else word
        return word + ("." if token.endswith(".") else "")

    def day(m: re.Match[str]) -> str:
        return _with_suffix(new.day) if m[2] else str(new.day)

    out = re.sub(r"\b(\d{1,2})(st|nd|rd|th)?\b", day, value, count=1)
    out = _MONTH_TOKEN.sub(lambda m: m.group(0) if re.fullmatch(r"st|nd|rd|th", m.group(0)) else month(m), out)
    if has_year:
        out = _YEAR.sub(str(new.year), out)
    return out


def _chat_records_as_written() -> Iterator[ReadResult]:
    reader = JsonLinesReader()
    for path in demo_chat_files():
        yield from reader.read(path, ImportOptions())


def chat_records(shift: timedelta) -> Iterator[ReadResult]:
    for result in _chat_records_as_written():
        if isinstance(result, Record):
            yield dataclasses.replace(result, timestamp=moved(result.timestamp, shift), source=CHAT_SOURCE,
                                      text=shift_text(result.text, result.timestamp, shift))
        else:
            yield result


def screenshot_records(shift: timedelta) -> Iterator[tuple[Record, Callable[[], bytes]]]:
    """Each demo frame's record and a function giving its picture, both showing the moved dates
    (``core.demo_frames``: the picture is redrawn only when it is stored, and only where a date moved)."""
    from core.demo_frames import move_frame

    manifest = json.loads((DEMO_DIR / "screens" / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        written = datetime.fromisoformat(entry["when"])
        frame = move_frame(entry, shift, shift_text)
        meta = {k: entry[k] for k in ("app", "window_title", "url", "monitor", "width", "height")
                if entry.get(k) is not None}
        meta["words"] = frame.words
        meta["demo"] = True
        record = Record(source=SCREEN_SOURCE, external_id=f"demo-frame:{entry['file']}", kind="screenshot",
                        timestamp=moved(written, shift), text=frame.text, title=entry["window_title"], meta=meta)
        path = DEMO_DIR / "screens" / entry["file"]
        yield record, lambda path=path, frame=frame: frame.image(path.read_bytes())


def document_records(shift: timedelta) -> Iterator[Record]:
    manifest = json.loads((DEMO_DIR / "docs" / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        path = DEMO_DIR / "docs" / entry["file"]
        written = datetime.fromisoformat(entry["when"])
        text = shift_text(path.read_text("utf-8"), written, shift)
        yield Record(source=FILE_SOURCE, external_id=str(path), kind="document",
                     timestamp=moved(written, shift), text=text, title=shift_text(entry["title"], written, shift),
                     meta={"path": str(path), "demo": True, "mime": "text/markdown"},
                     sections=(Section(text=text),))


def load_demo_memory(vault: Vault, now: datetime | None = None, embed: bool = True) -> DemoReport:
    """Load chats, screenshots and documents of the demo into ``vault``."""
    shift = demo_shift(now or datetime.now().astimezone())
    chats = vault.ingest(chat_records(shift), embed=False)
    docs = vault.ingest(document_records(shift), embed=False)
    shots = 0
    for record, image in screenshot_records(shift):
        report = vault.ingest([record], embed=False)
        if report.item_ids:  # new (or changed): store its image, encrypted
            vault.put_media(image(), "screenshot", report.item_ids[0])
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
