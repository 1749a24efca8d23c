"""Helpers every chat-export reader shares: times, ids, text repair, records.

Nothing here touches the disk.  All functions are pure and thread-safe.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.capture.chats._caps import CUT_MARK, cut_note, take_cut
from core.capture.chats.reader import ImportOptions
from core.capture.chats.timezones import localize
from core.errors import ImportFailed
from core.types import Record

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Reasons for RecordSkip: a small fixed vocabulary, because the import report
# counts skips per reason (a reason must never contain message text).
SKIP_SYSTEM = "system message"
SKIP_DELETED = "deleted message"
SKIP_EMPTY = "empty message"
SKIP_HIDDEN = "hidden message"
SKIP_REACTION = "reaction"
SKIP_UNAVAILABLE = "message not available in export"

Localizer = Callable[[datetime], datetime]


def localizer(options: ImportOptions) -> Localizer:
    """A function making a naive wall-clock time from an export timezone-aware.

    ``options.timezone`` (an IANA name) wins; otherwise the machine's local
    zone is used, with the offset that was in force at that moment (DST-aware),
    not today's offset (``core.capture.chats.timezones.localize``).
    Raises ``ImportFailed`` at once for an unknown zone name.
    """
    zone = options.timezone or None
    if zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ImportFailed(f"unknown time zone {zone!r}: use an IANA name such as Europe/Berlin") from exc
    return lambda naive: _localize(naive, zone)


def _localize(naive: datetime, zone: str | None) -> datetime:
    try:
        return localize(naive, zone)
    except (OverflowError, OSError, ValueError):
        # Dates the C library cannot represent: fall back to today's offset.
        return naive.replace(tzinfo=datetime.now().astimezone().tzinfo)


def from_unix(seconds: float) -> datetime:
    """UTC datetime from Unix epoch seconds (exact for the whole float range we see)."""
    return UNIX_EPOCH + timedelta(seconds=seconds)


def from_unix_ms(millis: int | float) -> datetime:
    return UNIX_EPOCH + timedelta(milliseconds=millis)


def stable_id(*parts: object) -> str:
    """A short stable id for formats that carry none (WhatsApp, Messenger).

    The same parts always give the same id, across runs and machines.
    """
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")


def fix_mojibake(text: str) -> str:
    """Undo Meta's export encoding (UTF-8 bytes written as latin-1 code points).

    Repairs only when every character is a latin-1 code point, the bytes
    decode as UTF-8, and the result is shorter (multi-byte sequences were
    collapsed): correct text, ASCII, or genuine latin-1 text ("café" written
    properly) is returned unchanged.  Text cut while it was read keeps its cut mark,
    and the character the cut parted is dropped.
    """
    if CUT_MARK in text:
        head, _, tail = text.partition(CUT_MARK)
        return _repair(head, cut=True) + CUT_MARK + fix_mojibake(tail)
    return _repair(text, cut=False)


def _repair(text: str, *, cut: bool) -> str:
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text
    try:
        repaired = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not (cut and exc.reason == "unexpected end of data"):
            return text
        repaired = raw[:exc.start].decode("utf-8", errors="strict")
    return repaired if len(repaired) < len(text) else text


# Invisible characters WhatsApp and others sprinkle into exports.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile("[\u00a0\u202f\u2007\u2009]")


def strip_invisible(text: str) -> str:
    """Remove direction marks/isolates and the BOM; turn exotic spaces into plain spaces."""
    if text.isascii():
        return text
    return _SPACES.sub(" ", _BIDI.sub("", text))


def prune_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values so stored meta stays small and comparable."""
    return {k: v for k, v in meta.items() if v not in (None, "", [], {}, (), False)}


def attachment_text(kind: str, names: Iterable[str]) -> str:
    """Text standing in for a message that is only media: ``[photo: a.jpg]``."""
    shown = ", ".join(n for n in names if n)
    return f"[{kind}: {shown}]" if shown else f"[{kind}]"


def with_attachments(text: str, names: list[str], kind: str = "attachment") -> str:
    """The message text, or a placeholder naming the attachments when there is no text."""
    if text.strip():
        return text
    return attachment_text(kind, names) if names else text


def message_record(
    fmt: str,
    external_id: str,
    timestamp: datetime,
    text: str,
    *,
    conversation: str | None,
    speaker: str | None,
    meta: dict[str, Any] | None = None,
    media_refs: tuple[str, ...] = (),
) -> Record:
    """A chat message ``Record`` with the conventions all readers share.

    Text cut while it was read (``_caps.CUT_MARK`` in it) loses the mark and gains ``meta["truncated"]``.
    """
    text, cut = take_cut(text)
    if cut:  # a note the reader already has (the message's budget ran out) says more
        meta = {**(meta or {}), "truncated": (meta or {}).get("truncated") or cut_note()}
    if conversation is not None:
        conversation = take_cut(conversation)[0]
    if speaker is not None:
        speaker = take_cut(speaker)[0]
    return Record(
        source=f"chat:{fmt}",
        external_id=external_id,
        kind="message",
        timestamp=timestamp,
        text=text,
        conversation=conversation,
        speaker=speaker,
        meta=prune_meta(meta or {}),
        media_refs=media_refs,
    )


def short_error(exc: BaseException) -> str:
    """One line of an exception message (yajl's are multi-line with an arrow)."""
    first = str(exc).strip().splitlines()
    return first[0].strip() if first else type(exc).__name__
