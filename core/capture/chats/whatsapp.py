"""WhatsApp chat exports: the ``.txt`` file and the ``.zip`` (chat text plus media).

Layout: one message per header line, continuation lines belong to the message
above.  Two header styles exist:

* Android ``12/31/23, 9:15 PM - Name: text`` (also ``31.12.23, 21:15 - ...``,
  ``2023/12/31 午後9:15 - ...``);
* iOS ``[31.12.23, 21:15:03] Name: text`` (U+200E marks before system lines
  and attachments).

Headers may contain U+200E/U+200F/U+202A-U+202E/U+2066-U+2069 marks and
U+00A0/U+202F/U+2009 spaces; AM/PM markers come in many spellings
(``PM``, ``p. m.``, ``nachm.``, ``午後``, ``오후`` ...), before or after the time.

**Date order** (day/month vs month/day) is decided once for the whole file, not
line by line: a 4-digit first field means year-month-day; a first field over 12
means DMY, a second field over 12 means MDY; when every date fits both, the
order under which the dates run forward in time wins; a tie with ``.``
separators means DMY (no locale writes M.D.Y); otherwise the import fails with
an error naming a line and asking for ``--date-order`` (``options.date_order``
always wins over detection).

**Times** are the phone's local wall-clock time without an offset: they are
read in ``options.timezone`` or, when unset, in this machine's local zone
(with the DST offset in force at that moment).

**Ids**: WhatsApp has no message ids.  ``external_id`` hashes the wall-clock
time as written (so ``--timezone`` does not change it), the speaker and the
ordinal among that speaker's messages in the same timestamp.  The text is not
part of the id, so a re-export with an edited message updates it in place.
(A message deleted "for me" between two exports shifts the ordinals of later
messages by the same speaker in the same minute.)

**Skipped** (``RecordSkip``): system messages (encryption notice, joins, group
renames, security-code changes), deleted-message placeholders, "waiting for
this message".  Media lines become messages with ``meta["attachments"]``
(``.zip`` or "file attached" exports) or ``meta["media_omitted"]``; the
``<This message was edited>`` marker is removed and sets ``meta["edited"]``.

**Memory**: a message longer than ``_caps.MESSAGE_CAP`` characters is cut while it is read (the rest is never
held) and carries ``meta["truncated"]``; the import report counts it in a note.

This module reads files and assembles messages; the header grammar is in ``_whatsapp_header``, the date
order in ``_whatsapp_dates``, the body markers in ``_whatsapp_body`` and the capped line reader in ``_caps``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordNote, RecordSkip

from . import _caps
from ._caps import text_lines
from ._common import SKIP_SYSTEM, Localizer, localizer, message_record, stable_id, strip_invisible
from ._inputs import ExportTree, is_zip, read_head, zip_names
from ._jsonstream import ENTRY_READ_ERRORS
from ._whatsapp_body import interpret_text
from ._whatsapp_dates import Orders, detect_orders
from ._whatsapp_header import Header, Unparsed, looks_like_whatsapp, naive_time, parse_header

FORMAT = "whatsapp"

_CHAT_NAME = re.compile(
    r"^(?:WhatsApp[- ]Chat|Chat de WhatsApp|Conversa do WhatsApp|Discussion WhatsApp|Chat WhatsApp|"
    r"WhatsApp-chat)\s*(?:with|mit|con|com|avec|met|-|–)\s+(?P<name>.+?)(?:\s*\(\d+\))?$",
    re.I,
)
_QUOTES = ('"', "“", "”", "«", "»", "„")

_ORDINAL_WINDOW = 1_000  # distinct (time, speaker) keys; exports are in time order


@dataclass(slots=True)
class _Pending:
    header: Header
    lines: list[str] = field(default_factory=list)
    chars: int = 0
    cut: bool = False  # longer than _caps.MESSAGE_CAP: the rest was skipped while reading

    def add(self, line: str, cut: bool) -> None:
        """Keep a continuation line while the message is under the cap (memory stays bounded)."""
        room = _caps.MESSAGE_CAP - self.chars
        if room <= 0 or cut or len(line) > room:
            self.cut = True
        if room > 0:
            self.lines.append(line[:room])
            self.chars += min(len(line), room) + 1


@dataclass(slots=True)
class _ChatSource:
    where: str  # display name used in error locations
    conversation: str
    opener: Callable[[], IO[bytes]]


class WhatsAppReader:
    """WhatsApp ``.txt`` / ``.zip`` exports (see the module docstring for the rules)."""

    name = FORMAT
    description = "WhatsApp chat export (.txt, or the .zip with media; Android and iOS)"

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return False
        names = zip_names(path)
        if names is not None:
            texts = [n for n in names if n.lower().endswith(".txt")]
            if any(PurePosixPath(n).name == "_chat.txt" for n in texts):
                return True
            if any(_CHAT_NAME.match(PurePosixPath(n).stem) for n in texts):
                return True
            return 0 < len(texts) <= 3 and _zip_has_chat_text(path, texts)
        if path.suffix.lower() not in (".txt", ""):
            return False
        return looks_like_whatsapp(read_head(path, 8192))

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        order_override = _check_order(options.date_order)
        to_aware = localizer(options)
        if is_zip(path):
            yield from self._read_zip(path, order_override, to_aware)
            return
        if not path.is_file():
            raise ImportFailed(f"{path}: not a WhatsApp export (expected a .txt file or the export .zip)")
        head = read_head(path, 8192)
        if not looks_like_whatsapp(head):
            raise ImportFailed(_not_whatsapp(path.name, head))
        parent_hint = path.parent.name if path.name == "_chat.txt" else path.stem
        source = _ChatSource(path.name, _chat_name(parent_hint), lambda: path.open("rb"))
        yield from _read_chat(source, order_override, to_aware, path.name)

    def _read_zip(self, path: Path, order: str | None, to_aware: Localizer) -> Iterator[ReadResult]:
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            texts = [n for n in tree.names() if n.lower().endswith(".txt")]
            chats: list[str] = []
            for name in texts:
                try:
                    head = tree.head(name, 8192)
                except ENTRY_READ_ERRORS as exc:
                    yield RecordError(where=f"{path.name}!{name}", reason=f"cannot read entry: {exc}")
                    continue
                if looks_like_whatsapp(head):
                    chats.append(name)
            bombs = [f"{n}: {reason}" for n, reason in tree.rejected if n.lower().endswith(".txt")]
            if not chats and bombs:
                raise ImportFailed(f"{path}: refused as a possible zip bomb ({'; '.join(bombs[:3])}); nothing"
                                   " was imported")
            if not chats:
                raise ImportFailed(
                    f"{path}: no WhatsApp chat text in this zip (expected _chat.txt or "
                    "'WhatsApp Chat with ….txt' with lines like '31/12/23, 21:15 - Name: text')"
                )
            for name in chats:
                stem = PurePosixPath(name).stem
                conversation = _chat_name(path.stem if stem == "_chat" else stem)

                def opener(entry: str = name) -> IO[bytes]:
                    return tree.open(entry)

                source = _ChatSource(f"{path.name}!{name}", conversation, opener)
                yield from _read_chat(source, order, to_aware, name if stem != "_chat" else path.name)


def _chat_name(stem: str) -> str:
    m = _CHAT_NAME.match(stem.strip())
    return m.group("name").strip() if m else stem.strip()


def _zip_has_chat_text(path: Path, texts: list[str]) -> bool:
    """Peek (through SafeZip, a few KB) at the few text entries of a zip."""
    try:
        with ExportTree(path) as tree:
            for name in texts:
                if name in tree.names() and looks_like_whatsapp(tree.head(name, 8192)):
                    return True
    except ENTRY_READ_ERRORS:
        return False
    return False


def _check_order(value: str | None) -> str | None:
    if value is None:
        return None
    order = value.strip().upper()
    if order not in ("DMY", "MDY", "YMD"):
        raise ImportFailed(f"--date-order must be DMY, MDY or YMD, not {value!r}")
    return order


def _not_whatsapp(name: str, head: bytes) -> str:
    first = next((ln for ln in head.decode("utf-8", errors="replace").splitlines() if ln.strip()), "")
    return (
        f"{name}: not a WhatsApp export: line 1 ({first[:60]!r}) does not start with a date and time "
        "like '31/12/23, 21:15 - Name:' or '[31.12.23, 21:15:03] Name:'. If it is a WhatsApp export in a "
        "locale Cairn does not know, pass --date-order DMY, MDY or YMD; otherwise choose another --format."
    )


def _read_chat(source: _ChatSource, override: str | None, to_aware: Localizer, file_name: str) -> Iterator[ReadResult]:
    orders = detect_orders(source.opener, source.where, file_name, override)
    for note in orders.notes:
        yield RecordNote(where=source.where, text=note)
    ordinals: OrderedDict[tuple[datetime, str], int] = OrderedDict()
    pending: _Pending | Unparsed | None = None
    orphan_line: int | None = None
    try:
        for lineno, line, cut in text_lines(source.opener):
            h = parse_header(line, lineno)
            if h is None:
                if isinstance(pending, _Pending):
                    pending.add(line, cut)
                elif isinstance(pending, Unparsed):
                    pending.extra += 1
                elif line.strip() and orphan_line is None:
                    orphan_line = lineno
                continue
            if pending is not None:
                yield from _finish(pending, source, orders, to_aware, ordinals)
            pending = _Pending(h, [h.rest], len(h.rest), cut) if isinstance(h, Header) else h
    except ENTRY_READ_ERRORS as exc:
        if pending is not None:
            yield from _finish(pending, source, orders, to_aware, ordinals)
            pending = None
        yield RecordError(where=source.where, reason=f"reading stopped: {exc}")
    if pending is not None:
        yield from _finish(pending, source, orders, to_aware, ordinals)
    if orphan_line is not None:
        yield RecordError(
            where=f"{source.where}:{orphan_line}",
            reason="text before the first message header belongs to no message",
        )


def _finish(
    pending: _Pending | Unparsed,
    source: _ChatSource,
    orders: Orders,
    to_aware: Localizer,
    ordinals: OrderedDict[tuple[datetime, str], int],
) -> Iterator[ReadResult]:
    if isinstance(pending, Unparsed):
        more = f" (with the {pending.extra} lines after it)" if pending.extra else ""
        yield RecordError(where=f"{source.where}:{pending.line}",
                          reason=f"{pending.reason}{more}; kept apart from the message above, not imported")
        return
    h = pending.header
    where = f"{source.where}:{h.line}"
    order = orders.for_header(h)
    naive = naive_time(h, order)
    if isinstance(naive, str):
        yield RecordError(where=where, reason=naive)
        return
    speaker_raw, colon, first_text = h.rest.partition(": ")
    if not colon:
        if h.rest.endswith(":") and ":" not in h.rest[:-1]:
            speaker_raw, first_text = h.rest[:-1], ""
        else:
            yield RecordSkip(where=where, reason=SKIP_SYSTEM)
            return
    # "~ Name": WhatsApp's mark for a group member who is not in the phone's contacts.
    speaker = strip_invisible(speaker_raw).strip().removeprefix("~").strip()
    if not speaker or any(q in speaker for q in _QUOTES):
        yield RecordSkip(where=where, reason=SKIP_SYSTEM)
        return
    key = (naive, speaker)
    ordinal = ordinals.get(key, 0)
    ordinals[key] = ordinal + 1
    ordinals.move_to_end(key)
    if len(ordinals) > _ORDINAL_WINDOW:
        ordinals.popitem(last=False)
    pending.lines[0] = first_text
    raw_text = "\n".join(pending.lines).rstrip()
    outcome = interpret_text(raw_text)
    if isinstance(outcome, RecordSkip):
        yield RecordSkip(where=where, reason=outcome.reason)
        return
    text, meta = outcome
    if pending.cut:
        meta = {**meta, "truncated": _caps.cut_note("message", _caps.MESSAGE_CAP)}
    # The id hashes the date as written (not as interpreted): re-importing with another
    # --date-order re-dates the same messages instead of adding copies.
    written = f"{h.date.d1}/{h.date.d2}/{h.date.d3} {naive.time().isoformat()}"
    external_id = stable_id(FORMAT, written, speaker, ordinal)
    yield message_record(
        FORMAT,
        external_id,
        to_aware(naive),
        text,
        conversation=source.conversation,
        speaker=speaker,
        meta=meta,
    )
